package dev.groundingdino.sam;

/** A box has {@code x1 < x0} or {@code y1 < y0}; boxes are (x0, y0) top-left, (x1, y1) bottom-right. */
public class InvertedBoxException extends InvalidBoxException {
    private static final long serialVersionUID = 1L;

    public InvertedBoxException(String message) {
        super(message);
    }
}
