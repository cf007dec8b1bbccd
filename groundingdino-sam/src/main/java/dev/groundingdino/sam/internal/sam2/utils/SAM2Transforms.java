package dev.groundingdino.sam.internal.sam2.utils;

import dev.groundingdino.internal.runtime.HostTensors;
import static org.bytedeco.pytorch.global.torch.interpolate;
import static org.bytedeco.pytorch.global.torch.upsample_bilinear2d;

import dev.groundingdino.internal.image.RgbImage;
import dev.groundingdino.sam.internal.sam2.config.Sam2Config;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.InterpolateFuncOptions;
import org.bytedeco.pytorch.LongVector;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.kBilinear;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * {@code sam2/utils/transforms.py::SAM2Transforms} (no hole or sprinkle removal: {@code max_hole_area = 0}).
 *
 * <p>Image: {@code ToTensor} (HWC uint8 to CHW float32 / 255), {@code Resize((1024, 1024))} of the FLOAT tensor --
 * a square resize that ignores the aspect ratio, bilinear with antialiasing (torchvision's tensor resize is
 * {@code F.interpolate(..., mode="bilinear", align_corners=False, antialias=True)}) -- then {@code Normalize} with
 * the ImageNet mean/std (0-1 scale) as float32 tensors. Coordinates: divided by the original width/height, then
 * multiplied by 1024, in float32. Masks: bilinear ({@code align_corners=False}, no antialias) from the low-resolution
 * logits straight to the original size.
 */
public final class SAM2Transforms {
    /** {@code self.mean}. */
    static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    /** {@code self.std}. */
    static final float[] STD = {0.229f, 0.224f, 0.225f};

    private SAM2Transforms() {}

    /**
     * {@code _transforms(image)[None]}: the image as the encoder input {@code (1, 3, 1024, 1024)} float32 on
     * {@code device} (in the caller's scope).
     */
    public static Tensor toInput(RgbImage image, Device device) {
        int res = Sam2Config.IMAGE_SIZE;
        Tensor hwc = HostTensors.bytes(image.rgb(), device, image.height(), image.width(), 3); // (H, W, 3) uint8
        Tensor x = hwc.permute(2, 0, 1).contiguous().to(ScalarType.Float).div(new Scalar(255)); // (3, H, W)
        InterpolateFuncOptions resize = new InterpolateFuncOptions();
        resize.size().put(new LongVector(res, res));
        resize.mode().put(new kBilinear());
        resize.align_corners().put(false);
        resize.antialias().put(true);
        x = interpolate(x.unsqueeze(0), resize); // (1, 3, 1024, 1024)
        Tensor mean = HostTensors.floats(MEAN, device, 3, 1, 1); // (3, 1, 1)
        Tensor std = HostTensors.floats(STD, device, 3, 1, 1); // (3, 1, 1)
        return x.sub_(mean).div_(std); // (1, 3, 1024, 1024)
    }

    /**
     * {@code transform_coords(coords, normalize=True, orig_hw)}: {@code (x / w * 1024, y / h * 1024)} in float32, as
     * torch computes it on the CPU. Returns a new array.
     *
     * @param xy flattened (x, y) pairs in original image pixels
     */
    public static float[] transformCoords(float[] xy, int originalHeight, int originalWidth) {
        if (xy.length % 2 != 0) {
            throw new IllegalArgumentException("coordinates come in (x, y) pairs, got " + xy.length + " values");
        }
        float w = originalWidth;
        float h = originalHeight;
        float res = Sam2Config.IMAGE_SIZE;
        float[] out = new float[xy.length];
        for (int i = 0; i < xy.length; i += 2) {
            out[i] = (xy[i] / w) * res;
            out[i + 1] = (xy[i + 1] / h) * res;
        }
        return out;
    }

    /**
     * {@code postprocess_masks}: {@code (B, C, 256, 256)} logits to {@code (B, C, H, W)} at the original size
     * (bilinear, {@code align_corners=False}), in float32.
     */
    public static Tensor postprocessMasks(Tensor lowResMasks, int originalHeight, int originalWidth) {
        return upsample_bilinear2d(lowResMasks.to(ScalarType.Float), new long[] {originalHeight, originalWidth},
                false); // (B, C, H, W)
    }

    /** {@code masks > mask_threshold}. */
    public static Tensor binarize(Tensor upscaledLogits) {
        return upscaledLogits.gt(new Scalar(Sam2Config.MASK_THRESHOLD));
    }
}
