package dev.groundingdino.sam.internal.prompt;

import static org.bytedeco.pytorch.global.torch.cat;
import static org.bytedeco.pytorch.global.torch.conv2d;
import static org.bytedeco.pytorch.global.torch.empty;
import static org.bytedeco.pytorch.global.torch.gelu;
import static org.bytedeco.pytorch.global.torch.where;
import static org.bytedeco.pytorch.global.torch.zeros;

import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.sam.internal.config.SamConfig;
import dev.groundingdino.sam.internal.common.LayerNorm2d;
import dev.groundingdino.sam.internal.common.Ops;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * {@code segment_anything/modeling/prompt_encoder.py::PromptEncoder}: sparse embeddings of points and box corners
 * (random Fourier features of the pixel centres + learned {@code point_embeddings.0..3} /
 * {@code not_a_point_embed}), dense embeddings of a low-resolution mask ({@code mask_downscaling}) or the learned
 * {@code no_mask_embed} broadcast over the embedding grid, and the dense positional encoding of that grid
 * ({@link #densePe()}).
 */
public final class PromptEncoder {
    /** Sparse (B, N, 256) and dense (B, 256, 64, 64) prompt embeddings. */
    public record Embeddings(Tensor sparse, Tensor dense) {}

    private final SamConfig cfg;
    private final PositionEmbeddingRandom peLayer;
    private final Tensor[] pointEmbeddings = new Tensor[4];
    private final Tensor notAPointEmbed;
    private final Tensor down0Weight;
    private final Tensor down0Bias;
    private final LayerNorm2d down1;
    private final Tensor down3Weight;
    private final Tensor down3Bias;
    private final LayerNorm2d down4;
    private final Tensor down6Weight;
    private final Tensor down6Bias;
    private final Tensor noMaskEmbed;
    private final Tensor densePe; // (1, 256, 64, 64) on the model's device; null in declare mode

    /** Declares/loads every prompt-encoder tensor under {@code p} (the {@code prompt_encoder} subtree). */
    public PromptEncoder(SamConfig cfg, ParamTree p) {
        this.cfg = cfg;
        int dim = cfg.promptEmbedDim();
        int mic = cfg.maskInChans();
        this.peLayer = new PositionEmbeddingRandom(p.child("pe_layer"), dim / 2);
        ParamTree points = p.child("point_embeddings");
        for (int i = 0; i < pointEmbeddings.length; i++) {
            pointEmbeddings[i] = points.child(i).param("weight", 1, dim);
        }
        this.notAPointEmbed = p.child("not_a_point_embed").param("weight", 1, dim);
        ParamTree down = p.child("mask_downscaling");
        this.down0Weight = down.child(0).param("weight", mic / 4, 1, 2, 2);
        this.down0Bias = down.child(0).param("bias", mic / 4);
        this.down1 = new LayerNorm2d(down.child(1), mic / 4, SamConfig.LAYER_NORM_2D_EPS);
        this.down3Weight = down.child(3).param("weight", mic, mic / 4, 2, 2);
        this.down3Bias = down.child(3).param("bias", mic);
        this.down4 = new LayerNorm2d(down.child(4), mic, SamConfig.LAYER_NORM_2D_EPS);
        this.down6Weight = down.child(6).param("weight", dim, mic, 1, 1);
        this.down6Bias = down.child(6).param("bias", dim);
        this.noMaskEmbed = p.child("no_mask_embed").param("weight", 1, dim);
        int side = cfg.embeddingSize();
        this.densePe = noMaskEmbed == null ? null
                : p.constant(() -> peLayer.forward(side, side).unsqueeze(0)); // (1, 256, 64, 64)
    }

    /** {@code get_dense_pe()}: {@code (1, 256, 64, 64)}, a constant of the model computed once at load. */
    public Tensor densePe() {
        if (densePe != null) {
            return densePe;
        }
        int side = cfg.embeddingSize();
        return peLayer.forward(side, side).unsqueeze(0); // (1, 256, 64, 64)
    }

    /** {@code no_mask_embed.weight}: {@code (1, 256)}. */
    public Tensor noMaskEmbed() {
        return noMaskEmbed;
    }

    /**
     * {@code forward(points, boxes, masks)}; any argument may be null.
     *
     * @param pointCoords (B, N, 2) pixel (x, y) in the 1024 input frame, with {@code pointLabels}
     * @param pointLabels (B, N) integer labels: 1 foreground, 0 background, -1 padding
     * @param boxes (B, 4) xyxy in the 1024 input frame
     * @param masks (B, 1, 256, 256) low-resolution mask logits
     */
    public Embeddings forward(Tensor pointCoords, Tensor pointLabels, Tensor boxes, Tensor masks) {
        if ((pointCoords == null) != (pointLabels == null)) {
            throw new IllegalArgumentException("point coordinates and labels must be given together");
        }
        long bs = pointCoords != null ? pointCoords.size(0)
                : boxes != null ? boxes.size(0) : masks != null ? masks.size(0) : 1;
        Tensor like = pointCoords != null ? pointCoords : boxes != null ? boxes : noMaskEmbed;
        Tensor sparse = empty(new long[] {bs, 0, cfg.promptEmbedDim()}, Ops.options(like, ScalarType.Float),
                new MemoryFormatOptional()); // (B, 0, 256)
        if (pointCoords != null) {
            Tensor pts = embedPoints(pointCoords, pointLabels, boxes == null); // (B, N', 256)
            sparse = cat(new TensorVector(sparse, pts), 1);
        }
        if (boxes != null) {
            sparse = cat(new TensorVector(sparse, embedBoxes(boxes)), 1); // (B, N' + 2, 256)
        }
        Tensor dense;
        if (masks != null) {
            dense = embedMasks(masks); // (B, 256, 64, 64)
        } else {
            int side = cfg.embeddingSize();
            dense = noMaskEmbed.reshape(1, -1, 1, 1).expand(bs, -1, side, side); // (B, 256, 64, 64)
        }
        return new Embeddings(sparse, dense);
    }

    /** {@code _embed_points}: {@code (B, N, 2), (B, N) -> (B, N (+1 padding point), 256)}. */
    Tensor embedPoints(Tensor coords, Tensor labels, boolean pad) {
        Tensor pts = coords.add(new Scalar(0.5)); // (B, N, 2)
        Tensor lab = labels;
        if (pad) {
            Tensor padPoint = zeros(new long[] {pts.size(0), 1, 2}, Ops.options(pts, ScalarType.Float)); // (B, 1, 2)
            Tensor padLabel = zeros(new long[] {lab.size(0), 1}, lab.options()).sub(new Scalar(1)); // (B, 1)
            pts = cat(new TensorVector(pts, padPoint), 1); // (B, N+1, 2)
            lab = cat(new TensorVector(lab, padLabel), 1); // (B, N+1)
        }
        Tensor pe = peLayer.forwardWithCoords(pts, cfg.imageSize(), cfg.imageSize()); // (B, N', 256)
        Tensor l = lab.unsqueeze(-1); // (B, N', 1)
        pe = where(l.eq(new Scalar(-1)), notAPointEmbed.expand_as(pe), pe); // 0 + not_a_point
        pe = where(l.eq(new Scalar(0)), pe.add(pointEmbeddings[0]), pe);
        pe = where(l.eq(new Scalar(1)), pe.add(pointEmbeddings[1]), pe);
        return pe;
    }

    /** {@code _embed_boxes}: xyxy {@code (B, 4) -> (B, 2, 256)} (top-left, bottom-right corners). */
    public Tensor embedBoxes(Tensor boxes) {
        Tensor corners = boxes.add(new Scalar(0.5)).reshape(-1, 2, 2); // (B, 2, 2)
        Tensor pe = peLayer.forwardWithCoords(corners, cfg.imageSize(), cfg.imageSize()); // (B, 2, 256)
        Tensor cornerEmbed = cat(new TensorVector(pointEmbeddings[2], pointEmbeddings[3]), 0).unsqueeze(0); // (1, 2, 256)
        return pe.add(cornerEmbed);
    }

    /** {@code _embed_masks}: {@code (B, 1, 256, 256) -> (B, 256, 64, 64)}. */
    Tensor embedMasks(Tensor masks) {
        long[] stride2 = {2, 2};
        long[] zero = {0, 0};
        long[] one = {1, 1};
        Tensor x = conv2d(masks, down0Weight, new TensorOptional(down0Bias), stride2, zero, one, 1); // (B, 4, 128, 128)
        x = gelu(down1.forward(x));
        x = conv2d(x, down3Weight, new TensorOptional(down3Bias), stride2, zero, one, 1); // (B, 16, 64, 64)
        x = gelu(down4.forward(x));
        return conv2d(x, down6Weight, new TensorOptional(down6Bias), one, zero, one, 1); // (B, 256, 64, 64)
    }
}
