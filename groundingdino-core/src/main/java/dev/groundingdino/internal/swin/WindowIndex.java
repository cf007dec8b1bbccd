package dev.groundingdino.internal.swin;

import static org.bytedeco.pytorch.global.torch.tensor;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The token permutation of one (shifted-)window layout of an {@code H x W} map, so that the reference's chain
 * {@code pad -> roll(-shift) -> window_partition} (three copies) is ONE {@code index_select}, and
 * {@code window_reverse -> roll(+shift) -> crop} another.
 *
 * <p>Window layout: windows row-major over the padded {@code Hp x Wp} map ({@code Hp}, {@code Wp} multiples of the
 * window side), tokens row-major inside a window. Window position {@code (r, c)} of the shifted padded map holds
 * token {@code ((r + shift) mod Hp, (c + shift) mod Wp)} of the padded map, a zero padding token when that lies
 * outside {@code H x W}. Its three index tensors ({@link #tensors()}) depend on the size only, so layers cache them
 * per input size.
 */
final class WindowIndex {
    private final int windows;
    private final int tokens;
    private final Tensor gather; // (nW * N) source token per window position (0 at padding positions)
    private final Tensor padding; // positions holding a padding token, or null without padding
    private final Tensor scatter; // (H * W) window position of every token

    private WindowIndex(int windows, int tokens, Tensor gather, Tensor padding, Tensor scatter) {
        this.windows = windows;
        this.tokens = tokens;
        this.gather = gather;
        this.padding = padding;
        this.scatter = scatter;
    }

    /**
     * @param height map height {@code H}
     * @param width map width {@code W}
     * @param ws window side
     * @param shift cyclic shift (0 for regular windows)
     * @param like a tensor on the target device
     */
    static WindowIndex of(int height, int width, int ws, int shift, Tensor like) {
        int hp = (height + ws - 1) / ws * ws;
        int wp = (width + ws - 1) / ws * ws;
        int nwW = wp / ws;
        int n = ws * ws;
        long[] gather = new long[hp * wp];
        long[] scatter = new long[height * width];
        int padCount = 0;
        for (int r = 0; r < hp; r++) {
            int sr = (r + shift) % hp; // source row in the padded map
            for (int c = 0; c < wp; c++) {
                int sc = (c + shift) % wp;
                int position = ((r / ws) * nwW + c / ws) * n + (r % ws) * ws + c % ws;
                if (sr < height && sc < width) {
                    gather[position] = (long) sr * width + sc;
                    scatter[sr * width + sc] = position;
                } else {
                    gather[position] = -1;
                    padCount++;
                }
            }
        }
        long[] pads = new long[padCount];
        int k = 0;
        for (int i = 0; i < gather.length; i++) {
            if (gather[i] < 0) {
                gather[i] = 0;
                pads[k++] = i;
            }
        }
        Tensor gatherT = onDevice(tensor(gather), like);
        Tensor padT = padCount == 0 ? null : onDevice(tensor(pads), like);
        return new WindowIndex(hp * wp / n, n, gatherT, padT, onDevice(tensor(scatter), like));
    }

    /** The index tensors (gather, padding positions or null, scatter), e.g. for a cache. */
    Tensor[] tensors() {
        return new Tensor[] {gather, padding, scatter};
    }

    /** The permutation of {@link #tensors()} for an {@code H x W} map and window side {@code ws}. */
    static WindowIndex of(int height, int width, int ws, Tensor[] tensors) {
        int hp = (height + ws - 1) / ws * ws;
        int wp = (width + ws - 1) / ws * ws;
        int n = ws * ws;
        return new WindowIndex(hp * wp / n, n, tensors[0], tensors[1], tensors[2]);
    }

    /** (B, H*W, C) tokens to (B*nW, N, C) windows (one copy). */
    Tensor partition(Tensor x) {
        long b = x.size(0);
        long c = x.size(2);
        Tensor out = x.index_select(1, gather); // (B, nW*N, C)
        if (padding != null) {
            out.index_fill_(1, padding, new Scalar(0.0)); // the zero padding tokens
        }
        return out.view(b * windows, tokens, c); // (B*nW, N, C)
    }

    /** (B*nW, N, C) windows back to (B, H*W, C) tokens, padding dropped (one copy). */
    Tensor merge(Tensor windowTokens) {
        long c = windowTokens.size(2);
        long b = windowTokens.size(0) / windows;
        return windowTokens.view(b, (long) windows * tokens, c).index_select(1, scatter); // (B, H*W, C)
    }

    private static Tensor onDevice(Tensor t, Tensor like) {
        return like.device().is_cpu() ? t : t.to(like.device(), ScalarType.Long);
    }
}
