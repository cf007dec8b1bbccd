package dev.groundingdino.internal.groundingdino;

import dev.groundingdino.testing.Golden;
import java.nio.file.Path;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** The tiny golden GroundingDINO ({@code gdino.pth} with its {@code config.json}), for the model tests here. */
final class GoldenModel {
    private GoldenModel() {}

    /** The golden model in float32; the caller closes it. */
    static LoadedGroundingDino load() {
        return load(ScalarType.Float);
    }

    /** The golden model with its floating-point weights in {@code dtype}; the caller closes it. */
    static LoadedGroundingDino load(ScalarType dtype) {
        Path suite = Golden.gdinoSuite();
        return LoadedGroundingDino.load(suite.resolve("gdino.pth"),
                GroundingDinoConfigReader.fromGoldenJson(suite.resolve("config.json")), dtype);
    }
}
