package dev.groundingdino.sam.internal.export;

import static org.bytedeco.opencv.global.opencv_core.CV_32SC2;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgproc.CHAIN_APPROX_SIMPLE;
import static org.bytedeco.opencv.global.opencv_imgproc.RETR_EXTERNAL;
import static org.bytedeco.opencv.global.opencv_imgproc.findContours;

import dev.groundingdino.internal.runtime.Natives;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;

/**
 * Outer contours of a binary mask as polygons, with OpenCV's {@code findContours(mask, RETR_EXTERNAL,
 * CHAIN_APPROX_SIMPLE)} (the usual mask-to-COCO-polygon recipe): one polygon per connected component, holes
 * ignored, vertices at the centres of the boundary pixels, straight runs reduced to their end points.
 */
public final class MaskContours {
    /** COCO polygons need at least three vertices; fewer is an isolated pixel or a one-pixel line. */
    public static final int MIN_VERTICES = 3;

    private MaskContours() {}

    /**
     * The outer contours of the {@code width x height} row-major mask {@code pixels} (non-zero = set), each as
     * {@code [x1, y1, x2, y2, ...]} in pixel coordinates; contours with fewer than {@link #MIN_VERTICES} vertices are
     * left out. Native memory is released before returning.
     */
    @SuppressWarnings("try") // the scope frees native temporaries; it is not referenced
    public static List<int[]> external(int width, int height, byte[] pixels) {
        if (pixels.length != width * height) {
            throw new IllegalArgumentException("a " + width + "x" + height + " mask needs " + width * height
                    + " pixels, got " + pixels.length);
        }
        Natives.ensureOpenCvLoaded();
        List<int[]> polygons = new ArrayList<>();
        try (PointerScope scope = new PointerScope()) {
            BytePointer data = new BytePointer(pixels);
            Mat mask = new Mat(height, width, CV_8UC1, data);
            MatVector contours = new MatVector();
            Mat hierarchy = new Mat();
            findContours(mask, contours, hierarchy, RETR_EXTERNAL, CHAIN_APPROX_SIMPLE);
            for (long i = 0; i < contours.size(); i++) {
                Mat c = contours.get(i);
                int n = c.rows() * c.cols();
                if (n < MIN_VERTICES) {
                    continue;
                }
                if (c.type() != CV_32SC2 || !c.isContinuous()) {
                    throw new IllegalStateException("OpenCV returned a contour of type " + c.type()
                            + " instead of continuous CV_32SC2 points");
                }
                int[] xy = new int[2 * n];
                new IntPointer(c.data()).get(xy);
                polygons.add(xy);
            }
        }
        return polygons;
    }
}
