package dev.groundingdino.internal.weights;

import dev.groundingdino.CheckpointException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.Tensor;

/**
 * Strict matching of a checkpoint against the tensors a model expects, in the spirit of PyTorch's
 * {@code load_state_dict(strict=True)}: both key sets and every shape are compared, and any difference is
 * reported in ONE {@link CheckpointException} listing the missing, unexpected and mismatched keys and naming the
 * variant that was expected.
 *
 * <p>The only exceptions to strictness are the rules of {@link #TOLERANCES}, one table for the whole project.
 * Model classes call {@link #check} with their expected shapes and then read tensors through the returned
 * {@link Match}, which resolves prefixes and aliases.
 */
public final class StrictLoader {
    /** What a tolerance rule does. */
    enum Kind {
        /** Checkpoint keys may carry this prefix; it is removed before matching. */
        STRIP_PREFIX,
        /** Keys under prefix {@code a} and under prefix {@code b} name the same module; either satisfies both. */
        ALIAS,
        /**
         * A buffer the model computes; may be absent from a checkpoint (if present, its shape is checked). Rule
         * {@code a} is a dotted key suffix matched at a dot boundary.
         */
        DERIVED,
        /**
         * A tensor that released checkpoints carry but inference never uses; ignored when present. Rule {@code a}
         * is the exact key (after prefix stripping).
         */
        UNUSED
    }

    /**
     * One tolerance rule.
     *
     * @param kind what it does
     * @param a the prefix (STRIP_PREFIX, ALIAS), dotted key suffix (DERIVED) or exact key (UNUSED)
     * @param b the other alias prefix (ALIAS only)
     * @param why where the rule comes from
     */
    record Tolerance(Kind kind, String a, String b, String why) {}

    /**
     * THE table of exceptions to strict loading. Nothing else is tolerated; extend it here, with a reason.
     */
    static final List<Tolerance> TOLERANCES = List.of(
            // nn.DataParallel / DistributedDataParallel save every key as "module.<key>"; the reference loader
            // strips it (GroundingDINO util/utils.py clean_state_dict).
            new Tolerance(Kind.STRIP_PREFIX, "module.", null, "DataParallel/DDP prefix"),
            // GroundingDINO shares ONE box MLP between the detector head and the decoder
            // (dec_pred_bbox_embed_share=True): state_dict() lists it as bbox_embed.N.* and again as
            // transformer.decoder.bbox_embed.N.*, all on one storage. Either spelling satisfies both.
            new Tolerance(Kind.ALIAS, "bbox_embed.", "transformer.decoder.bbox_embed.", "shared decoder bbox_embed"),
            // Swin WindowAttention's relative_position_index is computed from the window size
            // (register_buffer); checkpoints may or may not contain it.
            new Tolerance(Kind.DERIVED, "relative_position_index", null, "derived Swin buffer"),
            // BERT's position_ids = arange(max_position_embeddings): persistent in transformers <= 4.30 (saved
            // with stride (0, 1)), non-persistent (absent) from 4.31 on.
            new Tolerance(Kind.DERIVED, "embeddings.position_ids", null, "derived BERT buffer"),
            // The official GroundingDINO releases (groundingdino_swint_ogc.pth, groundingdino_swinb_cogcoor.pth) were
            // trained with a denoising label embedding that the published model no longer builds; the reference
            // loads them with strict=False, which drops it.
            new Tolerance(Kind.UNUSED, "label_enc.weight", null, "training-only label embedding in the releases"));

    /** Entries listed per category in the error message before it says "... and N more". */
    static final int MAX_LISTED = 25;

    private StrictLoader() {}

    /**
     * The checkpoint tensors matched to the expected names.
     */
    public static final class Match {
        private final StateDict stateDict;
        private final Map<String, String> sources;
        private final Set<String> derived;

