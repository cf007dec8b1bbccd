package dev.groundingdino.sam;

import dev.groundingdino.Detection;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.Detector;
import dev.groundingdino.ImageException;
import dev.groundingdino.PixelBox;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Grounded-SAM in one call: detect the objects a text prompt names with a GroundingDINO {@link Detector}, then
 * segment every detected box with a Segment Anything {@link Segmenter}, the pipeline of Grounded-Segment-Anything's
 * demo ({@code predict} -> boxes scaled to pixels -> {@code SamPredictor.set_image} ->
 * {@code predict_torch(boxes=apply_boxes_torch(...), multimask_output=False)}).
 *
 * <pre>{@code
 * try (Detector detector = Detector.load(Path.of("groundingdino_swint_ogc.pth"));
 *      Segmenter segmenter = Segmenter.load(Path.of("sam_vit_h_4b8939.pth"))) {
 *     GroundedSamResult result = GroundedSam.run(detector, segmenter, Path.of("dog.jpg"), "dog . ball");
 *     for (GroundedMask m : result.masks()) {
 *         System.out.println(m.label() + " " + m.detection().score() + " " + m.mask().area() + " px");
 *     }
 *     MaskOverlay.write(Path.of("dog.jpg"), result.overlayItems(), Path.of("grounded_sam.png"));
 * }
 * }</pre>
 *
 * <p>Each model decodes the image as it would alone; SAM embeds it once; the detector's boxes are clipped to
 * the image ({@link #promptBox}) and segmented together ({@link Segmenter#segment(ImageEmbedding, List)}, the
 * batched {@code predict_torch} path, one mask per box). Thresholds and other detection options are the
 * detector's ({@link Detector#withThresholds}). When nothing is detected the image is not embedded at all. Safe to
 * call from several threads (both models are).
 */
public final class GroundedSam {
    private GroundedSam() {}

    /**
     * Detects and segments an image file.
     *
     * @param prompt the objects to find, e.g. {@code "cat . dog"}
     * @throws ImageException if the file is missing or not a decodable image
     * @throws dev.groundingdino.PromptException if the prompt is null, blank or names nothing
     * @throws IllegalStateException if the detector or the segmenter is closed
     */
    public static GroundedSamResult run(Detector detector, Segmenter segmenter, Path image, String prompt) {
        Objects.requireNonNull(image, "image");
        return run(detector, segmenter, prompt, d -> d.detect(image, prompt), s -> s.embed(image));
    }

    /** {@link #run(Detector, Segmenter, Path, String)} on encoded image bytes (the content of an image file). */
    public static GroundedSamResult run(Detector detector, Segmenter segmenter, byte[] encodedImage, String prompt) {
        Objects.requireNonNull(encodedImage, "encodedImage");
        return run(detector, segmenter, prompt, d -> d.detect(encodedImage, prompt), s -> s.embed(encodedImage));
    }

    /** {@link #run(Detector, Segmenter, Path, String)} on a decoded image (colour samples taken as RGB). */
    public static GroundedSamResult run(Detector detector, Segmenter segmenter, BufferedImage image, String prompt) {
        Objects.requireNonNull(image, "image");
        return run(detector, segmenter, prompt, d -> d.detect(image, prompt), s -> s.embed(image));
    }

    private static GroundedSamResult run(Detector detector, Segmenter segmenter, String prompt,
            Function<Detector, DetectionResult> detect, Function<Segmenter, ImageEmbedding> embed) {
        Objects.requireNonNull(detector, "detector");
        Objects.requireNonNull(segmenter, "segmenter");
        if (segmenter.isClosed()) { // fail before the (slow) detection
            throw new IllegalStateException("the Segmenter (" + segmenter.variant() + ") is closed; load the SAM "
                    + "checkpoint again");
        }
        DetectionResult detections = detect.apply(detector);
        List<Detection> found = detections.detections();
        if (found.isEmpty()) {
            return new GroundedSamResult(detections, List.of());
        }
        List<Box> boxes = new ArrayList<>(found.size());
        for (Detection d : found) {
            boxes.add(promptBox(d.box(), detections.width(), detections.height()));
        }
        List<GroundedMask> masks = new ArrayList<>(found.size());
        try (ImageEmbedding embedding = embed.apply(segmenter)) {
            if (embedding.width() != detections.width() || embedding.height() != detections.height()) {
                throw new IllegalStateException("the detector saw a " + detections.width() + "x"
                        + detections.height() + " image but the segmenter a " + embedding.width() + "x"
                        + embedding.height() + " one");
            }
            List<Segmentation> segs = segmenter.segment(embedding, boxes);
            for (int i = 0; i < segs.size(); i++) {
                masks.add(new GroundedMask(found.get(i), boxes.get(i), segs.get(i).masks().get(0)));
            }
        }
        return new GroundedSamResult(detections, masks);
    }

    /**
     * The SAM prompt for a detector box: the box clipped to the {@code width x height} image (corners swapped into
     * order should the detector ever give an inverted box).
     */
    public static Box promptBox(PixelBox box, int width, int height) {
        PixelBox c = box.clampTo(width, height);
        return new Box(Math.min(c.x0(), c.x1()), Math.min(c.y0(), c.y1()), Math.max(c.x0(), c.x1()),
                Math.max(c.y0(), c.y1()));
    }
}
