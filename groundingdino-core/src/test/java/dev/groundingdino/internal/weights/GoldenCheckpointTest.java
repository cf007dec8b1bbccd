package dev.groundingdino.internal.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.pytorch.global.torch.linear;

import com.fasterxml.jackson.databind.JsonNode;
import dev.groundingdino.testing.Fingerprint;
import dev.groundingdino.testing.Golden;
import dev.groundingdino.testing.GoldenTensors;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.junit.jupiter.api.Test;

/** The golden checkpoints load to exactly the tensors their config.json lists, with the right values. */
@SuppressWarnings("try") // PointerScope blocks are used for their extent only
class GoldenCheckpointTest {

    @Test
    void gdinoPthMatchesManifest() {
        Path dir = Golden.gdinoSuite();
        try (StateDict sd = StateDict.read(dir.resolve("gdino.pth"))) {
            assertMatchesManifest(sd, Golden.json(dir.resolve("config.json")));
            assertThat(sd.format()).isEqualTo(StateDict.Format.PTH);
            assertThat(sd.wrapperKey()).contains("model");
            assertThat(sd.metadata()).containsEntry("pth_wrapper", "model");
        }
    }

    @Test
    void samPthAndSafetensorsMatchManifestAndEachOtherBitExactly() {
        Path dir = Golden.samSuite();
        JsonNode config = Golden.json(dir.resolve("config.json"));
        try (StateDict pth = StateDict.read(dir.resolve("sam.pth"));
                StateDict st = StateDict.read(dir.resolve("sam.safetensors"))) {
            assertMatchesManifest(pth, config);
            assertMatchesManifest(st, config);
            assertThat(pth.wrapperKey()).isEmpty();
            assertThat(st.format()).isEqualTo(StateDict.Format.SAFETENSORS);
            assertThat(st.metadata()).containsEntry("format", "pt").containsKey("key_order");
            for (String name : pth.names()) {
                assertThat(TensorBytes.of(pth.get(name))).as(name).isEqualTo(TensorBytes.of(st.get(name)));
            }
        }
    }

    @Test
    void sharedGroupsShareStorageAndOthersDoNot() {
        Path dir = Golden.gdinoSuite();
        JsonNode groups = Golden.json(dir.resolve("config.json")).get("state_dict_shared_groups");
        assertThat(groups.size()).isEqualTo(6);
        try (StateDict sd = StateDict.read(dir.resolve("gdino.pth"))) {
            Set<Long> groupAddresses = new HashSet<>();
            for (JsonNode group : groups) {
                long address = TensorBytes.address(sd.get(group.get(0).asText()));
                for (JsonNode key : group) {
                    Tensor t = sd.get(key.asText());
                    assertThat(TensorBytes.address(t)).as(key.asText()).isEqualTo(address);
                    assertThat(t.is_alias_of(sd.get(group.get(0).asText()))).isTrue();
                }
                assertThat(groupAddresses.add(address)).as("groups are distinct").isTrue();
            }
            // the encoder's box head is a deep copy, not shared
            long shared = TensorBytes.address(sd.get("bbox_embed.0.layers.0.weight"));
            assertThat(TensorBytes.address(sd.get("transformer.enc_out_bbox_embed.layers.0.weight")))
                    .isNotEqualTo(shared);
            // every tensor that is not in a group has its own data
            Set<Long> seen = new HashSet<>(groupAddresses);
            Set<String> grouped = new HashSet<>();
            groups.forEach(g -> g.forEach(k -> grouped.add(k.asText())));
            for (String name : sd.names()) {
                if (!grouped.contains(name) && sd.numel(name) > 0) {
                    assertThat(seen.add(TensorBytes.address(sd.get(name)))).as(name + " has its own storage").isTrue();
                }
            }
        }
    }

    @Test
    void positionIdsKeepPickledStridesAndValues() {
        try (StateDict sd = StateDict.read(Golden.gdinoSuite().resolve("gdino.pth"))) {
            Tensor t = sd.get("bert.embeddings.position_ids");
            assertThat(sd.dtype("bert.embeddings.position_ids")).isEqualTo(DType.INT64);
            assertThat(TensorBytes.sizes(t)).containsExactly(1, 512);
            // The strides are the pickled ones, whatever they are: torch 1.13 wrote this buffer as (512, 1)
            // (NOTES.md expects (0, 1)); stride 0 itself is covered by PthReaderTest.strideZeroViewsSurvive.
            Object raw = UnpicklerTest.map(PthReader.readObject(Golden.gdinoSuite().resolve("gdino.pth"))).get("model");
            PickledTensor pickled = (PickledTensor) UnpicklerTest.map(raw).get("bert.embeddings.position_ids");
            assertThat(TensorBytes.strides(t)).containsExactly(pickled.stride());
            long[] v = TensorBytes.longs(t);
            for (int i = 0; i < 512; i++) {
                assertThat(v[i]).isEqualTo(i);
            }
            // Swin's relative_position_index for window 7: values in [0, 13*13)
            long[] rpi = TensorBytes.longs(sd.get("backbone.0.layers.0.blocks.0.attn.relative_position_index"));
            assertThat(rpi).hasSize(49 * 49);
            assertThat(rpi[0]).isEqualTo(84); // (6, 6) offset of the top-left token to itself: 6*13+6
            assertThat(java.util.Arrays.stream(rpi).max().getAsLong()).isEqualTo(168);
        }
    }

