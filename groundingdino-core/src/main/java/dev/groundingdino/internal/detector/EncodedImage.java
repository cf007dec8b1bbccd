package dev.groundingdino.internal.detector;

import dev.groundingdino.internal.groundingdino.GroundingDINO;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * One image's backbone output ({@link GroundingDINO#encodeImages}: per feature level the projected features, the mask
 * and the position encoding) kept on the model's device between calls, with the image's original size. Owns one
 * reference to each tensor; {@link #features()} hands out new handles in the caller's scope, so any number of threads
 * can run the transformer on it at once. {@link #release()} frees it (once).
 */
public final class EncodedImage {
    private final DetectorModel model;
    private final int width;
    private final int height;
    private final int levels;
    private final boolean padded;
    private final Tensor[] owned; // srcs, masks, poss: levels each
    private final long bytes;
    private final AtomicBoolean released = new AtomicBoolean();

    EncodedImage(DetectorModel model, int width, int height, GroundingDINO.Features features) {
        this.model = model;
        this.width = width;
        this.height = height;
        this.levels = features.srcs().size();
        this.padded = features.padded();
        List<Tensor> all = new ArrayList<>(features.srcs());
        all.addAll(features.masks());
        all.addAll(features.poss());
        this.owned = new Tensor[all.size()];
        long total = 0;
        try (PointerScope detached = new PointerScope()) { // handles owned by this object, not by the caller's scope
            for (int i = 0; i < owned.length; i++) {
                owned[i] = new Tensor(all.get(i));
                owned[i].retainReference(); // freed by release()
                total += all.get(i).nbytes();
            }
        }
        this.bytes = total;
    }

    /** The model that encoded it: only that model's weights may run the rest of the forward pass on it. */
    public DetectorModel model() {
        return model;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Bytes of tensor memory held. */
    public long bytes() {
        return bytes;
    }

    /** The features as new handles in the caller's scope (the tensors are shared, never written). */
    GroundingDINO.Features features() {
        List<Tensor> srcs = new ArrayList<>(levels);
        List<Tensor> masks = new ArrayList<>(levels);
        List<Tensor> poss = new ArrayList<>(levels);
        for (int l = 0; l < levels; l++) {
            srcs.add(new Tensor(owned[l]));
            masks.add(new Tensor(owned[levels + l]));
            poss.add(new Tensor(owned[2 * levels + l]));
        }
        return new GroundingDINO.Features(srcs, masks, poss, padded);
    }

    /** Frees the tensors (handles already given out stay valid until their scopes close). Idempotent. */
    public void release() {
        if (released.compareAndSet(false, true)) {
            for (Tensor t : owned) {
                t.releaseReference();
            }
        }
    }
}
