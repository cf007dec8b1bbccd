package dev.groundingdino.sam;

import dev.groundingdino.InvalidValueException;
import dev.groundingdino.Box;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link MaskOverlay}: tint arithmetic, box and label drawing, file output and bad input, on synthetic images. */
class MaskOverlayTest {
    private static final int GREY = 100;

    private static BufferedImage grey(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (GREY << 16) | (GREY << 8) | GREY);
            }
        }
        return img;
    }

    /** A w x h mask set on [x0, x1) x [y0, y1). */
    private static MaskBitmap rect(int w, int h, int x0, int y0, int x1, int y1) {
        byte[] px = new byte[w * h];
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                px[y * w + x] = 1;
            }
        }
        return MaskBitmap.of(w, h, px);
    }

    private static int[] rgb(BufferedImage img, int x, int y) {
        int p = img.getRGB(x, y);
        return new int[] {(p >> 16) & 0xFF, (p >> 8) & 0xFF, p & 0xFF};
    }

    private static int[] blend(int colour) {
        int[] c = {(colour >> 16) & 0xFF, (colour >> 8) & 0xFF, colour & 0xFF};
        int[] out = new int[3];
        for (int k = 0; k < 3; k++) {
            out[k] = (int) Math.round((1 - MaskOverlay.MASK_ALPHA) * GREY + MaskOverlay.MASK_ALPHA * c[k]);
        }
        return out;
    }

    @Test
    void masksAreTintedAndBoxesOutlinedInTheItemColour() {
        int colour = MaskOverlay.paletteColor(0);
        assertThat(colour).isEqualTo(0xE6194B);
        MaskBitmap mask = rect(200, 160, 40, 40, 120, 100);
        BufferedImage out = MaskOverlay.draw(grey(200, 160),
                List.of(new MaskOverlay.Item(mask, new Box(20, 30, 140, 120), "cat 0.50", colour)));
        assertThat(out.getWidth()).isEqualTo(200);
        assertThat(out.getHeight()).isEqualTo(160);
        assertThat(rgb(out, 80, 70)).containsExactly(blend(colour)); // inside the mask, away from lines
        assertThat(rgb(out, 40, 99)).containsExactly(blend(colour)); // mask corner pixels
        assertThat(rgb(out, 119, 40)).containsExactly(blend(colour));
        assertThat(rgb(out, 80, 105)).containsExactly(GREY, GREY, GREY); // inside the box, outside the mask
        assertThat(rgb(out, 190, 150)).containsExactly(GREY, GREY, GREY); // outside everything
        assertThat(rgb(out, 20, 80)).containsExactly(0xE6, 0x19, 0x4B); // left edge of the box
        assertThat(rgb(out, 140, 80)).containsExactly(0xE6, 0x19, 0x4B); // right edge
        assertThat(rgb(out, 80, 120)).containsExactly(0xE6, 0x19, 0x4B); // bottom edge
        // The label tag sits on top of the box's top-left corner, filled with the colour (text in white or black).
        long tagPixels = 0;
        for (int y = 0; y < 30; y++) {
            for (int x = 20; x < 60; x++) {
                int[] p = rgb(out, x, y);
                if (p[0] == 0xE6 && p[1] == 0x19 && p[2] == 0x4B) {
                    tagPixels++;
                }
            }
        }
        assertThat(tagPixels).as("tag pixels above the box").isGreaterThan(100);
    }

    @Test
    void laterMasksBlendOverEarlierOnesAndNullPartsAreSkipped() {
        int a = MaskOverlay.paletteColor(1);
        int b = MaskOverlay.paletteColor(2);
        BufferedImage out = MaskOverlay.draw(grey(50, 40), List.of(
                new MaskOverlay.Item(rect(50, 40, 0, 0, 30, 40), null, null, a),
                new MaskOverlay.Item(rect(50, 40, 20, 0, 50, 40), null, "no box, no tag", b)));
        assertThat(rgb(out, 5, 5)).containsExactly(blend(a));
        assertThat(rgb(out, 45, 5)).containsExactly(blend(b));
        int[] first = blend(a);
        int[] both = new int[3];
        int[] cb = {(b >> 16) & 0xFF, (b >> 8) & 0xFF, b & 0xFF};
        for (int k = 0; k < 3; k++) {
            both[k] = (int) Math.round(0.5 * first[k] + 0.5 * cb[k]);
        }
        assertThat(rgb(out, 25, 5)).containsExactly(both);
        BufferedImage plain = MaskOverlay.draw(grey(50, 40), List.of());
        assertThat(rgb(plain, 25, 5)).containsExactly(GREY, GREY, GREY);
    }

    @Test
    void writesPngLosslesslyAndJpeg(@TempDir Path tmp) throws IOException {
        BufferedImage image = grey(64, 48);
        List<MaskOverlay.Item> items = List.of(new MaskOverlay.Item(rect(64, 48, 10, 10, 30, 30),
                new Box(5, 5, 40, 40), "x", MaskOverlay.paletteColor(3)));
        BufferedImage drawn = MaskOverlay.draw(image, items);
        Path png = tmp.resolve("sub/overlay.png");
        MaskOverlay.write(image, items, png);
        BufferedImage back = ImageIO.read(png.toFile());
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                assertThat(back.getRGB(x, y)).as("pixel %d,%d", x, y).isEqualTo(drawn.getRGB(x, y));
            }
        }
        Path jpg = tmp.resolve("overlay.jpg");
        MaskOverlay.write(image, items, jpg);
        assertThat(ImageIO.read(jpg.toFile()).getWidth()).isEqualTo(64);
        Path maskPng = tmp.resolve("m/mask.png");
        items.get(0).mask().writePng(maskPng);
        BufferedImage m = ImageIO.read(maskPng.toFile());
        assertThat(m.getRaster().getSample(15, 15, 0)).isEqualTo(255);
        assertThat(m.getRaster().getSample(5, 5, 0)).isZero();
    }

    @Test
    void badInputIsRejected(@TempDir Path tmp) {
        BufferedImage image = grey(20, 10);
        assertThatThrownBy(() -> MaskOverlay.draw(image, List.of(new MaskOverlay.Item(rect(10, 10, 0, 0, 2, 2), null,
                null, 0)))).isInstanceOf(InvalidValueException.class).hasMessageContaining("10x10")
                .hasMessageContaining("20x10");
        assertThatThrownBy(() -> new MaskOverlay.Item(null, null, null, 0x1000000))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("0xRRGGBB");
        assertThatThrownBy(() -> MaskOverlay.write(image, List.of(), tmp.resolve("overlay.gif")))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining(".png");
    }

    @Test
    void segmentationItemsUseTheBestMaskAndPromptBox() {
        MaskBitmap low = rect(20, 10, 0, 0, 5, 5);
        MaskBitmap high = rect(20, 10, 5, 5, 10, 10);
        Segmentation s = new Segmentation(MaskPrompt.of(new Box(1, 2, 3, 4)), List.of(new Mask(low, 0.2f, new Box(0, 0, 5, 5), 25),
                new Mask(high, 0.9f, new Box(5, 5, 10, 10), 25)));
        List<MaskOverlay.Item> items = MaskOverlay.items(List.of(s, s));
        assertThat(items).hasSize(2);
        assertThat(items.get(1).mask()).isEqualTo(high);
        assertThat(items.get(1).box()).isEqualTo(new Box(1, 2, 3, 4));
        assertThat(items.get(1).label()).isEqualTo("1: iou 0.90");
        assertThat(items.get(1).rgb()).isEqualTo(MaskOverlay.paletteColor(1));
    }
}
