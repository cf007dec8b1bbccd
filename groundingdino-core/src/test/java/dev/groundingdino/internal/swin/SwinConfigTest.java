package dev.groundingdino.internal.swin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SwinConfigTest {

    @Test
    void presetsMatchTheReferenceBuilder() {
        SwinConfig t = SwinConfig.swinT224();
        assertThat(t.embedDim()).isEqualTo(96);
        assertThat(t.depths()).containsExactly(2, 2, 6, 2);
        assertThat(t.numHeads()).containsExactly(3, 6, 12, 24);
        assertThat(t.windowSize()).isEqualTo(7);
        assertThat(t.pretrainImgSize()).isEqualTo(224);
        assertThat(t.outIndices()).containsExactly(1, 2, 3);
        assertThat(t.outChannels()).containsExactly(192, 384, 768);
        assertThat(t.outStrides()).containsExactly(8, 16, 32);
        assertThat(t.mlpRatio()).isEqualTo(4.0);
        assertThat(t.qkvBias()).isTrue();
        assertThat(t.patchSize()).isEqualTo(4);
        assertThat(t.patchNorm()).isTrue();
        assertThat(t.shiftSize()).isEqualTo(3);
        assertThat(t.mlpHidden(2)).isEqualTo(1536);

        SwinConfig b = SwinConfig.swinB384();
        assertThat(b.embedDim()).isEqualTo(128);
        assertThat(b.depths()).containsExactly(2, 2, 18, 2);
        assertThat(b.numHeads()).containsExactly(4, 8, 16, 32);
        assertThat(b.windowSize()).isEqualTo(12);
        assertThat(b.pretrainImgSize()).isEqualTo(384);
        assertThat(b.outChannels()).containsExactly(256, 512, 1024);
        assertThat(b.shiftSize()).isEqualTo(6);
    }

    @Test
    void isImmutableAndComparesByValue() {
        List<Integer> depths = new java.util.ArrayList<>(List.of(2, 2, 2, 2));
        SwinConfig c = SwinConfig.custom(16, depths, List.of(1, 2, 4, 8), 7, 224);
        depths.set(0, 5);
        assertThat(c.depths()).containsExactly(2, 2, 2, 2);
        assertThatThrownBy(() -> c.depths().set(0, 1)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(c).isEqualTo(SwinConfig.custom(16, List.of(2, 2, 2, 2), List.of(1, 2, 4, 8), 7, 224));
        assertThat(c.withOutIndices(List.of(3)).outChannels()).containsExactly(128);
    }

    @Test
    void rejectsInconsistentDimensionsNamingThem() {
        assertThatThrownBy(() -> SwinConfig.custom(0, List.of(2, 2, 2, 2), List.of(1, 2, 4, 8), 7, 224))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("embedDim");
        assertThatThrownBy(() -> SwinConfig.custom(16, List.of(2, 2, 2), List.of(1, 2, 4, 8), 7, 224))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("numHeads");
        assertThatThrownBy(() -> SwinConfig.custom(16, List.of(2, 2, 2, 2), List.of(1, 2, 3, 8), 7, 224))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stage 2")
                .hasMessageContaining("numHeads[2]");
        assertThatThrownBy(() -> SwinConfig.custom(16, List.of(2, 0, 2, 2), List.of(1, 2, 4, 8), 7, 224))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("depths[1]");
        assertThatThrownBy(() -> SwinConfig.custom(16, List.of(2, 2, 2), List.of(1, 2, 4), 7, 224))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outIndices entry 3");
        assertThatThrownBy(() -> SwinConfig.swinT224().withOutIndices(List.of(2, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("strictly increasing");
        assertThatThrownBy(() -> SwinConfig.custom(16, List.of(2, 2, 2, 2), List.of(1, 2, 4, 8), 0, 224))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("windowSize");
    }
}
