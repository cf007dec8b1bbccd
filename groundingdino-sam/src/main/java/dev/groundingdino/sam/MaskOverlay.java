package dev.groundingdino.sam;

import dev.groundingdino.Box;
import dev.groundingdino.ImageException;
import dev.groundingdino.internal.annotate.Canvas;
import dev.groundingdino.internal.annotate.Palette;
import dev.groundingdino.internal.annotate.Rgb;
import dev.groundingdino.internal.image.ImageDecoder;
import dev.groundingdino.internal.image.RgbImage;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Draws masks on their image: each mask tinted translucently in its colour, then its box outlined in the same
 * colour with a filled label tag at the box's top-left corner (the detection annotation of
 * {@link dev.groundingdino.Annotator}, with the masks underneath). The input image is never modified; drawing uses
 * OpenCV.
 *
 * <pre>{@code
 * List<Segmentation> segs = segmenter.segment(embedding, prompts, false);
 * MaskOverlay.write(Path.of("truck.jpg"), MaskOverlay.items(segs), Path.of("overlay.png"));
 * }</pre>
 *
 * For Grounded-SAM results see {@link GroundedSamResult#overlayItems()}.
 */
public final class MaskOverlay {
    /** Opacity of the mask tint: {@code pixel = (1 - a) * pixel + a * colour}. */
    public static final double MASK_ALPHA = 0.5;

    /**
     * One thing to draw. Any of mask, box and label may be null (a label needs a box to sit on).
     *
     * @param mask the mask to tint, of the image's size
     * @param box the box to outline, in image pixels
     * @param label text for the tag at the box's top-left corner (printable ASCII; other characters show as '?')
     * @param rgb the colour as {@code 0xRRGGBB}, e.g. {@link #paletteColor(int)}
     */
    public record Item(MaskBitmap mask, Box box, String label, int rgb) {
        public Item {
            if ((rgb & ~0xFFFFFF) != 0) {
                throw new dev.groundingdino.InvalidValueException("rgb must be 0xRRGGBB (0 to 0xFFFFFF), got 0x"
                        + Integer.toHexString(rgb));
            }
        }
    }

    private MaskOverlay() {}

    /**
     * Colour number {@code index} of the project palette as {@code 0xRRGGBB}: 20 hand-picked distinct colours, then
     * generated ones (the colours {@link dev.groundingdino.Annotator} gives to labels).
     */
    public static int paletteColor(int index) {
        Rgb c = Palette.DEFAULT.color(index);
        return (c.r() << 16) | (c.g() << 8) | c.b();
    }

    /**
     * One item per segmentation, in order: its best mask ({@link Segmentation#best()}), its prompt box (or the mask's bounds for point prompts), the label
     * {@code "<i>: iou <predicted IoU:.2f>"} and palette colour {@code i}.
     */
    public static List<Item> items(List<Segmentation> segmentations) {
        Objects.requireNonNull(segmentations, "segmentations");
        List<Item> out = new ArrayList<>(segmentations.size());
        for (int i = 0; i < segmentations.size(); i++) {
            Segmentation s = segmentations.get(i);
            Mask best = s.best();
            out.add(new Item(best.bitmap(), s.prompt().box() != null ? s.prompt().box() : best.bounds(),
                    String.format(Locale.ROOT, "%d: iou %.2f", i, best.predictedIou()), paletteColor(i)));
        }
        return out;
    }

    /**
     * The annotated image file as a new {@code TYPE_3BYTE_BGR} image.
     *
     * @throws ImageException if the image cannot be read or decoded
     * @throws IllegalArgumentException if a mask does not have the image's size
     */
    public static BufferedImage draw(Path image, List<Item> items) {
        return draw(ImageDecoder.read(Objects.requireNonNull(image, "image")), items);
    }

    /** The annotated encoded image (the content of a JPEG, PNG, ... file) as a new {@code TYPE_3BYTE_BGR} image. */
    public static BufferedImage draw(byte[] encodedImage, List<Item> items) {
        return draw(ImageDecoder.decode(Objects.requireNonNull(encodedImage, "encodedImage")), items);
    }

    /** The annotated image as a new {@code TYPE_3BYTE_BGR} image (colour samples taken as RGB, alpha ignored). */
    public static BufferedImage draw(BufferedImage image, List<Item> items) {
        return draw(ImageDecoder.fromBufferedImage(Objects.requireNonNull(image, "image")), items);
    }

    /**
     * Annotates an image file and writes the result; the format follows {@code output}'s extension ({@code .png},
     * or {@code .jpg}/{@code .jpeg} at quality 95). Missing folders are created.
     *
     * @throws ImageException if the image cannot be decoded or the output cannot be written
     * @throws IllegalArgumentException if the extension is not supported or a mask does not have the image's size
     */
    public static void write(Path image, List<Item> items, Path output) {
        Objects.requireNonNull(output, "output");
        Canvas.formatOf(output);
        try (Canvas canvas = paint(ImageDecoder.read(Objects.requireNonNull(image, "image")), items)) {
            canvas.write(output);
        }
    }

    /** Annotates a decoded image and writes the result (format by {@code output}'s extension). */
    public static void write(BufferedImage image, List<Item> items, Path output) {
        Objects.requireNonNull(output, "output");
        Canvas.formatOf(output);
        try (Canvas canvas = paint(ImageDecoder.fromBufferedImage(Objects.requireNonNull(image, "image")), items)) {
            canvas.write(output);
        }
    }

    private static BufferedImage draw(RgbImage image, List<Item> items) {
        try (Canvas canvas = paint(image, items)) {
            return canvas.toBufferedImage();
        }
    }

    /** Masks first, then every box, then every label (so tags are not crossed by later boxes or tints). */
    private static Canvas paint(RgbImage image, List<Item> items) {
        Objects.requireNonNull(items, "items");
        for (int i = 0; i < items.size(); i++) {
            Item it = Objects.requireNonNull(items.get(i), "item " + i);
            MaskBitmap m = it.mask();
            if (m != null && (m.width() != image.width() || m.height() != image.height())) {
                throw new dev.groundingdino.InvalidValueException("mask " + i + " is " + m.width() + "x" + m.height()
                        + " but the image is " + image.width() + "x" + image.height() + "; draw the masks on the "
                        + "image they were computed for");
            }
        }
        Canvas canvas = Canvas.of(image);
        try {
            for (Item it : items) {
                if (it.mask() != null) {
                    canvas.blendMask(it.mask().toBytes(), color(it), MASK_ALPHA);
                }
            }
            for (Item it : items) {
                if (it.box() != null) {
                    Box b = it.box();
                    canvas.drawBox(b.x0(), b.y0(), b.x1(), b.y1(), color(it));
                }
            }
            for (Item it : items) {
                if (it.box() != null && it.label() != null) {
                    canvas.drawLabel(it.label(), it.box().x0(), it.box().y0(), color(it));
                }
            }
            return canvas;
        } catch (RuntimeException e) {
            canvas.close();
            throw e;
        }
    }

    private static Rgb color(Item it) {
        return Rgb.of(it.rgb());
    }
}