        Match(StateDict stateDict, Map<String, String> sources, Set<String> derived) {
            this.stateDict = stateDict;
            this.sources = Collections.unmodifiableMap(sources);
            this.derived = Collections.unmodifiableSet(derived);
        }

        /**
         * The checkpoint tensor for expected name {@code name} (owned by the state dict, see
         * {@link StateDict#get}).
         *
         * @throws CheckpointException if {@code name} was not expected, or is a derived buffer the checkpoint
         *     lacks (check {@link #isDerived} first)
         */
        public Tensor get(String name) {
            return stateDict.get(sourceKey(name));
        }

        /** A caller-owned reference to the tensor for {@code name} (see {@link StateDict#retain}). */
        public Tensor retain(String name) {
            return stateDict.retain(sourceKey(name));
        }

        /** The checkpoint key that provides expected name {@code name}. */
        public String sourceKey(String name) {
            String key = sources.get(name);
            if (key == null) {
                throw new CheckpointException(derived.contains(name)
                        ? "'" + name + "' is a derived buffer absent from the checkpoint; the model must compute it"
                        : "'" + name + "' was not among the expected tensors");
            }
            return key;
        }

        /** True if {@code name} is a derived buffer the checkpoint does not contain (the model computes it). */
        public boolean isDerived(String name) {
            return derived.contains(name);
        }

        /** Expected names satisfied by the checkpoint, to checkpoint key. */
        public Map<String, String> sources() {
            return sources;
        }

        /** Expected derived buffers the checkpoint lacks. */
        public Set<String> derived() {
            return derived;
        }

        public StateDict stateDict() {
            return stateDict;
        }
    }

    /**
     * Compares {@code stateDict} with {@code expectedShapes} (name to shape, in model order) both ways.
     *
     * @param variantName what was expected, for the message (e.g. {@code "GroundingDINO SwinT-OGC"})
     * @return how each expected name is provided
     * @throws CheckpointException listing every missing, unexpected and mismatched key
     */
    public static Match check(StateDict stateDict, Map<String, long[]> expectedShapes, String variantName) {
        // Checkpoint keys after prefix stripping -> original key.
        Map<String, String> ckpt = new LinkedHashMap<>();
        List<String> collisions = new ArrayList<>();
        for (String original : stateDict.names()) {
            String key = stripPrefixes(original);
            String previous = ckpt.put(key, original);
            if (previous != null) {
                collisions.add("'" + previous + "' and '" + original + "'");
            }
        }
        if (!collisions.isEmpty()) {
            throw new CheckpointException(describe(stateDict) + " holds the same tensor twice once prefixes are "
                    + "removed: " + collisions + ". It cannot be loaded as " + variantName + ".");
        }

        Map<String, String> sources = new LinkedHashMap<>();
        Set<String> derived = new LinkedHashSet<>();
        List<String> missing = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        Set<String> used = new LinkedHashSet<>();
        for (Map.Entry<String, long[]> e : expectedShapes.entrySet()) {
            String name = e.getKey();
            String found = ckpt.containsKey(name) ? name : null;
            if (found == null) {
                String alias = alias(name);
                if (alias != null && ckpt.containsKey(alias)) {
                    found = alias;
                }
            }
            if (found == null) {
                if (isDerived(name)) {
                    derived.add(name);
                } else {
                    missing.add(name + " " + Arrays.toString(e.getValue()));
                }
                continue;
            }
            used.add(found);
            String original = ckpt.get(found);
            long[] actual = stateDict.shape(original);
            if (!Arrays.equals(actual, e.getValue())) {
                mismatched.add(name + (found.equals(name) ? "" : " (as '" + original + "')") + ": checkpoint "
                        + Arrays.toString(actual) + ", expected " + Arrays.toString(e.getValue()));
            }
            sources.put(name, original);
        }

        List<String> unexpected = new ArrayList<>();
        for (Map.Entry<String, String> e : ckpt.entrySet()) {
            String key = e.getKey();
            if (used.contains(key)) {
                continue;
            }
            String alias = alias(key);
            if (alias != null && expectedShapes.containsKey(alias)) {
                // The other spelling of an expected shared module: tolerated, but its shape must agree.
                long[] actual = stateDict.shape(e.getValue());
                if (!Arrays.equals(actual, expectedShapes.get(alias))) {
                    mismatched.add(key + " (alias of '" + alias + "'): checkpoint " + Arrays.toString(actual)
                            + ", expected " + Arrays.toString(expectedShapes.get(alias)));
                }
                continue;
            }
            if (isDerived(key)) {
                continue; // a computed buffer the model does not list
            }
            if (isUnused(key)) {
                continue; // carried by released checkpoints, never used at inference
            }
            unexpected.add(e.getValue() + " " + Arrays.toString(stateDict.shape(e.getValue())));
        }

        if (!missing.isEmpty() || !unexpected.isEmpty() || !mismatched.isEmpty()) {
            StringBuilder sb = new StringBuilder();
            sb.append(describe(stateDict)).append(" does not match ").append(variantName).append(" (expected ")
                    .append(expectedShapes.size()).append(" tensors, the checkpoint has ").append(stateDict.size())
                    .append("): ").append(missing.size()).append(" missing, ").append(unexpected.size())
                    .append(" unexpected, ").append(mismatched.size()).append(" with another shape.");
            list(sb, "missing", missing);
            list(sb, "unexpected", unexpected);
            list(sb, "shape mismatch", mismatched);
            sb.append("\nUse a checkpoint made for ").append(variantName)
                    .append(", or select the model variant this checkpoint was trained as.");
            throw new CheckpointException(sb.toString());
        }
        return new Match(stateDict, sources, derived);
    }

