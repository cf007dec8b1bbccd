package dev.groundingdino.internal.annotate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.groundingdino.Detection;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.NormalizedBox;
import dev.groundingdino.Box;
import dev.groundingdino.internal.image.ImageDecoder;
import dev.groundingdino.internal.image.RgbImage;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drawing boxes, labels and masks with OpenCV, the palette, and encoding the result. */
class CanvasTest {

    static RgbImage grey(int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        java.util.Arrays.fill(rgb, (byte) 128);
        return RgbImage.of(w, h, rgb);
    }

    static Detection detection(String label, double score, double x0, double y0, double x1, double y1, int classId) {
        return new Detection(label, label, score, new Box(x0, y0, x1, y1), new NormalizedBox(0.5, 0.5, 0.1, 0.1),
                List.of(1), 0, classId);
    }

    @Test
    void drawsBoxOutlinesInTheGivenColourAndLeavesTheInsideAlone() {
        try (Canvas c = Canvas.of(grey(200, 100))) {
            Rgb red = new Rgb(230, 25, 75);
            c.drawBox(20, 30, 120, 80, red, 2);
            RgbImage out = c.toRgbImage();
            assertThat(pixel(out, 20, 50)).isEqualTo(red);
            assertThat(pixel(out, 70, 30)).isEqualTo(red);
            assertThat(pixel(out, 70, 55)).isEqualTo(new Rgb(128, 128, 128));
            assertThat(pixel(out, 5, 5)).isEqualTo(new Rgb(128, 128, 128));
        }
    }

    @Test
    void labelTagIsFilledAboveTheBoxWithReadableText() {
        try (Canvas c = Canvas.of(grey(400, 200))) {
            Rgb yellow = Rgb.of(0xFFE119);
            c.drawLabel("cat 0.87", 50, 120, yellow);
            RgbImage out = c.toRgbImage();
            int tagPixels = 0;
            int textPixels = 0;
            for (int y = 60; y < 120; y++) {
                for (int x = 50; x < 200; x++) {
                    Rgb p = pixel(out, x, y);
                    tagPixels += p.equals(yellow) ? 1 : 0;
                    textPixels += p.luminance() < 0.3 ? 1 : 0; // black text on a light tag
                }
            }
            assertThat(tagPixels).isGreaterThan(500);
            assertThat(textPixels).isGreaterThan(20);
            assertThat(pixel(out, 50, 150)).isEqualTo(new Rgb(128, 128, 128)); // nothing below the corner
        }
    }

    @Test
    void labelsAtTheTopEdgeGoInsideTheBox() {
        try (Canvas c = Canvas.of(grey(300, 100))) {
            Rgb blue = Rgb.of(0x4363D8);
            c.drawLabel("dog 0.50", 10, 0, blue);
            assertThat(pixel(c.toRgbImage(), 11, 2)).isEqualTo(blue);
        }
    }

    @Test
    void blendsMasksWithAlpha() {
        try (Canvas c = Canvas.of(grey(4, 2))) {
            byte[] mask = {1, 0, 0, 0, 0, 0, 0, 1};
            c.blendMask(mask, new Rgb(255, 0, 0), 0.5);
            RgbImage out = c.toRgbImage();
            assertThat(pixel(out, 0, 0)).isEqualTo(new Rgb(192, 64, 64));
            assertThat(pixel(out, 3, 1)).isEqualTo(new Rgb(192, 64, 64));
            assertThat(pixel(out, 1, 0)).isEqualTo(new Rgb(128, 128, 128));
            assertThatThrownBy(() -> c.blendMask(new byte[3], Rgb.BLACK, 0.5))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 8 bytes");
            assertThatThrownBy(() -> c.blendMask(mask, Rgb.BLACK, 1.5)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void encodesAndWritesJpegAndPngByExtension(@TempDir Path tmp) throws Exception {
        try (Canvas c = Canvas.of(grey(64, 48))) {
            c.drawBox(5, 5, 40, 40, Rgb.WHITE, 2);
            Path png = tmp.resolve("sub/out.png");
            c.write(png);
            RgbImage back = ImageDecoder.read(png);
            assertThat(back).isEqualTo(c.toRgbImage()); // lossless
            Path jpg = tmp.resolve("out.jpeg");
            c.write(jpg);
            assertThat(ImageDecoder.read(jpg).width()).isEqualTo(64);
            byte[] encoded = c.encode("jpg");
            assertThat(encoded[0] & 0xFF).isEqualTo(0xFF);
            assertThat(encoded[1] & 0xFF).isEqualTo(0xD8);
            assertThatThrownBy(() -> c.write(tmp.resolve("out.gif"))).isInstanceOf(dev.groundingdino.InvalidValueException.class)
                    .hasMessageContaining("*.jpg");
            assertThat(Files.list(tmp).filter(p -> p.getFileName().toString().endsWith(".tmp")).count()).isZero();
        }
    }

    @Test
    void closeIsIdempotentAndBlocksDrawing() {
        Canvas c = Canvas.of(grey(8, 8));
        c.close();
        c.close();
        assertThatThrownBy(() -> c.drawBox(0, 0, 4, 4, Rgb.BLACK)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void paletteColoursAreDistinctAndStable() {
        Set<Rgb> seen = new HashSet<>(Palette.DEFAULT.colors(60));
        assertThat(seen).hasSize(60);
        assertThat(Palette.DEFAULT.color(3)).isEqualTo(Palette.DEFAULT.color(3));
        Map<String, Rgb> assigned = Palette.DEFAULT.assign(List.of("cat", "dog", "cat", "bird"));
        assertThat(assigned.keySet()).containsExactly("cat", "dog", "bird");
        assertThat(assigned.get("dog")).isEqualTo(Palette.DEFAULT.color(1));
        assertThatThrownBy(() -> Palette.DEFAULT.color(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void painterColoursByLabelOrByClass() {
        DetectionResult free = new DetectionResult(100, 100, "cat . dog.", List.of(), List.of(
                detection("cat", 0.9, 1, 1, 10, 10, -1), detection("dog", 0.8, 20, 20, 30, 30, -1),
                detection("cat", 0.7, 40, 40, 50, 50, -1)));
        List<Rgb> colors = new DetectionPainter().colors(free);
        assertThat(colors).containsExactly(Palette.DEFAULT.color(0), Palette.DEFAULT.color(1), Palette.DEFAULT.color(0));
        DetectionResult classes = new DetectionResult(100, 100, "cat. dog.", List.of("cat", "dog"), List.of(
                detection("dog", 0.9, 1, 1, 10, 10, 1), detection("object", 0.8, 20, 20, 30, 30, -1)));
        assertThat(new DetectionPainter().colors(classes)).containsExactly(Palette.DEFAULT.color(1),
                Palette.DEFAULT.color(2));
        try (Canvas c = Canvas.of(grey(100, 100))) {
            new DetectionPainter().paint(c, free);
            assertThat(pixel(c.toRgbImage(), 20, 25)).isEqualTo(Palette.DEFAULT.color(1));
        }
    }

    @Test
    void bufferedImageOutputHasTheSamePixels() {
        try (Canvas c = Canvas.of(grey(10, 5))) {
            c.drawBox(1, 1, 8, 3, Rgb.of(0x3CB44B), 1);
            BufferedImage img = c.toBufferedImage();
            assertThat(ImageDecoder.fromBufferedImage(img)).isEqualTo(c.toRgbImage());
        }
    }

    static Rgb pixel(RgbImage img, int x, int y) {
        return new Rgb(img.sample(x, y, 0), img.sample(x, y, 1), img.sample(x, y, 2));
    }
}
