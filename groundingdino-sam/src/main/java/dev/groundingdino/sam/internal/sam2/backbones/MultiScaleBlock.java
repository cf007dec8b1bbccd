package dev.groundingdino.sam.internal.sam2.backbones;

import static org.bytedeco.pytorch.global.torch.max_pool2d;

import dev.groundingdino.internal.nn.LayerNorm;
import dev.groundingdino.internal.nn.Linear;
import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.internal.runtime.Scopes;
import dev.groundingdino.sam.internal.sam2.config.HieraConfig;
import dev.groundingdino.sam.internal.sam2.layers.MLP;
import org.bytedeco.pytorch.Tensor;

/**
 * {@code sam2/modeling/backbones/hieradet.py::MultiScaleBlock}: pre-norm Hiera block. Windowed blocks zero-pad the
 * normalised tokens to a multiple of the window, attend within each window and crop back; at a stage transition the
 * queries are max-pooled per window ({@link MultiScaleAttention}) and the shortcut is {@code proj(norm1(x))}
 * max-pooled the same way ({@code do_pool}), so the block halves the grid and changes the width. Then a GELU
 * {@link MLP} with residual.
 */
public final class MultiScaleBlock {
    private final int dim;
    private final int dimOut;
    private final int windowSize; // 0 = global attention
    private final int qStride; // 0 = no pooling
    private final LayerNorm norm1;
    private final MultiScaleAttention attn;
    private final LayerNorm norm2;
    private final MLP mlp;
    private final Linear proj; // null when dim == dimOut

    /** Declares/loads the block {@code spec} under {@code p} ({@code image_encoder.trunk.blocks.i}). */
    public MultiScaleBlock(ParamTree p, HieraConfig.BlockSpec spec, int qStride) {
        this.dim = spec.dim();
        this.dimOut = spec.dimOut();
        this.windowSize = spec.windowSize();
        this.qStride = spec.qPool() ? qStride : 0;
        this.norm1 = new LayerNorm(dim, HieraConfig.NORM_EPS, p.child("norm1"));
        this.attn = new MultiScaleAttention(p.child("attn"), dim, dimOut, spec.numHeads(), this.qStride);
        this.norm2 = new LayerNorm(dimOut, HieraConfig.NORM_EPS, p.child("norm2"));
        this.mlp = new MLP(p.child("mlp"), dimOut, dimOut * HieraConfig.MLP_RATIO, dimOut, 2, MLP.Activation.GELU,
                false);
        this.proj = dim != dimOut ? new Linear(dim, dimOut, p.child("proj")) : null;
    }

    /**
     * {@code do_pool} with {@code nn.MaxPool2d(q_stride, q_stride, ceil_mode=False)}:
     * {@code (B, H, W, C) -> (B, H/s, W/s, C)}.
     */
    static Tensor doPool(Tensor x, int stride) {
        Tensor y = x.permute(0, 3, 1, 2); // (B, C, H, W)
        y = max_pool2d(y, new long[] {stride, stride}, new long[] {stride, stride}, new long[] {0, 0},
                new long[] {1, 1}, false); // (B, C, H/s, W/s)
        return y.permute(0, 2, 3, 1); // (B, H/s, W/s, C)
    }

    /**
     * {@code (B, H, W, dim) -> (B, H', W', dimOut)}. The attention and the MLP each run in their own native scope,
     * so their temporaries are freed as soon as they return.
     */
    public Tensor forward(Tensor x) {
        Tensor z = Scopes.tensor(() -> {
            Tensor normed = norm1.forward(x); // (B, H, W, dim)
            Tensor shortcut = x;
            if (proj != null) {
                shortcut = proj.forward(normed); // (B, H, W, dimOut)
                if (qStride > 0) {
                    shortcut = doPool(shortcut, qStride); // (B, H', W', dimOut)
                }
            }
            long h = normed.size(1);
            long w = normed.size(2);
            Tensor y;
            if (windowSize > 0) {
                BackboneUtils.Padded padded = new BackboneUtils.Padded(h + BackboneUtils.padTo(h, windowSize),
                        w + BackboneUtils.padTo(w, windowSize));
                Tensor windows = BackboneUtils.windowPartition(normed, windowSize); // (B*nW, ws, ws, dim)
                Tensor attended = attn.forward(windows); // (B*nW, ws', ws', dimOut)
                int ws = windowSize;
                if (qStride > 0) {
                    // the windows shrank with the queries: unpartition onto the pooled grid
                    ws = windowSize / qStride;
                    h = shortcut.size(1);
                    w = shortcut.size(2);
                    padded = new BackboneUtils.Padded(h + BackboneUtils.padTo(h, ws), w + BackboneUtils.padTo(w, ws));
                }
                y = BackboneUtils.windowUnpartition(attended, ws, padded, h, w); // (B, H', W', dimOut)
            } else {
                y = attn.forward(normed); // (B, H', W', dimOut)
            }
            return shortcut.add(y); // (B, H', W', dimOut)
        });
        Tensor m = Scopes.tensor(() -> mlp.forward(norm2.forward(z))); // (B, H', W', dimOut)
        return m.add_(z);
    }

    public int dimOut() {
        return dimOut;
    }
}
