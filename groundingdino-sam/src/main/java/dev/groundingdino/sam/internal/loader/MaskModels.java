package dev.groundingdino.sam.internal.loader;

import dev.groundingdino.sam.internal.SamCheckpoint;
import dev.groundingdino.sam.internal.SamModel;
import dev.groundingdino.sam.internal.model.MaskModel;
import dev.groundingdino.CheckpointException;
import dev.groundingdino.OptionException;
import dev.groundingdino.internal.runtime.Placement;
import dev.groundingdino.internal.weights.StateDict;
import dev.groundingdino.sam.internal.sam2.config.Sam2Config;
import dev.groundingdino.sam.internal.sam2.Sam2Model;
import java.nio.file.Path;

/**
 * Loads the {@link MaskModel} a checkpoint holds, recognising its family from its tensor names: SAM 2.1
 * ({@code image_encoder.trunk.*}, {@code sam_mask_decoder.*}) or Segment Anything ({@code image_encoder.blocks.*},
 * {@code mask_decoder.*}).
 */
public final class MaskModels {
    private MaskModels() {}

    /** The families a checkpoint can hold. */
    public enum Family {
        SAM, SAM2
    }

    /**
     * @param config a SAM 2.1 config file ({@code config.json} with the model node of the official yaml) for a size
     *     not recognised from the tensors, or null
     * @throws CheckpointException if the file cannot be used (another model's checkpoint is named as such)
     * @throws OptionException if a config is given for a Segment Anything checkpoint or cannot be read
     */
    public static MaskModel load(Path checkpoint, Path config, Placement placement) {
        Family family = family(checkpoint);
        if (family == Family.SAM2) {
            return Sam2Model.load(checkpoint, config == null ? null : Sam2Config.fromJson(config), placement);
        }
        if (config != null) {
            throw new OptionException("Segmenter.builder(..).config(..) applies to SAM 2.1 checkpoints; Segment "
                    + "Anything variants are recognised from their tensors");
        }
        return new SamModel(SamCheckpoint.load(checkpoint, placement));
    }

    /** The family of a checkpoint from its tensor names (read without loading any data). */
    public static Family family(Path checkpoint) {
        try (StateDict sd = StateDict.read(checkpoint)) {
            for (String name : sd.names()) {
                String n = name.startsWith("module.") ? name.substring("module.".length()) : name;
                if (n.startsWith("image_encoder.trunk.") || n.startsWith("sam_mask_decoder.")) {
                    return Family.SAM2;
                }
            }
            return Family.SAM;
        }
    }
}
