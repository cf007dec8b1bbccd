package dev.groundingdino.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.groundingdino.CheckpointInfo;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gdino inspect [--json] <checkpoint>}: what is inside a {@code .pth} or {@code .safetensors} checkpoint. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = {"Lists the tensors of a .pth or .safetensors checkpoint.",
                "",
                "Prints each tensor's name, shape and dtype, the number of elements and the model the checkpoint "
                        + "belongs to. Nothing in the file is executed."})
final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "A .pth or .safetensors file.")
    Path checkpoint;

    @Option(names = "--json", description = "Print {\"variant\", \"tensors\": [{\"name\", \"shape\", \"dtype\"}]} as JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (!java.nio.file.Files.isRegularFile(checkpoint)) {
            throw new UsageException("CHECKPOINT " + checkpoint + ": no such file");
        }
        CheckpointInfo info = CheckpointInfo.read(checkpoint);
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("variant", info.variant());
            doc.put("format", info.format());
            if (info.wrapperKey() != null) {
                doc.put("wrapper_key", info.wrapperKey());
            }
            doc.put("num_tensors", info.tensors().size());
            doc.put("num_elements", info.numElements());
            List<Map<String, Object>> tensors = new ArrayList<>();
            for (CheckpointInfo.Tensor t : info.tensors()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", t.name());
                m.put("shape", t.shape());
                m.put("dtype", t.dtype());
                tensors.add(m);
            }
            doc.put("tensors", tensors);
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc));
            return 0;
        }
        int width = 4;
        for (CheckpointInfo.Tensor t : info.tensors()) {
            width = Math.max(width, t.name().length());
        }
        String row = "%-" + width + "s  %-22s  %s%n";
        out.printf(row, "name", "shape", "dtype");
        for (CheckpointInfo.Tensor t : info.tensors()) {
            out.printf(row, t.name(), Arrays.toString(t.shape()), t.dtype());
        }
        out.println();
        out.printf("checkpoint: %s (%s%s)%n", checkpoint, info.format(),
                info.wrapperKey() == null ? "" : ", state dict under \"" + info.wrapperKey() + "\"");
        out.printf("tensors:    %,d%n", info.tensors().size());
        out.printf("elements:   %,d%n", info.numElements());
        out.printf("variant:    %s%n", info.variant());
        return 0;
    }
}
