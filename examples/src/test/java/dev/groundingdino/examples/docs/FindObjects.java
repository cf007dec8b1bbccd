package dev.groundingdino.examples.docs;

// tag::find-objects[]
import dev.groundingdino.ImageInput;
import dev.groundingdino.Annotator;
import dev.groundingdino.Detection;
import dev.groundingdino.DetectionResult;
import dev.groundingdino.Detector;
import java.nio.file.Path;

public final class FindObjects {
    public static void main(String[] args) {
        Path image = Path.of(args[0]);                          // e.g. examples/images/cat_dog.jpeg
        try (Detector detector = Detector.load(Path.of("groundingdino_swint_ogc.pth"))) {
            DetectionResult result = detector.detect(ImageInput.of(image), "cat . dog");
            System.out.println("Found " + result.size() + " objects");
            for (Detection d : result.detections()) {
                System.out.println(d.label() + " " + d.score() + " " + d.box());   // box in pixels: x0 y0 x1 y1
            }
            Annotator.write(image, result, Path.of("annotated.jpg"));
        }
    }
}
// end::find-objects[]
