package dev.groundingdino.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/** {@link Scopes}: what a nested scope frees, what it hands to the caller, and {@link Scopes#chain}'s lifetimes. */
class ScopesTest {

    @Test
    void tensorFreesTheTemporariesAndKeepsTheResult() {
        Natives.ensureLoaded();
        List<Tensor> temporaries = new ArrayList<>();
        Tensor result;
        try (InferenceScope scope = InferenceScope.open()) {
            result = Scopes.tensor(() -> {
                Tensor a = torch.ones(3);
                temporaries.add(a);
                return a.add(new Scalar(1.0));
            });
            assertThat(temporaries.get(0).isNull()).as("temporary freed when the nested scope closed").isTrue();
            assertThat(result.isNull()).isFalse();
            assertThat(result.sum().item_double()).isEqualTo(6.0);
        }
        assertThat(result.isNull()).as("result freed with the caller's scope").isTrue();
    }

    @Test
    void chainFreesEveryIntermediateStateButTheLast() {
        Natives.ensureLoaded();
        List<Tensor> states = new ArrayList<>();
        try (InferenceScope scope = InferenceScope.open()) {
            Tensor initial = torch.zeros(2);
            Tensor last = Scopes.chain(initial, 4, (i, x) -> {
                Tensor next = x.add(new Scalar(1.0));
                states.add(next);
                return next;
            }, t -> new Tensor[] {t});
            assertThat(last.sum().item_double()).isEqualTo(8.0);
            assertThat(initial.isNull()).as("the caller's input is never freed").isFalse();
            for (int i = 0; i < 3; i++) {
                assertThat(states.get(i).isNull()).as("state %d freed after the next step", i).isTrue();
            }
            assertThat(states.get(3)).isSameAs(last);
            assertThat(last.isNull()).isFalse();
        }
        assertThat(states.get(3).isNull()).as("the final state belongs to the caller's scope").isTrue();
    }

    @Test
    void chainKeepsAStateThatPassesThroughUnchangedAndReleasesOnFailure() {
        Natives.ensureLoaded();
        try (PointerScope scope = new PointerScope()) {
            Tensor initial = torch.ones(1);
            Tensor same = Scopes.chain(initial, 3, (i, x) -> x, t -> new Tensor[] {t}); // identity steps
            assertThat(same).isSameAs(initial);
            assertThat(same.isNull()).isFalse();
            assertThat(same.sum().item_double()).isEqualTo(1.0);

            List<Tensor> made = new ArrayList<>();
            assertThatThrownBy(() -> Scopes.chain(initial, 3, (i, x) -> {
                if (i == 2) {
                    throw new IllegalStateException("step failed");
                }
                Tensor next = x.add(new Scalar(1.0));
                made.add(next);
                return next;
            }, t -> new Tensor[] {t})).isInstanceOf(IllegalStateException.class);
            assertThat(made).hasSize(2);
            assertThat(made).allMatch(t -> t.isNull());
            assertThat(initial.isNull()).isFalse();
        }
    }
}
