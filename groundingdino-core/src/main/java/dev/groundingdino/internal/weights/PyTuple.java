package dev.groundingdino.internal.weights;

import java.util.Collections;
import java.util.List;

/**
 * A Python tuple read from a pickle: an immutable list, kept apart from {@code list} (a Java
 * {@link java.util.ArrayList}) because state dicts and tensor records use tuples where Python demands them.
 *
 * @param items the elements, in order (unmodifiable)
 */
public record PyTuple(List<Object> items) {
    public PyTuple {
        items = Collections.unmodifiableList(items);
    }

    public int size() {
        return items.size();
    }

    public Object get(int index) {
        return items.get(index);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(PickleText.shortRepr(items.get(i)));
        }
        return sb.append(items.size() == 1 ? ",)" : ")").toString();
    }
}
