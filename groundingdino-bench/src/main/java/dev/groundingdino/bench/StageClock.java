package dev.groundingdino.bench;

import dev.groundingdino.internal.runtime.ProcessMemory;
import dev.groundingdino.internal.transformer.Trace;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * A {@link Trace} that only notes WHEN each named intermediate of a GroundingDINO forward pass appears, which
 * splits the pass into its stages (CPU ops are synchronous, so the time between two trace points is the time of the
 * work between them). It touches no tensor and keeps none ({@link #keepsTensors()} is false), so the forward pass
 * frees its intermediates exactly as without a trace.
 */
public final class StageClock implements Trace {
    /** A stage: the trace point it ends at (it starts where the previous stage ended). */
    public record Stage(String name, String endsAt) {}

    /** The stages of {@code GroundingDINO.forward}, in order. */
    public static final List<Stage> STAGES = List.of(
            new Stage("text (BERT + feat_map)", "encoded_text_in"),
            new Stage("backbone (Swin + position)", "backbone_level0"),
            new Stage("input_proj", "src0"),
            new Stage("encoder", "memory"),
            new Stage("query selection", "topk_proposals"),
            new Stage("decoder", "ref0"),
            new Stage("heads", "pred_boxes"));

    private final Map<String, Long> firstSeen = new LinkedHashMap<>();
    private final Map<String, Long> peakAt = new LinkedHashMap<>();
    private final boolean trackMemory;
    private long start;

    /** A clock that notes times only. */
    public StageClock() {
        this(false);
    }

    /**
     * @param trackMemory also read the process's peak resident memory ({@code VmHWM}) at every trace point (Linux;
     *     about 0.1 ms per point, so only for memory profiles)
     */
    public StageClock(boolean trackMemory) {
        this.trackMemory = trackMemory;
    }

    /** Starts a new pass. */
    public void start() {
        firstSeen.clear();
        peakAt.clear();
        start = System.nanoTime();
    }

    @Override
    public void record(String name, Tensor value) {
        firstSeen.putIfAbsent(name, System.nanoTime());
        if (trackMemory) {
            peakAt.putIfAbsent(name, (ProcessMemory.peakRssBytes() >> 20));
        }
    }

    /** Peak resident memory (MB) of the process when each stage ended (with {@code trackMemory}). */
    public Map<String, Long> stagePeaks() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Stage s : STAGES) {
            Long peak = peakAt.get(s.endsAt());
            if (peak != null) {
                out.put(s.name(), peak);
            }
        }
        return out;
    }

    /** Only names and times are noted: the stages keep freeing their intermediates as without a trace. */
    @Override
    public boolean keepsTensors() {
        return false;
    }

    /** Milliseconds per stage of the last pass (NaN for a stage whose end was not traced). */
    public Map<String, Double> stageMillis() {
        Map<String, Double> out = new LinkedHashMap<>();
        long previous = start;
        for (Stage s : STAGES) {
            Long end = firstSeen.get(s.endsAt());
            if (end == null) {
                out.put(s.name(), Double.NaN);
                continue;
            }
            out.put(s.name(), (end - previous) / 1e6);
            previous = end;
        }
        return out;
    }

    /**
     * Milliseconds of the encoder's sub-stages summed over its layers: fusion ({@code BiAttentionBlock}), text
     * enhancer and deformable self-attention layer.
     */
    public Map<String, Double> encoderMillis() {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("encoder: fusion", 0.0);
        out.put("encoder: text enhancer", 0.0);
        out.put("encoder: deformable", 0.0);
        Long previous = firstSeen.get("pos0");
        for (int i = 0; previous != null && firstSeen.containsKey("enc" + i + "_deform"); i++) {
            long fusion = firstSeen.getOrDefault("enc" + i + "_fusion_l", previous);
            long text = firstSeen.getOrDefault("enc" + i + "_text", fusion);
            long deform = firstSeen.get("enc" + i + "_deform");
            out.merge("encoder: fusion", (fusion - previous) / 1e6, Double::sum);
            out.merge("encoder: text enhancer", (text - fusion) / 1e6, Double::sum);
            out.merge("encoder: deformable", (deform - text) / 1e6, Double::sum);
            previous = deform;
        }
        return out;
    }
}
