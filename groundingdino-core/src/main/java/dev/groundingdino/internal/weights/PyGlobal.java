package dev.groundingdino.internal.weights;

/**
 * A reference to a Python class or function ({@code module.name}) named by a pickle's {@code GLOBAL} or
 * {@code STACK_GLOBAL}. It is only a name: nothing is imported, looked up or called.
 *
 * @param module the module, e.g. {@code argparse}
 * @param name the attribute inside it, e.g. {@code Namespace}
 */
public record PyGlobal(String module, String name) {
    /** {@code module.name}, as Python would print it. */
    public String qualifiedName() {
        return module + "." + name;
    }

    @Override
    public String toString() {
        return "<global " + qualifiedName() + ">";
    }
}
