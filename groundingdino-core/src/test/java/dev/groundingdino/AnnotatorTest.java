package dev.groundingdino;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.groundingdino.testing.Golden;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The public annotation entry points. */
class AnnotatorTest {

    static DetectionResult result(int w, int h) {
        NormalizedBox nb = new NormalizedBox(0.4, 0.5, 0.3, 0.4);
        return new DetectionResult(w, h, "cat.", List.of(), List.of(
                new Detection("cat", "cat", 0.87, nb.toPixels(w, h), nb, List.of(1), 0, -1)));
    }

    @Test
    void writesTheAnnotatedImageAndLeavesTheInputAlone(@TempDir Path tmp) throws Exception {
        Path image = Golden.file("images/cat_dog.jpeg");
        Path out = tmp.resolve("output.jpg");
        Annotator.write(image, result(1200, 901), out);
        BufferedImage written = ImageIO.read(out.toFile());
        assertThat(written.getWidth()).isEqualTo(1200);
        assertThat(written.getHeight()).isEqualTo(901);
        BufferedImage original = ImageIO.read(image.toFile());
        BufferedImage annotated = Annotator.annotate(original, result(1200, 901));
        int changed = 0;
        for (int x = 0; x < 1200; x += 2) {
            changed += annotated.getRGB(x, (int) (0.3 * 901)) != original.getRGB(x, (int) (0.3 * 901)) ? 1 : 0;
        }
        assertThat(changed).isGreaterThan(50); // the top edge of the box (y = 0.3 * 901) was drawn
        assertThat(Annotator.annotate(image, result(1200, 901)).getWidth()).isEqualTo(1200);
    }

    @Test
    void rejectsAResultOfAnotherImageAndUnknownFormats(@TempDir Path tmp) {
        Path image = Golden.file("images/cat_dog.jpeg");
        assertThatThrownBy(() -> Annotator.write(image, result(100, 100), tmp.resolve("x.png")))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("100x100");
        assertThatThrownBy(() -> Annotator.write(image, result(1200, 901), tmp.resolve("x.tiff")))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("*.png");
    }

    @Test
    void captionsRoundLikePythonsFormat() {
        NormalizedBox nb = new NormalizedBox(0.5, 0.5, 0.1, 0.1);
        assertThat(new Detection("cat", "cat", 0.125, nb.toPixels(10, 10), nb, List.of(), 0, -1).caption())
                .isEqualTo("cat 0.12"); // f"{0.125:.2f}" == "0.12" (half to even on an exact tie)
        assertThat(new Detection("dog", "dog", 0.8700000047683716, nb.toPixels(10, 10), nb, List.of(), 0, -1).caption())
                .isEqualTo("dog 0.87");
        assertThat(new Detection("object", "", 0.99609375, nb.toPixels(10, 10), nb, List.of(), 0, -1).caption())
                .isEqualTo("object 1.00");
        // a blank label is never shown: the reference's empty phrase goes to phrase()
        assertThatThrownBy(() -> new Detection(" ", "", 0.5, nb.toPixels(10, 10), nb, List.of(), 0, -1))
                .isInstanceOf(InvalidValueException.class);
    }
}
