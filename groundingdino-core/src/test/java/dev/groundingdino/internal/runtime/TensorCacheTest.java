package dev.groundingdino.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/** {@link TensorCache}: hits, the LRU bound, and handles that outlive eviction and the caller-independent copy. */
class TensorCacheTest {
    private record Key(int size) {}

    @Test
    void computesOncePerKeyAndEvictsTheLeastRecentlyUsed() {
        Natives.ensureLoaded();
        TensorCache cache = new TensorCache(2);
        AtomicInteger computed = new AtomicInteger();
        try (InferenceScope scope = InferenceScope.open()) {
            for (int round = 0; round < 3; round++) {
                for (int size : new int[] {1, 2}) {
                    Tensor t = cache.getOne(new Key(size), () -> {
                        computed.incrementAndGet();
                        return torch.ones(size);
                    });
                    assertThat(t.numel()).isEqualTo(size);
                }
            }
            assertThat(computed.get()).isEqualTo(2);
            assertThat(cache.hits()).isEqualTo(4);
            cache.getOne(new Key(3), () -> torch.ones(3)); // evicts size 1 (least recently used)
            assertThat(cache.size()).isEqualTo(2);
            cache.getOne(new Key(2), () -> {
                throw new AssertionError("size 2 must still be cached");
            });
            cache.getOne(new Key(1), () -> {
                computed.incrementAndGet();
                return torch.ones(1);
            });
            assertThat(computed.get()).isEqualTo(3);
        } finally {
            cache.clear();
        }
        assertThat(cache.size()).isZero();
    }

    @Test
    void handedOutTensorsSurviveEvictionAndClear() {
        Natives.ensureLoaded();
        TensorCache cache = new TensorCache(1);
        try (InferenceScope scope = InferenceScope.open()) {
            Tensor first = cache.getOne(new Key(1),
                    () -> torch.full(new long[] {4}, new org.bytedeco.pytorch.Scalar(7.0)));
            Tensor again = cache.getOne(new Key(1), () -> torch.zeros(4));
            cache.getOne(new Key(2), () -> torch.zeros(2)); // evicts key 1
            cache.clear();
            assertThat(again.sum().item_double()).as("handle valid after eviction and clear").isEqualTo(28.0);
            assertThat(first.sum().item_double()).isEqualTo(28.0);
        }
    }

    @Test
    void cachedTensorsOutliveTheScopeThatComputedThem() {
        Natives.ensureLoaded();
        TensorCache cache = new TensorCache(4);
        try {
            try (InferenceScope scope = InferenceScope.open()) {
                cache.getOne(new Key(5), () -> torch.ones(5));
            }
            try (InferenceScope scope = InferenceScope.open()) {
                Tensor t = cache.getOne(new Key(5), () -> {
                    throw new AssertionError("must be cached");
                });
                assertThat(t.sum().item_double()).isEqualTo(5.0);
            }
        } finally {
            cache.clear();
        }
    }

    @Test
    void aDisabledCacheAlwaysComputes() {
        Natives.ensureLoaded();
        TensorCache cache = TensorCache.disabled();
        AtomicInteger computed = new AtomicInteger();
        try (InferenceScope scope = InferenceScope.open()) {
            for (int i = 0; i < 3; i++) {
                cache.getOne(new Key(1), () -> {
                    computed.incrementAndGet();
                    return torch.ones(1);
                });
            }
        }
        assertThat(computed.get()).isEqualTo(3);
        assertThat(cache.size()).isZero();
    }
}
