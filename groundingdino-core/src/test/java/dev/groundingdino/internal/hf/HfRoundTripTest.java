package dev.groundingdino.internal.hf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.groundingdino.internal.groundingdino.GroundingDINO;
import dev.groundingdino.internal.groundingdino.GroundingDinoConfig;
import dev.groundingdino.internal.groundingdino.GroundingDinoConfigReader;
import dev.groundingdino.internal.groundingdino.LoadedGroundingDino;
import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.transformer.TransformerConfig;
import dev.groundingdino.internal.weights.StateDict;
import dev.groundingdino.internal.weights.StrictLoader;
import dev.groundingdino.testing.Golden;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exporter and the loader against each other: the golden original {@code gdino.pth} written in the Hub layout
 * ({@link HfExport}) and loaded back ({@link HfCheckpoint}) has exactly the original tensors and gives outputs
 * identical to the {@code .pth} model run with the same semantics; and the golden MM-GroundingDINO Hub model
 * written again has the key set of the file transformers wrote and the same outputs.
 */
class HfRoundTripTest {
    @TempDir
    Path tmp;

    @Test
    void originalPthThroughTheHubLayoutGivesIdenticalTensorsAndOutputs() {
        Path suite = Golden.gdinoSuite();
        GroundingDinoConfig reference = GroundingDinoConfigReader.fromGoldenJson(suite.resolve("config.json"));
        Path folder = tmp.resolve("gdino-hub");
        try (StateDict pth = StateDict.read(suite.resolve("gdino.pth"))) {
            HfExport.write(reference, pth, HfConfig.ModelType.GROUNDING_DINO, folder);

            HfCheckpoint.Converted back = HfCheckpoint.open(HfCheckpoint.recognise(folder).orElseThrow());
            try (StateDict converted = back.stateDict()) {
                // every learnable tensor comes back bit for bit (the pooler, unused and absent from the Hub ports,
                // and the derived buffers excepted)
                Map<String, long[]> declared = GroundingDINO.declaredParameters(back.config());
                StrictLoader.Match original = StrictLoader.check(pth, GroundingDINO.declaredParameters(reference),
                        reference.name());
                int compared = 0;
                for (String name : declared.keySet()) {
                    if (name.endsWith("relative_position_index") || name.endsWith("position_ids")
                            || name.startsWith("transformer.decoder.bbox_embed.")) {
                        continue;
                    }
                    try (InferenceScope scope = InferenceScope.open()) {
                        assertThat(converted.get(name).equal(original.get(name))).as(name).isTrue();
                    }
                    compared++;
                }
                assertThat(compared).isGreaterThan(300);
                assertThat(back.config().decPredBboxEmbedShare()).isTrue();
                assertThat(back.config().bert().pooler()).isFalse();

                // the same file key set as transformers' own save of this architecture (minus its unused
                // swin.layernorm)
                TreeSet<String> written = new TreeSet<>();
                try (StateDict w = StateDict.read(folder.resolve("model.safetensors"))) {
                    written.addAll(w.names());
                }
                TreeSet<String> transformers = new TreeSet<>();
                try (StateDict h = StateDict.read(HfGolden.model(HfGolden.GDINO).resolve("model.safetensors"))) {
                    h.names().stream().filter(n -> !HfKeyMap.isUnused(n)).forEach(transformers::add);
                }
                assertThat(written).isEqualTo(transformers);
            }
        }

        // outputs: the Hub model equals the .pth model run with the Hub semantics, and with the reference semantics
        // equals the .pth model as the reference runs it
        GroundingDinoConfig hubSemantics = reference.withSpecialTokenMasks(GroundingDinoConfig.SpecialTokenMasks.PER_ROW)
                .withParts(reference.bert(), reference.transformer().withHeads(
                        TransformerConfig.BoxLogit.LOGIT_EPS_1E5, false));
        try (LoadedGroundingDino hub = HfCheckpoint.load(folder, ScalarType.Float);
                LoadedGroundingDino pthHub = LoadedGroundingDino.load(suite.resolve("gdino.pth"), hubSemantics);
                LoadedGroundingDino pthRef = LoadedGroundingDino.load(suite.resolve("gdino.pth"), reference)) {
            HfCheckpoint.Converted again = HfCheckpoint.open(HfCheckpoint.recognise(folder).orElseThrow());
            GroundingDinoConfig hubAsReference = again.config()
                    .withSpecialTokenMasks(GroundingDinoConfig.SpecialTokenMasks.REFERENCE)
                    .withParts(again.config().bert(), again.config().transformer().withHeads(
                            TransformerConfig.BoxLogit.INVERSE_SIGMOID, false));
            try (LoadedGroundingDino hubRef = LoadedGroundingDino.of(again.stateDict(), hubAsReference)) {
                for (String c : new String[] {"batch2"}) { // two images of two sizes, two captions, padding
                    try (InferenceScope scope = InferenceScope.open();
                            StateDict in = StateDict.read(HfGolden.caseTensors(HfGolden.GDINO, c))) {
                        Map<String, Tensor> a = HfGolden.run(hub.model(), in);
                        Map<String, Tensor> b = HfGolden.run(pthHub.model(), in);
                        Map<String, Tensor> r1 = HfGolden.run(hubRef.model(), in);
                        Map<String, Tensor> r2 = HfGolden.run(pthRef.model(), in);
                        for (String out : new String[] {"logits", "pred_boxes", "intermediate_hidden_states"}) {
                            assertThat(HfGolden.maxDiff(a.get(out), b.get(out))).as(c + " " + out).isZero();
                            assertThat(HfGolden.maxDiff(r1.get(out), r2.get(out))).as(c + " " + out).isZero();
                        }
                        System.out.printf("round trip %s: Hub vs .pth logits/boxes diff 0 (both semantics); "
                                + "Hub semantics vs reference semantics on these weights: logits %.3e, boxes %.3e%n",
                                c, HfGolden.maxDiff(a.get("logits"), r2.get("logits")),
                                HfGolden.maxDiff(a.get("pred_boxes"), r2.get("pred_boxes")));
                    }
                }
            }
        }
    }

