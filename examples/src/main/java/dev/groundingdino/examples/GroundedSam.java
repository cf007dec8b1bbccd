package dev.groundingdino.examples;

import dev.groundingdino.sam.MaskPrompt;
import dev.groundingdino.ImageInput;
import dev.groundingdino.Detection;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.Detector;
import dev.groundingdino.Box;
import dev.groundingdino.sam.GroundedMask;
import dev.groundingdino.sam.GroundedSamResult;
import dev.groundingdino.sam.ImageEmbedding;
import dev.groundingdino.sam.MaskOverlay;
import dev.groundingdino.sam.Segmentation;
import dev.groundingdino.sam.Segmenter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Example: Grounded-SAM step by step, the Java version of Grounded-Segment-Anything's demo: GroundingDINO finds the
 * objects a text prompt names, their boxes become Segment Anything prompts, SAM turns each box into a mask, and the
 * masks and boxes are drawn over the image.
 *
 * <pre>
 * java -cp examples/target/gdino.jar dev.groundingdino.examples.GroundedSam \
 *     groundingdino_swint_ogc.pth sam_vit_h_4b8939.pth dog.jpg "dog . ball" \
 *     [OUTPUT.png [BOX_THRESHOLD TEXT_THRESHOLD [CONFIG]]]
 * </pre>
 *
 * Python (Grounded-Segment-Anything):
 * <pre>
 * boxes, logits, phrases = predict(groundingdino, image, "dog . ball", box_threshold, text_threshold)
 * sam_predictor.set_image(image_source)
 * H, W, _ = image_source.shape
 * boxes_xyxy = box_ops.box_cxcywh_to_xyxy(boxes) * torch.Tensor([W, H, W, H])
 * transformed_boxes = sam_predictor.transform.apply_boxes_torch(boxes_xyxy, image_source.shape[:2])
 * masks, _, _ = sam_predictor.predict_torch(point_coords=None, point_labels=None, boxes=transformed_boxes,
 *                                           multimask_output=False)
 * annotated_frame = annotate(image_source, boxes, logits, phrases)   # then show_mask(mask, ...) per mask
 * </pre>
 * Give {@code demo} instead of the GroundingDINO checkpoint to run the random-weight demo detector (offline; it
 * finds nothing meaningful). The same pipeline is one library call:
 * {@code dev.groundingdino.sam.GroundedSam.run(detector, segmenter, image, prompt)}.
 */
public final class GroundedSam {
    private GroundedSam() {}

    public static void main(String[] args) {
        if (args.length < 4 || args.length == 6 || args.length > 8) {
            System.err.println("usage: GroundedSam CHECKPOINT|demo SAM_CHECKPOINT IMAGE PROMPT "
                    + "[OUTPUT.png [BOX_THRESHOLD TEXT_THRESHOLD [CONFIG]]]");
            System.exit(2);
        }
        Path output = Path.of(args.length >= 5 ? args[4] : "grounded_sam.png");
        Detector.Builder builder = ExampleModels.builder(args[0], args.length == 8 ? args[7] : null);
        if (args.length >= 7) {
            builder.boxThreshold(Double.parseDouble(args[5])).textThreshold(Double.parseDouble(args[6]));
        }
        try (Detector detector = builder.build(); Segmenter sam = Segmenter.load(Path.of(args[1]))) {
            GroundedSamResult result = run(detector, sam, Path.of(args[2]), args[3], output);
            for (GroundedMask m : result.masks()) {
                System.out.printf(Locale.ROOT, "%-20s score %.3f  box %s  mask %d px (predicted IoU %.3f)%n",
                        m.label(), m.detection().score(), m.prompt(), m.mask().area(), m.mask().predictedIou());
            }
            System.out.println(result.size() + " object(s); overlay written to " + output);
        }
    }

    /**
     * Detects {@code prompt} in {@code image}, segments every box and writes the overlay to {@code output} (PNG or
     * JPEG by extension); returns the detections with their masks. Thresholds are the detector's.
     */
    public static GroundedSamResult run(Detector detector, Segmenter sam, Path image, String prompt, Path output) {
        // 1. GroundingDINO: boxes (pixels, xyxy), scores and phrases, like predict(model, image, caption, ...)
        DetectionResult detections = detector.detect(ImageInput.of(image), prompt);

        // 2. The boxes as SAM prompts, clipped to the image (the detector may overshoot the border a little)
        List<Box> boxes = new ArrayList<>();
        for (Detection d : detections.detections()) {
            boxes.add(new Box(d.box().x0(), d.box().y0(), d.box().x1(), d.box().y1())
                    .clampTo(detections.width(), detections.height()));
        }

        // 3. SAM: embed the image once (set_image), then one batched call for all boxes (predict_torch,
        //    multimask_output=False): one mask per box
        List<GroundedMask> masks = new ArrayList<>();
        if (!boxes.isEmpty()) {
            try (ImageEmbedding embedding = sam.embed(ImageInput.of(image))) {
                List<Segmentation> segmentations = sam.segment(embedding, MaskPrompt.ofBoxes(boxes), false);
                for (int i = 0; i < boxes.size(); i++) {
                    masks.add(new GroundedMask(detections.detections().get(i), boxes.get(i),
                            segmentations.get(i).masks().get(0)));
                }
            }
        }
        GroundedSamResult result = new GroundedSamResult(detections, masks);

        // 4. Translucent masks, boxes and "label score" tags over the image
        MaskOverlay.write(image, result.overlayItems(), output);
        return result;
    }
}
