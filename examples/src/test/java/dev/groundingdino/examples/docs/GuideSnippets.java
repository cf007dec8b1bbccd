package dev.groundingdino.examples.docs;

import dev.groundingdino.sam.MaskPrompt;
import dev.groundingdino.Prompt;
import dev.groundingdino.Annotator;
import dev.groundingdino.BatchProgress;
import dev.groundingdino.ClassMatching;
import dev.groundingdino.Detection;
import dev.groundingdino.DetectionExport;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.Detector;
import dev.groundingdino.Device;
import dev.groundingdino.ImageException;
import dev.groundingdino.ImageFeatures;
import dev.groundingdino.ImageInput;
import dev.groundingdino.NmsMode;
import dev.groundingdino.Precision;
import dev.groundingdino.PromptException;
import dev.groundingdino.Box;
import dev.groundingdino.sam.GroundedMask;
import dev.groundingdino.sam.GroundedSam;
import dev.groundingdino.sam.GroundedSamResult;
import dev.groundingdino.sam.ImageEmbedding;
import dev.groundingdino.sam.MaskBitmap;
import dev.groundingdino.sam.MaskOverlay;
import dev.groundingdino.sam.Point;
import dev.groundingdino.sam.Segmentation;
import dev.groundingdino.sam.Segmenter;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** The Java snippets of docs/guide.md, compiled. */
final class GuideSnippets {
    private GuideSnippets() {}

    static void load() {
        // tag::load[]
        Detector swinT = Detector.load(Path.of("groundingdino_swint_ogc.pth"));   // CPU, FP32, box 0.35, text 0.25
        Detector custom = Detector.builder(Path.of("my_finetune.safetensors"))
                .config(Path.of("GroundingDINO_SwinT_OGC.py"))    // only for sizes not recognised from the tensors
                .device(Device.CUDA).precision(Precision.BF16)
                .boxThreshold(0.3).textThreshold(0.25)
                .build();                                          // close() both when done (they hold the weights)
        // end::load[]
        swinT.close();
        custom.close();
    }

    static void inputs(Detector detector, byte[] jpegBytes, BufferedImage frame) {
        // tag::inputs[]
        DetectionResult fromFile = detector.detect(ImageInput.of(Path.of("street.jpg")), "person . bicycle");
        DetectionResult fromBytes = detector.detect(ImageInput.of(jpegBytes), "person . bicycle");      // e.g. an HTTP upload
        DetectionResult fromImage = detector.detect(ImageInput.of(frame), "person . bicycle");          // e.g. a video frame
        for (Detection d : fromFile.detections()) {
            Box b = d.box();                        // pixels of the input image, origin top-left
            System.out.printf("%s %.2f (%.0f, %.0f)-(%.0f, %.0f)%n", d.label(), d.score(), b.x0(), b.y0(), b.x1(),
                    b.y1());
        }
        // end::inputs[]
        System.out.println(fromBytes.size() + fromImage.size());
    }

    static void thresholds(Detector detector, Path image) {
        // tag::thresholds[]
        try (Detector recall = detector.withThresholds(0.25, 0.2);       // finds more, with more false positives
             Detector precise = detector.withThresholds(0.5, 0.4)) {    // keeps only confident boxes
            System.out.println(recall.detect(ImageInput.of(image), "dog").size() + " vs " + precise.detect(ImageInput.of(image), "dog").size());
        }
        // end::thresholds[]
    }

    static void prompts(Detector detector, Path image) {
        // tag::prompts[]
        DetectionResult result = detector.detect(ImageInput.of(image), "red car . person with a hat . traffic light");
        System.out.println(result.caption());     // "red car . person with a hat . traffic light ."
        System.out.println(result.labels());      // e.g. [red car, person with a hat, traffic light]
        // end::prompts[]
    }

    static void classes(Detector detector, Path image) {
        // tag::classes[]
        List<String> classes = List.of("cat", "dog", "sofa");
        DetectionResult result = detector.detect(ImageInput.of(image), Prompt.classes(classes));         // caption "cat. dog. sofa."
        for (Detection d : result.detections()) {
            String name = d.hasClass() ? classes.get(d.classId()) : "(no class)";
            System.out.println(name + " " + d.score());
        }
        try (Detector perClass = detector.withClassMatching(ClassMatching.TOKEN_SPANS);   // one score per class
             Detector deduplicated = perClass.withNms(NmsMode.PER_LABEL, 0.5)) {          // then NMS per class
            System.out.println(deduplicated.detect(ImageInput.of(image), Prompt.classes(classes)).size());
        }
        // end::classes[]
    }

    static void longClassList(Detector detector, Path image, List<String> lvisNames) {
        // tag::long-class-list[]
        try (Detector labeller = detector.withClassMatching(ClassMatching.TOKEN_SPANS)) {
            DetectionResult result = labeller.detect(ImageInput.of(image), Prompt.classes(lvisNames));  // 1,203 names
            System.out.println(result.chunks());     // e.g. [Chunk[first=0, end=58], Chunk[first=58, end=115], ...]
            for (Detection d : result.detections()) {
                System.out.println(lvisNames.get(d.classId()) + " " + d.score());  // global class ids
            }
        }
        // end::long-class-list[]
    }

    static void imageFeatures(Detector detector, Path image) {
        // tag::image-features[]
        try (ImageFeatures features = detector.encodeImage(ImageInput.of(image))) {   // backbone once
            DetectionResult people = detector.detect(features, "person . bicycle");
            DetectionResult signs = detector.detect(features, "stop sign . traffic light");
            System.out.println(people.size() + " " + signs.size() + " " + features);
        }
        // end::image-features[]
    }

