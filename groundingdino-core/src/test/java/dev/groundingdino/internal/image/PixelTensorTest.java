package dev.groundingdino.internal.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.groundingdino.internal.runtime.InferenceScope;
import java.awt.image.BufferedImage;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/** The immutable value types of the image package and the hand-off to libtorch. */
class PixelTensorTest {

    @Test
    void toTensorCopiesValuesAndShape() {
        float[] values = new float[2 * 3 * 4];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.5f - 3;
        }
        PixelTensor p = PixelTensor.of(values, 2, 3, 4);
        values[0] = 99; // the PixelTensor holds its own copy
        try (InferenceScope scope = InferenceScope.open()) {
            Tensor t = p.toTensor();
            assertThat(t.sizes().vec().get()).containsExactly(2, 3, 4);
            assertThat(t.scalar_type().value).isEqualTo(torch.ScalarType.Float.value);
            assertThat(t.is_contiguous()).isTrue();
            float[] back = new float[24];
            t.data_ptr_float().get(back);
            assertThat(back).containsExactly(p.toArray());
            assertThat(back[0]).isEqualTo(-3f);
        }
        Tensor outside = p.toTensor(); // no scope open: the caller closes it
        try {
            assertThat(outside.numel()).isEqualTo(24);
        } finally {
            outside.close();
        }
    }

    @Test
    void pixelTensorValidatesAndIsImmutable() {
        assertThatThrownBy(() -> PixelTensor.of(new float[5], 2, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PixelTensor.of(new float[0], 0, 3)).isInstanceOf(IllegalArgumentException.class);
        PixelTensor p = PixelTensor.of(new float[] {1, 2}, 1, 2);
        p.toArray()[0] = 5;
        p.shape()[0] = 7;
        assertThat(p.get(0)).isEqualTo(1f);
        assertThat(p.shape()).containsExactly(1, 2);
        assertThat(p.buffer().isReadOnly()).isTrue();
    }

    @Test
    void rgbImageValidatesAndIsImmutable() {
        assertThatThrownBy(() -> RgbImage.of(0, 1, new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RgbImage.of(2, 2, new byte[11])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs width*height*3 = 12");
        assertThatThrownBy(() -> RgbImage.of(100_000, 100_000, new byte[3]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too large");
        byte[] rgb = {1, 2, 3, 4, 5, 6};
        RgbImage img = RgbImage.of(2, 1, rgb);
        rgb[0] = 9;
        img.rgb()[1] = 9;
        assertThat(img.sample(0, 0, 0)).isEqualTo(1);
        assertThat(img.sample(0, 0, 1)).isEqualTo(2);
        assertThat(img.pixels().isReadOnly()).isTrue();
        assertThat(img.size()).isEqualTo(new ImageSize(1, 2));
        assertThatThrownBy(() -> img.sample(2, 0, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> new ImageSize(0, 3)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rgbImageRoundTripsThroughBufferedImage() {
        byte[] rgb = {(byte) 200, 10, 20, 30, (byte) 140, (byte) 250};
        RgbImage img = RgbImage.of(1, 2, rgb);
        BufferedImage bi = img.toBufferedImage();
        assertThat(bi.getRGB(0, 0) & 0xFFFFFF).isEqualTo(0xC80A14);
        assertThat(ImageDecoder.fromBufferedImage(bi)).isEqualTo(img);
    }
}