    @Test
    void gdinoFeatMapReproducesEncodedTextOfEveryCase() {
        try (StateDict sd = StateDict.read(Golden.gdinoSuite().resolve("gdino.pth"))) {
            for (Path c : Golden.gdinoCases()) {
                Map<String, GoldenTensors.Entry> golden = GoldenTensors.read(c.resolve("tensors.safetensors"));
                GoldenTensors.Entry hidden = golden.get("bert_last_hidden_state");
                float[] expected = golden.get("encoded_text_in").asFloats();
                float[] actual;
                try (PointerScope scope = new PointerScope()) {
                    Tensor x = fromFloats(hidden.asFloats(), hidden.shape());
                    Tensor y = linear(x, sd.get("feat_map.weight"), new TensorOptional(sd.get("feat_map.bias")));
                    actual = TensorBytes.floats(y);
                }
                assertThat(actual).hasSameSizeAs(expected);
                double maxErr = 0;
                for (int i = 0; i < expected.length; i++) {
                    maxErr = Math.max(maxErr, Math.abs(actual[i] - expected[i]));
                }
                System.out.printf("%s: max |feat_map(bert_last_hidden_state) - encoded_text_in| = %.3g%n",
                        c.getFileName(), maxErr);
                assertThat(maxErr).as(c.getFileName() + " max |feat_map(x) - golden|").isLessThan(1e-5);
            }
        }
    }

    @Test
    void samWeightsMatchCaseFingerprints() {
        Path dir = Golden.samSuite();
        JsonNode fps = Golden.json(Golden.samCases().get(0).resolve("case.json")).get("fingerprints");
        try (StateDict sd = StateDict.read(dir.resolve("sam.pth"))) {
            // no_mask_embed fingerprint = the embedding weight itself, bit for bit
            Tensor w = sd.get("prompt_encoder.no_mask_embed.weight");
            double err = Fingerprint.of(fps.get("no_mask_embed")).check("no_mask_embed", sd.shape(
                    "prompt_encoder.no_mask_embed.weight"), toDoubles(TensorBytes.floats(w)), 1e-9, 0);
            assertThat(err).isZero();
            // dense_pe from the gaussian matrix: coords (i+0.5)/64 -> 2c-1 -> @G -> 2pi -> [sin, cos]
            float[] g = TensorBytes.floats(sd.get("prompt_encoder.pe_layer.positional_encoding_gaussian_matrix"));
            int n = 64;
            int f = g.length / 2;
            double[] pe = new double[2 * f * n * n];
            for (int y = 0; y < n; y++) {
                for (int x = 0; x < n; x++) {
                    float cx = 2f * ((x + 0.5f) / n) - 1f;
                    float cy = 2f * ((y + 0.5f) / n) - 1f;
                    for (int k = 0; k < f; k++) {
                        float v = (float) (2 * Math.PI) * (cx * g[k] + cy * g[f + k]);
                        pe[(k * n + y) * n + x] = Math.sin(v);
                        pe[((f + k) * n + y) * n + x] = Math.cos(v);
                    }
                }
            }
            double peErr = Fingerprint.of(fps.get("dense_pe")).check("dense_pe", new long[] {1, 2L * f, n, n}, pe,
                    1e-5, 1e-5);
            System.out.printf("SAM dense_pe from the loaded gaussian matrix: max sample error %.3g%n", peErr);
            assertThat(peErr).isLessThan(1e-5);
        }
    }

    static void assertMatchesManifest(StateDict sd, JsonNode config) {
        JsonNode manifest = config.get("state_dict");
        List<String> expectedNames = new ArrayList<>();
        manifest.fieldNames().forEachRemaining(expectedNames::add);
        assertThat(sd.names()).containsExactlyElementsOf(expectedNames);
        assertThat(sd.size()).isEqualTo(expectedNames.size());
        for (Map.Entry<String, JsonNode> e : manifest.properties()) {
            long[] shape = new long[e.getValue().get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = e.getValue().get("shape").get(i).asLong();
            }
            assertThat(sd.shape(e.getKey())).as(e.getKey()).containsExactly(shape);
            assertThat(TensorBytes.sizes(sd.get(e.getKey()))).as(e.getKey()).containsExactly(shape);
            assertThat(sd.dtype(e.getKey()).toString()).as(e.getKey()).isEqualTo(e.getValue().get("dtype").asText());
            assertThat(DType.ofScalarType(sd.get(e.getKey()).scalar_type())).isEqualTo(sd.dtype(e.getKey()));
        }
    }

    static Tensor fromFloats(float[] values, long[] shape) {
        return dev.groundingdino.internal.runtime.HostTensors.fromFloats(values, shape);
    }

    static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