    @Test
    void mmGroundingDinoWrittenAgainHasTransformersKeysAndTheSameOutputs() {
        Path folder = tmp.resolve("mm-again");
        HfCheckpoint.Converted mm = HfCheckpoint.open(HfCheckpoint.recognise(HfGolden.model(HfGolden.MM))
                .orElseThrow());
        try (StateDict sd = mm.stateDict()) {
            HfExport.write(mm.config(), sd, HfConfig.ModelType.MM_GROUNDING_DINO, folder);
        }
        TreeSet<String> written = new TreeSet<>();
        try (StateDict w = StateDict.read(folder.resolve("model.safetensors"))) {
            written.addAll(w.names());
        }
        TreeSet<String> transformers = new TreeSet<>();
        try (StateDict h = StateDict.read(HfGolden.model(HfGolden.MM).resolve("model.safetensors"))) {
            h.names().stream().filter(n -> !HfKeyMap.isUnused(n)).forEach(transformers::add);
        }
        assertThat(written).isEqualTo(transformers);
        try (LoadedGroundingDino a = HfCheckpoint.load(HfGolden.model(HfGolden.MM), ScalarType.Float);
                LoadedGroundingDino b = HfCheckpoint.load(folder, ScalarType.Float);
                InferenceScope scope = InferenceScope.open();
                StateDict in = StateDict.read(HfGolden.caseTensors(HfGolden.MM, "batch2"))) {
            Map<String, Tensor> x = HfGolden.run(a.model(), in);
            Map<String, Tensor> y = HfGolden.run(b.model(), in);
            assertThat(HfGolden.maxDiff(x.get("logits"), y.get("logits"))).isZero();
            assertThat(HfGolden.maxDiff(x.get("pred_boxes"), y.get("pred_boxes"))).isZero();
        }
    }
}
