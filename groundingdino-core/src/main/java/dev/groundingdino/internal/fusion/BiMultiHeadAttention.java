package dev.groundingdino.internal.fusion;

import static org.bytedeco.pytorch.global.torch.amax;
import static org.bytedeco.pytorch.global.torch.bmm;
import static org.bytedeco.pytorch.global.torch.matmul;
import static org.bytedeco.pytorch.global.torch.softmax;

import dev.groundingdino.internal.nn.Linear;
import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;

/**
 * groundingdino/models/GroundingDINO/fuse_modules.py::BiMultiHeadAttention: image->text and text->image
 * attention sharing ONE score matrix.
 *
 * <p>The reference (inference, dropout off):
 * <ol>
 *   <li>{@code q = v_proj(v) * head_dim^-0.5}, {@code k = l_proj(l)}, {@code A = q k^T} per head
 *       (B*heads, n_img, n_txt);</li>
 *   <li>{@code A = A - max(A)} with the max over the WHOLE tensor (all batch elements and heads), then clamp to
 *       [-50000, 50000];</li>
 *   <li>text->image: {@code At = A^T - rowmax(A^T)}, clamp again, image padding -> -inf, softmax over image
 *       tokens, times {@code values_v_proj(v)};</li>
 *   <li>image->text: text padding -> -inf on {@code A}, softmax over text tokens, times
 *       {@code values_l_proj(l)};</li>
 *   <li>heads concatenated, {@code out_v_proj} / {@code out_l_proj}.</li>
 * </ol>
 * Because of the global max in step 2 the batch elements are not fully independent: with extreme score ranges
 * (more than 50000 apart across the batch) the clamp flattens the attention of the element with the lower
 * scores, as in the reference.
 *
 * <p>Evaluation order. The three image-side projections ({@code v_proj}, {@code values_v_proj},
 * {@code out_v_proj}) map every image token to / from the 1024-wide attention space: 3 x n_img x 256 x 1024
 * multiply-adds (28 GFLOP per encoder layer at 800x1065), while the text has only a few tokens. Each of them is
 * only ever multiplied with a text-sized matrix, so the products are reassociated to go through the text instead:
 * <ul>
 *   <li>{@code A_h = v (s K_h W_q,h)^T + s K_h b_q,h} ({@code K_h} the head's keys, {@code s} the scale);</li>
 *   <li>{@code P_h values_v_proj(v)_h = (P_h v) W_vv,h^T + b_vv,h} (softmax rows sum to 1);</li>
 *   <li>{@code out_v_proj(concat_h P_h V_l,h) = sum_h P_h (V_l,h W_out,h^T) + b_out}.</li>
 * </ul>
 * The result is the same function with the sums in another order (measured differences ~1e-6 of the outputs'
 * scale), at about 1/40 of the arithmetic for 4 heads and 6 text tokens.
 */
public final class BiMultiHeadAttention {
    private static final double CLAMP = 50000;

    private final BiAttentionConfig cfg;
    private final Linear vProj;
    private final Linear lProj;
    private final Linear valuesVProj;
    private final Linear valuesLProj;
    private final Linear outVProj;
    private final Linear outLProj;

    public BiMultiHeadAttention(BiAttentionConfig cfg, ParamTree p) {
        this.cfg = cfg;
        int e = cfg.embedDim();
        this.vProj = new Linear(cfg.vDim(), e, p.child("v_proj"));
        this.lProj = new Linear(cfg.lDim(), e, p.child("l_proj"));
        this.valuesVProj = new Linear(cfg.vDim(), e, p.child("values_v_proj"));
        this.valuesLProj = new Linear(cfg.lDim(), e, p.child("values_l_proj"));
        this.outVProj = new Linear(e, cfg.vDim(), p.child("out_v_proj"));
        this.outLProj = new Linear(e, cfg.lDim(), p.child("out_l_proj"));
    }

