package dev.groundingdino.internal.backbone;

import static dev.groundingdino.testing.TensorValues.shape;
import static dev.groundingdino.internal.backbone.BackboneTestSupport.values;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.groundingdino.internal.image.GroundingDinoTransform;
import dev.groundingdino.internal.image.ImageDecoder;
import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.runtime.Natives;
import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.internal.weights.StateDict;
import dev.groundingdino.testing.Fingerprint;
import dev.groundingdino.testing.Golden;
import dev.groundingdino.testing.GoldenTensors;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The tiny golden GroundingDINO's backbone (Swin + sine position embedding) against the reference's
 * {@code backbone_level{0,1,2}}, {@code backbone_mask{i}} and {@code pos{0,1,2}} of every case.
 */
class JoinerGoldenTest {
    static final double ATOL = 1e-5;
    static final double RTOL = 1e-4;

    private static StateDict weights;
    private static Joiner joiner;

    @BeforeAll
    static void load() {
        Natives.ensureLoaded();
        weights = StateDict.read(Golden.gdinoSuite().resolve("gdino.pth"));
        joiner = new Joiner(BackboneTestSupport.tinySwin(), PositionEmbeddingSineHW.groundingDino(256, 20, 20),
                ParamTree.load(weights::get).child("backbone"));
    }

    @AfterAll
    static void close() {
        if (weights != null) {
            weights.close();
        }
    }

    static Stream<Path> cases() {
        return Golden.gdinoCases().stream();
    }

    /** Every {@code backbone.0.*} tensor of the checkpoint is used, and nothing else is asked for. */
    @Test
    void loadsExactlyTheCheckpointsBackboneTensors() {
        ParamTree root = ParamTree.load(weights::get);
        new Joiner(BackboneTestSupport.tinySwin(), PositionEmbeddingSineHW.groundingDino(256, 20, 20),
                root.child("backbone"));
        Set<String> inCheckpoint = new TreeSet<>();
        for (String name : weights.names()) {
            if (name.startsWith("backbone.")) {
                inCheckpoint.add(name);
            }
        }
        assertThat(new TreeSet<>(root.declared().keySet())).isEqualTo(inCheckpoint);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesGoldenLevelsMasksAndPositionEncodings(Path dir) {
        JsonNode c = Golden.json(dir.resolve("case.json"));
        JsonNode fps = c.get("fingerprints");
        String name = dir.getFileName().toString();
        try (InferenceScope scope = InferenceScope.open()) {
            Tensor image = imageTensor(dir, c);
            Fingerprint.of(fps.get("image_tensor")).check(name + "/image_tensor (input)", shape(image),
                    values(image), 0, 0);

            List<Joiner.Level> levels = joiner.forward(NestedTensor.unpadded(image.unsqueeze(0)));
            assertThat(levels).hasSize(3);
            StringBuilder report = new StringBuilder(name + ":");
            for (int l = 0; l < 3; l++) {
                Joiner.Level level = levels.get(l);
                JsonNode expectedShape = c.get("backbone_shapes").get(l);
                assertThat(shape(level.features())).containsExactly(expectedShape.get(0).asLong(),
                        expectedShape.get(1).asLong(), expectedShape.get(2).asLong(), expectedShape.get(3).asLong());
                double fErr = Fingerprint.of(fps.get("backbone_level" + l)).check(name + "/backbone_level" + l,
                        shape(level.features()), values(level.features()), ATOL, RTOL);
                Fingerprint.of(fps.get("backbone_mask" + l)).check(name + "/backbone_mask" + l, shape(level.mask()),
                        values(level.mask()), 0, 0);
                double pErr = Fingerprint.of(fps.get("pos" + l)).check(name + "/pos" + l, shape(level.pos()),
                        values(level.pos()), ATOL, RTOL);
                report.append(String.format(" level%d max|err| features %.3g, pos %.3g;", l, fErr, pErr));
            }
            System.out.println(report);
        }
    }

    /**
     * The normalised input: the stored full tensor where the case has one ({@code pano_cat-dog}), else core's
     * preprocessing of the case image (checked against the {@code image_tensor} fingerprint by the caller).
     */
    static Tensor imageTensor(Path caseDir, JsonNode c) {
        Path tensors = caseDir.resolve(c.get("tensors_file").asText());
        if (c.get("tensors").has("image_tensor")) {
            Map<String, GoldenTensors.Entry> stored = GoldenTensors.read(tensors);
            GoldenTensors.Entry e = stored.get("image_tensor");
            return torch.tensor(e.asFloats()).view(e.shape());
        }
        Path image = Golden.dir().resolve(c.get("image").asText());
        return GroundingDinoTransform.apply(ImageDecoder.read(image)).toTensor();
    }
}
