package dev.groundingdino.sam.internal.encoder;

import dev.groundingdino.internal.runtime.Shapes;
import static org.bytedeco.pytorch.global.torch.conv2d;

import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.internal.runtime.Scopes;
import dev.groundingdino.sam.internal.config.SamConfig;
import dev.groundingdino.sam.internal.common.LayerNorm2d;
import dev.groundingdino.sam.internal.common.Ops;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;

/**
 * {@code segment_anything/modeling/image_encoder.py::ImageEncoderViT}: {@link PatchEmbed}, absolute
 * {@code pos_embed}, the ViT {@link Block}s, and the {@code neck} (1x1 conv without bias, {@link LayerNorm2d}, 3x3
 * conv pad 1 without bias, {@link LayerNorm2d}) mapping to the 256-channel image embedding.
 */
public final class ImageEncoderViT {
    private final SamConfig cfg;
    private final Tensor posEmbed;
    private final PatchEmbed patchEmbed;
    private final List<Block> blocks;
    private final Tensor neck0;
    private final LayerNorm2d neck1;
    private final Tensor neck2;
    private final LayerNorm2d neck3;

    /** Declares/loads every encoder tensor under {@code p} (the {@code image_encoder} subtree). */
    public ImageEncoderViT(SamConfig cfg, ParamTree p) {
        this.cfg = cfg;
        int dim = cfg.encoderEmbedDim();
        int side = cfg.embeddingSize();
        int out = cfg.promptEmbedDim();
        this.posEmbed = p.param("pos_embed", 1, side, side, dim);
        this.patchEmbed = new PatchEmbed(cfg, p.child("patch_embed"));
        List<Block> list = new ArrayList<>();
        ParamTree blockTree = p.child("blocks");
        for (int i = 0; i < cfg.encoderDepth(); i++) {
            list.add(new Block(cfg, blockTree.child(i), i));
        }
        this.blocks = List.copyOf(list);
        ParamTree neck = p.child("neck");
        this.neck0 = neck.child(0).param("weight", out, dim, 1, 1);
        this.neck1 = new LayerNorm2d(neck.child(1), out, SamConfig.LAYER_NORM_2D_EPS);
        this.neck2 = neck.child(2).param("weight", out, out, 3, 3);
        this.neck3 = new LayerNorm2d(neck.child(3), out, SamConfig.LAYER_NORM_2D_EPS);
    }

    /**
     * The preprocessed input {@code (B, 3, 1024, 1024)} to the image embedding {@code (B, 256, 64, 64)}. The patch
     * embedding and the blocks run in the dtype of their weights (float32, or bfloat16 when the model was loaded
     * so, see {@code Sam.inEncoderPrecision}); the neck and the output are in the neck's dtype (float32).
     */
    public Tensor forward(Tensor x) {
        if (x.dim() != 4 || x.size(1) != 3 || x.size(2) != cfg.imageSize() || x.size(3) != cfg.imageSize()) {
            throw new IllegalArgumentException("image encoder input must be (B, 3, " + cfg.imageSize() + ", "
                    + cfg.imageSize() + "), got " + Arrays.toString(Shapes.of(x)));
        }
        Tensor tokens = Scopes.tensor(() -> patchEmbed.forward(x).add(posEmbed)); // (B, 64, 64, C)
        // one native scope per block; each block's input is freed as soon as its output exists
        Tensor[] last = Scopes.chain(new Tensor[] {tokens}, blocks.size(),
                (i, state) -> new Tensor[] {blocks.get(i).forward(state[0])}, state -> state);
        Tensor y = last[0].permute(0, 3, 1, 2); // (B, C, 64, 64)
        if (y.scalar_type().intern() != neck0.scalar_type().intern()) {
            y = y.to(neck0.scalar_type()); // reduced-precision blocks: the neck runs in float32
        }
        y = conv2d(y, neck0); // (B, 256, 64, 64)
        y = neck1.forward(y);
        y = conv2d(y, neck2, new TensorOptional(), new long[] {1, 1}, new long[] {1, 1},
                new long[] {1, 1}, 1); // (B, 256, 64, 64)
        return neck3.forward(y);
    }

    /** The config this encoder was built for. */
    public SamConfig config() {
        return cfg;
    }
}
