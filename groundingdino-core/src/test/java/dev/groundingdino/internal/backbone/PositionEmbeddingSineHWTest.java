package dev.groundingdino.internal.backbone;

import static dev.groundingdino.testing.TensorValues.shape;
import static dev.groundingdino.internal.backbone.BackboneTestSupport.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.testing.Fingerprint;
import dev.groundingdino.testing.Golden;
import java.nio.file.Path;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

class PositionEmbeddingSineHWTest {
    private static final PositionEmbeddingSineHW PE = PositionEmbeddingSineHW.groundingDino(256, 20, 20);

    /** pos0..pos3 of every golden case: unpadded batch of 1, so the mask is all false at the level's size. */
    @Test
    void matchesGoldenPositionEncodingsOfAllFourLevels() {
        double worst = 0;
        for (Path dir : Golden.gdinoCases()) {
            JsonNode c = Golden.json(dir.resolve("case.json"));
            JsonNode shapes = c.get("spatial_shapes");
            assertThat(shapes.size()).isEqualTo(4);
            for (int l = 0; l < 4; l++) {
                long h = shapes.get(l).get(0).asLong();
                long w = shapes.get(l).get(1).asLong();
                try (InferenceScope scope = InferenceScope.open()) {
                    Tensor mask = torch.zeros(1, h, w).to(ScalarType.Bool);
                    Tensor pos = PE.forward(mask);
                    Fingerprint fp = Fingerprint.of(c.get("fingerprints").get("pos" + l));
                    double err = fp.check(dir.getFileName() + "/pos" + l, shape(pos), values(pos), 1e-5, 1e-4);
                    worst = Math.max(worst, err);
                }
            }
        }
        System.out.println("PositionEmbeddingSineHW vs golden pos0..3: max abs error " + worst);
    }

    /** Channel layout: y features first (interleaved sin/cos), then x; normalised positions; padding rows. */
    @Test
    void layoutAndPaddingFollowTheReferenceFormula() {
        PositionEmbeddingSineHW pe = new PositionEmbeddingSineHW(4, 20, 10000, true, 2 * Math.PI);
        try (InferenceScope scope = InferenceScope.open()) {
            // 1 image, 3x5, last row and last two columns are padding: valid 2x3.
            Tensor mask = torch.zeros(1, 3, 5).to(ScalarType.Bool);
            mask.select(1, 2).fill_(new org.bytedeco.pytorch.Scalar(1L));
            mask.narrow(2, 3, 2).fill_(new org.bytedeco.pytorch.Scalar(1L));
            Tensor pos = pe.forward(mask);
            assertThat(shape(pos)).containsExactly(1, 8, 3, 5);
            double[] v = values(pos);
            for (int r = 0; r < 3; r++) {
                for (int col = 0; col < 5; col++) {
                    // cumsum of not-mask along H in column col, normalised by the column's last value
                    int validRows = col < 3 ? 2 : 0;
                    int validCols = r < 2 ? 3 : 0;
                    double y = validRows == 0 ? 0 : Math.min(r + 1, validRows) / (validRows + 1e-6) * 2 * Math.PI;
                    double x = validCols == 0 ? 0 : Math.min(col + 1, validCols) / (validCols + 1e-6) * 2 * Math.PI;
                    double[] expected = {
                        Math.sin(y), Math.cos(y), Math.sin(y / Math.pow(20, 0.5)), Math.cos(y / Math.pow(20, 0.5)),
                        Math.sin(x), Math.cos(x), Math.sin(x / 100.0), Math.cos(x / 100.0)};
                    for (int ch = 0; ch < 8; ch++) {
                        double actual = v[(ch * 3 + r) * 5 + col];
                        assertThat(actual).as("channel %d at (%d, %d)", ch, r, col)
                                .isCloseTo(expected[ch], org.assertj.core.data.Offset.offset(2e-6));
                    }
                }
            }
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> new PositionEmbeddingSineHW(3, 20, 20, true, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("even");
        assertThatThrownBy(() -> new PositionEmbeddingSineHW(4, 0, 20, true, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("temperatures");
        assertThatThrownBy(() -> PositionEmbeddingSineHW.groundingDino(254, 20, 20))
                .isInstanceOf(IllegalArgumentException.class);
        try (InferenceScope scope = InferenceScope.open()) {
            assertThatThrownBy(() -> PE.forward(torch.zeros(1, 3, 3))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("bool mask");
        }
    }
}
