package dev.groundingdino.internal.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Pillow's bilinear resampling on hand-computed examples. The golden resize checks (GroundingDINO and SAM cases)
 * cover real images; these pin down the upsampling path, the uint8 intermediate and the fixed-point rounding.
 */
class PilResizeTest {

    /** A one-channel image (the value in R, G = 255, B = 0), {@code rows[y][x]}. */
    private static RgbImage image(int[][] rows) {
        int h = rows.length;
        int w = rows[0].length;
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                rgb[(y * w + x) * 3] = (byte) rows[y][x];
                rgb[(y * w + x) * 3 + 1] = (byte) 255;
            }
        }
        return RgbImage.of(w, h, rgb);
    }

    private static int[][] red(RgbImage img) {
        int[][] out = new int[img.height()][img.width()];
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < img.width(); x++) {
                out[y][x] = img.sample(x, y, 0);
                assertThat(img.sample(x, y, 1)).as("a constant 255 channel stays 255").isEqualTo(255);
                assertThat(img.sample(x, y, 2)).as("a constant 0 channel stays 0").isZero();
            }
        }
        return out;
    }

    @Test
    void upscaleTwoToFourHorizontally() {
        // in = 2, out = 4: scale 0.5, support 1; centres 0.25, 0.75, 1.25, 1.75
        // weights: [1], [0.75, 0.25], [0.25, 0.75], [1]
        // 0.75*10 + 0.25*201 = 57.75 -> 58; 0.25*10 + 0.75*201 = 153.25 -> 153
        assertThat(red(PilResize.bilinear(image(new int[][] {{10, 201}}), 4, 1)))
                .isEqualTo(new int[][] {{10, 58, 153, 201}});
    }

    @Test
    void upscaleTwoToFourVertically() {
        assertThat(red(PilResize.bilinear(image(new int[][] {{10}, {201}}), 1, 4)))
                .isEqualTo(new int[][] {{10}, {58}, {153}, {201}});
    }

    @Test
    void twoDimensionalUpscaleRoundsTheIntermediateToUint8() {
        // Horizontal pass first: row 0 -> [10, 58, 153, 201] (57.75 rounded to 58), row 1 -> 0.
        // Vertical pass: row 1 = 0.75 * row 0 -> 0.75 * 58 = 43.5 -> 44 (from the unrounded 57.75 it would be 43),
        // 0.75 * 153 = 114.75 -> 115, 0.75 * 201 = 150.75 -> 151; row 2 = 0.25 * row 0 -> 2.5 -> 3, 14.5 -> 15,
        // 38.25 -> 38, 50.25 -> 50.
        int[][] out = red(PilResize.bilinear(image(new int[][] {{10, 201}, {0, 0}}), 4, 4));
        assertThat(out).isEqualTo(new int[][] {
            {10, 58, 153, 201},
            {8, 44, 115, 151},
            {3, 15, 38, 50},
            {0, 0, 0, 0},
        });
    }

    @Test
    void downscaleWidensTheFilter() {
        // in = 4, out = 2: scale 2, support 2; centre 1 covers x 0..2 with tri((x - 0.5) / 2) = 0.75, 0.75, 0.25
        // -> 3/7, 3/7, 1/7; centre 3 covers x 1..3 -> 1/7, 3/7, 3/7.
        // 22-bit weights: 1797559, 1797559, 599186. Row [0, 70, 140, 210]: exact 50 and 160, the fixed-point sums
        // are just below 50.5 and 160.5.
        assertThat(red(PilResize.bilinear(image(new int[][] {{0, 70, 140, 210}}), 2, 1)))
                .isEqualTo(new int[][] {{50, 160}});
        // [0, 0, 7, 255]: 1 and 1/7*0 + 3/7*7 + 3/7*255 = 112.29 -> 112
        assertThat(red(PilResize.bilinear(image(new int[][] {{0, 0, 7, 255}}), 2, 1)))
                .isEqualTo(new int[][] {{1, 112}});
    }

    @Test
    void coefficientTablesMatchTheHandComputation() {
        PilResize.Coefficients down = PilResize.Coefficients.bilinear(4, 2);
        assertThat(down.ksize).isEqualTo(5);
        assertThat(down.start).containsExactly(0, 1);
        assertThat(down.count).containsExactly(3, 3);
        assertThat(down.weights).startsWith(1797559, 1797559, 599186, 0, 0, 599186, 1797559, 1797559);
        PilResize.Coefficients up = PilResize.Coefficients.bilinear(2, 4);
        assertThat(up.ksize).isEqualTo(3);
        assertThat(up.start).containsExactly(0, 0, 0, 1);
        assertThat(up.count).containsExactly(1, 2, 2, 1);
        assertThat(up.weights).containsExactly(4194304, 0, 0, 3145728, 1048576, 0, 1048576, 3145728, 0, 4194304, 0, 0);
    }

    @Test
    void clip8ClampsAfterAnArithmeticShift() {
        assertThat(PilResize.clip8(-1) & 0xFF).isZero();
        assertThat(PilResize.clip8((1 << 22) * 300) & 0xFF).isEqualTo(255);
        assertThat(PilResize.clip8((1 << 22) * 17 + (1 << 22) - 1) & 0xFF).isEqualTo(17);
    }

    @Test
    void sameSizeIsACopy() {
        RgbImage img = image(new int[][] {{1, 2, 3}, {4, 5, 6}});
        RgbImage same = PilResize.bilinear(img, 3, 2);
        assertThat(same).isEqualTo(img);
        assertThat(same.array()).isNotSameAs(img.array());
    }

    @Test
    void anAxisThatKeepsItsSizeIsNotFiltered() {
        int[][] rows = {{0, 100, 200}, {50, 150, 250}, {7, 8, 9}};
        int[][] onlyWidth = red(PilResize.bilinear(image(rows), 6, 3));
        int[][] onlyHeight = red(PilResize.bilinear(image(rows), 3, 6));
        for (int y = 0; y < 3; y++) {
            assertThat(onlyWidth[y][0]).isEqualTo(rows[y][0]);
            assertThat(onlyWidth[y][5]).isEqualTo(rows[y][2]);
        }
        assertThat(onlyHeight[0]).containsExactly(rows[0]);
        assertThat(onlyHeight[5]).containsExactly(rows[2]);
        // row 1 = 0.75 * row 0 + 0.25 * row 1 = [12.5, 112.5, 212.5], rounded half up
        assertThat(onlyHeight[1]).containsExactly(13, 113, 213);
    }

    @Test
    void rejectsEmptyTargets() {
        RgbImage img = image(new int[][] {{1}});
        assertThatThrownBy(() -> PilResize.bilinear(img, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PilResize.bilinear(img, 1, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
