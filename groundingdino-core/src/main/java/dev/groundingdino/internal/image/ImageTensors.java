package dev.groundingdino.internal.image;

import dev.groundingdino.internal.runtime.HostTensors;
import org.bytedeco.pytorch.Tensor;

/** Images handed to libtorch as they are: uint8 {@code (H, W, 3)} RGB, the rest of the preprocessing on the device. */
public final class ImageTensors {
    private ImageTensors() {}

    /** A new CPU uint8 tensor {@code (H, W, 3)} with a copy of the image's interleaved RGB bytes (caller's scope). */
    public static Tensor hwc(RgbImage image) {
        return HostTensors.fromBytes(image.array(), image.height(), image.width(), 3); // (H, W, 3)
    }
}
