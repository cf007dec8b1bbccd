package dev.groundingdino.internal.bert;

import dev.groundingdino.internal.runtime.ParamTree;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/** transformers/models/bert/modeling_bert.py::BertEncoder: the stack {@code layer.{i}} of {@link BertLayer}s. */
public final class BertEncoder {
    private final List<BertLayer> layer;

    public BertEncoder(BertConfig cfg, ParamTree p) {
        List<BertLayer> layers = new ArrayList<>(cfg.numHiddenLayers());
        ParamTree list = p.child("layer");
        for (int i = 0; i < cfg.numHiddenLayers(); i++) {
            layers.add(new BertLayer(cfg, list.child(i)));
        }
        this.layer = Collections.unmodifiableList(layers);
    }

    /**
     * @param hidden (B, n, H) embeddings
     * @param additiveMask (B, 1, n, n)
     * @return the last hidden state (B, n, H)
     */
    public Tensor forward(Tensor hidden, Tensor additiveMask) {
        Tensor x = hidden;
        for (BertLayer l : layer) {
            x = l.forward(x, additiveMask);
        }
        return x;
    }
}
