package dev.groundingdino.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.groundingdino.internal.weights.StateDict;
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
        description = {"Lists the tensors of a .pth or .safetensors checkpoint (name, shape, dtype), the number of ",
                "elements and the detected model variant. Nothing in the file is executed."})
final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "a .pth or .safetensors file")
    Path checkpoint;

    @Option(names = "--json", description = "print {\"variant\", \"tensors\": [{\"name\", \"shape\", \"dtype\"}]} as JSON")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (StateDict sd = StateDict.read(checkpoint)) {
            String variant = CheckpointVariant.of(sd);
            long elements = 0;
            for (String name : sd.names()) {
                elements += sd.numel(name);
            }
            if (json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("variant", variant);
                doc.put("format", sd.format().name().toLowerCase(java.util.Locale.ROOT));
                sd.wrapperKey().ifPresent(k -> doc.put("wrapper_key", k));
                doc.put("num_tensors", sd.size());
                doc.put("num_elements", elements);
                List<Map<String, Object>> tensors = new ArrayList<>();
                for (String name : sd.names()) {
                    Map<String, Object> t = new LinkedHashMap<>();
                    t.put("name", name);
                    t.put("shape", sd.shape(name));
                    t.put("dtype", sd.dtype(name).torchName());
                    tensors.add(t);
                }
                doc.put("tensors", tensors);
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc));
                return 0;
            }
            int width = 4;
            for (String name : sd.names()) {
                width = Math.max(width, name.length());
            }
            String row = "%-" + width + "s  %-22s  %s%n";
            out.printf(row, "name", "shape", "dtype");
            for (String name : sd.names()) {
                out.printf(row, name, Arrays.toString(sd.shape(name)), sd.dtype(name).torchName());
            }
            out.println();
            out.printf("checkpoint: %s (%s%s)%n", checkpoint, sd.format().name().toLowerCase(java.util.Locale.ROOT),
                    sd.wrapperKey().map(k -> ", state dict under \"" + k + "\"").orElse(""));
            out.printf("tensors:    %,d%n", sd.size());
            out.printf("elements:   %,d%n", elements);
            out.printf("variant:    %s%n", variant);
            return 0;
        }
    }
}
