package dev.groundingdino.internal.annotate;

import dev.groundingdino.Detection;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.Box;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Paints detections like the reference's {@code annotate()} (supervision's {@code BoxAnnotator}): each box outlined
 * in its label's colour with a filled tag {@code "<phrase> <score:.2f>"} ({@link Detection#caption()}) at its
 * top-left corner. Colours come from a {@link Palette}, one per distinct label in order of first appearance (or per
 * class id for class-list results), so the same label always has the same colour within an image.
 *
 * <p>Grounded-SAM overlays reuse it: blend the masks first with {@link Canvas#blendMask}, using
 * {@link #colors(DetectionResult)} for matching colours, then {@link #paint} the boxes on top.
 */
public final class DetectionPainter {
    private final Palette palette;

    /** A painter with {@link Palette#DEFAULT}. */
    public DetectionPainter() {
        this(Palette.DEFAULT);
    }

    public DetectionPainter(Palette palette) {
        this.palette = Objects.requireNonNull(palette, "palette");
    }

    /**
     * The colour of each detection, in detection order: by class id when the result comes from a class list (so a
     * class keeps its colour across images), else by label in order of first appearance.
     */
    public List<Rgb> colors(DetectionResult result) {
        Objects.requireNonNull(result, "result");
        boolean classList = !result.classes().isEmpty();
        int first = classList ? result.classes().size() : 0; // unmatched labels come after the class colours
        Map<String, Integer> labelIndex = new LinkedHashMap<>();
        List<Rgb> out = new ArrayList<>(result.size());
        for (Detection d : result.detections()) {
            if (classList && d.hasClass()) {
                out.add(palette.color(d.classId()));
            } else {
                Integer index = labelIndex.computeIfAbsent(d.label(), l -> first + labelIndex.size());
                out.add(palette.color(index));
            }
        }
        return out;
    }

    /** Draws every box, then every label (so tags are not crossed by later boxes). */
    public void paint(Canvas canvas, DetectionResult result) {
        Objects.requireNonNull(canvas, "canvas");
        List<Rgb> colors = colors(result);
        List<Detection> detections = result.detections();
        for (int i = 0; i < detections.size(); i++) {
            Box b = detections.get(i).box();
            canvas.drawBox(b.x0(), b.y0(), b.x1(), b.y1(), colors.get(i));
        }
        for (int i = 0; i < detections.size(); i++) {
            Detection d = detections.get(i);
            canvas.drawLabel(d.caption(), d.box().x0(), d.box().y0(), colors.get(i));
        }
    }
}
