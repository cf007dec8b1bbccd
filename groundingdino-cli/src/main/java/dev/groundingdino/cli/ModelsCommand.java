package dev.groundingdino.cli;

import dev.groundingdino.CheckpointException;
import dev.groundingdino.HubModel;
import dev.groundingdino.ModelWeights;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code gdino models}: the checkpoints --weights knows by name, and which of them are cached. */
@Command(name = "models", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Lists the checkpoints that --weights accepts by name, and where each is cached.",
                "",
                "The official .pth releases and the Hugging Face Hub models (GroundingDINO, MM-GroundingDINO, "
                        + "LLMDet), with their reported accuracy. A model that is not cached is fetched by "
                        + "'--weights NAME --download'; nothing here touches the network."})
final class ModelsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.println("Official releases (.pth), cache " + ModelWeights.cacheDir() + ":");
        for (ModelWeights w : ModelWeights.all()) {
            boolean cached = Files.isRegularFile(w.cachedFile());
            out.printf("  %-46s %s%n  %-46s %s%n", w.name(), w.description(), "",
                    cached ? "cached: " + w.cachedFile() : "not cached (" + w.size() / (1 << 20) + " MiB, "
                            + w.urls().get(0) + ")");
        }
        out.println();
        out.println("Hugging Face models (config.json + model.safetensors):");
        for (HubModel m : HubModel.all()) {
            String where;
            try {
                where = "cached: " + m.locate();
            } catch (CheckpointException e) {
                where = "not cached (" + m.page() + ")";
            }
            out.printf("  %-46s %s%n  %-46s %s%n", m.name(), m.description(), "", where);
        }
        out.println();
        out.println("Use a name with --weights (add --download to fetch it), or pass any file or model folder.");
        return 0;
    }
}
