package dev.groundingdino.sam.internal.sam2.backbones;

import static org.bytedeco.pytorch.global.torch.upsample_bicubic2d;

import dev.groundingdino.internal.runtime.ParamTree;
import dev.groundingdino.internal.runtime.Scopes;
import dev.groundingdino.sam.internal.sam2.config.HieraConfig;
import dev.groundingdino.sam.internal.sam2.layers.OwnedTensors;
import dev.groundingdino.sam.internal.sam2.config.Sam2Config;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * {@code sam2/modeling/backbones/hieradet.py::Hiera}: {@link PatchEmbed}, the windowed absolute position embedding,
 * and the {@link MultiScaleBlock}s; returns the output of every stage ({@code return_interm_layers}).
 *
 * <p>The position embedding ({@code _get_pos_embed}: {@code pos_embed} bicubic-interpolated to the first feature
 * map, plus {@code pos_embed_window} tiled over it) depends only on the weights and on the feature size, which is
 * fixed by the 1024x1024 input; {@link #prepare} computes it once at load instead of at every call.
 */
public final class Hiera {
    private final HieraConfig cfg;
    private final Tensor posEmbed;
    private final Tensor posEmbedWindow;
    private final PatchEmbed patchEmbed;
    private final List<MultiScaleBlock> blocks;
    private final List<Integer> stageEnds;
    private Tensor fullPosEmbed; // (1, 256, 256, C) in the trunk dtype; set by prepare

    /** Declares/loads every trunk tensor under {@code p} ({@code image_encoder.trunk}), in state_dict order. */
    public Hiera(HieraConfig cfg, ParamTree p) {
        this.cfg = cfg;
        int c = cfg.embedDim();
        int w0 = cfg.windowSpec().get(0);
        this.posEmbed = p.param("pos_embed", 1, c, cfg.windowPosEmbedBkgH(), cfg.windowPosEmbedBkgW());
        this.posEmbedWindow = p.param("pos_embed_window", 1, c, w0, w0);
        this.patchEmbed = new PatchEmbed(p.child("patch_embed"), c);
        List<MultiScaleBlock> list = new ArrayList<>();
        ParamTree blockTree = p.child("blocks");
        for (HieraConfig.BlockSpec spec : cfg.blocks()) {
            list.add(new MultiScaleBlock(blockTree.child(spec.index()), spec, cfg.qStride()));
        }
        this.blocks = List.copyOf(list);
        this.stageEnds = cfg.stageEnds();
    }

    /**
     * Computes {@code _get_pos_embed((256, 256))} once, on the weights' device, in float32 from the (possibly
     * reduced-precision) parameters, then in the trunk's dtype: {@code (1, 256, 256, C)}.
     */
    public void prepare(OwnedTensors owned) {
        int side = Sam2Config.IMAGE_SIZE / HieraConfig.PATCH_STRIDE;
        Tensor pos = upsample_bicubic2d(posEmbed.to(ScalarType.Float), new long[] {side, side}, false); // (1,C,256,256)
        Tensor window = posEmbedWindow.to(ScalarType.Float); // (1, C, w0, w0)
        long[] reps = new long[4];
        for (int i = 0; i < 4; i++) {
            reps[i] = pos.size(i) / window.size(i);
        }
        pos = pos.add(window.tile(reps)); // (1, C, 256, 256)
        fullPosEmbed = owned.keep(pos.permute(0, 2, 3, 1).contiguous().to(posEmbed.scalar_type())); // (1,256,256,C)
    }

    /**
     * {@code (B, 3, 1024, 1024)} to the stage outputs {@code (B, C_i, H_i, W_i)}, highest resolution first (256,
     * 128, 64, 32 on a side for the SAM 2 input). One native scope per block; each block's input is freed as soon
     * as its output exists.
     */
    public List<Tensor> forward(Tensor x) {
        if (fullPosEmbed == null) {
            throw new IllegalStateException("Hiera.prepare was not called after loading");
        }
        Tensor tokens = Scopes.tensor(() -> patchEmbed.forward(x).add(fullPosEmbed)); // (B, 256, 256, C)
        int n = stageEnds.size();
        Tensor[] initial = new Tensor[n + 1];
        initial[0] = tokens;
        Tensor[] last = Scopes.chain(initial, blocks.size(), (i, state) -> {
            Tensor[] next = Arrays.copyOf(state, state.length);
            next[0] = blocks.get(i).forward(state[0]); // (B, H, W, C)
            int stage = stageEnds.indexOf(i);
            if (stage >= 0) {
                next[1 + stage] = next[0].permute(0, 3, 1, 2); // (B, C, H, W) view, as the reference's feats
            }
            return next;
        }, state -> state);
        return List.of(Arrays.copyOfRange(last, 1, n + 1));
    }

    /** The trunk config. */
    public HieraConfig config() {
        return cfg;
    }
}
