package dev.groundingdino;

import dev.groundingdino.internal.groundingdino.GroundingDinoConfig;
import dev.groundingdino.internal.groundingdino.GroundingDinoConfigReader;
import dev.groundingdino.internal.groundingdino.LoadedGroundingDino;
import dev.groundingdino.internal.hf.HfCheckpoint;
import dev.groundingdino.internal.hub.DemoWeights;
import dev.groundingdino.internal.runtime.Natives;
import dev.groundingdino.internal.weights.DType;
import dev.groundingdino.internal.weights.StateDict;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Builds the {@link SharedModel} of a {@link Detector.Builder}: reads, checks, converts and loads the weights. */
@SuppressWarnings("try") // PointerScope blocks are used for their extent only
final class ModelLoader {
    private ModelLoader() {}

    static SharedModel load(Path checkpoint, boolean demo, long demoSeed, Path config, Device device,
            Precision precision) {
        Natives.ensureLoaded();
        org.bytedeco.pytorch.Device torchDevice = torchDevice(device);
        // BF16 on the CPU uses the model's own bfloat16 path (bfloat16 weights and activations, norms and softmax
        // where the model keeps them in float32): 1.4 s against 3.2 s for autocast over float32 weights
        // (docs/performance.md). Other reduced-precision cases run under libtorch's autocast (like torch.autocast):
        // float32 weights, matmuls/convolutions in the reduced type.
        ScalarType dtype = switch (precision) {
            case FP32 -> ScalarType.Float;
            case BF16 -> ScalarType.BFloat16;
            case FP16 -> ScalarType.Half;
        };
        try {
            // Hugging Face layout (config.json + model.safetensors): converted onto the reference tree by internal.hf
            HfCheckpoint.Converted hub = demo ? null : HfCheckpoint.openIfHub(checkpoint, config);
            GroundingDinoConfig cfg = hub != null ? hub.config() : config != null ? readConfig(config)
                    : demo ? DemoWeights.config() : null;
            StateDict sd = hub != null ? hub.stateDict() : demo ? DemoWeights.generate(demoSeed)
                    : StateDict.read(checkpoint);
            try {
                checkKind(sd, checkpoint);
                if (device != Device.CPU) {
                    StateDict converted = convert(sd, torchDevice, ScalarType.Float);
                    sd.close();
                    sd = converted;
                }
            } catch (RuntimeException e) {
                sd.close();
                throw e;
            }
            LoadedGroundingDino loaded;
            try {
                loaded = nativeBf16(device, precision) ? LoadedGroundingDino.of(sd, cfg, ScalarType.BFloat16)
                        : LoadedGroundingDino.of(sd, cfg);
            } catch (RuntimeException e) {
                sd.close();
                throw e;
            }
            return new SharedModel(loaded, torchDevice, dtype, device, precision,
                    demo ? "demo (seed " + demoSeed + ")" : String.valueOf(checkpoint.getFileName()), demo);
        } catch (RuntimeException e) {
            torchDevice.close();
            throw e;
        }
    }

    /** True where the weights themselves are converted to bfloat16 instead of running under autocast. */
    static boolean nativeBf16(Device device, Precision precision) {
        return device == Device.CPU && precision == Precision.BF16;
    }

    private static org.bytedeco.pytorch.Device torchDevice(Device device) {
        if (device == Device.CUDA) {
            if (!torch.cuda_is_available()) {
                throw new NativeLibraryException("Device.CUDA was requested but libtorch sees no usable CUDA GPU ("
                        + (torch.hasCUDA() ? "the GPU natives are loaded, but no device or driver was found"
                                : "these are the CPU-only natives: build with the `cuda` Maven profile")
                        + "). Use Device.CPU, or run on a machine with an NVIDIA GPU, a CUDA 13 driver and cuDNN 9.");
            }
            return new org.bytedeco.pytorch.Device("cuda:0");
        }
        return new org.bytedeco.pytorch.Device("cpu");
    }

    /** Reads a reference Python config ({@code GroundingDINO_SwinT_OGC.py}) or a JSON dump ({@code config.json}). */
    private static GroundingDinoConfig readConfig(Path config) {
        if (!Files.isRegularFile(config)) {
            throw new IllegalArgumentException("config file not found: " + config.toAbsolutePath()
                    + ". Give the model's Python config (e.g. GroundingDINO_SwinT_OGC.py) or leave the config out: "
                    + "the official checkpoints are recognised from their tensors.");
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
            throw new IllegalArgumentException("cannot read the config file " + config + ": " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("unknown config format '" + config.getFileName() + "': give the "
                + "reference's Python config (*.py, e.g. GroundingDINO_SwinT_OGC.py) or a JSON dump of it (*.json)");
    }

    /** Names other models' checkpoints instead of listing hundreds of missing keys. */
    private static void checkKind(StateDict sd, Path checkpoint) {
        String file = checkpoint == null ? "The checkpoint" : "Checkpoint " + checkpoint.getFileName();
        boolean sam = false;
        boolean gdino = false;
        for (String name : sd.names()) {
            String n = name.startsWith("module.") ? name.substring(7) : name;
            sam |= n.startsWith("image_encoder.") || n.startsWith("mask_decoder.") || n.startsWith("prompt_encoder.");
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

    /** A copy of every tensor on {@code device}, floating tensors in {@code dtype}. */
    private static StateDict convert(StateDict sd, org.bytedeco.pytorch.Device device, ScalarType dtype) {
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (String name : sd.names()) {
                Tensor t = sd.get(name);
                DType type = sd.dtype(name);
                boolean floating = type == DType.FLOAT32 || type == DType.FLOAT64 || type == DType.FLOAT16
                        || type == DType.BFLOAT16;
                out.put(name, t.to(device, floating ? dtype : t.scalar_type()).contiguous());
            }
            return StateDict.of(out, sd.metadata());
        }
    }
}
