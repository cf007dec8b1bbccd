package dev.groundingdino;

/** The native libraries (libtorch, OpenCV) could not be loaded, or a native operation failed. */
public class NativeLibraryException extends GroundingDinoException {
    private static final long serialVersionUID = 1L;

    public NativeLibraryException(String message) {
        super(message);
    }

    public NativeLibraryException(String message, Throwable cause) {
        super(message, cause);
    }
}
