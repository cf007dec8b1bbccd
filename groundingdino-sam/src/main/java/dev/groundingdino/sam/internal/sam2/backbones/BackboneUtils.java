package dev.groundingdino.sam.internal.sam2.backbones;

import static org.bytedeco.pytorch.global.torch.pad;

import org.bytedeco.pytorch.Tensor;

/**
 * {@code sam2/modeling/backbones/utils.py}: {@code window_partition} and {@code window_unpartition} of the Hiera
 * blocks' windowed attention.
 */
public final class BackboneUtils {
    private BackboneUtils() {}

    /** {@code (Hp, Wp)}: the padded size of a window partition. */
    public record Padded(long hp, long wp) {}

    /** Padding that makes {@code size} a multiple of {@code window}. */
    public static long padTo(long size, int window) {
        return (window - size % window) % window;
    }

    /**
     * {@code window_partition}: zero-pad right/bottom to a multiple of {@code ws} and cut into non-overlapping
     * windows, {@code (B, H, W, C) -> (B * Hp/ws * Wp/ws, ws, ws, C)}.
     */
    public static Tensor windowPartition(Tensor x, int ws) {
        long b = x.size(0);
        long h = x.size(1);
        long w = x.size(2);
        long c = x.size(3);
        long padH = padTo(h, ws);
        long padW = padTo(w, ws);
        Tensor padded = padH > 0 || padW > 0 ? pad(x, 0, 0, 0, padW, 0, padH) : x; // (B, Hp, Wp, C)
        long hp = h + padH;
        long wp = w + padW;
        return padded.view(b, hp / ws, ws, wp / ws, ws, c) // (B, Hp/ws, ws, Wp/ws, ws, C)
                .permute(0, 1, 3, 2, 4, 5) // (B, Hp/ws, Wp/ws, ws, ws, C)
                .reshape(-1, ws, ws, c); // (B*nW, ws, ws, C)
    }

    /**
     * {@code window_unpartition}: {@code (B*nW, ws, ws, C) -> (B, Hp, Wp, C)}, then crop to {@code (B, H, W, C)}.
     */
    public static Tensor windowUnpartition(Tensor windows, int ws, Padded padded, long h, long w) {
        long hp = padded.hp();
        long wp = padded.wp();
        long b = windows.size(0) / (hp * wp / ws / ws);
        Tensor x = windows.reshape(b, hp / ws, wp / ws, ws, ws, -1) // (B, Hp/ws, Wp/ws, ws, ws, C)
                .permute(0, 1, 3, 2, 4, 5) // (B, Hp/ws, ws, Wp/ws, ws, C)
                .reshape(b, hp, wp, -1); // (B, Hp, Wp, C)
        if (hp > h || wp > w) {
            x = x.narrow(1, 0, h).narrow(2, 0, w); // (B, H, W, C), a view like x[:, :H, :W, :]
        }
        return x;
    }
}
