package dev.groundingdino.cli;

import dev.groundingdino.CheckpointException;
import dev.groundingdino.Detector;
import dev.groundingdino.Device;
import dev.groundingdino.Precision;
import dev.groundingdino.internal.hub.OfficialWeights;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The GroundingDINO model options shared by {@code gdino detect} and {@code gdino web} ({@code @Mixin}): which
 * checkpoint (a file, an official release name, or {@code demo}), its config, the device and the precision, and how
 * they become a {@link Detector.Builder}.
 */
public final class ModelOptions {
    @Option(names = "--weights", paramLabel = "W",
            description = "GroundingDINO checkpoint (.pth or .safetensors), a release name, or 'demo' (default: the "
                    + "cached groundingdino_swint_ogc release if present, else 'demo')")
    String weights;

    @Option(names = "--config", paramLabel = "C",
            description = "model config (.py of the reference, or .json); only for checkpoints of a size that is not "
                    + "recognised from their tensors")
    Path config;

    @Option(names = "--device", paramLabel = "D", description = "CPU (default) or CUDA")
    Device device = Device.CPU;

    @Option(names = "--precision", paramLabel = "P", description = "FP32 (default), BF16, or FP16 (CUDA only)")
    Precision precision = Precision.FP32;

    @Option(names = "--download", description = "download a release named by --weights into the cache if absent")
    boolean download;

    /**
     * A builder for the chosen weights on the chosen device and precision. Without {@code --weights}: the cached
     * Swin-T OGC release if present, else the demo model, with a warning on {@code err} naming {@code command}.
     *
     * @throws CheckpointException a file or release that cannot be found
     * @throws IllegalArgumentException {@code --config} with the demo model
     */
    public Detector.Builder detectorBuilder(String command, PrintWriter err) {
        String w = weights;
        if (w == null) {
            Path cached = OfficialWeights.SWINT_OGC.cachedFile();
            if (Files.isRegularFile(cached)) {
                w = cached.toString();
            } else {
                w = "demo";
                err.println(command + ": no --weights and no " + cached.getFileName() + " in " + cached.getParent()
                        + ": running the random-weight DEMO model, which finds nothing meaningful. Put the official "
                        + "checkpoint there (or pass --weights FILE) for real detections.");
            }
        }
        Detector.Builder b;
        if (w.equalsIgnoreCase("demo")) {
            if (config != null) {
                throw new IllegalArgumentException("--config does not apply to --weights demo");
            }
            b = Detector.demoBuilder();
        } else {
            b = Detector.builder(resolve(w, err));
            if (config != null) {
                b.config(config);
            }
        }
        return b.device(device).precision(precision);
    }

    /**
     * The precision for a Segment Anything model next to the detector: {@code BF16} when the detector runs in BF16,
     * else {@code FP32} (the segmenter runs on the CPU, where FP16 is not available).
     */
    public Precision samPrecision() {
        return precision == Precision.BF16 ? Precision.BF16 : Precision.FP32;
    }

    /** A path as given, else a release name in the cache (downloaded with {@code --download}). */
    private Path resolve(String w, PrintWriter err) {
        Path path = Path.of(w);
        if (Files.exists(path)) {
            return path;
        }
        Optional<OfficialWeights> release = OfficialWeights.byName(w);
        if (release.isEmpty()) {
            throw new CheckpointException("weights file not found: " + path.toAbsolutePath() + ". Give a .pth or "
                    + ".safetensors file, a release name (groundingdino_swint_ogc, groundingdino_swinb_cogcoor; "
                    + "looked up in " + OfficialWeights.cacheDir() + "), or 'demo' for the random-weight demo model.");
        }
        if (download) {
            err.println("fetching " + release.get().fileName() + " (" + release.get().size() / (1 << 20)
                    + " MiB) into " + release.get().cachedFile().getParent());
            return release.get().download(null);
        }
        return release.get().locate();
    }
}
