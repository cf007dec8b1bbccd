package dev.groundingdino.spark.internal;

import dev.groundingdino.Detection;
import dev.groundingdino.DetectionExport;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.Detector;
import dev.groundingdino.ExportSummary;
import dev.groundingdino.ImageException;
import dev.groundingdino.ImageInput;
import dev.groundingdino.NormalizedBox;
import dev.groundingdino.Box;
import dev.groundingdino.Prompt;
import dev.groundingdino.sam.CocoRle;
import dev.groundingdino.sam.GroundedSam;
import dev.groundingdino.sam.ImageEmbedding;
import dev.groundingdino.sam.MaskPrompt;
import dev.groundingdino.sam.Segmentation;
import dev.groundingdino.sam.Segmenter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * EVERY call of the Spark module into the GroundingDINO and Segment Anything libraries: loading the models, one
 * batched detection (with Grounded-SAM masks), and turning stored labels back into the library's results for its
 * dataset exports. The rest of the module sees only {@link ImageLabels} and {@link LabelBox}, so that a change of
 * the library's API is adapted here alone. Uses the public packages {@code dev.groundingdino} and
 * {@code dev.groundingdino.sam} only.
 */
public final class DetectorAdapter {
    private DetectorAdapter() {}

    /** Loads the detector of {@code key} with the library's default options (the per-job options are derived). */
    static Detector loadDetector(ExecutorModels.Key key, int threads) {
        Detector.Builder b;
        if (key.weights().equalsIgnoreCase("demo")) {
            if (key.config() != null) {
                throw new IllegalArgumentException("a config does not apply to the demo weights");
            }
            b = Detector.demoBuilder();
        } else {
            b = Detector.builder(ModelFiles.locate(key.weights()));
            if (key.config() != null) {
                b.config(ModelFiles.locate(key.config()));
            }
        }
        return b.device(key.device()).precision(key.precision()).threads(threads).build();
    }

    /** Loads the Segment Anything model of {@code key} (CPU). */
    static Segmenter loadSegmenter(ExecutorModels.Key key, int threads) {
        return Segmenter.builder(ModelFiles.locate(key.weights())).precision(key.precision()).threads(threads).build();
    }

    /**
     * Opens a labelling session on this JVM's shared models: a detector with the job's options, sharing the loaded
     * weights. Close it when the partition is done (the shared weights stay loaded).
     *
     * @param threads libtorch's intra-op threads if this call loads a model (process-wide), 0 for its default
     */
    public static Session open(LabelSettings s, int threads) {
        Detector shared = ExecutorModels.get(s.detectorKey(), () -> loadDetector(s.detectorKey(), threads));
        Segmenter segmenter = s.masks()
                ? ExecutorModels.get(s.segmenterKey(), () -> loadSegmenter(s.segmenterKey(), threads))
                : null;
        return new Session(shared, segmenter, s);
    }

    /** Detection (and segmentation) with one job's options; thread-confined to its task, the models are shared. */
    public static final class Session implements AutoCloseable {
        private final Detector detector;
        private final Segmenter segmenter;
        private final LabelSettings settings;

        Session(Detector shared, Segmenter segmenter, LabelSettings s) {
            Detector d = shared.withThresholds(s.boxThreshold(), s.textThreshold());
            d = replace(d, d.withRemoveCombined(s.removeCombined()));
            d = replace(d, d.withClassMatching(s.classMatching()));
            d = replace(d, d.withNms(s.nmsMode(), s.nmsIou()));
            this.detector = d;
            this.segmenter = segmenter;
            this.settings = s;
        }

        private static Detector replace(Detector old, Detector derived) {
            old.close();
            return derived;
        }

        /**
         * Labels encoded images (the bytes of JPEG, PNG, ... files) through one batched forward pass, like
         * {@code Detector.detect(List<ImageInput>, ...)}. An image that cannot be decoded becomes an error entry
         * (the batch is then run image by image); other failures (a bad prompt, a native error) are thrown.
         */
        public List<ImageLabels> label(List<byte[]> images) {
            List<DetectionResult> results;
            try {
                results = detect(images);
            } catch (ImageException batchFailed) {
                List<ImageLabels> out = new ArrayList<>(images.size());
                for (byte[] image : images) {
                    try {
                        out.add(labels(image, detect(List.of(image)).get(0)));
                    } catch (ImageException bad) {
                        out.add(ImageLabels.failed(bad.getMessage()));
                    }
                }
                return out;
            }
            List<ImageLabels> out = new ArrayList<>(images.size());
            for (int i = 0; i < images.size(); i++) {
                try {
                    out.add(labels(images.get(i), results.get(i)));
                } catch (ImageException bad) {
                    out.add(ImageLabels.failed(bad.getMessage()));
                }
            }
            return out;
        }

