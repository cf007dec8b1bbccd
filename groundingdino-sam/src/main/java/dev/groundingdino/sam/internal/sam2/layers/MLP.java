package dev.groundingdino.sam.internal.sam2.layers;

import static org.bytedeco.pytorch.global.torch.gelu;
import static org.bytedeco.pytorch.global.torch.relu;
import static org.bytedeco.pytorch.global.torch.sigmoid;

import dev.groundingdino.internal.nn.Linear;
import dev.groundingdino.internal.runtime.ParamTree;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * {@code sam2/modeling/sam2_utils.py::MLP}: {@code numLayers} linear layers ({@code layers.i}) with the activation
 * between them ({@code nn.ReLU} by default, {@code nn.GELU} in the Hiera blocks), optionally a sigmoid on the output
 * ({@code sigmoid_output}).
 */
public final class MLP {
    /** The activation module between the layers. */
    public enum Activation {
        /** {@code nn.ReLU}. */
        RELU,
        /** {@code nn.GELU()} (exact erf form). */
        GELU
    }

    private final List<Linear> layers;
    private final Activation activation;
    private final boolean sigmoidOutput;

    /** Declares/loads {@code layers.0 .. layers.(numLayers-1)}: in -> hidden -> ... -> out. */
    public MLP(ParamTree p, int inputDim, int hiddenDim, int outputDim, int numLayers, Activation activation,
            boolean sigmoidOutput) {
        if (numLayers <= 0) {
            throw new IllegalArgumentException("an MLP needs at least one layer, got " + numLayers);
        }
        List<Linear> list = new ArrayList<>();
        ParamTree layerTree = p.child("layers");
        for (int i = 0; i < numLayers; i++) {
            int in = i == 0 ? inputDim : hiddenDim;
            int out = i == numLayers - 1 ? outputDim : hiddenDim;
            list.add(new Linear(in, out, layerTree.child(i)));
        }
        this.layers = List.copyOf(list);
        this.activation = activation;
        this.sigmoidOutput = sigmoidOutput;
    }

    /** A ReLU MLP without output sigmoid (the reference's defaults). */
    public MLP(ParamTree p, int inputDim, int hiddenDim, int outputDim, int numLayers) {
        this(p, inputDim, hiddenDim, outputDim, numLayers, Activation.RELU, false);
    }

    /** {@code (..., in) -> (..., out)}. */
    public Tensor forward(Tensor x) {
        for (int i = 0; i < layers.size(); i++) {
            x = layers.get(i).forward(x);
            if (i < layers.size() - 1) {
                x = activation == Activation.GELU ? gelu(x) : relu(x);
            }
        }
        return sigmoidOutput ? sigmoid(x) : x;
    }
}
