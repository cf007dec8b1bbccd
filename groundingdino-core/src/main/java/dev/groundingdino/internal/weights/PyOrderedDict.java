package dev.groundingdino.internal.weights;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@code collections.OrderedDict} read from a pickle (every {@code state_dict()} is one): the items in
 * insertion order, plus the instance attributes a {@code BUILD} opcode set on it. PyTorch stores the module
 * versions there, as {@code _metadata}.
 */
public final class PyOrderedDict extends LinkedHashMap<Object, Object> {
    private static final long serialVersionUID = 1L;

    private final Map<String, Object> attributes = new LinkedHashMap<>();

    /** Instance attributes set by {@code BUILD} (e.g. {@code _metadata}); modifiable. */
    public Map<String, Object> attributes() {
        return attributes;
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && o instanceof PyOrderedDict d && d.attributes.equals(attributes);
    }

    @Override
    public int hashCode() {
        return super.hashCode();
    }

    @Override
    public String toString() {
        return "OrderedDict(" + size() + " items" + (attributes.isEmpty() ? "" : ", attributes " + attributes.keySet())
                + ")";
    }
}
