package dev.groundingdino.internal.hf;

import static org.bytedeco.pytorch.global.torch.cat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.groundingdino.CheckpointException;
import dev.groundingdino.internal.groundingdino.GroundingDINO;
import dev.groundingdino.internal.groundingdino.GroundingDinoConfig;
import dev.groundingdino.internal.groundingdino.LoadedGroundingDino;
import dev.groundingdino.internal.runtime.Natives;
import dev.groundingdino.internal.weights.StateDict;
import dev.groundingdino.internal.weights.StrictLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A GroundingDINO / MM-GroundingDINO checkpoint in the Hugging Face layout ({@code config.json} +
 * {@code model.safetensors}, as {@code save_pretrained} writes them and the Hub serves them), loaded onto the
 * project's model tree: {@link HfConfig} reads the config, {@link HfKeyMap} renames every tensor to the reference
 * name, fused q/k/v tensors are concatenated from the Hub's split ones, the tied aliases are resolved, and the
 * result is checked strictly by the project's {@link StrictLoader} (one exception listing every missing,
 * unexpected and mismatched tensor, with the Hub names of the missing ones).
 *
 * <p>Tied weights: {@code save_pretrained} stores a tied tensor once. {@code model.decoder.bbox_embed.i} and
 * {@code bbox_embed.i} (and MM-GroundingDINO's {@code model.decoder.class_embed.i} / {@code class_embed.i}) are
 * one module, so either spelling provides it; a head {@code i > 0} stored under neither spelling is head 0's
 * (transformers ties every head to head 0 for GroundingDINO with {@code decoder_bbox_embed_share} and for
 * MM-GroundingDINO). Heads the file does store are used as stored: released MM-GroundingDINO / LLMDet files carry
 * distinct per-layer heads (their original models have one head per decoder layer), which transformers 5.17
 * would replace by head 0; this loader keeps them (the model is then built with
 * {@code dec_pred_bbox_embed_share=False}).
 */
public final class HfCheckpoint {
    /** The file names of the layout. */
    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";

    private static final Pattern HEAD = Pattern.compile("(bbox_embed|class_embed)\\.(\\d+)\\.(.+)");
    private static final String DECODER_ALIAS = "transformer.decoder.";
    /** How many Hub names a message lists (as many as the strict loader lists per category). */
    private static final int MAX_LISTED = 25;

    /** Where the two files are. */
    public record Layout(Path config, Path weights) {
        /** A name for messages: the folder's name. */
        String name() {
            Path folder = weights.toAbsolutePath().getParent();
            return folder == null || folder.getFileName() == null ? WEIGHTS : folder.getFileName().toString();
        }
    }

    /** A checkpoint renamed onto the reference tree: the config it needs and its tensors (owned by the caller). */
    public record Converted(HfConfig.ModelType type, GroundingDinoConfig config, StateDict stateDict) {}

    private HfCheckpoint() {}

    /**
     * Recognises the Hugging Face layout: a folder holding {@code config.json} and {@code model.safetensors}, or a
     * file named {@code model.safetensors} with {@code config.json} beside it.
     *
     * @return the layout, or empty if {@code path} is something else (e.g. a {@code .pth} file)
     * @throws CheckpointException for a folder that has one of the two files but not the other, or only the shards
     *     of a sharded checkpoint
     */
    public static Optional<Layout> recognise(Path path) {
        if (Files.isDirectory(path)) {
            Path config = path.resolve(CONFIG);
            Path weights = path.resolve(WEIGHTS);
            boolean hasConfig = Files.isRegularFile(config);
            boolean hasWeights = Files.isRegularFile(weights);
            if (hasConfig && hasWeights) {
                return Optional.of(new Layout(config, weights));
            }
            if (hasConfig || hasWeights) {
                throw new CheckpointException("the folder " + path.toAbsolutePath() + " has " + (hasConfig ? CONFIG
                        : WEIGHTS) + " but no " + (hasConfig ? WEIGHTS : CONFIG) + "; a Hugging Face checkpoint "
                        + "needs both (download them together, e.g. from IDEA-Research/grounding-dino-tiny)"
                        + (hasConfig && Files.isRegularFile(path.resolve("model.safetensors.index.json"))
                                ? ". Sharded checkpoints (model.safetensors.index.json) are not supported: merge the "
                                        + "shards into one model.safetensors" : "")
                        + (hasConfig && Files.isRegularFile(path.resolve("pytorch_model.bin"))
                                ? ". pytorch_model.bin is not read: use the model.safetensors of the same repository"
                                : ""));
            }
            return Optional.empty();
        }
        if (path.getFileName() != null && path.getFileName().toString().equals(WEIGHTS) && Files.isRegularFile(path)) {
            Path config = path.resolveSibling(CONFIG);
            if (Files.isRegularFile(config)) {
                return Optional.of(new Layout(config, path));
            }
        }
        return Optional.empty();
    }

    /**
     * The layout of {@code weights} with an explicitly given {@code config.json} (e.g. a CLI's {@code --config}).
     *
     * @return the layout if {@code config} is a transformers config of a GroundingDINO model type
     */
    public static Optional<Layout> withConfig(Path weights, Path config) {
        if (!Files.isRegularFile(config) || !Files.isRegularFile(weights)) {
            return Optional.empty();
        }
        try {
            if (HfConfig.isTransformersConfig(new ObjectMapper().readTree(config.toFile()))) {
                return Optional.of(new Layout(config, weights));
            }
        } catch (IOException e) {
            return Optional.empty(); // not JSON: not a transformers config
        }
        return Optional.empty();
    }

    /**
     * The hook of the public loader: if {@code checkpoint} (with {@code config}, if given) is in the Hugging Face
     * layout, reads and converts it; otherwise returns null and the caller reads {@code checkpoint} as an original
     * checkpoint.
     *
     * @param checkpoint a folder or file
     * @param config an explicit config file, or null; with a Hub checkpoint it must be a transformers config.json
     * @throws CheckpointException as {@link #open}
     * @throws IllegalArgumentException if a Hub folder is given with a config that is not a transformers config
     */
    public static Converted openIfHub(Path checkpoint, Path config) {
        Optional<Layout> layout = config != null ? withConfig(checkpoint, config) : Optional.empty();
        if (layout.isEmpty()) {
            layout = recognise(checkpoint);
            if (layout.isPresent() && config != null) {
                throw new IllegalArgumentException(checkpoint + " is a Hugging Face checkpoint with its own "
                        + CONFIG + "; leave the config out (" + config + " is not a transformers config.json)");
            }
        }
        return layout.map(HfCheckpoint::open).orElse(null);
    }

    /**
     * Whether tensor names are those of the Hugging Face layout (a {@code model.safetensors} read without its
     * {@code config.json}).
     */
    public static boolean hasHubNames(List<String> names) {
        for (String n : names) {
            if (n.startsWith("model.backbone.conv_encoder.") || n.startsWith("model.text_backbone.")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Loads a Hugging Face checkpoint (folder or {@code model.safetensors}) for inference.
     *
     * @param dtype {@code Float} or {@code BFloat16} (see {@link LoadedGroundingDino#of})
     * @throws CheckpointException if {@code path} is not in the layout or the files are unusable
     */
    public static LoadedGroundingDino load(Path path, ScalarType dtype) {
        Layout layout = recognise(path).orElseThrow(() -> new CheckpointException(path.toAbsolutePath()
                + " is not a Hugging Face checkpoint: give the folder holding config.json and model.safetensors, "
                + "or that model.safetensors"));
        Converted c = open(layout);
        try {
            return LoadedGroundingDino.of(c.stateDict(), c.config(), dtype);
        } catch (RuntimeException e) {
            c.stateDict().close();
            throw e;
        }
    }

    /**
     * Reads the layout and renames its tensors onto the reference tree, strictly checked.
     *
     * @return the config and the state dict (views of the mapped file; the caller closes it)
     * @throws CheckpointException for an unreadable or unsupported config.json, an unreadable model.safetensors, a
     *     config that disagrees with the tensors, or tensors that do not match the model
     */
    public static Converted open(Layout layout) {
        Natives.ensureLoaded();
        HfConfig.Parsed parsed = HfConfig.read(layout.config(), layout.name());
        try (StateDict hub = StateDict.read(layout.weights())) {
            return convert(hub, parsed);
        }
    }

    /**
     * Renames a Hub state dict onto the reference tree for {@code parsed}'s config and checks it strictly.
     *
     * @return the config (box-head sharing and the BERT pooler as the file has them) and the reference-named state
     *     dict, which holds its own references to {@code hub}'s tensors (so {@code hub} may be closed)
     */
    public static Converted convert(StateDict hub, HfConfig.Parsed parsed) {
        GroundingDinoConfig cfg = parsed.config();
        String file = hub.source() == null ? WEIGHTS : String.valueOf(hub.source().getFileName());
        ConfigCheck.check(hub, parsed, file);

        Map<String, Tensor> whole = new LinkedHashMap<>();
        Map<String, String> origin = new LinkedHashMap<>(); // reference name -> Hub name(s), for messages
        Map<String, Tensor[]> thirds = new LinkedHashMap<>();
        Map<String, String[]> thirdNames = new LinkedHashMap<>();
        Map<String, Tensor> unexpected = new LinkedHashMap<>();
        List<String> collisions = new ArrayList<>();
        for (String key : hub.names()) {
            if (HfKeyMap.isUnused(key)) {
                continue;
            }
            Optional<HfKeyMap.ReferenceName> ref = HfKeyMap.toReference(key);
            if (ref.isEmpty()) {
                unexpected.put(key, hub.get(key));
                continue;
            }
            String name = ref.get().key();
            if (ref.get().part() == HfKeyMap.Part.WHOLE) {
                if (whole.containsKey(name) || thirds.containsKey(name)) {
                    collisions.add("'" + key + "' and '" + origin.get(name) + "' both give " + name);
                    continue;
                }
                whole.put(name, hub.get(key));
                origin.put(name, key);
            } else {
                int third = ref.get().part().third();
                Tensor[] parts = thirds.computeIfAbsent(name, k -> new Tensor[3]);
                String[] names = thirdNames.computeIfAbsent(name, k -> new String[3]);
                if (whole.containsKey(name) || parts[third] != null) {
                    collisions.add("'" + key + "' and '" + (parts[third] != null ? names[third] : origin.get(name))
                            + "' both give " + name);
                    continue;
                }
                parts[third] = hub.get(key);
                names[third] = key;
            }
        }
        if (!collisions.isEmpty()) {
            throw new CheckpointException(file + " holds the same tensor under two spellings: " + collisions
                    + ". Keep one of them.");
        }

        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> ref = new LinkedHashMap<>(whole);
            for (Map.Entry<String, Tensor[]> e : thirds.entrySet()) {
                Tensor[] parts = e.getValue();
                if (parts[0] != null && parts[1] != null && parts[2] != null) {
                    ref.put(e.getKey(), cat(new TensorVector(parts[0], parts[1], parts[2]), 0)); // (3C, ...) q, k, v
                    origin.put(e.getKey(), String.join(" + ", thirdNames.get(e.getKey())));
                } else {
                    String[] names = thirdNames.get(e.getKey());
                    for (int i = 0; i < 3; i++) {
                        if (parts[i] != null) {
                            unexpected.put(names[i], parts[i]); // an incomplete q/k/v triple cannot be used
                        }
                    }
                }
            }
            int layers = cfg.transformer().decLayers();
            foldDecoderAliases(ref, file);
            boolean shared = restoreTiedHeads(ref, "bbox_embed", layers);
            if (cfg.transformer().contrastiveBias()) {
                restoreTiedHeads(ref, "class_embed", layers);
            }
            if (!shared) {
                cfg = cfg.withDecPredBboxEmbedShare(false); // the file stores distinct per-layer box heads
            }
            if (ref.keySet().stream().anyMatch(k -> k.startsWith("bert.pooler."))) {
                cfg = cfg.withParts(cfg.bert().withPooler(true), cfg.transformer());
            }
            ref.putAll(unexpected); // under their Hub names: the strict check lists them as unexpected
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("format", "pt");
            metadata.put("layout", "converted from the Hugging Face layout (" + parsed.type().jsonName() + ")");
            StateDict converted = StateDict.of(ref, metadata);
            try {
                check(converted, cfg, file, new HashSet<>(hub.names()));
            } catch (RuntimeException e) {
                converted.close();
                throw e;
            }
            return new Converted(parsed.type(), cfg, converted);
        }
    }

    /**
     * The decoder's aliases of the heads ({@code transformer.decoder.bbox_embed.i}, {@code ...class_embed.i}) are
     * the detector's {@code bbox_embed.i} / {@code class_embed.i}: an alias provides the head when the file lacks
     * the main spelling, and must agree with it when the file has both.
     */
    private static void foldDecoderAliases(Map<String, Tensor> ref, String file) {
        for (String alias : new ArrayList<>(ref.keySet())) {
            if (!alias.startsWith(DECODER_ALIAS + "bbox_embed.") && !alias.startsWith(DECODER_ALIAS + "class_embed.")) {
                continue;
            }
            String main = alias.substring(DECODER_ALIAS.length());
            Tensor t = ref.remove(alias);
            Tensor other = ref.get(main);
            if (other == null) {
                ref.put(main, t);
            } else if (!Arrays.equals(t.sizes().vec().get(), other.sizes().vec().get()) || !t.equal(other)) {
                throw new CheckpointException(file + " stores two different tensors for one tied head: "
                        + HfKeyMap.toHub(main).get(0).key() + " and model.decoder." + main
                        + " must be equal (they are one module in the model)");
            }
        }
    }

    /**
     * Heads {@code 1..layers-1} of {@code prefix} that the file does not store are head 0's.
     *
     * @return whether every head equals head 0 (one shared head)
     */
    private static boolean restoreTiedHeads(Map<String, Tensor> ref, String prefix, int layers) {
        Map<Integer, Map<String, Tensor>> heads = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : ref.entrySet()) {
            Matcher m = HEAD.matcher(e.getKey());
            if (m.matches() && m.group(1).equals(prefix)) {
                heads.computeIfAbsent(Integer.parseInt(m.group(2)), k -> new LinkedHashMap<>()).put(m.group(3),
                        e.getValue());
            }
        }
        Map<String, Tensor> first = heads.get(0);
        if (first == null) {
            return true; // nothing to restore from; the strict check reports head 0 as missing
        }
        boolean shared = true;
        for (int i = 1; i < layers; i++) {
            Map<String, Tensor> head = heads.get(i);
            if (head == null) {
                for (Map.Entry<String, Tensor> leaf : first.entrySet()) {
                    ref.put(prefix + "." + i + "." + leaf.getKey(), leaf.getValue()); // tied to head 0
                }
                continue;
            }
            for (Map.Entry<String, Tensor> leaf : head.entrySet()) {
                Tensor zero = first.get(leaf.getKey());
                if (zero == null || !Arrays.equals(zero.sizes().vec().get(), leaf.getValue().sizes().vec().get())
                        || !zero.equal(leaf.getValue())) {
                    shared = false;
                }
            }
        }
        return shared;
    }

    /** The strict check, its message extended by the Hub names of the missing tensors. */
    private static void check(StateDict converted, GroundingDinoConfig cfg, String file, Set<String> hubNames) {
        Map<String, long[]> expected = GroundingDINO.declaredParameters(cfg);
        try {
            StrictLoader.check(converted, expected, cfg.name());
        } catch (CheckpointException e) {
            TreeSet<String> missingHub = new TreeSet<>();
            for (String name : expected.keySet()) {
                if (converted.contains(name) || name.endsWith("relative_position_index")
                        || name.endsWith("embeddings.position_ids")) {
                    continue;
                }
                if (name.startsWith(DECODER_ALIAS + "bbox_embed.")
                        && converted.contains(name.substring(DECODER_ALIAS.length()))) {
                    continue;
                }
                for (HfKeyMap.HubName h : HfKeyMap.toHub(name)) {
                    if (!hubNames.contains(h.key())) {
                        missingHub.add(h.key()); // of a q/k/v triple, only the absent thirds
                    }
                }
            }
            StringBuilder sb = new StringBuilder("The Hugging Face checkpoint ").append(file)
                    .append(" (renamed onto the reference module tree) does not match its config.json. ")
                    .append(e.getMessage());
            if (!missingHub.isEmpty()) {
                sb.append("\nIn the Hugging Face layout the missing tensors are (").append(missingHub.size())
                        .append("):");
                int listed = 0;
                for (String k : missingHub) {
                    if (listed++ == MAX_LISTED) {
                        sb.append("\n    ... and ").append(missingHub.size() - MAX_LISTED)
                                .append(" more");
                        break;
                    }
                    sb.append("\n    ").append(k);
                }
            }
            sb.append("\nUse the config.json that came with these weights.");
            throw new CheckpointException(sb.toString(), e);
        }
    }
}
