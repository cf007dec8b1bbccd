package dev.groundingdino.internal.nn;

import dev.groundingdino.internal.runtime.ParamTree;
import org.bytedeco.pytorch.Tensor;

/**
 * groundingdino/models/GroundingDINO/utils.py::MLP: {@code numLayers} linear layers ({@code layers.{i}}) with ReLU
 * between them (not after the last). Used for {@code bbox_embed}, {@code enc_out_bbox_embed} and
 * {@code ref_point_head}.
 */
public final class MLP {
    private final Linear[] layers;

    /**
     * @param inputDim width of the input
     * @param hiddenDim width of every hidden layer
     * @param outputDim width of the output
     * @param numLayers number of linear layers, at least 1
     * @param p the module's subtree ({@code layers.{i}.weight/bias} below it)
     */
    public MLP(int inputDim, int hiddenDim, int outputDim, int numLayers, ParamTree p) {
        if (numLayers < 1) {
            throw new IllegalArgumentException("an MLP needs at least one layer, got " + numLayers);
        }
        this.layers = new Linear[numLayers];
        ParamTree lp = p.child("layers");
        for (int i = 0; i < numLayers; i++) {
            int in = i == 0 ? inputDim : hiddenDim;
            int out = i == numLayers - 1 ? outputDim : hiddenDim;
            layers[i] = new Linear(in, out, lp.child(i));
        }
    }

    /** The layers, in order (for checks of the loaded weights). */
    public Linear[] layers() {
        return layers.clone();
    }

    /** (..., inputDim) to (..., outputDim). */
    public Tensor forward(Tensor x) {
        for (int i = 0; i < layers.length; i++) {
            x = layers[i].forward(x);
            if (i < layers.length - 1) {
                x = x.relu_(); // the linear's own fresh output
            }
        }
        return x;
    }
}
