package dev.groundingdino.sam.internal.encoder;

import static org.bytedeco.pytorch.global.torch.pad;

import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.internal.runtime.Scopes;
import dev.groundingdino.sam.internal.config.SamConfig;
import dev.groundingdino.internal.nn.LayerNorm;
import dev.groundingdino.sam.internal.common.MLPBlock;
import org.bytedeco.pytorch.Tensor;

/**
 * {@code segment_anything/modeling/image_encoder.py::Block}: pre-norm ViT block with windowed or global
 * {@link Attention} and an exact-GELU {@link MLPBlock}. Windowed blocks pad the normalised tokens with zeros to a
 * multiple of the window ({@code window_partition}; 64 -> 70 for window 14), attend within each window with the
 * padded tokens unmasked, and crop back ({@code window_unpartition}).
 */
public final class Block {
    private final LayerNorm norm1;
    private final Attention attn;
    private final LayerNorm norm2;
    private final MLPBlock mlp;
    private final int windowSize; // 0 = global attention

    /** Block {@code index} of the encoder: global attention if listed in the config, else windowed. */
    public Block(SamConfig cfg, ParamTree p, int index) {
        int dim = cfg.encoderEmbedDim();
        this.windowSize = cfg.isGlobalAttention(index) ? 0 : cfg.windowSize();
        this.norm1 = new LayerNorm(dim, SamConfig.ENCODER_NORM_EPS, p.child("norm1"));
        this.attn = new Attention(cfg, p.child("attn"), windowSize == 0 ? cfg.embeddingSize() : windowSize);
        this.norm2 = new LayerNorm(dim, SamConfig.ENCODER_NORM_EPS, p.child("norm2"));
        this.mlp = new MLPBlock(p.child("mlp"), dim, dim * cfg.mlpRatio(), MLPBlock.Activation.GELU);
    }

    /**
     * {@code (B, H, W, C) -> (B, H, W, C)}. The attention and the MLP each run in their own native scope (their
     * temporaries are freed as soon as they return); the residual sums are in place on new tensors.
     */
    public Tensor forward(Tensor x) {
        Tensor y = Scopes.tensor(() -> {
            Tensor normed = norm1.forward(x); // (B, H, W, C)
            if (windowSize == 0) {
                return attn.forward(normed); // (B, H, W, C)
            }
            long h = normed.size(1);
            long w = normed.size(2);
            long padH = (windowSize - h % windowSize) % windowSize;
            long padW = (windowSize - w % windowSize) % windowSize;
            Tensor windows = windowPartition(normed, windowSize, padH, padW); // (B*nW, ws, ws, C)
            Tensor attended = attn.forward(windows); // (B*nW, ws, ws, C)
            return windowUnpartition(attended, windowSize, h + padH, w + padW, h, w); // (B, H, W, C)
        });
        Tensor z = y.add_(x); // x + attn(norm1(x)), summed into the attention output
        Tensor m = Scopes.tensor(() -> mlp.forward(norm2.forward(z))); // (B, H, W, C)
        return m.add_(z);
    }

    /**
     * {@code window_partition}: zero-pad right/bottom by {@code padH, padW} and cut into non-overlapping windows,
     * {@code (B, H, W, C) -> (B * Hp/ws * Wp/ws, ws, ws, C)}.
     */
    static Tensor windowPartition(Tensor x, int ws, long padH, long padW) {
        long b = x.size(0);
        long c = x.size(3);
        Tensor padded = padH > 0 || padW > 0 ? pad(x, 0, 0, 0, padW, 0, padH) : x; // (B, Hp, Wp, C)
        long hp = padded.size(1);
        long wp = padded.size(2);
        return padded.view(b, hp / ws, ws, wp / ws, ws, c) // (B, Hp/ws, ws, Wp/ws, ws, C)
                .permute(0, 1, 3, 2, 4, 5) // (B, Hp/ws, Wp/ws, ws, ws, C)
                .contiguous()
                .view(-1, ws, ws, c); // (B*nW, ws, ws, C)
    }

    /**
     * {@code window_unpartition}: {@code (B*nW, ws, ws, C) -> (B, Hp, Wp, C)}, then crop to {@code (B, H, W, C)}.
     */
    static Tensor windowUnpartition(Tensor windows, int ws, long hp, long wp, long h, long w) {
        long b = windows.size(0) / (hp * wp / ws / ws);
        Tensor x = windows.view(b, hp / ws, wp / ws, ws, ws, -1) // (B, Hp/ws, Wp/ws, ws, ws, C)
                .permute(0, 1, 3, 2, 4, 5) // (B, Hp/ws, ws, Wp/ws, ws, C)
                .contiguous()
                .view(b, hp, wp, -1); // (B, Hp, Wp, C)
        if (hp > h || wp > w) {
            x = x.narrow(1, 0, h).narrow(2, 0, w).contiguous(); // (B, H, W, C)
        }
        return x;
    }
}
