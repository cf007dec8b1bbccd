package dev.groundingdino.internal.transformer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.groundingdino.internal.deformable.SpatialShapes;
import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.runtime.ParamTree;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/** The token-chunked encoder layer equals the unchunked one (the per-token half is independent per token). */
class DeformableTransformerEncoderLayerTest {

    @Test
    void chunkedTokensGiveTheSameResult() {
        TransformerConfig cfg = TransformerConfig.tiny();
        SpatialShapes shapes = new SpatialShapes(new int[] {6, 3, 2, 1}, new int[] {7, 4, 2, 1}); // 59 tokens
        try (InferenceScope scope = InferenceScope.open()) {
            torch.manual_seed(11);
            ParamTree declared = ParamTree.declare();
            new DeformableTransformerEncoderLayer(cfg, declared);
            Map<String, Tensor> weights = new HashMap<>();
            declared.declared().forEach((name, shape) -> weights.put(name, torch.randn(shape).mul_(new Scalar(0.1))));
            DeformableTransformerEncoderLayer whole = new DeformableTransformerEncoderLayer(cfg,
                    ParamTree.load(weights::get), 1000);
            DeformableTransformerEncoderLayer chunked = new DeformableTransformerEncoderLayer(cfg,
                    ParamTree.load(weights::get), 16);

            long b = 2;
            long s = shapes.total();
            Tensor src = torch.randn(b, s, cfg.dModel());
            Tensor pos = torch.randn(b, s, cfg.dModel());
            Tensor ref = torch.rand(b, s, shapes.levels(), 2);
            Tensor padding = torch.zeros(b, s).gt(new Scalar(0.5));
            padding.select(0, 1).narrow(0, 30, 5).fill_(new Scalar(1L)); // some padded tokens in image 1

            Tensor expected = whole.forward(src, pos, ref, shapes, padding);
            Tensor actual = chunked.forward(src, pos, ref, shapes, padding);
            assertThat(actual.sizes().vec().get()).containsExactly(b, s, cfg.dModel());
            double diff = actual.sub(expected).abs().max().item_double();
            assertThat(diff).isLessThanOrEqualTo(1e-6);
        }
    }
}
