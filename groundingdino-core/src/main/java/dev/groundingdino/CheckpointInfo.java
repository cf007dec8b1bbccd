package dev.groundingdino;

import dev.groundingdino.internal.weights.CheckpointVariant;
import dev.groundingdino.internal.weights.StateDict;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What a checkpoint file holds, read without executing anything in it and without loading a model: its format, the
 * tensors (name, shape, dtype) and the model it belongs to (named from its tensors). The counterpart of listing
 * {@code torch.load(f).keys()} in Python, safely.
 *
 * @param file the file
 * @param format {@code "pth"} or {@code "safetensors"}
 * @param wrapperKey the key the state dict sits under in a {@code .pth} (e.g. {@code "model"}), or null
 * @param variant the model, e.g. {@code groundingdino_swint_ogc}, {@code sam_vit_h}, a custom size of either, or
 *     {@code unknown}
 * @param tensors every tensor, in file order
 */
public record CheckpointInfo(Path file, String format, String wrapperKey, String variant, List<Tensor> tensors) {

    /**
     * One tensor of a checkpoint.
     *
     * @param name its state-dict key
     * @param shape its dimensions
     * @param dtype torch's name, e.g. {@code float32}
     */
    public record Tensor(String name, long[] shape, String dtype) {
        public Tensor {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(dtype, "dtype");
            shape = shape.clone();
        }

        /** A copy of the shape. */
        @Override
        public long[] shape() {
            return shape.clone();
        }

        /** The number of elements. */
        public long numel() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    public CheckpointInfo {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(variant, "variant");
        tensors = List.copyOf(tensors);
    }

    /**
     * Reads the header (safetensors) or the pickle (pth) of {@code file}; tensor data is memory-mapped, never read.
     *
     * @throws CheckpointException if the file is missing, truncated, corrupt or not a checkpoint
     * @throws UnsafeCheckpointException if a {@code .pth} asks for code that a state dict never needs
     */
    public static CheckpointInfo read(Path file) {
        Objects.requireNonNull(file, "file");
        try (StateDict sd = StateDict.read(file)) {
            List<Tensor> tensors = new ArrayList<>(sd.size());
            for (String name : sd.names()) {
                tensors.add(new Tensor(name, sd.shape(name), sd.dtype(name).torchName()));
            }
            return new CheckpointInfo(file, sd.format().name().toLowerCase(Locale.ROOT), sd.wrapperKey().orElse(null),
                    CheckpointVariant.of(sd), tensors);
        }
    }

    /** The total number of elements (parameters and buffers). */
    public long numElements() {
        long n = 0;
        for (Tensor t : tensors) {
            n += t.numel();
        }
        return n;
    }
}
