package dev.groundingdino.internal.swin;

import static org.bytedeco.pytorch.global.torch.cat;

import dev.groundingdino.CheckpointException;
import dev.groundingdino.internal.nn.Attention;
import dev.groundingdino.internal.nn.Linear;
import dev.groundingdino.internal.runtime.HostTensors;
import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.internal.runtime.Placement;
import dev.groundingdino.internal.runtime.Scopes;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * {@code swin_transformer.py::WindowAttention}: multi-head self-attention inside one square window with a learned
 * relative position bias.
 *
 * <p>{@code q} is scaled by {@code head_dim^-0.5} before {@code q @ k^T}; the bias
 * {@code relative_position_bias_table[relative_position_index]} is added per head, then (shifted windows only)
 * the region mask, then softmax. Here bias and region mask are summed into one additive float mask and the whole
 * {@code softmax(q k^T * scale + mask) v} runs in libtorch's fused {@code scaled_dot_product_attention}, which never
 * materialises the (windows, heads, N, N) scores (same result up to float rounding, ~1e-7). The
 * {@code relative_position_index} buffer is stored in checkpoints (int64); it is
 * declared so strict loading matches, but computed here ({@link #relativePositionIndex(int)}); the loader compares
 * the checkpoint's copy with it on the CPU before the weights move to their device. The bias
 * {@code table[index]} is a constant of the model, built once at load on the model's device.
 */
public final class WindowAttention {
    private static final Map<Integer, long[]> INDEX_CACHE = new ConcurrentHashMap<>();

    private final int dim;
    private final int windowSize;
    private final int numHeads;
    private final double scale;
    private final Tensor relativePositionBias; // (nH, N, N), null in declare mode
    private final Linear qkv;
    private final Linear proj;

    /**
     * @param dim        channels {@code C}
     * @param windowSize window side {@code Ws} (the window has {@code N = Ws * Ws} tokens)
     * @param numHeads   heads; must divide {@code dim}
     * @param qkvBias    whether {@code qkv} has a bias
     * @param p          the module's parameter subtree ({@code ...blocks.j.attn})
     */
    public WindowAttention(int dim, int windowSize, int numHeads, boolean qkvBias, ParamTree p) {
        if (dim % numHeads != 0) {
            throw new IllegalArgumentException(dim + " channels are not divisible by " + numHeads + " heads");
        }
        this.dim = dim;
        this.windowSize = windowSize;
        this.numHeads = numHeads;
        this.scale = Math.pow(dim / numHeads, -0.5);
        int tableRows = (2 * windowSize - 1) * (2 * windowSize - 1);
        int n = windowSize * windowSize;
        Tensor table = p.param("relative_position_bias_table", tableRows, numHeads);
        // declared for strict key matching; the loader checks the stored copy against the formula on the CPU
        // (LoadedGroundingDino), and the bias below is built from the formula
        p.param("relative_position_index", n, n);
        this.relativePositionBias = table == null ? null : p.constant(() -> relativePositionBias(table, windowSize,
                p.placement()));
        this.qkv = new Linear(dim, 3 * dim, qkvBias, p.child("qkv"));
        this.proj = new Linear(dim, dim, true, p.child("proj"));
    }

    /**
     * The reference's {@code relative_position_index} for a {@code ws x ws} window, flattened row-major
     * ({@code [N * N]}, {@code N = ws^2}): for tokens {@code i = (hi, wi)} and {@code j = (hj, wj)} (row-major in
     * the window), {@code (hi - hj + ws - 1) * (2 ws - 1) + (wi - wj + ws - 1)}.
     */
    public static long[] relativePositionIndex(int ws) {
        if (ws <= 0) {
            throw new IllegalArgumentException("window size must be positive, got " + ws);
        }
        return INDEX_CACHE.computeIfAbsent(ws, WindowAttention::computeIndex).clone();
    }

    /**
     * Checks a checkpoint's stored {@code relative_position_index} (n, n) against the formula, reading it on the
     * host (loaders call this on the CPU copy, before the weights move to their device).
     *
     * @param name the tensor's checkpoint key, for the message
     * @throws CheckpointException naming the first differing entry (another window size or a modified Swin)
     */
    public static void checkRelativePositionIndex(String name, Tensor stored) {
        long n = stored.size(0);
        int ws = (int) Math.round(Math.sqrt(n));
        long[] values = HostTensors.longs(stored);
        long[] expected = (long) ws * ws == n ? relativePositionIndex(ws) : null;
        for (int k = 0; k < values.length; k++) {
            if (expected == null || values[k] != expected[k]) {
                throw new CheckpointException(name + "[" + (k / n) + ", " + (k % n) + "] is " + values[k]
                        + " but a Swin window of " + ws + " has " + (expected == null ? "no such entry" : expected[k])
                        + " there. The checkpoint was made with another window size or a modified Swin; use the "
                        + "model variant it was trained with.");
            }
        }
    }

    private static long[] computeIndex(int ws) {
        int n = ws * ws;
        long[] index = new long[n * n];
        for (int i = 0; i < n; i++) {
            int hi = i / ws;
            int wi = i % ws;
            for (int j = 0; j < n; j++) {
                int hj = j / ws;
                int wj = j % ws;
                index[i * n + j] = (long) (hi - hj + ws - 1) * (2 * ws - 1) + (wi - wj + ws - 1);
            }
        }
        return index;
    }

    /**
     * @param x    window tokens, (nW * B, N, C), windows of each image consecutive
     * @param mask additive region mask (nW, N, N) for shifted windows (0 or -100), or {@code null}
     * @return (nW * B, N, C)
     */
    public Tensor forward(Tensor x, Tensor mask) {
        long windows = x.size(0);
        long n = x.size(1);
        // q, k, v and the scores only live in this nested scope
        Tensor out = Scopes.tensor(() -> attend(x, mask).transpose(1, 2).reshape(windows, n, dim)); // (B_, N, C)
        return proj.forward(out);
    }

    /** {@code softmax(q k^T * scale + bias [+ mask]) v}: (B_, N, C) to (B_, nH, N, hd). */
    private Tensor attend(Tensor x, Tensor mask) {
        long windows = x.size(0);
        long n = x.size(1);
        long headDim = dim / numHeads;
        Tensor qkvOut = qkv.forward(x)
                .view(windows, n, 3, numHeads, headDim) // (B_, N, 3, nH, hd)
                .permute(2, 0, 3, 1, 4); // (3, B_, nH, N, hd), a view
        Tensor q = qkvOut.select(0, 0); // (B_, nH, N, hd)
        Tensor k = qkvOut.select(0, 1); // (B_, nH, N, hd)
        Tensor v = qkvOut.select(0, 2); // (B_, nH, N, hd)
        Tensor bias = relativePositionBias.scalar_type().intern() == x.scalar_type().intern() ? relativePositionBias
                : relativePositionBias.to(x.scalar_type()); // (nH, N, N)

        // the bias and the region mask form one additive mask of the fused attention
        if (mask == null) {
            return attention(q, k, v, bias.unsqueeze(0)); // mask (1, nH, N, N) for every window
        }
        long nW = mask.size(0);
        if (windows % nW != 0) {
            throw new IllegalArgumentException(windows + " windows are not a multiple of the mask's " + nW);
        }
        Tensor additive = mask.to(x.scalar_type()).unsqueeze(1).add(bias.unsqueeze(0)); // (nW, nH, N, N)
        long images = windows / nW;
        if (images == 1) {
            return attention(q, k, v, additive);
        }
        TensorVector perImage = new TensorVector();
        for (long i = 0; i < images; i++) {
            perImage.push_back(attention(q.narrow(0, i * nW, nW), k.narrow(0, i * nW, nW), v.narrow(0, i * nW, nW),
                    additive)); // (nW, nH, N, hd)
        }
        return cat(perImage, 0); // (B_, nH, N, hd)
    }

    /**
     * {@code relative_position_bias_table[relative_position_index]} as (nH, N, N) in the model's weight type on its
     * device: a constant of the model, computed once at load.
     */
    private static Tensor relativePositionBias(Tensor table, int windowSize, Placement placement) {
        long n = (long) windowSize * windowSize;
        Tensor index = placement.to(HostTensors.fromLongs(relativePositionIndex(windowSize), n * n),
                ScalarType.Long); // (N * N)
        return table.index_select(0, index) // (N * N, nH)
                .view(n, n, -1) // (N, N, nH)
                .permute(2, 0, 1) // (nH, N, N)
                .contiguous();
    }

    /** libtorch's fused attention with scale {@code head_dim^-0.5} and an additive float mask. */
    private Tensor attention(Tensor q, Tensor k, Tensor v, Tensor additiveMask) {
        return Attention.scaledDotProduct(q, k, v, additiveMask, scale); // (B_, nH, N, hd)
    }

    /** Window side {@code Ws}. */
    public int windowSize() {
        return windowSize;
    }
}
