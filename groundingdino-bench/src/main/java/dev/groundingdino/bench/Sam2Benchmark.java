package dev.groundingdino.bench;

import dev.groundingdino.Precision;
import dev.groundingdino.internal.image.RgbImage;
import dev.groundingdino.internal.image.SamTransform;
import dev.groundingdino.internal.runtime.InferenceScope;
import dev.groundingdino.sam.internal.SamCheckpoint;
import dev.groundingdino.sam.internal.config.SamConfig;
import dev.groundingdino.sam.internal.sam2.SAM2ImagePredictor;
import dev.groundingdino.sam.internal.sam2.config.Sam2Config;
import dev.groundingdino.sam.internal.sam2.Sam2ImageFeatures;
import dev.groundingdino.sam.internal.sam2.Sam2Prompt;
import dev.groundingdino.sam.internal.sam2.utils.SAM2Transforms;
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
 * How long do the SAM 2.1 image encoders (Hiera-T, Hiera-L) take on the CPU to encode one 1920x1080 image
 * ({@code SAM2Transforms} to 1024x1024, trunk, FPN neck, {@code conv_s0/conv_s1}), and to decode the masks of one
 * box prompt (prompt encoder + mask decoder with the high-resolution features, multimask), next to SAM ViT-B
 * measured the same way ({@link SamBenchmark})? Random weights of the official checkpoints' shapes
 * ({@link RandomWeights#sam2}, {@link RandomWeights#sam}); the trunk (SAM 2.1) or the encoder blocks (SAM) in float32
 * or bfloat16 ({@code precision}), the rest float32.
 *
 * <p>Run: {@code java -jar groundingdino-bench/target/benchmarks.jar Sam2Benchmark} (a quick look:
 * {@code -f 1 -wi 1 -i 3}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class Sam2Benchmark {
    @Param({"sam2.1_hiera_t", "sam2.1_hiera_l", "sam_vit_b"})
    public String model;

    @Param({"FP32", "BF16"})
    public String precision;

    private SAM2ImagePredictor sam2;
    private Sam2ImageFeatures features;
    private SamCheckpoint sam;
    private Tensor samEmbedding;
    private Tensor samBox;
    private RgbImage image;
    private final Sam2Prompt box = Sam2Prompt.box(375f, 280f, 1310f, 1050f); // original pixels

    @Setup(Level.Trial)
    @SuppressWarnings("try") // the scope frees native temporaries; it is not referenced
    public void setUp() {
        image = BenchImages.random(1920, 1080, 7);
        if (model.equals("sam_vit_b")) {
            sam = RandomWeights.sam(SamConfig.vitB(), 42, FullSizeModel.dtype(precision));
            try (InferenceScope scope = InferenceScope.open()) {
                samEmbedding = sam.sam().embed(SamTransform.apply(image).toTensor()); // (1, 256, 64, 64)
                samBox = torch.tensor(new float[] {200f, 150f, 700f, 560f}).view(1, 4); // the 1024 frame
                samEmbedding.retainReference(); // released in tearDown
                samBox.retainReference();
            }
            return;
        }
        Sam2Config cfg = model.equals("sam2.1_hiera_t") ? Sam2Config.hieraT() : Sam2Config.hieraL();
        sam2 = RandomWeights.sam2(cfg, 42, Precision.valueOf(precision));
        features = sam2.embed(image);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (sam != null) {
            samEmbedding.releaseReference();
            samBox.releaseReference();
            sam.close();
        }
        if (sam2 != null) {
            features.close();
            sam2.close();
        }
    }

    @Benchmark
    @SuppressWarnings("try")
    public long encodeImage() {
        if (sam != null) {
            try (InferenceScope scope = InferenceScope.open()) {
                return sam.sam().embed(SamTransform.apply(image).toTensor()).size(1);
            }
        }
        try (InferenceScope scope = InferenceScope.open()) {
            Tensor input = SAM2Transforms.toInput(image, sam2.torchDevice()); // (1, 3, 1024, 1024)
            return sam2.model().forwardImage(input).imageEmbed().size(1);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @Warmup(iterations = 2, time = 2)
    @Measurement(iterations = 5, time = 2)
    @SuppressWarnings("try")
    public long decodeOneBox() {
        if (sam != null) {
            try (InferenceScope scope = InferenceScope.open()) {
                return sam.sam().predictBoxes(samEmbedding, samBox, true).lowResLogits().size(1);
            }
        }
        return features.use(f -> {
            try (InferenceScope scope = InferenceScope.open()) {
                return sam2.predictTensors(f, box, true, image.height(), image.width()).lowResMasks().size(1);
            }
        });
    }
}
