package dev.groundingdino.sam.internal.sam2;

import dev.groundingdino.sam.internal.sam2.layers.OwnedTensors;
import dev.groundingdino.sam.internal.sam2.config.Sam2Config;
import dev.groundingdino.CheckpointException;
import dev.groundingdino.Device;
import dev.groundingdino.NativeLibraryException;
import dev.groundingdino.Precision;
import dev.groundingdino.internal.runtime.Natives;
import dev.groundingdino.internal.weights.DType;
import dev.groundingdino.internal.weights.StateDict;
import dev.groundingdino.internal.weights.StrictLoader;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A SAM 2.1 model loaded from a checkpoint ({@code sam2/build_sam.py::build_sam2}: the builder followed by
 * {@code _load_checkpoint}, which loads {@code sd["model"]} strictly): the variant is recognised from the tensor
 * shapes (or given), the keys and shapes are matched strictly by {@link StrictLoader} on the CPU, then the weights
 * are placed on the model's device and dtype and the load-time constants are computed there.
 *
 * <p>On the CPU in float32 the model reads its weights straight from the (memory-mapped) state dict. On CUDA, or
 * with a bfloat16 trunk, every tensor is copied (image weights to the device, trunk weights in bfloat16 when asked,
 * video-only weights cloned on the CPU as stored) and the file is unmapped. The video-only weights
 * ({@link SAM2Base#isVideoOnly}) are loaded and kept, never moved to the device and never read by the image path.
 * Owns the state dict or the copies and the constants; {@link #close()} releases them.
 */
@SuppressWarnings("try") // PointerScope blocks are used for their extent only
public final class Sam2Checkpoint implements AutoCloseable {
    /** Keys only a GroundingDINO checkpoint has (any one identifies it). */
    private static final List<String> GROUNDING_DINO_MARKERS = List.of("backbone.0.", "bert.", "transformer.",
            "feat_map.", "input_proj.");

    private final StateDict stateDict; // null once every tensor is a copy
    private final OwnedTensors owned;
    private final SAM2Base model;
    private final org.bytedeco.pytorch.Device device;
    private final Device deviceKind;
    private final Precision precision;
    private boolean closed;

    private Sam2Checkpoint(StateDict stateDict, OwnedTensors owned, SAM2Base model, org.bytedeco.pytorch.Device device,
            Device deviceKind, Precision precision) {
        this.stateDict = stateDict;
        this.owned = owned;
        this.model = model;
        this.device = device;
        this.deviceKind = deviceKind;
        this.precision = precision;
    }

    /**
     * Reads {@code path} ({@code .pt}/{@code .pth} with the official {@code {"model": state_dict}} layout, a bare
     * state dict, or {@code .safetensors}) and builds the model it holds.
     *
     * @param config the model's config, or null to recognise one of the four official sizes from the tensors
     * @param device where the model runs
     * @param precision {@link Precision#FP32}, or {@link Precision#BF16} (or on CUDA {@link Precision#FP16}) for the
     *     Hiera trunk (the neck, prompt
     *     encoder and mask decoder stay float32)
     * @throws CheckpointException if the file is unreadable, is not a SAM 2.1 checkpoint (SAM 1 and GroundingDINO
     *     checkpoints are named as such), its size is not recognised and no config was given, or it does not match
     *     the config strictly
     * @throws NativeLibraryException if {@code device} is CUDA and no GPU is usable
     */
    public static Sam2Checkpoint load(Path path, Sam2Config config, Device device, Precision precision) {
        checkPrecision(precision, device);
        Natives.ensureLoaded();
        return build(StateDict.read(path), config, device, precision);
    }

    /** As {@link #load(Path, Sam2Config, Device, Precision)} for an in-memory state dict, which this then owns. */
    public static Sam2Checkpoint of(StateDict sd, Sam2Config config, Device device, Precision precision) {
        try {
            checkPrecision(precision, device);
        } catch (RuntimeException e) {
            sd.close();
            throw e;
        }
        Natives.ensureLoaded();
        return build(sd, config, device, precision);
    }

    private static void checkPrecision(Precision precision, Device device) {
        if (precision == Precision.FP16 && device != Device.CUDA) {
            throw new dev.groundingdino.OptionException("Precision.FP16 needs Device.CUDA (libtorch has no usable "
                    + "float16 CPU kernels); on the CPU SAM 2.1 runs in FP32 or with a BF16 Hiera trunk");
        }
    }

    private static Sam2Checkpoint build(StateDict sd, Sam2Config config, Device deviceKind, Precision precision) {
        OwnedTensors owned = new OwnedTensors();
        org.bytedeco.pytorch.Device device = null;
        try {
            device = torchDevice(deviceKind);
            rejectOtherModels(sd);
            Map<String, long[]> shapes = new LinkedHashMap<>();
            for (String name : sd.names()) {
                // "module." (DataParallel) is tolerated by StrictLoader's table; recognise on the bare names.
                shapes.put(name.startsWith("module.") ? name.substring("module.".length()) : name, sd.shape(name));
            }
            Sam2Config cfg = config != null ? config : Sam2Config.infer(shapes);
            if (!shapes.containsKey("no_obj_embed_spatial") && shapes.containsKey("image_encoder.trunk.pos_embed")) {
                throw new CheckpointException("Checkpoint " + describe(sd) + "has no 'no_obj_embed_spatial': it is a "
                        + "SAM 2 (2.0) checkpoint such as sam2_hiera_large.pt. Only SAM 2.1 checkpoints "
                        + "(sam2.1_hiera_*.pt) are supported.");
            }
            StrictLoader.Match match = StrictLoader.check(sd, SAM2Base.expectedTensors(cfg), cfg.describe());
            for (String source : match.sources().values()) {
                DType dtype = sd.dtype(source);
                if (dtype != DType.FLOAT32 && dtype != DType.FLOAT16 && dtype != DType.BFLOAT16
                        && dtype != DType.FLOAT64) {
                    throw new CheckpointException("tensor '" + source + "' has dtype " + dtype + "; SAM 2.1 weights "
                            + "must be floating point (float32, float16, bfloat16 or float64). The file is not a "
                            + "usable SAM 2.1 checkpoint.");
                }
            }
            ScalarType trunkType = switch (precision) {
                case BF16 -> ScalarType.BFloat16;
                case FP16 -> ScalarType.Half;
                case FP32 -> ScalarType.Float;
            };
            boolean copyAll = deviceKind != Device.CPU || precision != Precision.FP32;
            Map<String, Tensor> tensors = new HashMap<>();
            SAM2Base model;
            try (PointerScope scope = new PointerScope()) {
                for (Map.Entry<String, String> e : match.sources().entrySet()) {
                    String name = e.getKey();
                    Tensor view = match.get(name);
                    DType dtype = sd.dtype(e.getValue());
                    Tensor t;
                    if (SAM2Base.isVideoOnly(name)) {
                        t = copyAll ? owned.keep(view.clone()) : view; // kept as stored, on the CPU
                    } else {
                        ScalarType target = SAM2Base.inTrunkPrecision(name) ? trunkType : ScalarType.Float;
                        if (!copyAll && dtype == DType.ofScalarType(target)) {
                            t = view; // float32 on the CPU: read from the mapped file
                        } else {
                            // a CPU tensor already of the target type is cloned: the file is unmapped below
                            Tensor moved = deviceKind == Device.CPU && dtype == DType.ofScalarType(target)
                                    ? view.clone() : view.to(device, target).contiguous();
                            t = owned.keep(moved);
                        }
                    }
                    tensors.put(name, t);
                }
                model = SAM2Base.load(cfg, tensors::get);
                model.prepare(owned);
            }
            if (copyAll) {
                sd.close();
                return new Sam2Checkpoint(null, owned, model, device, deviceKind, precision);
            }
            return new Sam2Checkpoint(sd, owned, model, device, deviceKind, precision);
        } catch (RuntimeException e) {
            owned.close();
            sd.close();
            if (device != null) {
                device.close();
            }
            throw e;
        }
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

    private static String describe(StateDict sd) {
        return sd.source() == null ? "" : sd.source().getFileName() + " ";
    }

    private static void rejectOtherModels(StateDict sd) {
        for (String name : sd.names()) {
            String bare = name.startsWith("module.") ? name.substring("module.".length()) : name;
            for (String marker : GROUNDING_DINO_MARKERS) {
                if (bare.startsWith(marker)) {
                    throw new CheckpointException("Checkpoint " + describe(sd) + "is a GroundingDINO detector "
                            + "checkpoint (it has '" + name + "'), not SAM 2.1. Load it with the GroundingDINO Detector, "
                            + "and give SAM 2.1 a checkpoint such as sam2.1_hiera_large.pt.");
                }
            }
            if (bare.startsWith("mask_decoder.") || bare.startsWith("prompt_encoder.")) {
                throw new CheckpointException("Checkpoint " + describe(sd) + "is a Segment Anything (SAM 1) "
                        + "checkpoint (it has '" + name + "'), not SAM 2.1. Load it with the SAM 1 Segmenter, or give "
                        + "a SAM 2.1 checkpoint such as sam2.1_hiera_large.pt.");
            }
        }
    }

    /** The model; valid until {@link #close()}. */
    public SAM2Base model() {
        return model;
    }

    public Sam2Config config() {
        return model.config();
    }

    /** The libtorch device of the image weights and constants. */
    public org.bytedeco.pytorch.Device torchDevice() {
        return device;
    }

    public Device device() {
        return deviceKind;
    }

    public Precision precision() {
        return precision;
    }

    /** Releases the weights and constants. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        owned.close();
        if (stateDict != null) {
            stateDict.close();
        }
        device.close();
    }
}
