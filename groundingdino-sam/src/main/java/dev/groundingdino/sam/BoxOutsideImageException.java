package dev.groundingdino.sam;

/**
 * A box reaches outside the image it prompts: every coordinate must lie in {@code [0, width] x [0, height]} of the
 * original image. {@link Box#clampTo(int, int)} fits detector boxes that overshoot the border.
 */
public class BoxOutsideImageException extends InvalidBoxException {
    private static final long serialVersionUID = 1L;

    public BoxOutsideImageException(String message) {
        super(message);
    }
}
