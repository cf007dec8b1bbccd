package dev.groundingdino.internal.hf;

import dev.groundingdino.CheckpointException;
import dev.groundingdino.internal.groundingdino.GroundingDinoConfig;
import dev.groundingdino.internal.groundingdino.GroundingDinoConfigReader;
import dev.groundingdino.internal.groundingdino.LoadedGroundingDino;
import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.runtime.Natives;
import dev.groundingdino.internal.weights.SafetensorsWriter;
import dev.groundingdino.internal.weights.StateDict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * File-to-file raw forward (for {@code gdino forward --weights W [--config C] --inputs IN --out OUT}): reads the
 * model inputs from a {@code .safetensors} file ({@code pixel_values} [B,3,H,W] float32, optional
 * {@code pixel_mask} [B,H,W] uint8/bool/int64 with 1 on image pixels, {@code input_ids} [B,n] int64, optional
 * {@code attention_mask} [B,n] and {@code token_type_ids} [B,n] (all 0)), runs {@link RawForward} and writes
 * {@code pred_logits} [B,Q,256] and {@code pred_boxes} [B,Q,4] (float32) to a {@code .safetensors} file.
 */
public final class RawForwardFiles {
    /** The names read from the inputs file. */
    public static final String PIXEL_VALUES = "pixel_values";
    public static final String PIXEL_MASK = "pixel_mask";
    public static final String INPUT_IDS = "input_ids";
    public static final String ATTENTION_MASK = "attention_mask";
    public static final String TOKEN_TYPE_IDS = "token_type_ids";

    private RawForwardFiles() {}

    /**
     * Loads weights for a raw forward: a Hugging Face checkpoint (folder, or {@code model.safetensors} with
     * {@code config.json} beside it or given as {@code config}), or an original {@code .pth} / {@code .safetensors}
     * checkpoint with an optional reference config ({@code .py} or the golden {@code config.json}; without one the
     * variant is recognised from the tensors).
     *
     * @throws CheckpointException if the weights cannot be loaded
     * @throws IllegalArgumentException if the config file is of an unknown kind
     */
    public static LoadedGroundingDino load(Path weights, Path config) {
        Natives.ensureLoaded();
        HfCheckpoint.Converted hub = HfCheckpoint.openIfHub(weights, config);
        if (hub != null) {
            try {
                return LoadedGroundingDino.of(hub.stateDict(), hub.config(), ScalarType.Float);
            } catch (RuntimeException e) {
                hub.stateDict().close();
                throw e;
            }
        }
        GroundingDinoConfig cfg = null;
        if (config != null) {
            String name = String.valueOf(config.getFileName()).toLowerCase(Locale.ROOT);
            if (!Files.isRegularFile(config)) {
                throw new IllegalArgumentException("config file not found: " + config.toAbsolutePath());
            }
            if (name.endsWith(".py")) {
                cfg = GroundingDinoConfigReader.fromPythonFile(config);
            } else if (name.endsWith(".json")) {
                cfg = GroundingDinoConfigReader.fromGoldenJson(config);
            } else {
                throw new IllegalArgumentException("unknown config format '" + config.getFileName() + "': give a "
                        + "Python config (*.py), the golden config.json, or a transformers config.json");
            }
        }
        return LoadedGroundingDino.load(weights, cfg);
    }

    /**
     * Runs the model on the inputs file and writes the outputs file (float32, on the CPU).
     *
     * @param model the model (its weights on {@code device})
     * @param device the model's device
     * @param inputs the inputs {@code .safetensors}
     * @param out the outputs {@code .safetensors} (written atomically)
     * @throws CheckpointException if the inputs file cannot be read or lacks {@code pixel_values} / {@code input_ids}
     * @throws IllegalArgumentException if the inputs have the wrong shapes or types
     */
    @SuppressWarnings("try") // the scope frees every native temporary
    public static void run(LoadedGroundingDino model, Device device, Path inputs, Path out) {
        try (InferenceScope scope = InferenceScope.open(); StateDict in = StateDict.read(inputs)) {
            for (String required : new String[] {PIXEL_VALUES, INPUT_IDS}) {
                if (!in.contains(required)) {
                    throw new CheckpointException(inputs.getFileName() + " has no '" + required + "' (it holds "
                            + in.names() + "); the inputs are pixel_values [B,3,H,W] float32, input_ids [B,n] int64 and "
                            + "optionally pixel_mask [B,H,W], attention_mask [B,n], token_type_ids [B,n]");
                }
            }
            RawForward.Inputs raw = new RawForward.Inputs(in.get(PIXEL_VALUES), optional(in, PIXEL_MASK),
                    in.get(INPUT_IDS), optional(in, ATTENTION_MASK), optional(in, TOKEN_TYPE_IDS));
            var output = RawForward.forward(model.model(), device, raw, null);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("pred_logits", output.predLogits().to(new Device("cpu"), ScalarType.Float).contiguous());
            tensors.put("pred_boxes", output.predBoxes().to(new Device("cpu"), ScalarType.Float).contiguous());
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("format", "pt");
            SafetensorsWriter.write(out, tensors, metadata);
        }
    }

    private static Tensor optional(StateDict sd, String name) {
        return sd.contains(name) ? sd.get(name) : null;
    }
}
