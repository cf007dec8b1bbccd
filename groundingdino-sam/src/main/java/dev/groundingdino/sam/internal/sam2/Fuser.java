package dev.groundingdino.sam.internal.sam2;

import dev.groundingdino.internal.runtime.ParamTree;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code sam2/modeling/memory_encoder.py::Fuser}: {@code num_layers} {@link CXBlock}s ({@code layers.i}); the
 * input projection is {@code nn.Identity} in SAM 2.1. Video only: declared and loaded, no forward yet.
 */
public final class Fuser {
    private final List<CXBlock> layers;

    /** Declares/loads {@code layers.i.*} under {@code p} ({@code memory_encoder.fuser}). */
    public Fuser(ParamTree p, int dim, int kernelSize, int numLayers) {
        List<CXBlock> list = new ArrayList<>();
        ParamTree layerTree = p.child("layers");
        for (int i = 0; i < numLayers; i++) {
            list.add(new CXBlock(layerTree.child(i), dim, kernelSize));
        }
        this.layers = List.copyOf(list);
    }

    public List<CXBlock> layers() {
        return layers;
    }
}
