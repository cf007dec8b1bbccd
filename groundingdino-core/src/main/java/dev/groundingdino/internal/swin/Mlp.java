package dev.groundingdino.internal.swin;

import static org.bytedeco.pytorch.global.torch.gelu_;

import dev.groundingdino.internal.nn.Linear;
import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Tensor;

/**
 * {@code swin_transformer.py::Mlp}: {@code fc2(GELU(fc1(x)))} with the exact (erf) GELU; dropout is inactive at
 * inference.
 */
public final class Mlp {
    private final Linear fc1;
    private final Linear fc2;

    /**
     * @param inFeatures     input and output width
     * @param hiddenFeatures hidden width ({@code int(dim * mlp_ratio)})
     * @param p              the module's parameter subtree ({@code ...blocks.j.mlp})
     */
    public Mlp(int inFeatures, int hiddenFeatures, ParamTree p) {
        this.fc1 = new Linear(inFeatures, hiddenFeatures, true, p.child("fc1"));
        this.fc2 = new Linear(hiddenFeatures, inFeatures, true, p.child("fc2"));
    }

    /** {@code x}: (..., C) to (..., C). */
    public Tensor forward(Tensor x) {
        return fc2.forward(gelu_(fc1.forward(x))); // GELU in place on fc1's fresh output
    }
}