    /**
     * @param v image tokens (B, n_img, v_dim)
     * @param l text tokens (B, n_txt, l_dim)
     * @param attentionMaskV (B, n_img) bool, true = padded image token, or {@code null}
     * @param attentionMaskL (B, n_txt) bool, true = padded text token, or {@code null}
     * @return the updates {@code (delta_v (B, n_img, v_dim), delta_l (B, n_txt, l_dim))}
     */
    public VisionLanguage forward(Tensor v, Tensor l, Tensor attentionMaskV, Tensor attentionMaskL) {
        long b = v.size(0);
        long nImg = v.size(1);
        long nTxt = l.size(1);
        long h = cfg.numHeads();
        long hd = cfg.headDim();
        long vDim = cfg.vDim();
        double scale = Math.pow(hd, -0.5);
        Scalar s = new Scalar(scale);

        // scores A (B, h, n_img, n_txt) through the text: A_h = v (s K_h W_q,h)^T + s K_h b_q,h
        Tensor keys = heads(lProj.forward(l), b, nTxt); // (B, h, n_txt, hd)
        Tensor queryMap = matmul(keys, vProj.weight().view(1, h, hd, vDim)).mul_(s); // (B, h, n_txt, v_dim)
        Tensor queryBias = matmul(keys, vProj.bias().view(1, h, hd, 1)).mul_(s); // (B, h, n_txt, 1)
        Tensor attn = bmm(v, queryMap.view(b, h * nTxt, vDim).transpose(1, 2)) // (B, n_img, h*n_txt)
                .view(b, nImg, h, nTxt) // (B, n_img, h, n_txt)
                .add_(queryBias.view(b, 1, h, nTxt)) // + s K_h b_q,h
                .permute(0, 2, 1, 3); // (B, h, n_img, n_txt), a view of (B, n_img, h, n_txt) storage
        attn = clamp(attn.sub(attn.max())); // global max over every batch element and head

        Tensor attnT = attn.transpose(2, 3); // (B, h, n_txt, n_img)
        Tensor attnL = clamp(attnT.sub(amax(attnT, new long[] {-1}, true))); // (B, h, n_txt, n_img)
        if (attentionMaskV != null) {
            attnL = attnL.masked_fill(attentionMaskV.view(b, 1, 1, nImg), new Scalar(Double.NEGATIVE_INFINITY));
        }
        attnL = softmax(attnL, -1); // (B, h, n_txt, n_img)
        if (attentionMaskL != null) {
            attn = attn.masked_fill(attentionMaskL.view(b, 1, 1, nTxt), new Scalar(Double.NEGATIVE_INFINITY));
        }
        Tensor attnV = softmax(attn, -1); // (B, h, n_img, n_txt)

        // text side: (P_h v) W_vv,h^T + b_vv,h, heads concatenated, then out_l_proj
        Tensor pv = bmm(attnL.reshape(b, h * nTxt, nImg), v).view(b, h, nTxt, vDim); // (B, h, n_txt, v_dim)
        Tensor outL = matmul(pv, valuesVProj.weight().view(1, h, hd, vDim).transpose(2, 3)) // (B, h, n_txt, hd)
                .add_(valuesVProj.bias().view(1, h, 1, hd))
                .permute(0, 2, 1, 3) // (B, n_txt, h, hd)
                .reshape(b, nTxt, cfg.embedDim()); // (B, n_txt, E)
        outL = outLProj.forward(outL); // (B, n_txt, l_dim)

        // image side: sum_h P_h (V_l,h W_out,h^T) + b_out
        Tensor valuesL = heads(valuesLProj.forward(l), b, nTxt); // (B, h, n_txt, hd)
        Tensor outMap = matmul(valuesL, outVProj.weight().view(vDim, h, hd).permute(1, 2, 0).unsqueeze(0))
                .view(b, h * nTxt, vDim); // (B, h*n_txt, v_dim)
        Tensor outV = bmm(attnV.permute(0, 2, 1, 3).reshape(b, nImg, h * nTxt), outMap) // (B, n_img, v_dim)
                .add_(outVProj.bias());
        return new VisionLanguage(outV, outL);
    }

    /** (B, len, E) -> (B, h, len, hd), a view. */
    private Tensor heads(Tensor x, long b, long len) {
        return x.view(b, len, cfg.numHeads(), cfg.headDim()).transpose(1, 2); // (B, h, len, hd)
    }

    private static Tensor clamp(Tensor x) {
        return x.clamp(new ScalarOptional(new Scalar(-CLAMP)), new ScalarOptional(new Scalar(CLAMP)));
    }
}
