package dev.groundingdino.sam.internal.sam2.sam;

import static org.bytedeco.pytorch.global.torch.cat;
import static org.bytedeco.pytorch.global.torch.conv2d;
import static org.bytedeco.pytorch.global.torch.empty;
import static org.bytedeco.pytorch.global.torch.full;
import static org.bytedeco.pytorch.global.torch.gelu;
import static org.bytedeco.pytorch.global.torch.where;
import static org.bytedeco.pytorch.global.torch.zeros;

import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.sam.internal.common.LayerNorm2d;
import dev.groundingdino.sam.internal.common.Ops;
import dev.groundingdino.sam.internal.prompt.PositionEmbeddingRandom;
import dev.groundingdino.sam.internal.sam2.layers.OwnedTensors;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * {@code sam2/modeling/sam/prompt_encoder.py::PromptEncoder}: sparse embeddings of labelled points (random Fourier
 * features of the pixel centres, {@link PositionEmbeddingRandom}, plus the learned {@code point_embeddings.0..3} for
 * labels 0 (negative), 1 (positive), 2 (box top-left), 3 (box bottom-right) and {@code not_a_point_embed} for the
 * padding label -1), boxes as their two corners, dense embeddings of a low-resolution mask ({@code mask_downscaling})
 * or the learned {@code no_mask_embed} broadcast over the grid, and the dense positional encoding of the 64x64 grid
 * ({@code get_dense_pe}), which is computed once at load ({@link #prepare}).
 */
public final class PromptEncoder {
    /** Sparse (B, N, 256) and dense (B, 256, 64, 64) prompt embeddings. */
    public record Embeddings(Tensor sparse, Tensor dense) {}

    private final int embedDim;
    private final int embeddingSize;
    private final int inputImageSize;
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
    private Tensor densePe; // (1, 256, 64, 64); set by prepare

    /** Declares/loads every prompt-encoder tensor under {@code p} ({@code sam_prompt_encoder}), in state_dict order. */
    public PromptEncoder(ParamTree p, int embedDim, int embeddingSize, int inputImageSize, int maskInChans) {
        this.embedDim = embedDim;
        this.embeddingSize = embeddingSize;
        this.inputImageSize = inputImageSize;
        this.peLayer = new PositionEmbeddingRandom(p.child("pe_layer"), embedDim / 2);
        ParamTree points = p.child("point_embeddings");
        for (int i = 0; i < pointEmbeddings.length; i++) {
            pointEmbeddings[i] = points.child(i).param("weight", 1, embedDim);
        }
        this.notAPointEmbed = p.child("not_a_point_embed").param("weight", 1, embedDim);
        ParamTree down = p.child("mask_downscaling");
        this.down0Weight = down.child(0).param("weight", maskInChans / 4, 1, 2, 2);
        this.down0Bias = down.child(0).param("bias", maskInChans / 4);
        this.down1 = new LayerNorm2d(down.child(1), maskInChans / 4, 1e-6);
        this.down3Weight = down.child(3).param("weight", maskInChans, maskInChans / 4, 2, 2);
        this.down3Bias = down.child(3).param("bias", maskInChans);
        this.down4 = new LayerNorm2d(down.child(4), maskInChans, 1e-6);
        this.down6Weight = down.child(6).param("weight", embedDim, maskInChans, 1, 1);
        this.down6Bias = down.child(6).param("bias", embedDim);
        this.noMaskEmbed = p.child("no_mask_embed").param("weight", 1, embedDim);
    }

    /** Computes {@code get_dense_pe()} once. */
    public void prepare(OwnedTensors owned) {
        densePe = owned.keep(peLayer.forward(embeddingSize, embeddingSize).unsqueeze(0).contiguous()); // (1,256,64,64)
    }

    /** {@code get_dense_pe()}: {@code (1, 256, 64, 64)}, computed at load. */
    public Tensor densePe() {
        return densePe;
    }

    /**
     * {@code forward(points, boxes=None, masks)} as {@code SAM2ImagePredictor._predict} calls it (boxes arrive as
     * labelled corner points); any argument may be null.
     *
     * @param coords (B, N, 2) float32 pixel (x, y) in the 1024 input frame, with {@code labels}
     * @param labels (B, N) integer labels: 1 positive, 0 negative, 2/3 box corners, -1 padding
     * @param masks (B, 1, 256, 256) low-resolution mask logits
     */
    public Embeddings forward(Tensor coords, Tensor labels, Tensor masks) {
        if ((coords == null) != (labels == null)) {
            throw new IllegalArgumentException("point coordinates and labels must be given together");
        }
        long bs = coords != null ? coords.size(0) : masks != null ? masks.size(0) : 1;
        Tensor sparse = empty(new long[] {bs, 0, embedDim}, Ops.options(noMaskEmbed, ScalarType.Float),
                new MemoryFormatOptional()); // (B, 0, 256)
        if (coords != null) {
            // boxes are None on this path, so the points are always padded
            sparse = cat(new TensorVector(sparse, embedPoints(coords, labels, true)), 1); // (B, N+1, 256)
        }
        Tensor dense;
        if (masks != null) {
            dense = embedMasks(masks); // (B, 256, 64, 64)
        } else {
            dense = noMaskEmbed.reshape(1, -1, 1, 1).expand(bs, -1, embeddingSize, embeddingSize); // (B, 256, 64, 64)
        }
        return new Embeddings(sparse, dense);
    }

    /** {@code _embed_points}: {@code (B, N, 2), (B, N) -> (B, N (+1 padding point), 256)}. */
    Tensor embedPoints(Tensor coords, Tensor labels, boolean pad) {
        Tensor pts = coords.add(new Scalar(0.5)); // (B, N, 2), shift to the pixel centre
        Tensor lab = labels;
        if (pad) {
            Tensor padPoint = zeros(new long[] {pts.size(0), 1, 2}, Ops.options(pts, ScalarType.Float)); // (B, 1, 2)
            Tensor padLabel = full(new long[] {lab.size(0), 1}, new Scalar(-1), lab.options()); // (B, 1)
            pts = cat(new TensorVector(pts, padPoint), 1); // (B, N+1, 2)
            lab = cat(new TensorVector(lab, padLabel), 1); // (B, N+1)
        }
        Tensor pe = peLayer.forwardWithCoords(pts, inputImageSize, inputImageSize); // (B, N', 256)
        Tensor l = lab.unsqueeze(-1); // (B, N', 1)
        pe = where(l.eq(new Scalar(-1)), notAPointEmbed.expand_as(pe), pe); // zeros_like(pe) + not_a_point
        for (int label = 0; label < pointEmbeddings.length; label++) {
            pe = where(l.eq(new Scalar(label)), pe.add(pointEmbeddings[label]), pe);
        }
        return pe;
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
