package dev.groundingdino.bench;

import dev.groundingdino.internal.backbone.NestedTensor;
import dev.groundingdino.internal.groundingdino.GroundingDINO;
import dev.groundingdino.internal.groundingdino.TextBatch;
import dev.groundingdino.internal.image.GroundingDinoTransform;
import dev.groundingdino.internal.image.PixelTensor;
import dev.groundingdino.internal.image.RgbImage;
import dev.groundingdino.internal.postprocess.Predict;
import dev.groundingdino.internal.postprocess.Prediction;
import dev.groundingdino.internal.postprocess.QueryOutputs;
import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.internal.text.CaptionEncoder;
import dev.groundingdino.internal.transformer.Transformer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Where does the time of one full-size GroundingDINO detection go? Each benchmark runs ONE stage of an 800x600
 * image (1067x800 after the resize) on inputs prepared once by running the stages before it: the reference
 * preprocessing, the text side with a new caption every call ({@code textBert}) and with the repeated caption
 * served from the model's text cache ({@code textCached}), the image side (Swin backbone, position encodings,
 * {@code input_proj}), the encoder, the two-stage query selection, the decoder with the heads, and
 * {@code predict()} on the outputs.
 *
 * <p>Run: {@code java -jar groundingdino-bench/target/benchmarks.jar StageBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class StageBenchmark {
    @Param({"FP32", "BF16"})
    public String precision;

    private FullSizeModel model;
    private RgbImage image;
    private TextBatch text;
    private Device device;
    private NestedTensor samples;
    private Transformer.TextFeatures textFeatures;
    private GroundingDINO.Features features;
    private Transformer.Encoded encoded;
    private Transformer.Queries queries;
    private QueryOutputs outputs;
    private final List<Tensor> retained = new ArrayList<>();
    private int captionCounter;

    @Setup(Level.Trial)
    @SuppressWarnings("try") // the scope frees native temporaries; it is not referenced
    public void setUp() {
        model = FullSizeModel.build(precision);
        image = BenchImages.random(800, 600, 7);
        text = model.text(1);
        try (InferenceScope scope = InferenceScope.open()) {
            PixelTensor pixels = GroundingDinoTransform.apply(image);
            samples = NestedTensor.unpadded(pixels.toTensor().unsqueeze(0));
            device = new Device("cpu");
            GroundingDINO m = model.model();
            textFeatures = m.encodeText(text, device, null);
            features = m.encodeImages(samples, null);
            encoded = m.transformer().encode(features.srcs(), features.masks(), features.poss(), features.padded(), textFeatures, null);
            queries = m.transformer().selectQueries(encoded, null);
            GroundingDINO.Output out = m.heads(m.transformer().decode(encoded, queries, m.bboxEmbed(), null),
                    textFeatures, null);
            Tensor l = out.predLogits().to(ScalarType.Float).contiguous();
            Tensor b = out.predBoxes().to(ScalarType.Float).contiguous();
            float[] logits = new float[(int) l.numel()];
            float[] boxes = new float[(int) b.numel()];
            l.data_ptr_float().get(logits);
            b.data_ptr_float().get(boxes);
            outputs = QueryOutputs.of((int) l.size(1), (int) l.size(2), logits, boxes);
            keep(samples.tensors(), samples.mask());
            keep(textFeatures.encodedText(), textFeatures.textTokenMask(), textFeatures.positionIds(),
                    textFeatures.textSelfAttentionMasks());
            keep(features.srcs().toArray(new Tensor[0]));
            keep(features.masks().toArray(new Tensor[0]));
            keep(features.poss().toArray(new Tensor[0]));
            keep(encoded.memory(), encoded.memoryText(), encoded.mask(), encoded.validRatios(),
                    encoded.textTokenMask(), encoded.textPadding());
            keep(queries.tgt(), queries.refpointsUnsigmoid());
            device.retainReference(); // released in tearDown
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        retained.forEach(Tensor::releaseReference);
        retained.clear();
        device.releaseReference();
        model.close();
    }

    @Benchmark
    public PixelTensor preprocess() {
        return GroundingDinoTransform.apply(image);
    }

    @Benchmark
    @SuppressWarnings("try")
    public long textBert() {
        TextBatch fresh = TextBatch.of(List.of(CaptionEncoder.encode(FullSizeModel.PROMPT + " " + captionCounter++)));
        try (InferenceScope scope = InferenceScope.open()) {
            return model.model().encodeText(fresh, device, null).encodedText().size(1);
        }
    }

    @Benchmark
    @SuppressWarnings("try")
    public long textCached() {
        try (InferenceScope scope = InferenceScope.open()) {
            return model.model().encodeText(text, device, null).encodedText().size(1);
        }
    }

    @Benchmark
    @SuppressWarnings("try")
    public long backbone() {
        try (InferenceScope scope = InferenceScope.open()) {
            return model.model().encodeImages(samples, null).srcs().get(0).size(2);
        }
    }

    @Benchmark
    @SuppressWarnings("try")
    public long encoder() {
        try (InferenceScope scope = InferenceScope.open()) {
            return model.model().transformer().encode(features.srcs(), features.masks(), features.poss(), features.padded(),
                    textFeatures, null).memory().size(1);
        }
    }

    @Benchmark
    @SuppressWarnings("try")
    public long querySelection() {
        try (InferenceScope scope = InferenceScope.open()) {
            return model.model().transformer().selectQueries(encoded, null).tgt().size(1);
        }
    }

    @Benchmark
    @SuppressWarnings("try")
    public long decoderAndHeads() {
        try (InferenceScope scope = InferenceScope.open()) {
            GroundingDINO m = model.model();
            return m.heads(m.transformer().decode(encoded, queries, m.bboxEmbed(), null), textFeatures, null)
                    .predBoxes().size(1);
        }
    }

    @Benchmark
    public List<Prediction> postprocess() {
        return Predict.predict(outputs, model.caption(), FullSizeModel.BOX_THRESHOLD, FullSizeModel.TEXT_THRESHOLD,
                false);
    }

    /** Keeps tensors made in the setup's scope alive until {@link #tearDown()}. */
    private void keep(Tensor... tensors) {
        for (Tensor t : tensors) {
            t.retainReference();
            retained.add(t);
        }
    }
}