    static void batches(Detector detector, List<Path> files) {
        // tag::batches[]
        BatchProgress progress = (stage, done, total) -> System.err.println(stage + " " + done + "/" + total);
        List<DetectionResult> results = new ArrayList<>();
        try (Detector batched = detector.withBatchSize(4)) {                // 4 images per forward pass
            for (int start = 0; start < files.size(); start += 64) {       // bounded memory for the results
                List<Path> slice = files.subList(start, Math.min(files.size(), start + 64));
                results.addAll(batched.detect(ImageInput.files(slice), Prompt.text("person . car"), progress));
            }
        }
        // end::batches[]
        System.out.println(results.size());
    }

    static void export(Detector detector, Path image) {
        // tag::export[]
        DetectionResult result = detector.detect(ImageInput.of(image), "cat . dog");
        Annotator.write(image, result, Path.of("annotated.jpg"));           // boxes + "label score" tags
        BufferedImage annotated = Annotator.annotate(image, result);         // or in memory
        DetectionExport.writeJson(Path.of("cat_dog.json"), image.getFileName().toString(), result);
        Map<String, DetectionResult> dataset = new LinkedHashMap<>();
        dataset.put(image.getFileName().toString(), result);
        DetectionExport.writeCoco(Path.of("instances.json"), dataset, List.of("cat", "dog"));
        DetectionExport.writeYolo(Path.of("labels"), dataset, List.of("cat", "dog"));
        // end::export[]
        System.out.println(annotated.getWidth());
    }

    static void groundedSam(Path image) {
        // tag::grounded-sam[]
        try (Detector detector = Detector.load(Path.of("groundingdino_swint_ogc.pth"));
             Segmenter segmenter = Segmenter.load(Path.of("sam_vit_h_4b8939.pth"))) {
            GroundedSamResult result = GroundedSam.run(detector, segmenter, ImageInput.of(image), "dog . ball");
            for (GroundedMask m : result.masks()) {
                System.out.println(m.label() + " " + m.mask().area() + " px, predicted IoU "
                        + m.mask().predictedIou());
            }
            MaskOverlay.write(image, result.overlayItems(), Path.of("grounded_sam.png"));
        }
        // end::grounded-sam[]
    }

    static void segmenter(Segmenter segmenter, Path image) {
        // tag::segmenter[]
        try (ImageEmbedding embedding = segmenter.embed(ImageInput.of(image))) {          // the slow part, once per image
            Segmentation truck = segmenter.segment(embedding, MaskPrompt.of(new Box(75, 275, 1725, 850)));
            List<Segmentation> parts = segmenter.segment(embedding,
                    MaskPrompt.ofBoxes(List.of(new Box(425, 600, 700, 875), new Box(1240, 675, 1400, 750))), false);   // one batched call
            MaskBitmap mask = truck.best().bitmap();                         // original image size
            mask.writePng(Path.of("truck_mask.png"));
            System.out.println(parts.size());
        }
        // end::segmenter[]
    }

    static Segmenter segmenterBf16() {
        // tag::segmenter-bf16[]
        Segmenter segmenter = Segmenter.builder(Path.of("sam_vit_h_4b8939.pth"))
                .precision(Precision.BF16)     // bfloat16 image encoder: faster on AVX-512 BF16 CPUs
                .build();
        // end::segmenter-bf16[]
        return segmenter;
    }

    static void segmenterPoints(Segmenter segmenter, Path image) {
        // tag::segmenter-points[]
        try (ImageEmbedding embedding = segmenter.embed(ImageInput.of(image))) {
            Segmentation wheel = segmenter.segment(embedding, MaskPrompt.of(
                    Point.foreground(575, 750), Point.background(800, 700)));     // click in, click out
            Segmentation window = segmenter.segment(embedding,
                    MaskPrompt.of(new Box(1100, 300, 1500, 550), Point.foreground(1300, 420)));   // box + point
            System.out.println(wheel.best().area() + " " + window.best().toRle());
        }
        // end::segmenter-points[]
    }

    static void gpu() {
        // tag::gpu[]
        try (Detector detector = Detector.builder(Path.of("groundingdino_swint_ogc.pth"))
                     .device(Device.CUDA).precision(Precision.FP16).batchSize(8).build();
             Segmenter segmenter = Segmenter.builder(Path.of("sam2.1_hiera_large.pt"))
                     .device(Device.CUDA).precision(Precision.BF16).build()) {
            System.out.println(detector + " " + segmenter);
        }
        // end::gpu[]
    }

    static void threads(List<Path> images) throws InterruptedException, ExecutionException {
        // tag::threads[]
        try (Detector detector = Detector.load(Path.of("groundingdino_swint_ogc.pth"))) {
            ExecutorService pool = Executors.newFixedThreadPool(2);          // one model, two calls at a time
            List<Future<DetectionResult>> futures = new ArrayList<>();
            for (Path image : images) {
                futures.add(pool.submit(() -> detector.detect(ImageInput.of(image), "person . car")));
            }
            for (Future<DetectionResult> f : futures) {
                System.out.println(f.get().size());
            }
            pool.shutdown();
        }   // close() waits for calls still running, then frees the weights
        // end::threads[]
    }

    static void errors(Detector detector, byte[] upload, String prompt) {
        // tag::errors[]
        try {
            DetectionResult result = detector.detect(ImageInput.of(upload), prompt);
            System.out.println(result.size());
        } catch (ImageException e) {          // not an image, truncated, too large
            System.err.println("bad image: " + e.getMessage());
        } catch (PromptException e) {         // empty, or only separators
            System.err.println("bad prompt: " + e.getMessage());
        }
        // end::errors[]
    }
}