        private List<DetectionResult> detect(List<byte[]> images) {
            List<ImageInput> inputs = new ArrayList<>(images.size());
            for (byte[] image : images) {
                inputs.add(ImageInput.of(image));
            }
            return detector.detect(inputs, settings.classes() != null ? Prompt.classes(settings.classes())
                    : Prompt.text(settings.prompt()));
        }

        /** The labels of one result; with masks, Grounded-SAM's segmentation of its boxes (as GroundedSam.run). */
        private ImageLabels labels(byte[] image, DetectionResult r) {
            List<Detection> found = r.detections();
            List<LabelBox.Rle> masks = null;
            if (segmenter != null && !found.isEmpty()) {
                List<MaskPrompt> prompts = new ArrayList<>(found.size());
                for (Detection d : found) {
                    prompts.add(MaskPrompt.of(GroundedSam.promptBox(d.box(), r.width(), r.height())));
                }
                masks = new ArrayList<>(found.size());
                try (ImageEmbedding embedding = segmenter.embed(ImageInput.of(image))) {
                    for (Segmentation seg : segmenter.segment(embedding, prompts, false)) {
                        CocoRle rle = seg.masks().get(0).toRle();
                        masks.add(new LabelBox.Rle(rle.height(), rle.width(), rle.toCompressedString()));
                    }
                }
            }
            List<LabelBox> boxes = new ArrayList<>(found.size());
            for (int i = 0; i < found.size(); i++) {
                Detection d = found.get(i);
                Box b = d.box();
                boxes.add(new LabelBox(d.label(), d.classId(), d.score(), b.x0(), b.y0(), b.x1(), b.y1(),
                        masks == null ? null : masks.get(i)));
            }
            return new ImageLabels(r.width(), r.height(), boxes, null);
        }

        @Override
        public void close() {
            detector.close();
        }
    }

    /**
     * The library's result for stored labels, holding what its dataset exports read (size, class list, label,
     * class id, score, pixel box); the normalised box is recomputed from the pixel box, token positions and query
     * indices are not stored.
     *
     * @param caption the caption to record (not used by the exports)
     * @param classes the class list of the job, or null for a free prompt
     */
    static DetectionResult toResult(ImageLabels labels, String caption, List<String> classes) {
        List<Detection> detections = new ArrayList<>(labels.boxes().size());
        int w = labels.width();
        int h = labels.height();
        for (int i = 0; i < labels.boxes().size(); i++) {
            LabelBox b = labels.boxes().get(i);
            Box px = new Box(b.x0(), b.y0(), b.x1(), b.y1());
            NormalizedBox nb = new NormalizedBox(px.centerX() / w, px.centerY() / h, px.width() / w, px.height() / h);
            detections.add(new Detection(b.label(), b.label(), b.score(), px, nb, List.of(), i, b.classId()));
        }
        return new DetectionResult(w, h, caption, classes == null ? List.of() : classes, detections);
    }

    private static Map<String, DetectionResult> results(Map<String, ImageLabels> images, String caption,
            List<String> classes) {
        Map<String, DetectionResult> out = new LinkedHashMap<>();
        for (Map.Entry<String, ImageLabels> e : images.entrySet()) {
            out.put(e.getKey(), toResult(e.getValue(), caption, classes));
        }
        return out;
    }

    /**
     * Writes a COCO instances file with the library's exporter ({@code DetectionExport.writeCoco}, as
     * {@code gdino detect --coco} does).
     *
     * @param images image name to its labels, in image order, without error entries
     * @param classes the job's class list, or null
     * @param categories explicit categories, or null (then the class list, else the labels)
     */
    public static ExportSummary writeCoco(Path file, Map<String, ImageLabels> images, String caption,
            List<String> classes, List<String> categories) {
        return DetectionExport.writeCoco(file, results(images, caption, classes), categories);
    }

    /** Writes a YOLO label folder with the library's exporter ({@code DetectionExport.writeYolo}). */
    public static ExportSummary writeYolo(Path dir, Map<String, ImageLabels> images, String caption,
            List<String> classes, List<String> categories) {
        return DetectionExport.writeYolo(dir, results(images, caption, classes), categories);
    }
}
