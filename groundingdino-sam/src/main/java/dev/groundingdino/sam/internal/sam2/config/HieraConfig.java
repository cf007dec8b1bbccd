package dev.groundingdino.sam.internal.sam2.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The hyper-parameters of the Hiera trunk ({@code sam2/modeling/backbones/hieradet.py::Hiera.__init__}), as the
 * {@code image_encoder.trunk} node of the SAM 2.1 yaml files sets them. The patch embedding (7x7 conv, stride 4,
 * padding 3) and the 4x MLP ratio are fixed by the reference.
 *
 * @param embedDim width of the first stage ({@code embed_dim})
 * @param numHeads attention heads of the first stage ({@code num_heads})
 * @param stages blocks per stage ({@code stages})
 * @param globalAttBlocks blocks with global (not windowed) attention ({@code global_att_blocks}), ascending
 * @param windowPosEmbedBkgH height of the background position embedding ({@code window_pos_embed_bkg_spatial_size[0]})
 * @param windowPosEmbedBkgW its width
 * @param windowSpec window size per stage ({@code window_spec})
 * @param qPool number of stage transitions that pool the queries ({@code q_pool})
 * @param qStride the pooling stride in both directions ({@code q_stride})
 * @param dimMul width factor at a stage transition ({@code dim_mul})
 * @param headMul heads factor at a stage transition ({@code head_mul})
 */
public record HieraConfig(int embedDim, int numHeads, List<Integer> stages, List<Integer> globalAttBlocks,
        int windowPosEmbedBkgH, int windowPosEmbedBkgW, List<Integer> windowSpec, int qPool, int qStride, int dimMul,
        int headMul) {

    /** The patch embedding's stride: the trunk's first feature map is {@code imageSize / 4}. */
    public static final int PATCH_STRIDE = 4;
    /** The Hiera blocks' LayerNorm epsilon ({@code partial(nn.LayerNorm, eps=1e-6)}). */
    public static final double NORM_EPS = 1e-6;
    /** {@code MultiScaleBlock}'s MLP width / dim_out ({@code mlp_ratio}). */
    public static final int MLP_RATIO = 4;

    /** One block of the trunk as {@code Hiera.__init__} builds it. */
    public record BlockSpec(int index, int dim, int dimOut, int numHeads, int windowSize, boolean qPool) {}

    public HieraConfig {
        positive("embedDim", embedDim);
        positive("numHeads", numHeads);
        positive("windowPosEmbedBkgH", windowPosEmbedBkgH);
        positive("windowPosEmbedBkgW", windowPosEmbedBkgW);
        positive("qStride", qStride);
        positive("dimMul", dimMul);
        positive("headMul", headMul);
        if (stages == null || stages.isEmpty()) {
            throw new IllegalArgumentException("Hiera stages must list the blocks of at least one stage");
        }
        stages = List.copyOf(stages);
        for (int s : stages) {
            positive("every stage's block count", s);
        }
        if (windowSpec == null || windowSpec.size() != stages.size()) {
            throw new IllegalArgumentException("Hiera windowSpec needs one window size per stage (" + stages.size()
                    + "), got " + windowSpec);
        }
        windowSpec = List.copyOf(windowSpec);
        for (int w : windowSpec) {
            positive("every windowSpec entry", w);
        }
        if (qPool < 0 || qPool > stages.size() - 1) {
            throw new IllegalArgumentException("Hiera qPool must be in [0, stages - 1 = " + (stages.size() - 1)
                    + "], got " + qPool);
        }
        if (globalAttBlocks == null) {
            throw new IllegalArgumentException("Hiera globalAttBlocks must not be null (use an empty list)");
        }
        globalAttBlocks = List.copyOf(globalAttBlocks);
        int depth = stages.stream().mapToInt(Integer::intValue).sum();
        int previous = -1;
        for (int g : globalAttBlocks) {
            if (g <= previous || g >= depth) {
                throw new IllegalArgumentException("Hiera globalAttBlocks " + globalAttBlocks
                        + " must be ascending block indexes in [0, depth=" + depth + ")");
            }
            previous = g;
        }
        // the reference divides by the pooled window size of a q-pool block: it must be windowed and divisible
        for (BlockSpec b : blocks(stages, globalAttBlocks, windowSpec, qPool, embedDim, numHeads, dimMul, headMul)) {
            if (b.qPool() && (b.windowSize() == 0 || b.windowSize() % qStride != 0)) {
                throw new IllegalArgumentException("Hiera block " + b.index() + " pools its queries, so it needs a "
                        + "window (not global attention) whose size " + b.windowSize() + " is a multiple of qStride "
                        + qStride);
            }
            if (b.dimOut() % b.numHeads() != 0) {
                throw new IllegalArgumentException("Hiera block " + b.index() + ": width " + b.dimOut()
                        + " is not divisible by its " + b.numHeads() + " heads");
            }
        }
    }

    /** {@code sum(stages)}. */
    public int depth() {
        return stages.stream().mapToInt(Integer::intValue).sum();
    }

    /** {@code stage_ends}: the index of each stage's last block. */
    public List<Integer> stageEnds() {
        List<Integer> ends = new ArrayList<>();
        int sum = 0;
        for (int s : stages) {
            sum += s;
            ends.add(sum - 1);
        }
        return List.copyOf(ends);
    }

    /** Every block with its width, heads, window and q-pooling, as {@code Hiera.__init__} builds them. */
    public List<BlockSpec> blocks() {
        return blocks(stages, globalAttBlocks, windowSpec, qPool, embedDim, numHeads, dimMul, headMul);
    }

    /**
     * {@code channel_list}: the width of each stage's output, lowest resolution first (the order of
     * {@code FpnNeck.backbone_channel_list}).
     */
    public List<Integer> channelList() {
        List<BlockSpec> blocks = blocks();
        List<Integer> out = new ArrayList<>();
        List<Integer> ends = stageEnds();
        for (int i = ends.size() - 1; i >= 0; i--) {
            out.add(blocks.get(ends.get(i)).dimOut());
        }
        return List.copyOf(out);
    }

    private static List<BlockSpec> blocks(List<Integer> stages, List<Integer> global, List<Integer> windowSpec,
            int qPool, int embedDim, int numHeads, int dimMul, int headMul) {
        List<Integer> ends = new ArrayList<>();
        int sum = 0;
        for (int s : stages) {
            sum += s;
            ends.add(sum - 1);
        }
        List<Integer> qPoolBlocks = new ArrayList<>();
        for (int i = 0; i < qPool; i++) {
            qPoolBlocks.add(ends.get(i) + 1); // the first block of each of the next qPool stages
        }
        List<BlockSpec> out = new ArrayList<>();
        int dim = embedDim;
        int heads = numHeads;
        int curStage = 1;
        for (int i = 0; i < sum; i++) {
            int dimOut = dim;
            // lags by a block: the first block of a stage still uses the previous stage's window
            int window = windowSpec.get(curStage - 1);
            if (global.contains(i)) {
                window = 0;
            }
            if (ends.contains(i - 1)) {
                dimOut = dim * dimMul;
                heads = heads * headMul;
                curStage++;
            }
            out.add(new BlockSpec(i, dim, dimOut, heads, window, qPoolBlocks.contains(i)));
            dim = dimOut;
        }
        return out;
    }

    private static void positive(String what, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("Hiera " + what + " must be positive, got " + value);
        }
    }
}
