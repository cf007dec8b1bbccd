/**
 * GroundingDINO open-set object detection on libtorch: {@link dev.groundingdino.Detector} loads an official
 * checkpoint ({@code groundingdino_swint_ogc.pth}, {@code groundingdino_swinb_cogcoor.pth}, or a
 * {@code .safetensors} conversion) and {@link dev.groundingdino.Detector#detect detects} the objects a text prompt
 * names, returning plain Java records; {@link dev.groundingdino.Annotator} draws them and
 * {@link dev.groundingdino.DetectionExport} writes JSON, COCO or YOLO files.
 *
 * <pre>{@code
 * try (Detector detector = Detector.load(Path.of("groundingdino_swint_ogc.pth"))) {
 *     DetectionResult result = detector.detect(Path.of("cat_dog.jpeg"), "cat . dog");
 *     Annotator.write(Path.of("cat_dog.jpeg"), result, Path.of("output.jpg"));
 *     DetectionExport.writeJson(Path.of("detections.json"), "cat_dog.jpeg", result);
 * }
 * }</pre>
 *
 * <h2>Conventions</h2>
 * <ul>
 *   <li>{@link dev.groundingdino.Detection#box()} is in pixels of the input image, {@code (x0, y0, x1, y1)}, origin
 *       top-left, x right, y down, not clipped; {@link dev.groundingdino.Detection#normalizedBox()} is the model's
 *       {@code (cx, cy, w, h)} as fractions of the image size.</li>
 *   <li>Detections come in query order, exactly as the reference's {@code predict()} returns them (not sorted by
 *       score; {@link dev.groundingdino.DetectionResult#byScore()} sorts). Labels are the reference's phrases,
 *       including its quirks ({@code "cat dog [SEP]"}, {@code ""}) with weak models.</li>
 *   <li>Results match the reference (GroundingDINO commit 856dde20, {@code util/inference.py}) for FP32 on the CPU:
 *       boxes and scores to ~1e-5, phrases exactly.</li>
 * </ul>
 *
 * <h2>Errors</h2>
 * All unchecked: unusable checkpoints {@link dev.groundingdino.CheckpointException} (a Segment Anything checkpoint
 * is named as such), unreadable images {@link dev.groundingdino.ImageException}, empty prompts
 * {@link dev.groundingdino.PromptException}, thresholds outside [0, 1] {@link dev.groundingdino.OptionException},
 * native failures {@link dev.groundingdino.NativeLibraryException}, use after {@code close()}
 * {@link IllegalStateException}.
 *
 * <h2>Threads and memory</h2>
 * A {@code Detector} is immutable and thread-safe; each call runs on the calling thread inside its own native memory
 * scope. Derived detectors ({@code withThresholds}, ...) share the weights, which are freed when the last of them is
 * closed.
 */
package dev.groundingdino;
