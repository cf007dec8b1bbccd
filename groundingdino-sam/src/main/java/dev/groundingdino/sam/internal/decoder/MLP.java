package dev.groundingdino.sam.internal.decoder;

import static org.bytedeco.pytorch.global.torch.relu;

import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.internal.nn.Linear;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * {@code segment_anything/modeling/mask_decoder.py::MLP}: {@code numLayers} linear layers ({@code layers.i}) with
 * ReLU between them (no sigmoid output in SAM's uses).
 */
public final class MLP {
    private final List<Linear> layers;

    /** Declares/loads {@code layers.0 .. layers.(numLayers-1)}: in -> hidden -> ... -> out. */
    public MLP(ParamTree p, int inputDim, int hiddenDim, int outputDim, int numLayers) {
        List<Linear> list = new ArrayList<>();
        ParamTree layerTree = p.child("layers");
        for (int i = 0; i < numLayers; i++) {
            int in = i == 0 ? inputDim : hiddenDim;
            int out = i == numLayers - 1 ? outputDim : hiddenDim;
            list.add(new Linear(in, out, layerTree.child(i)));
        }
        this.layers = List.copyOf(list);
    }

    /** {@code (..., in) -> (..., out)}. */
    public Tensor forward(Tensor x) {
        for (int i = 0; i < layers.size(); i++) {
            x = layers.get(i).forward(x);
            if (i < layers.size() - 1) {
                x = relu(x);
            }
        }
        return x;
    }
}
