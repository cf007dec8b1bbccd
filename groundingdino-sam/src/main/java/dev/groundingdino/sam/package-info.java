/**
 * Segment Anything (SAM) with box prompts, on libtorch: {@link dev.groundingdino.sam.Segmenter} loads an official
 * checkpoint ({@code sam_vit_b/l/h_*.pth} or a {@code .safetensors} conversion),
 * {@link dev.groundingdino.sam.Segmenter#embed embeds} an image once into a closeable
 * {@link dev.groundingdino.sam.ImageEmbedding}, and {@link dev.groundingdino.sam.Segmenter#segment segments} it
 * with one box or a batch of boxes, returning plain Java records. {@link dev.groundingdino.sam.GroundedSam} is
 * Grounded-SAM in one call: a GroundingDINO {@link dev.groundingdino.Detector} finds the boxes a text prompt names
 * and the segmenter turns each into a mask.
 *
 * <h2>Exports</h2>
 * <ul>
 *   <li>{@link dev.groundingdino.sam.MaskBitmap#toRle()}: COCO run-length encoding exactly as
 *       {@code pycocotools.mask.encode} ({@link dev.groundingdino.sam.CocoRle}: column-major counts and the compressed
 *       string).</li>
 *   <li>{@link dev.groundingdino.sam.MaskBitmap#toPolygons()}: outer contours as COCO polygons
 *       {@code [x1, y1, x2, y2, ...]} (OpenCV {@code findContours}, {@code CHAIN_APPROX_SIMPLE}).</li>
 *   <li>{@link dev.groundingdino.sam.MaskBitmap#writePng}: the mask as a 0/255 grey PNG.</li>
 *   <li>{@link dev.groundingdino.sam.MaskOverlay}: translucent masks, boxes and labels drawn over the image, as a
 *       {@code BufferedImage} or a PNG/JPEG file.</li>
 * </ul>
 *
 * <h2>Conventions</h2>
 * <ul>
 *   <li>Coordinates are pixels of the original image, origin top-left, x right, y down; boxes are
 *       {@link dev.groundingdino.sam.Box} {@code (x0, y0, x1, y1)} and must lie inside the image.</li>
 *   <li>Masks ({@link dev.groundingdino.sam.MaskBitmap}) have the original image size; a pixel is in the mask where
 *       SAM's upscaled logit is {@code > 0}.</li>
 *   <li>Results match the reference {@code SamPredictor} (segment-anything, commit dca509fe): low-resolution logits
 *       to ~1e-6, IoU predictions to ~1e-6, masks up to the pixels whose logit is within that noise of 0.</li>
 * </ul>
 *
 * <h2>Errors</h2>
 * Unusable checkpoints throw {@link dev.groundingdino.CheckpointException}; unreadable images
 * {@link dev.groundingdino.ImageException}; bad prompts {@link dev.groundingdino.sam.InvalidPromptException} and its
 * subclasses {@link dev.groundingdino.sam.InvalidBoxException}, {@link dev.groundingdino.sam.InvertedBoxException},
 * {@link dev.groundingdino.sam.BoxOutsideImageException}; a closed or foreign embedding
 * {@link dev.groundingdino.sam.InvalidEmbeddingException} / {@link dev.groundingdino.sam.ClosedEmbeddingException}.
 * All are unchecked.
 *
 * <h2>Threads and memory</h2>
 * A {@code Segmenter} is immutable and thread-safe; each call works on the calling thread inside its own native
 * memory scope. The weights live until {@link dev.groundingdino.sam.Segmenter#close()}, each embedding until its own
 * {@code close()}.
 */
package dev.groundingdino.sam;
