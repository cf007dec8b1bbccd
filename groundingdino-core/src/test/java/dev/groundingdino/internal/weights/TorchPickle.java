package dev.groundingdino.internal.weights;

import java.util.List;
import java.util.function.Consumer;

/** Writes {@code data.pkl} bytes the way {@code torch.save(state_dict)} does (protocol 2), for test archives. */
final class TorchPickle {
    /** One tensor entry: a view of storage {@code key} of type {@code torch.<storageClass>}. */
    record Tensor(String name, String key, String storageClass, long storageNumel, long offset, long[] shape,
            long[] stride) {
        /** A contiguous float32 tensor filling its own storage. */
        static Tensor f32(String name, String key, long... shape) {
            long numel = 1;
            long[] stride = new long[shape.length];
            for (int i = shape.length - 1; i >= 0; i--) {
                stride[i] = numel;
                numel *= shape[i];
            }
            return new Tensor(name, key, "FloatStorage", numel, 0, shape, stride);
        }
    }

    private TorchPickle() {}

    /**
     * {@code torch.save(OrderedDict(tensors))}, or {@code torch.save({wrapper: OrderedDict(tensors), ...extra})}
     * when {@code wrapper} is not null; {@code extra} may append more (key, value) pairs to the wrapper dict.
     */
    static byte[] stateDict(List<Tensor> tensors, String wrapper, Consumer<PickleBytes> extra) {
        PickleBytes p = new PickleBytes().proto(2);
        if (wrapper != null) {
            p.emptyDict().unicode(wrapper);
        }
        p.global("collections", "OrderedDict").emptyTuple().reduce();
        p.mark();
        for (Tensor t : tensors) {
            p.unicode(t.name());
            tensor(p, t);
        }
        p.setitems();
        // state_dict()._metadata, set by BUILD like the real thing
        p.emptyDict().unicode("_metadata").global("collections", "OrderedDict").emptyTuple().reduce()
                .unicode("").emptyDict().unicode("version").integer(1).setitem().setitem().setitem().build();
        if (wrapper != null) {
            p.setitem();
            if (extra != null) {
                extra.accept(p);
            }
        }
        return p.stop().bytes();
    }

    /** Pushes one {@code _rebuild_tensor_v2(...)} call. */
    static void tensor(PickleBytes p, Tensor t) {
        p.global("torch._utils", "_rebuild_tensor_v2").mark();
        p.mark().unicode("storage").global("torch", t.storageClass()).unicode(t.key()).unicode("cpu")
                .integer(t.storageNumel()).tuple().raw('Q');
        p.integer(t.offset());
        p.mark();
        for (long d : t.shape()) {
            p.integer(d);
        }
        p.tuple().mark();
        for (long s : t.stride()) {
            p.integer(s);
        }
        p.tuple().raw(0x89).global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce();
    }

    /** Pushes {@code argparse.Namespace(lr=0.1, name='run')} the way protocol 2 pickles it. */
    static void namespace(PickleBytes p) {
        p.global("argparse", "Namespace").emptyTuple().raw(0x81).emptyDict().mark().unicode("lr")
                .raw('G', 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a).unicode("name").unicode("run").setitems()
                .build();
    }
}
