package dev.groundingdino.bench;

import dev.groundingdino.internal.image.PixelTensor;
import dev.groundingdino.internal.image.RgbImage;
import dev.groundingdino.internal.image.SamTransform;
import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.sam.internal.Sam;
import dev.groundingdino.sam.internal.SamCheckpoint;
import dev.groundingdino.sam.internal.config.SamConfig;
import java.util.concurrent.TimeUnit;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
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
 * How long does Segment Anything ViT-B take on the CPU to encode one image (SAM preprocessing of a 1920x1080 image
 * to 1024x1024, then the image encoder) and to decode the mask of one box prompt on that embedding (prompt
 * encoder + mask decoder, multimask, low-resolution logits)? Random ViT-B weights of the declared shapes
 * ({@link RandomWeights#sam}); the image encoder's blocks in float32 or bfloat16 ({@code precision}, as
 * {@code Segmenter.Builder.precision} loads them), the rest float32.
 *
 * <p>Run: {@code java -jar groundingdino-bench/target/benchmarks.jar SamBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class SamBenchmark {
    @Param({"FP32", "BF16"})
    public String precision;

    private SamCheckpoint model;
    private RgbImage image;
    private Tensor embedding;
    private Tensor box;

    @Setup(Level.Trial)
    @SuppressWarnings("try") // the scope frees native temporaries; it is not referenced
    public void setUp() {
        model = RandomWeights.sam(SamConfig.vitB(), 42, FullSizeModel.dtype(precision));
        image = BenchImages.random(1920, 1080, 7);
        try (InferenceScope scope = InferenceScope.open()) {
            embedding = model.sam().embed(SamTransform.apply(image).toTensor()); // (1, 256, 64, 64)
            box = torch.tensor(new float[] {200f, 150f, 700f, 560f}).view(1, 4); // xyxy in the 1024 frame
            embedding.retainReference(); // released in tearDown
            box.retainReference();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        embedding.releaseReference();
        box.releaseReference();
        model.close();
    }

    @Benchmark
    @SuppressWarnings("try")
    public long encodeImage() {
        PixelTensor pixels = SamTransform.apply(image); // (1, 3, 1024, 1024)
        try (InferenceScope scope = InferenceScope.open()) {
            return model.sam().embed(pixels.toTensor()).size(1);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @Warmup(iterations = 2, time = 2)
    @Measurement(iterations = 5, time = 2)
    @SuppressWarnings("try")
    public long decodeOneBox() {
        try (InferenceScope scope = InferenceScope.open()) {
            Sam.Prediction p = model.sam().predictBoxes(embedding, box, true);
            return p.lowResLogits().size(1);
        }
    }
}
