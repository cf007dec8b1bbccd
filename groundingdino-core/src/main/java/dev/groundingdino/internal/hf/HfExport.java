package dev.groundingdino.internal.hf;

import dev.groundingdino.CheckpointException;
import dev.groundingdino.internal.export.AtomicFiles;
import dev.groundingdino.internal.groundingdino.GroundingDINO;
import dev.groundingdino.internal.groundingdino.GroundingDinoConfig;
import dev.groundingdino.internal.weights.SafetensorsWriter;
import dev.groundingdino.internal.weights.StateDict;
import dev.groundingdino.internal.weights.StrictLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Writes a model of the reference tree (e.g. an original {@code .pth} checkpoint) in the Hugging Face layout:
 * {@code config.json} ({@link HfConfig#toJson}) and {@code model.safetensors} with the canonical Hub names of
 * {@link HfKeyMap}, fused q/k/v tensors split into {@code query/key/value}, as {@code save_pretrained} writes them:
 * a head that equals head 0 is stored once (as head 0), the decoder's aliases of the heads are not stored, and
 * neither are the derived buffers nor the reference BERT's pooler (transformers' ports build BERT without one).
 */
public final class HfExport {
    private static final Pattern HEAD = Pattern.compile("(bbox_embed|class_embed)\\.(\\d+)\\.(.+)");

    private HfExport() {}

    /**
     * Writes {@code folder/config.json} and {@code folder/model.safetensors}.
     *
     * @param cfg the model's config
     * @param reference the model's tensors under reference names (checked strictly against {@code cfg})
     * @param type the transformers model type to write ({@link HfConfig.ModelType#MM_GROUNDING_DINO} needs a config
     *     with biased class heads)
     * @param folder created if absent
     * @throws CheckpointException if the tensors do not match {@code cfg}
     * @throws IllegalArgumentException if {@code cfg} cannot be expressed in transformers' config
     */
    @SuppressWarnings("try") // the scope frees the split tensors once written
    public static void write(GroundingDinoConfig cfg, StateDict reference, HfConfig.ModelType type, Path folder) {
        String configText = HfConfig.toJsonText(cfg, type);
        Map<String, long[]> declared = GroundingDINO.declaredParameters(cfg);
        StrictLoader.Match match = StrictLoader.check(reference, declared, cfg.name());
        try (PointerScope scope = new PointerScope()) {
            Set<String> tied = tiedHeads(declared.keySet(), match);
            Map<String, Tensor> hub = new LinkedHashMap<>();
            for (String name : declared.keySet()) {
                if (match.isDerived(name) || name.endsWith("relative_position_index")
                        || name.endsWith("embeddings.position_ids") || name.startsWith("bert.pooler.")
                        || name.startsWith("transformer.decoder.bbox_embed.")) {
                    continue; // computed buffers, the pooler transformers does not build, the decoder's alias
                }
                Matcher head = HEAD.matcher(name);
                if (head.matches() && tied.contains(head.group(1) + "." + head.group(2))) {
                    continue; // save_pretrained stores a tied head once, as head 0
                }
                Tensor t = match.get(name);
                List<HfKeyMap.HubName> names = HfKeyMap.toHub(name);
                if (names.isEmpty()) {
                    throw new IllegalStateException("no Hub name for " + name);
                }
                for (HfKeyMap.HubName h : names) {
                    if (h.part() == HfKeyMap.Part.WHOLE) {
                        hub.put(h.key(), t);
                    } else {
                        long c = t.size(0) / 3;
                        hub.put(h.key(), t.narrow(0, h.part().third() * c, c).contiguous()); // (C, ...) one third
                    }
                }
            }
            Files.createDirectories(folder);
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("format", "pt");
            SafetensorsWriter.write(folder.resolve(HfCheckpoint.WEIGHTS), hub, metadata);
            AtomicFiles.write(folder.resolve(HfCheckpoint.CONFIG), configText.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Hugging Face checkpoint to " + folder + ": "
                    + e.getMessage(), e);
        }
    }

    /** The heads {@code i > 0} ({@code "bbox_embed.i"}, {@code "class_embed.i"}) whose every tensor equals head 0's. */
    private static Set<String> tiedHeads(Set<String> names, StrictLoader.Match match) {
        Map<String, Boolean> equal = new LinkedHashMap<>();
        for (String name : names) {
            Matcher m = HEAD.matcher(name);
            if (!m.matches() || m.group(2).equals("0")) {
                continue;
            }
            Tensor t = match.get(name);
            Tensor first = match.get(m.group(1) + ".0." + m.group(3));
            boolean same = Arrays.equals(first.sizes().vec().get(), t.sizes().vec().get()) && first.equal(t);
            equal.merge(m.group(1) + "." + m.group(2), same, Boolean::logicalAnd);
        }
        Set<String> tied = new HashSet<>();
        equal.forEach((head, same) -> {
            if (same) {
                tied.add(head);
            }
        });
        return tied;
    }
}
