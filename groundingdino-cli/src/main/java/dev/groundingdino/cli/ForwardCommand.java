package dev.groundingdino.cli;

import dev.groundingdino.Detector;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gdino forward --weights W [--config C] --inputs IN.safetensors --out OUT.safetensors}: the model's raw
 * forward pass on given model inputs ({@link Detector#forward}), for parity checks against the reference code or
 * transformers.
 */
@Command(name = "forward", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Runs the model's raw forward pass on given model inputs, for parity checks.",
                "",
                "No preprocessing and no tokenizer: --inputs is a .safetensors file with pixel_values [B,3,H,W] "
                        + "float32 (normalised), input_ids [B,n] int64 and optionally pixel_mask [B,H,W] (uint8, "
                        + "bool or int64; 1 = image pixel), attention_mask [B,n] and token_type_ids [B,n] (all 0), "
                        + "as transformers' processor makes them. Text is cut to 256 tokens. Writes pred_logits "
                        + "[B,Q,256] and pred_boxes [B,Q,4] (float32) to --out. Works for .pth, .safetensors and "
                        + "Hugging Face checkpoints."})
final class ForwardCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--inputs", required = true, paramLabel = "IN",
            description = "The model inputs (.safetensors).")
    Path inputs;

    @Option(names = "--out", required = true, paramLabel = "OUT",
            description = "Where to write pred_logits and pred_boxes (.safetensors; replaced if present).")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        if (model.weights == null) {
            throw new UsageException("--weights is required: the checkpoint to run (a .pth, .safetensors or Hugging "
                    + "Face folder, a release name, or 'demo')");
        }
        if (!Files.isRegularFile(inputs)) {
            throw new UsageException("--inputs " + inputs + ": no such file");
        }
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new UsageException("--out " + out + ": the folder " + parent + " does not exist");
        }
        model.check("gdino forward", err);
        try (Detector detector = model.detectorBuilder().build()) {
            detector.forward(inputs, out);
        }
        spec.commandLine().getOut().println("wrote pred_logits and pred_boxes to " + out);
        return 0;
    }
}
