/**
 * Image decoding and the references' preprocessing, reproduced bit-exactly: decoding like PIL's
 * {@code Image.open().convert("RGB")} ({@link dev.groundingdino.internal.image.ImageDecoder}), Pillow's bilinear
 * resize ({@link dev.groundingdino.internal.image.PilResize}), GroundingDINO's {@code load_image} transform
 * ({@link dev.groundingdino.internal.image.GroundingDinoTransform}) and SAM's {@code ResizeLongestSide} +
 * {@code Sam.preprocess} ({@link dev.groundingdino.internal.image.SamTransform}).
 */
package dev.groundingdino.internal.image;
