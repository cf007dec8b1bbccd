package dev.groundingdino.internal.runtime;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * A small, bounded, thread-safe LRU cache of tensors derived from the input SIZE or the prompt (position
 * embeddings, shifted-window masks, window permutations, text encodings) that a model reuses across calls.
 *
 * <p>The cache owns one reference to every cached tensor. {@link #get} hands out NEW handles attached to the
 * caller's scope (sharing the storage), so an entry evicted or {@link #clear() cleared} by another thread stays valid
 * for whoever is still using it. Entries are computed in the caller's inference scope; the cache must therefore be
 * used only for tensors that do not depend on the weights being changed later (all users derive them from sizes,
 * masks or fixed weights). {@link #clear()} releases everything; the owner calls it when the model is closed.
 */
public final class TensorCache {
    private int capacity; // guarded by this
    private final LinkedHashMap<Object, Tensor[]> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long hits;

    /**
     * @param capacity entries kept (least recently used evicted first); 0 disables caching (every {@link #get}
     *     computes)
     */
    public TensorCache(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("cache capacity must be >= 0, got " + capacity);
        }
        this.capacity = capacity;
    }

    /** A cache that keeps nothing: {@link #get} always computes. */
    public static TensorCache disabled() {
        return new TensorCache(0);
    }

    /**
     * The tensors cached under {@code key}, computing (and caching) them on a miss. The returned array holds new
     * handles in the caller's scope; null entries of the computed array stay null.
     *
     * @param key an immutable key with value equality (a record)
     * @param compute creates the tensors in the caller's scope
     */
    public Tensor[] get(Object key, Supplier<Tensor[]> compute) {
        synchronized (this) {
            Tensor[] cached = capacity == 0 ? null : entries.get(key);
            if (cached != null) {
                hits++;
                return handles(cached);
            }
        }
        if (capacity() == 0) {
            return compute.get();
        }
        Tensor[] computed = compute.get();
        Tensor[] owned = new Tensor[computed.length];
        try (PointerScope detached = new PointerScope()) { // handles for the cache, not tied to the caller's scope
            for (int i = 0; i < computed.length; i++) {
                if (computed[i] != null) {
                    owned[i] = new Tensor(computed[i]);
                    owned[i].retainReference(); // survives the scope; released on eviction
                }
            }
        }
        synchronized (this) {
            Tensor[] previous = entries.put(key, owned);
            if (previous != null) {
                release(previous); // computed concurrently by another thread
            }
            Iterator<Map.Entry<Object, Tensor[]>> it = entries.entrySet().iterator();
            while (entries.size() > capacity && it.hasNext()) {
                Tensor[] evicted = it.next().getValue();
                it.remove();
                release(evicted);
            }
        }
        return computed;
    }

    /** The single tensor cached under {@code key} (see {@link #get}). */
    public Tensor getOne(Object key, Supplier<Tensor> compute) {
        return get(key, () -> new Tensor[] {compute.get()})[0];
    }

    /**
     * Changes how many entries are kept (0: none), evicting the least recently used ones over it.
     *
     * @throws IllegalArgumentException if {@code entries < 0}
     */
    public synchronized void setCapacity(int entries) {
        if (entries < 0) {
            throw new IllegalArgumentException("cache capacity must be >= 0, got " + entries);
        }
        capacity = entries;
        Iterator<Map.Entry<Object, Tensor[]>> it = this.entries.entrySet().iterator();
        while (this.entries.size() > capacity && it.hasNext()) {
            Tensor[] evicted = it.next().getValue();
            it.remove();
            release(evicted);
        }
    }

    /** Entries kept at most. */
    public synchronized int capacity() {
        return capacity;
    }

    /** Releases every entry. Idempotent; the cache stays usable. */
    public synchronized void clear() {
        entries.values().forEach(TensorCache::release);
        entries.clear();
    }

    /** Entries currently held. */
    public synchronized int size() {
        return entries.size();
    }

    /** Lookups answered from the cache so far. */
    public synchronized long hits() {
        return hits;
    }

    private static Tensor[] handles(Tensor[] cached) {
        Tensor[] out = new Tensor[cached.length];
        for (int i = 0; i < cached.length; i++) {
            out[i] = cached[i] == null ? null : new Tensor(cached[i]); // attached to the caller's scope
        }
        return out;
    }

    private static void release(Tensor[] tensors) {
        for (Tensor t : tensors) {
            if (t != null) {
                t.releaseReference();
            }
        }
    }
}
