package dev.groundingdino.internal.detector;

import dev.groundingdino.CheckpointException;
import dev.groundingdino.Device;
import dev.groundingdino.NativeLibraryException;
import dev.groundingdino.OptionException;
import dev.groundingdino.Precision;
import dev.groundingdino.internal.groundingdino.GroundingDinoConfig;
import dev.groundingdino.internal.groundingdino.GroundingDinoConfigReader;
import dev.groundingdino.internal.groundingdino.LoadedGroundingDino;
import dev.groundingdino.internal.hf.HfCheckpoint;
import dev.groundingdino.internal.hub.DemoWeights;
import dev.groundingdino.internal.runtime.Devices;
import dev.groundingdino.internal.runtime.Natives;
import dev.groundingdino.internal.runtime.Placement;
import dev.groundingdino.internal.weights.StateDict;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Builds the {@link DetectorModel} of a {@code Detector.Builder}: reads the checkpoint, checks it on the CPU (model
 * kind, variant, strict keys and shapes), then builds the model for its placement (device and weight type), moving
 * the weights there once.
 */
public final class DetectorLoader {
    private DetectorLoader() {}

    /**
     * @param checkpoint the file (ignored for the demo model)
     * @param demo whether to generate the random-weight demo model
     * @param config the model's config file, or null to infer the variant from the tensors
     * @param textCacheSize captions whose text encoding the model keeps between calls
     * @throws CheckpointException if the checkpoint cannot be used
     * @throws OptionException if the config file cannot be used
     * @throws NativeLibraryException if libtorch cannot be loaded or the device is not usable
     */
    public static DetectorModel load(Path checkpoint, boolean demo, long demoSeed, Path config, Device device,
            Precision precision, int textCacheSize) {
        Natives.ensureLoaded();
        Placement placement = placement(device, precision);
        // Hugging Face layout (config.json + model.safetensors): converted onto the reference tree by internal.hf
        HfCheckpoint.Converted hub = demo ? null : HfCheckpoint.openIfHub(checkpoint, config);
        GroundingDinoConfig cfg = hub != null ? hub.config() : config != null ? readConfig(config)
                : demo ? DemoWeights.config() : null;
        StateDict sd = hub != null ? hub.stateDict() : demo ? DemoWeights.generate(demoSeed)
                : StateDict.read(checkpoint);
        LoadedGroundingDino loaded;
        try {
            checkKind(sd, checkpoint);
            loaded = LoadedGroundingDino.of(sd, cfg, placement);
        } catch (RuntimeException e) {
            sd.close();
            throw e;
        }
        loaded.model().setTextCacheCapacity(textCacheSize);
        return new DetectorModel(loaded, device, precision,
                demo ? "demo (seed " + demoSeed + ")" : String.valueOf(checkpoint.getFileName()), demo);
    }

    /**
     * The placement of a model: its device, and weights in the precision's type (reduced precision means the
     * model's own bfloat16/float16 path everywhere: weights and activations in that type, norms, softmax and the
     * deformable attention's geometry in float32 where the model keeps them so).
     */
    static Placement placement(Device device, Precision precision) {
        var dtype = switch (precision) {
            case FP32 -> org.bytedeco.pytorch.global.torch.ScalarType.Float;
            case BF16 -> org.bytedeco.pytorch.global.torch.ScalarType.BFloat16;
            case FP16 -> org.bytedeco.pytorch.global.torch.ScalarType.Half;
        };
        if (device == Device.CUDA) {
            Devices.requireCuda("Detector");
            if (precision == Precision.FP32) {
                Devices.disableTf32(); // FP32 means float32 arithmetic, as the reference's defaults on the CPU
            }
            return Placement.cuda(0, dtype);
        }
        return Placement.cpu(dtype);
    }

    /** Reads a reference Python config ({@code GroundingDINO_SwinT_OGC.py}) or a JSON dump ({@code config.json}). */
    private static GroundingDinoConfig readConfig(Path config) {
        if (!Files.isRegularFile(config)) {
            throw new OptionException("config file not found: " + config.toAbsolutePath()
                    + ". Give the model's Python config (e.g. GroundingDINO_SwinT_OGC.py) with Detector.builder(..)"
                    + ".config(..), or leave it out: the official checkpoints are recognised from their tensors.");
        }
        String name = String.valueOf(config.getFileName()).toLowerCase(Locale.ROOT);
        try {
            if (name.endsWith(".py")) {
                return GroundingDinoConfigReader.fromPythonFile(config);
            }
            if (name.endsWith(".json")) {
                return GroundingDinoConfigReader.fromGoldenJson(config);
            }
        } catch (UncheckedIOException e) {
            throw new OptionException("cannot read the config file " + config + ": " + e.getMessage(), e);
        }
        throw new OptionException("unknown config format '" + config.getFileName() + "': give the reference's Python "
                + "config (*.py, e.g. GroundingDINO_SwinT_OGC.py) or a JSON dump of it (*.json)");
    }

    /** Names other models' checkpoints instead of listing hundreds of missing keys. */
    private static void checkKind(StateDict sd, Path checkpoint) {
        String file = checkpoint == null ? "The checkpoint" : "Checkpoint " + checkpoint.getFileName();
        boolean sam = false;
        boolean gdino = false;
        for (String name : sd.names()) {
            String n = name.startsWith("module.") ? name.substring(7) : name;
            sam |= n.startsWith("image_encoder.") || n.startsWith("mask_decoder.") || n.startsWith("prompt_encoder.")
                    || n.startsWith("sam_mask_decoder.");
            gdino |= n.startsWith("backbone.0.") || n.startsWith("bert.") || n.startsWith("transformer.");
        }
        if (sam && !gdino) {
            throw new CheckpointException(file + " is a Segment Anything (SAM) checkpoint, not GroundingDINO. Load "
                    + "it with dev.groundingdino.sam.Segmenter, and give Detector a GroundingDINO checkpoint such as "
                    + "groundingdino_swint_ogc.pth or groundingdino_swinb_cogcoor.pth.");
        }
        if (!gdino && HfCheckpoint.hasHubNames(sd.names())) {
            throw new CheckpointException(file + " is a Hugging Face layout checkpoint (model.backbone.conv_encoder.*, "
                    + "model.text_backbone.*): put its config.json beside it as model.safetensors + config.json, or "
                    + "give the folder that holds both.");
        }
        if (!gdino) {
            throw new CheckpointException(file + " holds no GroundingDINO tensors (no backbone.0.*, bert.*, "
                    + "transformer.*; " + sd.size() + " tensors" + (sd.size() > 0 ? ", e.g. '" + sd.names().get(0)
                    + "'" : "") + "). Give a GroundingDINO checkpoint such as groundingdino_swint_ogc.pth.");
        }
    }
}
