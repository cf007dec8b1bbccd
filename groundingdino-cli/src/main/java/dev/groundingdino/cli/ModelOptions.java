package dev.groundingdino.cli;

import dev.groundingdino.CheckpointException;
import dev.groundingdino.Detector;
import dev.groundingdino.Device;
import dev.groundingdino.HubModel;
import dev.groundingdino.ModelWeights;
import dev.groundingdino.Precision;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The GroundingDINO model options shared by {@code gdino detect}, {@code gdino segment} and {@code gdino web}
 * ({@code @Mixin}): which checkpoint (a file, an official release name, or {@code demo}), its config, the device and
 * the precision; {@link #check} validates them in command-line terms before anything is loaded, and
 * {@link #detectorBuilder} turns them into a {@link Detector.Builder}.
 */
public final class ModelOptions {
    @Option(names = "--weights", paramLabel = "W",
            description = "GroundingDINO checkpoint: a .pth or .safetensors file, a Hugging Face model folder, a "
                    + "release name (groundingdino_swint_ogc, groundingdino_swinb_cogcoor), a Hugging Face model "
                    + "name (grounding-dino-tiny, mm_grounding_dino_tiny_o365v1_goldg_v3det, llmdet_tiny, ...), "
                    + "or 'demo' (default: the cached groundingdino_swint_ogc release if present, else 'demo').")
    String weights;

    @Option(names = "--config", paramLabel = "C",
            description = "Model config (.py of the reference, or .json); only for checkpoints of a size that is not "
                    + "recognised from their tensors.")
    Path config;

    @Option(names = "--device", paramLabel = "D", description = "CPU (default) or CUDA.")
    Device device = Device.CPU;

    @Option(names = "--precision", paramLabel = "P", description = "FP32 (default), BF16, or FP16 (--device CUDA only).")
    Precision precision = Precision.FP32;

    @Option(names = "--download", description = "Download the release or Hugging Face model named by --weights into "
            + "the cache if absent.")
    boolean download;

    /** The weights resolved by {@link #check}: a file, or null for the demo model. */
    private Path resolved;
    private boolean demo;

    /**
     * Validates the options before any model is loaded: the weights exist (or name a release or {@code demo}), the
     * config file exists, the precision suits the device and a CUDA GPU is there when asked for. Prints one note when
     * the demo model will run.
     *
     * @throws UsageException naming the flag to change
     */
    public void check(String command, PrintWriter err) {
        checkDevice(device, precision);
        if (config != null && !Files.isRegularFile(config)) {
            throw new UsageException("--config " + config + ": no such file");
        }
        String w = weights;
        if (w == null) {
            Path cached = ModelWeights.SWINT_OGC.cachedFile();
            if (Files.isRegularFile(cached)) {
                resolved = cached;
                return;
            }
            demo = true;
            err.println(command + ": no --weights and no " + cached.getFileName() + " in " + cached.getParent()
                    + ": running the random-weight DEMO model, which finds nothing meaningful. Put the official "
                    + "checkpoint there (or pass --weights FILE) for real detections.");
            return;
        }
        if (w.equalsIgnoreCase("demo")) {
            if (config != null) {
                throw new UsageException("--config does not apply to --weights demo (the demo model has its own)");
            }
            demo = true;
            err.println(command + ": note: " + Detector.DEMO_NOTICE);
            return;
        }
        resolved = resolve(w, err);
    }

    /**
     * Checks that {@code precision} runs on {@code device} and that a CUDA GPU is usable when asked for.
     *
     * @throws UsageException naming {@code --device} / {@code --precision}
     */
    static void checkDevice(Device device, Precision precision) {
        if (precision == Precision.FP16 && device == Device.CPU) {
            throw new UsageException("--precision FP16 needs --device CUDA (libtorch has no usable float16 CPU "
                    + "kernels); on the CPU use --precision BF16 or FP32");
        }
        if (device == Device.CUDA && !Device.CUDA.isAvailable()) {
            throw new UsageException("--device CUDA: no usable CUDA GPU here (it needs an NVIDIA GPU with a CUDA 13 "
                    + "driver and cuDNN 9, and gdino built with the cuda Maven profile: mvn -Pcuda ...); use "
                    + "--device CPU");
        }
    }

    /** Whether {@link #check} chose the demo model. */
    public boolean demo() {
        return demo;
    }

    /** A builder for the checked weights on the chosen device and precision ({@link #check} first). */
    public Detector.Builder detectorBuilder() {
        Detector.Builder b = demo ? Detector.demoBuilder() : Detector.builder(resolved);
        if (!demo && config != null) {
            b.config(config);
        }
        return b.device(device).precision(precision);
    }

    public Device device() {
        return device;
    }

    public Precision precision() {
        return precision;
    }

    /**
     * A path as given, else an official release name or a Hugging Face model (a known name or any {@code owner/name}
     * repository) in the cache, downloaded with {@code --download}.
     */
    private Path resolve(String w, PrintWriter err) {
        Path path = Path.of(w);
        if (Files.exists(path)) {
            return path;
        }
        Optional<ModelWeights> release = ModelWeights.byName(w);
        if (release.isPresent()) {
            if (download) {
                err.println("fetching " + release.get().fileName() + " (" + release.get().size() / (1 << 20)
                        + " MiB) into " + release.get().cachedFile().getParent());
                return release.get().download(null);
            }
            try {
                return release.get().locate();
            } catch (CheckpointException e) {
                throw new UsageException("--weights " + w + ": " + e.getMessage() + " Or add --download to fetch it.");
            }
        }
        Optional<HubModel> hub = HubModel.byName(w);
        if (hub.isEmpty() && w.matches("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*") && download) {
            hub = Optional.of(HubModel.repository(w, null));
        }
        if (hub.isEmpty()) {
            throw new UsageException("--weights " + w + ": no such file or folder. Give a .pth or .safetensors file, "
                    + "a Hugging Face model folder, a release name (groundingdino_swint_ogc, "
                    + "groundingdino_swinb_cogcoor), a Hugging Face model name (grounding-dino-tiny, "
                    + "mm_grounding_dino_tiny_o365v1_goldg_v3det, llmdet_tiny, ...; 'gdino models' lists "
                    + "them) or any owner/name repository with --download, or 'demo' for the random-weight demo "
                    + "model. Names are looked up in " + ModelWeights.cacheDir() + " and fetched there with "
                    + "--download.");
        }
        if (download) {
            err.println("fetching " + hub.get().repoId() + " from the Hugging Face Hub into "
                    + hub.get().cachedFolder());
            return hub.get().download(null);
        }
        try {
            return hub.get().locate();
        } catch (CheckpointException e) {
            throw new UsageException("--weights " + w + ": " + e.getMessage() + " Or add --download to fetch it.");
        }
    }
}
