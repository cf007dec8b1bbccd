package dev.groundingdino.sam.internal.sam2;

import dev.groundingdino.internal.nn.LayerNorm;
import dev.groundingdino.internal.runtime.ParamTree;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code sam2/modeling/memory_attention.py::MemoryAttention}: {@code num_layers} {@link MemoryAttentionLayer}s and a
 * final LayerNorm ({@code norm}), conditioning a video frame's features on the memory bank. Video only: declared and
 * loaded, no forward yet.
 */
public final class MemoryAttention {
    private final List<MemoryAttentionLayer> layers;
    private final LayerNorm norm;

    /** Declares/loads {@code layers.i.*} and {@code norm.*} under {@code p} ({@code memory_attention}). */
    public MemoryAttention(ParamTree p, int dModel, int numLayers, int dimFeedforward, int kvInDim) {
        List<MemoryAttentionLayer> list = new ArrayList<>();
        ParamTree layerTree = p.child("layers");
        for (int i = 0; i < numLayers; i++) {
            list.add(new MemoryAttentionLayer(layerTree.child(i), dModel, dimFeedforward, kvInDim));
        }
        this.layers = List.copyOf(list);
        this.norm = new LayerNorm(dModel, p.child("norm"));
    }

    public List<MemoryAttentionLayer> layers() {
        return layers;
    }

    LayerNorm norm() {
        return norm;
    }
}
