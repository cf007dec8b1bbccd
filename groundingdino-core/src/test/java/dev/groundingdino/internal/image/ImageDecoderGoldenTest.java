package dev.groundingdino.internal.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.groundingdino.testing.Fingerprint;
import dev.groundingdino.testing.Golden;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every golden image decodes to exactly the bytes PIL's {@code Image.open(p).convert("RGB")} produced
 * ({@code images/images.json}: sha256 of the decoded HWC bytes, plus a fingerprint).
 */
class ImageDecoderGoldenTest {

    @TestFactory
    List<DynamicTest> decodedPixelsEqualPil() {
        JsonNode images = Golden.json(Golden.file("images/images.json"));
        List<DynamicTest> tests = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = images.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode info = e.getValue();
            tests.add(DynamicTest.dynamicTest(e.getKey(), () -> checkImage(info)));
        }
        assertThat(tests).hasSizeGreaterThanOrEqualTo(5);
        return tests;
    }

    private static void checkImage(JsonNode info) throws IOException {
        Path file = Golden.file(info.get("file").asText());
        assertThat(ImageGoldenSupport.sha256(Files.readAllBytes(file)))
                .as("golden file itself").isEqualTo(info.get("file_sha256").asText());

        RgbImage fromPath = ImageDecoder.read(file);
        assertThat(fromPath.width()).isEqualTo(info.get("width").asInt());
        assertThat(fromPath.height()).isEqualTo(info.get("height").asInt());
        Fingerprint fp = Fingerprint.of(info.get("decoded_rgb_fingerprint"));
        double maxErr = fp.check(file.getFileName() + " decoded RGB", ImageGoldenSupport.hwcShape(fromPath),
                ImageGoldenSupport.values(fromPath), 0, 0);
        assertThat(maxErr).isZero();
        assertThat(ImageGoldenSupport.sha256(fromPath.rgb()))
                .as("sha256 of the decoded RGB bytes of " + file.getFileName())
                .isEqualTo(info.get("decoded_rgb_sha256").asText());

        RgbImage fromBytes = ImageDecoder.decode(Files.readAllBytes(file));
        assertThat(fromBytes).isEqualTo(fromPath);
    }
}
