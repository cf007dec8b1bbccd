package dev.groundingdino.sam.internal.sam2;

import dev.groundingdino.sam.internal.sam2.config.Sam2Config;
import java.util.Arrays;

/**
 * The prompts of one {@code SAM2ImagePredictor.predict} call, in original image pixels: the keyword arguments
 * {@code box}, {@code point_coords}, {@code point_labels} and {@code mask_input}, for {@code batch} prompts at once
 * (a batch of boxes is {@code box} of shape (B, 4); points then need the same batch).
 *
 * @param batch B, the number of prompts (objects) predicted at once
 * @param boxes B x (x0, y0, x1, y1), or null
 * @param points B x N x (x, y), or null
 * @param labels B x N labels of {@code points} (1 positive, 0 negative; 2/3 box corners and -1 padding are also
 *     accepted, as the reference does), or null without points
 * @param pointsPerPrompt N (0 without points)
 * @param maskInput 1 or B low-resolution masks of 256 x 256 logits (a previous prediction's
 *     {@link Sam2Prediction#lowResLogits()}), or null
 */
public record Sam2Prompt(int batch, float[] boxes, float[] points, int[] labels, int pointsPerPrompt,
        float[] maskInput) {

    private static final int MASK_PLANE = Sam2Config.lowResMaskSize() * Sam2Config.lowResMaskSize();

    public Sam2Prompt {
        if (batch <= 0) {
            throw new IllegalArgumentException("a prompt batch needs at least one prompt, got " + batch);
        }
        if (boxes != null) {
            if (boxes.length != 4 * batch) {
                throw new IllegalArgumentException(batch + " prompts need " + 4 * batch + " box values, got "
                        + boxes.length);
            }
            boxes = boxes.clone();
        }
        if ((points == null) != (labels == null)) {
            throw new IllegalArgumentException("point coordinates and point labels must be given together");
        }
        if (points != null) {
            if (pointsPerPrompt <= 0 || points.length != 2 * batch * pointsPerPrompt
                    || labels.length != batch * pointsPerPrompt) {
                throw new IllegalArgumentException(batch + " prompts of " + pointsPerPrompt + " points need "
                        + 2 * batch * pointsPerPrompt + " coordinates and " + batch * pointsPerPrompt + " labels, got "
                        + points.length + " and " + labels.length);
            }
            for (int l : labels) {
                if (l < -1 || l > 3) {
                    throw new IllegalArgumentException("point labels are 1 (positive) or 0 (negative) (or 2, 3 for "
                            + "box corners, -1 for padding), got " + l);
                }
            }
            points = points.clone();
            labels = labels.clone();
        } else if (pointsPerPrompt != 0) {
            throw new IllegalArgumentException("pointsPerPrompt must be 0 without points, got " + pointsPerPrompt);
        }
        if (maskInput != null) {
            if (maskInput.length != MASK_PLANE && maskInput.length != batch * MASK_PLANE) {
                throw new IllegalArgumentException("mask_input must hold 1 or " + batch + " masks of 256x256 logits ("
                        + MASK_PLANE + " values each), got " + maskInput.length + " values");
            }
            maskInput = maskInput.clone();
        }
        for (float[] a : new float[][] {boxes, points}) {
            if (a != null) {
                for (float v : a) {
                    if (!Float.isFinite(v)) {
                        throw new IllegalArgumentException("prompt coordinates must be finite, got " + v);
                    }
                }
            }
        }
    }

    /**
     * The general form: {@code boxes} B x 4 or null, {@code points} B x N x 2 or null with {@code labels} B x N
     * (B is taken from whichever is given; both must agree).
     */
    public static Sam2Prompt of(float[][] boxes, float[][][] points, int[][] labels) {
        if (boxes == null && points == null) {
            throw new IllegalArgumentException("give boxes, points, or both");
        }
        if ((points == null) != (labels == null)) {
            throw new IllegalArgumentException("point coordinates and point labels must be given together");
        }
        int batch = boxes != null ? boxes.length : points.length;
        float[] flatBoxes = boxes == null ? null : boxes(boxes).boxes();
        float[] flatPoints = null;
        int[] flatLabels = null;
        int n = 0;
        if (points != null) {
            if (points.length != batch || labels.length != batch) {
                throw new IllegalArgumentException(batch + " prompts need " + batch + " point lists and label lists, "
                        + "got " + points.length + " and " + labels.length);
            }
            n = points[0].length;
            flatPoints = new float[2 * batch * n];
            flatLabels = new int[batch * n];
            for (int b = 0; b < batch; b++) {
                if (points[b].length != n || labels[b].length != n) {
                    throw new IllegalArgumentException("every prompt needs the same number of points and labels (" + n
                            + "), prompt " + b + " has " + points[b].length + " and " + labels[b].length);
                }
                System.arraycopy(flattenPoints(points[b]), 0, flatPoints, 2 * n * b, 2 * n);
                System.arraycopy(labels[b], 0, flatLabels, n * b, n);
            }
        }
        return new Sam2Prompt(batch, flatBoxes, flatPoints, flatLabels, n, null);
    }

    /** One box {@code (x0, y0, x1, y1)} ({@code predict(box=...)}). */
    public static Sam2Prompt box(float x0, float y0, float x1, float y1) {
        return new Sam2Prompt(1, new float[] {x0, y0, x1, y1}, null, null, 0, null);
    }

    /** A batch of boxes, one prompt each ({@code predict(box=(B, 4))}). */
    public static Sam2Prompt boxes(float[][] boxes) {
        float[] flat = new float[4 * boxes.length];
        for (int i = 0; i < boxes.length; i++) {
            if (boxes[i].length != 4) {
                throw new IllegalArgumentException("box " + i + " has " + boxes[i].length + " values, expected 4");
            }
            System.arraycopy(boxes[i], 0, flat, 4 * i, 4);
        }
        return new Sam2Prompt(boxes.length, flat, null, null, 0, null);
    }

    /** Labelled points of one prompt ({@code predict(point_coords=(N, 2), point_labels=(N))}). */
    public static Sam2Prompt points(float[][] xy, int[] labels) {
        return new Sam2Prompt(1, null, flattenPoints(xy), labels, xy.length, null);
    }

    /** One box and labelled points of the same prompt. */
    public static Sam2Prompt boxAndPoints(float[] box, float[][] xy, int[] labels) {
        return new Sam2Prompt(1, box, flattenPoints(xy), labels, xy.length, null);
    }

    /** This prompt with a low-resolution mask input ({@code mask_input}, 1 or B masks of 256x256 logits). */
    public Sam2Prompt withMaskInput(float[] lowResLogits) {
        return new Sam2Prompt(batch, boxes, points, labels, pointsPerPrompt, lowResLogits);
    }

    /** The number of masks in {@link #maskInput()} (0, 1 or B). */
    public int maskInputCount() {
        return maskInput == null ? 0 : maskInput.length / MASK_PLANE;
    }

    private static float[] flattenPoints(float[][] xy) {
        if (xy.length == 0) {
            throw new IllegalArgumentException("give at least one point, or none at all (null)");
        }
        float[] flat = new float[2 * xy.length];
        for (int i = 0; i < xy.length; i++) {
            if (xy[i].length != 2) {
                throw new IllegalArgumentException("point " + i + " has " + xy[i].length + " values, expected (x, y)");
            }
            flat[2 * i] = xy[i][0];
            flat[2 * i + 1] = xy[i][1];
        }
        return flat;
    }

    @Override
    public String toString() {
        return "Sam2Prompt[batch " + batch + (boxes != null ? ", boxes " + Arrays.toString(boxes) : "")
                + (points != null ? ", points " + Arrays.toString(points) + " labels " + Arrays.toString(labels) : "")
                + (maskInput != null ? ", " + maskInputCount() + " mask input(s)" : "") + "]";
    }
}