    private static void list(StringBuilder sb, String title, List<String> items) {
        if (items.isEmpty()) {
            return;
        }
        sb.append("\n  ").append(title).append(" (").append(items.size()).append("):");
        for (int i = 0; i < Math.min(items.size(), MAX_LISTED); i++) {
            sb.append("\n    ").append(items.get(i));
        }
        if (items.size() > MAX_LISTED) {
            sb.append("\n    ... and ").append(items.size() - MAX_LISTED).append(" more");
        }
    }

    private static String describe(StateDict sd) {
        return sd.source() == null ? "The checkpoint" : "Checkpoint " + sd.source().getFileName();
    }

    /** True if {@code key} (prefixes stripped) is a tensor that released checkpoints carry but inference ignores. */
    static boolean isUnused(String key) {
        for (Tolerance t : TOLERANCES) {
            if (t.kind() == Kind.UNUSED && key.equals(t.a())) {
                return true;
            }
        }
        return false;
    }

    static String stripPrefixes(String key) {
        String k = key;
        for (Tolerance t : TOLERANCES) {
            if (t.kind() == Kind.STRIP_PREFIX && k.startsWith(t.a())) {
                k = k.substring(t.a().length());
            }
        }
        return k;
    }

    /** The other spelling of {@code key} under an ALIAS rule, or {@code null}. */
    static String alias(String key) {
        for (Tolerance t : TOLERANCES) {
            if (t.kind() != Kind.ALIAS) {
                continue;
            }
            // Test the longer prefix first: "transformer.decoder.bbox_embed." also ends with "bbox_embed.".
            String longer = t.a().length() >= t.b().length() ? t.a() : t.b();
            String shorter = longer.equals(t.a()) ? t.b() : t.a();
            if (key.startsWith(longer)) {
                return shorter + key.substring(longer.length());
            }
            if (key.startsWith(shorter)) {
                return longer + key.substring(shorter.length());
            }
        }
        return null;
    }

    static boolean isDerived(String key) {
        for (Tolerance t : TOLERANCES) {
            if (t.kind() == Kind.DERIVED && (key.equals(t.a()) || key.endsWith("." + t.a()))) {
                return true;
            }
        }
        return false;
    }
}
