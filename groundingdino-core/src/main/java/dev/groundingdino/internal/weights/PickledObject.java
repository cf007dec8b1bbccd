package dev.groundingdino.internal.weights;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An inert stand-in for an instance of a class the restricted unpickler does not model (for example the
 * {@code argparse.Namespace} of training arguments, optimizer state, a numpy scalar). It records what the pickle
 * asked for -- the class, the constructor arguments, the {@code BUILD} state and any items appended to it -- and
 * nothing more: no Python code is imported, called or imitated.
 *
 * <p>Identity semantics ({@code equals} is {@code ==}), because pickles can build cyclic structures.
 */
public final class PickledObject {
    private final String module;
    private final String name;
    private final PyTuple args;
    private final Map<Object, Object> kwargs;
    private Object state;
    private final List<Object> listItems = new ArrayList<>();
    private final Map<Object, Object> dictItems = new LinkedHashMap<>();

    PickledObject(String module, String name, PyTuple args, Map<Object, Object> kwargs) {
        this.module = module;
        this.name = name;
        this.args = args;
        this.kwargs = kwargs == null ? Map.of() : kwargs;
    }

    /** The class's module, e.g. {@code argparse}. */
    public String module() {
        return module;
    }

    /** The class's name, e.g. {@code Namespace}. */
    public String name() {
        return name;
    }

    /** {@code module.name}. */
    public String qualifiedName() {
        return module + "." + name;
    }

    /** Positional constructor / reduce arguments as pickled. */
    public PyTuple args() {
        return args;
    }

    /** Keyword arguments ({@code NEWOBJ_EX}); empty otherwise. */
    public Map<Object, Object> kwargs() {
        return kwargs;
    }

    /** The state given by {@code BUILD} (usually the instance {@code __dict__}), or {@code null}. */
    public Object state() {
        return state;
    }

    void setState(Object state) {
        this.state = state;
    }

    /** Items appended by {@code APPEND(S)} (list-like classes). */
    public List<Object> listItems() {
        return listItems;
    }

    /** Items set by {@code SETITEM(S)} (dict-like classes). */
    public Map<Object, Object> dictItems() {
        return dictItems;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(qualifiedName()).append(args);
        if (state instanceof Map<?, ?> m) {
            sb.append(" state keys ").append(PickleText.shortRepr(new ArrayList<>(m.keySet())));
        } else if (state != null) {
            sb.append(" state ").append(PickleText.shortRepr(state));
        }
        if (!listItems.isEmpty()) {
            sb.append(" +").append(listItems.size()).append(" items");
        }
        if (!dictItems.isEmpty()) {
            sb.append(" +").append(dictItems.size()).append(" entries");
        }
        return sb.toString();
    }
}
