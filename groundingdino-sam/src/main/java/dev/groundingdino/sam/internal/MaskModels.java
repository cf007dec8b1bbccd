package dev.groundingdino.sam.internal;

import dev.groundingdino.CheckpointException;
import dev.groundingdino.internal.runtime.Placement;
import java.nio.file.Path;

/** Loads the {@link MaskModel} a checkpoint holds, recognising its family from its tensors. */
public final class MaskModels {
    private MaskModels() {}

    /**
     * @throws CheckpointException if the file cannot be used (another model's checkpoint is named as such)
     */
    public static MaskModel load(Path checkpoint, Placement placement) {
        return new SamModel(SamCheckpoint.load(checkpoint, placement));
    }
}
