package dev.groundingdino;

/**
 * A {@code .pth} checkpoint's pickle asks for something a weights file never needs (a call into {@code os},
 * {@code builtins.eval}, {@code subprocess}, ...). Nothing from the pickle was executed; the file was rejected.
 * Only load checkpoints from sources you trust, or convert them to {@code .safetensors}.
 */
public class UnsafeCheckpointException extends CheckpointException {
    private static final long serialVersionUID = 1L;

    public UnsafeCheckpointException(String message) {
        super(message);
    }
}
