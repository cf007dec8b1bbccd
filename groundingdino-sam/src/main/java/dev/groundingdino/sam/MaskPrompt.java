package dev.groundingdino.sam;

import dev.groundingdino.Box;
import dev.groundingdino.PromptException;
import java.util.List;

/**
 * What to segment in an image: a box, points on (and off) the object, or both — the prompts of
 * {@code SamPredictor.predict(point_coords, point_labels, box)} and {@code SAM2ImagePredictor.predict}, in pixel
 * coordinates of the original image.
 *
 * @param box the box around the object, or null
 * @param points the points, possibly empty
 */
public record MaskPrompt(Box box, List<Point> points) {

    /** @throws PromptException if there is neither a box nor a point, or a point is null */
    public MaskPrompt {
        if (points == null) {
            points = List.of();
        }
        for (int i = 0; i < points.size(); i++) {
            if (points.get(i) == null) {
                throw new PromptException("point " + i + " of the mask prompt is null");
            }
        }
        points = List.copyOf(points);
        if (box == null && points.isEmpty()) {
            throw new PromptException("a mask prompt needs a box or at least one point, e.g. MaskPrompt.of(new Box(x0, "
                    + "y0, x1, y1)) or MaskPrompt.of(Point.foreground(x, y))");
        }
    }

    /** A box prompt. */
    public static MaskPrompt of(Box box) {
        if (box == null) {
            throw new PromptException("box is null; give a Box in pixel coordinates of the image");
        }
        return new MaskPrompt(box, List.of());
    }

    /** One box prompt per box, in order (e.g. detector boxes clipped to the image). */
    public static List<MaskPrompt> ofBoxes(List<Box> boxes) {
        if (boxes == null) {
            throw new PromptException("the box list is null; give the boxes to segment");
        }
        List<MaskPrompt> out = new java.util.ArrayList<>(boxes.size());
        for (int i = 0; i < boxes.size(); i++) {
            if (boxes.get(i) == null) {
                throw new PromptException("box " + i + " of " + boxes.size() + " is null");
            }
            out.add(of(boxes.get(i)));
        }
        return out;
    }

    /** A prompt of points only. */
    public static MaskPrompt of(Point... points) {
        return new MaskPrompt(null, points == null ? List.of() : List.of(points));
    }

    /** A box refined by points (e.g. a foreground point inside it and a background point on a neighbour). */
    public static MaskPrompt of(Box box, Point... points) {
        if (box == null) {
            throw new PromptException("box is null; give a Box in pixel coordinates of the image");
        }
        return new MaskPrompt(box, points == null ? List.of() : List.of(points));
    }

    /** Whether prompts of this shape can share one batch with {@code other}: both have a box or neither, same points. */
    public boolean sameShape(MaskPrompt other) {
        return (box == null) == (other.box == null) && points.size() == other.points.size();
    }

    /** Whether every coordinate lies in {@code [0, width] x [0, height]}. */
    public boolean isInside(int width, int height) {
        if (box != null && !box.isInside(width, height)) {
            return false;
        }
        for (Point p : points) {
            if (p.x() < 0 || p.y() < 0 || p.x() > width || p.y() > height) {
                return false;
            }
        }
        return true;
    }
}
