package dev.groundingdino.internal.postprocess;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Greedy non-maximum suppression over {@link Prediction}s, like {@code torchvision.ops.nms} /
 * {@code batched_nms}: visit predictions by descending score (ties: lower query index first), keep one unless it
 * overlaps an already kept one of the same group with IoU {@code > iouThreshold}. The reference's {@code predict()}
 * applies none; this is an opt-in extra. The survivors are returned in their input (query) order.
 *
 * <p>IoU is computed on the normalised {@code (cx, cy, w, h)} boxes converted to corners; it equals the IoU in
 * pixels because scaling both axes changes every area by the same factor.
 */
public final class Nms {
    private Nms() {}

    /** How predictions are grouped: suppression only happens inside a group. */
    public enum Grouping {
        /** All predictions compete ({@code torchvision.ops.nms}). */
        CLASS_AGNOSTIC,
        /**
         * Only predictions with the same class id compete, or, without class ids, the same label
         * ({@code torchvision.ops.batched_nms}).
         */
        PER_LABEL
    }

    /**
     * The predictions that survive suppression, in input order.
     *
     * @throws IllegalArgumentException if {@code iouThreshold} is not in [0, 1]
     */
    public static List<Prediction> apply(List<Prediction> predictions, Grouping grouping, double iouThreshold) {
        Objects.requireNonNull(predictions, "predictions");
        Objects.requireNonNull(grouping, "grouping");
        if (!(iouThreshold >= 0 && iouThreshold <= 1)) {
            throw new IllegalArgumentException("NMS IoU threshold must be in [0, 1], got " + iouThreshold);
        }
        int n = predictions.size();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -predictions.get(i).score())
                .thenComparingInt(i -> predictions.get(i).queryIndex()));
        boolean[] kept = new boolean[n];
        List<Integer> keptSoFar = new ArrayList<>();
        for (int i : order) {
            Prediction p = predictions.get(i);
            boolean suppressed = false;
            for (int j : keptSoFar) {
                Prediction k = predictions.get(j);
                if (sameGroup(p, k, grouping) && iou(p, k) > iouThreshold) {
                    suppressed = true;
                    break;
                }
            }
            if (!suppressed) {
                kept[i] = true;
                keptSoFar.add(i);
            }
        }
        List<Prediction> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (kept[i]) {
                out.add(predictions.get(i));
            }
        }
        return out;
    }

    private static boolean sameGroup(Prediction a, Prediction b, Grouping grouping) {
        if (grouping == Grouping.CLASS_AGNOSTIC) {
            return true;
        }
        if (a.classId() >= 0 || b.classId() >= 0) {
            return a.classId() == b.classId();
        }
        return a.label().equals(b.label());
    }

    /** Intersection over union of two {@code (cx, cy, w, h)} boxes; 0 when the union is empty. */
    public static double iou(Prediction a, Prediction b) {
        return iou(a.cx(), a.cy(), a.w(), a.h(), b.cx(), b.cy(), b.w(), b.h());
    }

    /** Intersection over union of two {@code (cx, cy, w, h)} boxes; 0 when the union is empty. */
    public static double iou(double acx, double acy, double aw, double ah, double bcx, double bcy, double bw,
            double bh) {
        double ax0 = acx - aw / 2;
        double ay0 = acy - ah / 2;
        double ax1 = acx + aw / 2;
        double ay1 = acy + ah / 2;
        double bx0 = bcx - bw / 2;
        double by0 = bcy - bh / 2;
        double bx1 = bcx + bw / 2;
        double by1 = bcy + bh / 2;
        double iw = Math.max(0, Math.min(ax1, bx1) - Math.max(ax0, bx0));
        double ih = Math.max(0, Math.min(ay1, by1) - Math.max(ay0, by0));
        double inter = iw * ih;
        double union = Math.max(0, aw) * Math.max(0, ah) + Math.max(0, bw) * Math.max(0, bh) - inter;
        return union > 0 ? inter / union : 0;
    }
}
