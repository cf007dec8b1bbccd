package dev.groundingdino.internal.hf;

import dev.groundingdino.CheckpointException;
import dev.groundingdino.InvalidValueException;
import dev.groundingdino.internal.groundingdino.GroundingDINO;
import dev.groundingdino.internal.groundingdino.LoadedGroundingDino;
import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.weights.SafetensorsWriter;
import dev.groundingdino.internal.weights.StateDict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * File-to-file raw forward ({@code Detector.forward}, {@code gdino forward}): reads the model inputs from a
 * {@code .safetensors} file ({@code pixel_values} [B,3,H,W] float32, optional {@code pixel_mask} [B,H,W]
 * uint8/bool/int64 with 1 on image pixels, {@code input_ids} [B,n] int64, optional {@code attention_mask} [B,n] and
 * {@code token_type_ids} [B,n] (all 0)), runs {@link RawForward} and writes {@code pred_logits} [B,Q,256] and
 * {@code pred_boxes} [B,Q,4] (float32) to a {@code .safetensors} file.
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
     * Runs the model on the inputs file and writes the outputs file (float32, on the CPU) atomically.
     *
     * @param model the model (on the device of its placement)
     * @param inputs the inputs {@code .safetensors}
     * @param out the outputs {@code .safetensors}
     * @throws InvalidValueException if the inputs file lacks {@code pixel_values} / {@code input_ids} or holds
     *     tensors of the wrong shape or type
     * @throws CheckpointException if the inputs file cannot be read or is not a tensor file
     */
    @SuppressWarnings("try") // the scope frees every native temporary
    public static void run(LoadedGroundingDino model, Path inputs, Path out) {
        if (!Files.isRegularFile(inputs)) {
            throw new InvalidValueException("inputs file not found: " + inputs.toAbsolutePath());
        }
        try (InferenceScope scope = InferenceScope.open(); StateDict in = StateDict.read(inputs)) {
            for (String required : new String[] {PIXEL_VALUES, INPUT_IDS}) {
                if (!in.contains(required)) {
                    throw new InvalidValueException(inputs.getFileName() + " has no '" + required + "' (it holds "
                            + in.names() + "); the inputs are pixel_values [B,3,H,W] float32, input_ids [B,n] int64 "
                            + "and optionally pixel_mask [B,H,W], attention_mask [B,n], token_type_ids [B,n]");
                }
            }
            RawForward.Inputs raw = new RawForward.Inputs(in.get(PIXEL_VALUES), optional(in, PIXEL_MASK),
                    in.get(INPUT_IDS), optional(in, ATTENTION_MASK), optional(in, TOKEN_TYPE_IDS));
            GroundingDINO.Output output;
            try {
                output = RawForward.forward(model.model(), model.placement().device(), raw, null);
            } catch (IllegalArgumentException e) {
                throw new InvalidValueException(inputs.getFileName() + ": " + e.getMessage());
            }
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("pred_logits", output.predLogits().to(new Device("cpu"), ScalarType.Float).contiguous());
            tensors.put("pred_boxes", output.predBoxes().to(new Device("cpu"), ScalarType.Float).contiguous());
            SafetensorsWriter.write(out, tensors, Map.of("format", "pt"));
        }
    }

    private static Tensor optional(StateDict sd, String name) {
        return sd.contains(name) ? sd.get(name) : null;
    }
}
