package dev.groundingdino.internal.groundingdino;

import dev.groundingdino.internal.runtime.ProcessMemory;
import static dev.groundingdino.internal.deformable.TensorArrays.floats;
import static dev.groundingdino.internal.deformable.TensorArrays.gaussian;
import static dev.groundingdino.internal.deformable.TensorArrays.longs;
import static dev.groundingdino.testing.TensorValues.shape;
import static dev.groundingdino.internal.deformable.TensorArrays.tensorOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bytedeco.pytorch.global.torch.get_num_threads;
import static org.bytedeco.pytorch.global.torch.set_num_threads;

import dev.groundingdino.internal.backbone.NestedTensor;
import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.text.CaptionEncoder;
import dev.groundingdino.internal.text.CaptionEncoding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Batch-vs-single equivalence (NestedTensor semantics, padding="longest" captions), the fewer-tokens-than-queries
 * path, and native memory staying flat over repeated forward passes of the tiny model.
 */
class GroundingDinoBatchTest {
    private static LoadedGroundingDino model;

    @BeforeAll
    static void load() {
        model = GoldenModel.load();
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void sameSizeImagesWithDifferentCaptionsMatchSingleRuns() {
        CaptionEncoding capA = CaptionEncoder.encode("cat . dog");
        CaptionEncoding capB = CaptionEncoder.encode("a red truck . the tire . window");
        try (InferenceScope scope = InferenceScope.open()) {
            Tensor a = image(1, 96, 128);
            Tensor b = image(2, 96, 128);
            GroundingDINO.Output batch = run(List.of(a, b), TextBatch.of(List.of(capA, capB)));
            GroundingDINO.Output singleA = run(List.of(a), TextBatch.of(List.of(capA)));
            GroundingDINO.Output singleB = run(List.of(b), TextBatch.of(List.of(capB)));
            assertThat(shape(batch.predLogits())).containsExactly(2, 30, 256);
            assertRowMatches(batch, 0, singleA, capA.modelLength());
            assertRowMatches(batch, 1, singleB, capB.modelLength());
        }
    }

    @Test
    void oneCaptionForSeveralImagesEqualsTheSameCaptionPerImage() {
        CaptionEncoding cap = CaptionEncoder.encode("truck . tire");
        try (InferenceScope scope = InferenceScope.open()) {
            List<Tensor> images = List.of(image(3, 80, 72), image(4, 80, 72));
            GroundingDINO.Output repeated = run(images, TextBatch.of(List.of(cap)).repeat(2));
            GroundingDINO.Output each = run(images, TextBatch.of(List.of(cap, cap)));
            assertThat(floats(repeated.predLogits())).containsExactly(floats(each.predLogits()));
            assertThat(floats(repeated.predBoxes())).containsExactly(floats(each.predBoxes()));
        }
    }

    @Test
    void paddedBatchFollowsNestedTensorSemantics() {
        CaptionEncoding cap = CaptionEncoder.encode("cat . dog");
        try (InferenceScope scope = InferenceScope.open()) {
            Tensor large = image(5, 96, 128);
            Tensor small = image(6, 64, 100);
            Map<String, Tensor> trace = new LinkedHashMap<>();
            GroundingDINO.Output batch = model.model().forward(NestedTensor.fromTensorList(List.of(large, small)),
                    TextBatch.of(List.of(cap)).repeat(2), trace::put);
            // the largest image is not padded: its row is its single run
            assertRowMatches(batch, 0, run(List.of(large), TextBatch.of(List.of(cap))), cap.modelLength());
            // the small image's padding is masked at every level (stride 8: 64/8 = 8 of 12 rows, 100/8 -> 13 of 16 cols)
            Tensor mask0 = trace.get("backbone_mask0").select(0, 1);
            assertThat(shape(mask0)).containsExactly(12, 16);
            float[] m = floats(mask0);
            assertThat(m[7 * 16 + 12]).isEqualTo(0f);
            assertThat(m[8 * 16]).isEqualTo(1f);
            assertThat(m[13]).isEqualTo(1f);
            for (float v : floats(batch.predBoxes())) {
                assertThat(v).isBetween(0f, 1f);
            }
        }
    }

    @Test
    void fewerImageTokensThanQueriesRepeatsTheLastTokensLikeTheReference() {
        CaptionEncoding cap = CaptionEncoder.encode("cat");
        try (InferenceScope scope = InferenceScope.open()) {
            // 24x24 -> levels 3x3, 2x2, 1x1, 1x1: 15 tokens for 30 queries
            Map<String, Tensor> trace = new LinkedHashMap<>();
            GroundingDINO.Output out = model.model().forward(NestedTensor.fromTensorList(List.of(image(7, 24, 24))),
                    TextBatch.of(List.of(cap)), trace::put);
            assertThat(shape(out.predLogits())).containsExactly(1, 30, 256);
            long[] topk = longs(trace.get("topk_proposals"));
            assertThat(topk).hasSize(30);
            for (long i : topk) {
                assertThat(i).isBetween(0L, 29L); // indices into the 15 tokens padded to 30
            }
            float[] logits = floats(out.predLogits());
            for (int q = 0; q < 30; q++) {
                for (int t = 0; t < 256; t++) {
                    assertThat(Float.isFinite(logits[q * 256 + t])).isEqualTo(t < cap.modelLength());
                }
            }
        }
    }

    @Test
    void rejectsMismatchedCaptionRows() {
        try (InferenceScope scope = InferenceScope.open()) {
            assertThatThrownBy(() -> run(List.of(image(8, 32, 32), image(9, 32, 32)),
                    TextBatch.of(List.of(CaptionEncoder.encode("cat")))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("caption");
        }
    }

    @Tag("memory") // the long native-memory runs: mvn -B verify -Pmemory-tests (run-benchmarks.sh runs them)
    @Test
    void residentMemoryStaysFlatOver200ForwardPasses() throws IOException {
        TextBatch text = TextBatch.of(List.of(CaptionEncoder.encode("cat . dog")));
        float[] pixels = gaussian(new Random(10), 3 * 48 * 64, 1.0);
        // one intra-op thread: tiny ops on a busy 2-core CI machine otherwise spend most time in OpenMP barriers
        int threads = get_num_threads();
        set_num_threads(1);
        long before;
        long after;
        try {
            for (int i = 0; i < 50; i++) {
                forwardOnce(pixels, text);
            }
            before = settledRssKb();
            for (int i = 0; i < 200; i++) {
                forwardOnce(pixels, text);
            }
            after = settledRssKb();
        } finally {
            set_num_threads(threads);
        }
        System.out.println("RSS before " + before / 1024 + " MB, after 200 passes " + after / 1024 + " MB");
        assertThat(after - before).as("RSS growth in kB").isLessThan(50 * 1024);
    }

    private static void forwardOnce(float[] pixels, TextBatch text) {
        try (InferenceScope scope = InferenceScope.open()) {
            GroundingDINO.Output out = model.model().forward(
                    NestedTensor.fromTensorList(List.of(tensorOf(pixels, 3, 48, 64))), text, null);
            floats(out.predBoxes());
        }
    }

    /** RSS after a full GC (the Java wrappers of freed native tensors are garbage until then). */
    private static long settledRssKb() throws IOException {
        System.gc();
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return (ProcessMemory.rssBytes() / 1024);
    }

    private static GroundingDINO.Output run(List<Tensor> images, TextBatch text) {
        return model.model().forward(NestedTensor.fromTensorList(images), text, null);
    }

    private static Tensor image(long seed, int h, int w) {
        return tensorOf(gaussian(new Random(seed), 3 * h * w, 1.0), 3, h, w);
    }

    private static void assertRowMatches(GroundingDINO.Output batch, int row, GroundingDINO.Output single,
            int tokens) {
        float[] bl = floats(batch.predLogits().select(0, row));
        float[] sl = floats(single.predLogits().select(0, 0));
        double maxLogit = 0;
        for (int i = 0; i < bl.length; i++) {
            boolean real = i % 256 < tokens;
            assertThat(Float.isFinite(bl[i])).as("logit %d finite", i).isEqualTo(real);
            assertThat(Float.isFinite(sl[i])).isEqualTo(real);
            if (real) {
                maxLogit = Math.max(maxLogit, Math.abs(bl[i] - sl[i]));
            }
        }
        float[] bb = floats(batch.predBoxes().select(0, row));
        float[] sb = floats(single.predBoxes().select(0, 0));
        double maxBox = 0;
        for (int i = 0; i < bb.length; i++) {
            maxBox = Math.max(maxBox, Math.abs(bb[i] - sb[i]));
        }
        System.out.printf("batch row %d vs single: logits %.3e, boxes %.3e%n", row, maxLogit, maxBox);
        assertThat(maxLogit).isLessThan(1e-4);
        assertThat(maxBox).isLessThan(1e-5);
    }
}
