package dev.groundingdino.internal.backbone;

import dev.groundingdino.internal.runtime.Shapes;
import java.util.List;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * {@code groundingdino/util/misc.py::NestedTensor}: a batch of images (or feature maps) padded to one size, with
 * its padding mask.
 *
 * @param tensors the padded batch, (B, C, H, W)
 * @param mask    (B, H, W) bool, {@code true} on padding, {@code false} on real pixels
 * @param padded  whether any mask entry is {@code true}, known on the host (so that no forward pass has to read the
 *                mask back from the device to skip the padding work of an unpadded batch)
 */
public record NestedTensor(Tensor tensors, Tensor mask, boolean padded) {

    /** Checks that the batch and mask agree in batch size and spatial size and that the mask is bool. */
    public NestedTensor {
        if (tensors == null || mask == null) {
            throw new IllegalArgumentException("tensors and mask are required");
        }
        if (tensors.dim() != 4 || mask.dim() != 3 || mask.scalar_type().intern() != ScalarType.Bool
                || tensors.size(0) != mask.size(0) || tensors.size(2) != mask.size(1)
                || tensors.size(3) != mask.size(2)) {
            throw new IllegalArgumentException("a NestedTensor needs tensors [B, C, H, W] and a bool mask [B, H, W], got "
                    + Shapes.format(tensors) + " and " + mask.scalar_type() + " " + Shapes.format(mask));
        }
    }

    /**
     * A batch with a mask of unknown content: {@link #padded()} is read from the mask, a host synchronisation (the
     * forward passes of the library build their batches with {@link #fromTensorList} or {@link #unpadded}, which
     * know it).
     */
    public NestedTensor(Tensor tensors, Tensor mask) {
        this(tensors, mask, mask.any().item_bool()); // sync: the caller gave no host-side knowledge of the padding
    }

    /**
     * {@code misc.py::nested_tensor_from_tensor_list}: zero-pads images {@code [C, H_i, W_i]} bottom-right to the
     * largest height and width and stacks them; the mask is {@code false} on each image's own
     * {@code H_i x W_i} top-left region. The result lives in the caller's scope.
     *
     * @throws IllegalArgumentException if the list is empty or the images are not 3-d with one channel count
     */
    public static NestedTensor fromTensorList(List<Tensor> images) {
        if (images == null || images.isEmpty()) {
            throw new IllegalArgumentException("at least one image is required");
        }
        long channels = -1;
        long maxH = 0;
        long maxW = 0;
        for (Tensor img : images) {
            if (img.dim() != 3 || (channels >= 0 && img.size(0) != channels)) {
                throw new IllegalArgumentException("every image must be [C, H, W] with the same C, got " + Shapes.format(img));
            }
            channels = img.size(0);
            maxH = Math.max(maxH, img.size(1));
            maxW = Math.max(maxW, img.size(2));
        }
        boolean padded = false;
        for (Tensor img : images) {
            padded |= img.size(1) != maxH || img.size(2) != maxW;
        }
        Tensor first = images.get(0);
        Tensor batch = first.new_zeros(images.size(), channels, maxH, maxW); // (B, C, H, W)
        Tensor mask = first.new_ones(images.size(), maxH, maxW).to(ScalarType.Bool); // (B, H, W)
        Scalar notPadding = new Scalar(0L);
        for (int i = 0; i < images.size(); i++) {
            Tensor img = images.get(i);
            batch.select(0, i).narrow(1, 0, img.size(1)).narrow(2, 0, img.size(2)).copy_(img);
            mask.select(0, i).narrow(0, 0, img.size(1)).narrow(1, 0, img.size(2)).fill_(notPadding);
        }
        return new NestedTensor(batch, mask, padded);
    }

    /** A batch without padding: the mask is all {@code false}. The mask lives in the caller's scope. */
    public static NestedTensor unpadded(Tensor batch) {
        if (batch.dim() != 4) {
            throw new IllegalArgumentException("expected a batch [B, C, H, W], got " + Shapes.format(batch));
        }
        Tensor mask = batch.new_zeros(batch.size(0), batch.size(2), batch.size(3)).to(ScalarType.Bool); // (B, H, W)
        return new NestedTensor(batch, mask, false);
    }

}
