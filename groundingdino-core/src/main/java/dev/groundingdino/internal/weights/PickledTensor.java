package dev.groundingdino.internal.weights;

import java.util.Arrays;

/**
 * A tensor described by {@code torch._utils._rebuild_tensor_v2} (or {@code _rebuild_parameter}) in a
 * {@code .pth} pickle: a strided view of a {@link PickledStorage}. Nothing is read from disk until
 * {@link PthReader} turns it into a libtorch tensor.
 *
 * @param storage the storage it views
 * @param storageOffset offset of element {@code [0,...,0]} in the storage, in elements
 * @param shape sizes per dimension
 * @param stride strides per dimension, in elements (may be 0 for expanded views)
 * @param requiresGrad the pickled {@code requires_grad} flag (ignored when loading: weights are for inference)
 * @param parameter whether it was pickled as an {@code nn.Parameter}
 */
public record PickledTensor(PickledStorage storage, long storageOffset, long[] shape, long[] stride,
        boolean requiresGrad, boolean parameter) {
    public PickledTensor {
        shape = shape.clone();
        stride = stride.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public long[] stride() {
        return stride.clone();
    }

    /** The element type of the storage, or {@code null} when unsupported. */
    public DType dtype() {
        return storage.dtype();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PickledTensor t && t.storage.equals(storage) && t.storageOffset == storageOffset
                && Arrays.equals(t.shape, shape) && Arrays.equals(t.stride, stride)
                && t.requiresGrad == requiresGrad && t.parameter == parameter;
    }

    @Override
    public int hashCode() {
        return storage.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return (parameter ? "Parameter(" : "tensor(") + (storage.dtype() == null ? storage.typeName() : storage.dtype())
                + ", shape " + Arrays.toString(shape) + ", stride " + Arrays.toString(stride) + ", offset "
                + storageOffset + ", storage '" + storage.key() + "')";
    }
}
