package dev.groundingdino.sam;

import dev.groundingdino.Box;
import dev.groundingdino.Detection;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.Detector;
import dev.groundingdino.ImageException;
import dev.groundingdino.ImageInput;
import dev.groundingdino.Prompt;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Grounded-SAM in one call: detect the objects a text prompt names with a GroundingDINO {@link Detector}, then
 * segment every detected box with a Segment Anything {@link Segmenter}, the pipeline of Grounded-Segment-Anything's
 * demo ({@code predict} -> boxes scaled to pixels -> {@code SamPredictor.set_image} ->
 * {@code predict_torch(boxes=apply_boxes_torch(...), multimask_output=False)}).
 *
 * <pre>{@code
 * try (Detector detector = Detector.load(Path.of("groundingdino_swint_ogc.pth"));
 *      Segmenter segmenter = Segmenter.load(Path.of("sam_vit_h_4b8939.pth"))) {
 *     GroundedSamResult result = GroundedSam.run(detector, segmenter, ImageInput.of(Path.of("dog.jpg")),
 *             Prompt.text("dog . ball"));
 *     for (GroundedMask m : result.masks()) {
 *         System.out.println(m.label() + " " + m.detection().score() + " " + m.mask().area() + " px");
 *     }
 *     MaskOverlay.write(Path.of("dog.jpg"), result.overlayItems(), Path.of("grounded_sam.png"));
 * }
 * }</pre>
 *
 * <p>Each model decodes the image as it would alone; SAM embeds it once; the detector's boxes are clipped to
 * the image ({@link #promptBox}) and segmented together ({@link Segmenter#segment(ImageEmbedding, List, boolean)}, the
 * batched {@code predict_torch} path, one mask per box). Thresholds and other detection options are the
 * detector's ({@link Detector#withThresholds}). When nothing is detected the image is not embedded at all. Safe to
 * call from several threads (both models are).
 */
public final class GroundedSam {
    private GroundedSam() {}

    /**
     * Detects what {@code prompt} names (a text prompt or a class list) and segments every detection.
     *
     * @throws ImageException if the image is missing or not decodable
     * @throws dev.groundingdino.PromptException if the prompt is null, blank or names nothing
     * @throws IllegalStateException if the detector or the segmenter is closed
     */
    public static GroundedSamResult run(Detector detector, Segmenter segmenter, ImageInput image, Prompt prompt) {
        Objects.requireNonNull(detector, "detector");
        Objects.requireNonNull(segmenter, "segmenter");
        Objects.requireNonNull(image, "image");
        if (segmenter.isClosed()) { // fail before the (slow) detection
            throw new IllegalStateException("the Segmenter (" + segmenter.variant() + ") is closed; load the SAM "
                    + "checkpoint again");
        }
        DetectionResult detections = detector.detect(image, prompt);
        List<Detection> found = detections.detections();
        if (found.isEmpty()) {
            return new GroundedSamResult(detections, List.of());
        }
        List<MaskPrompt> prompts = new ArrayList<>(found.size());
        for (Detection d : found) {
            prompts.add(MaskPrompt.of(promptBox(d.box(), detections.width(), detections.height())));
        }
        List<GroundedMask> masks = new ArrayList<>(found.size());
        try (ImageEmbedding embedding = segmenter.embed(image)) {
            if (embedding.width() != detections.width() || embedding.height() != detections.height()) {
                throw new IllegalStateException("the detector saw a " + detections.width() + "x"
                        + detections.height() + " image but the segmenter a " + embedding.width() + "x"
                        + embedding.height() + " one");
            }
            List<Segmentation> segs = segmenter.segment(embedding, prompts, false);
            for (int i = 0; i < segs.size(); i++) {
                masks.add(new GroundedMask(found.get(i), prompts.get(i).box(), segs.get(i).masks().get(0)));
            }
        }
        return new GroundedSamResult(detections, masks);
    }

    /** {@link #run(Detector, Segmenter, ImageInput, Prompt)} with a text prompt such as {@code "truck . tire"}. */
    public static GroundedSamResult run(Detector detector, Segmenter segmenter, ImageInput image, String prompt) {
        return run(detector, segmenter, image, Prompt.text(prompt));
    }

    /** The SAM prompt for a detector box: the box clipped to the {@code width x height} image. */
    public static Box promptBox(Box box, int width, int height) {
        return box.clampTo(width, height);
    }
}
