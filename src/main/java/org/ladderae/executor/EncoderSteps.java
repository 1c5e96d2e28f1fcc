package org.ladderae.executor;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.ladderae.gpu.DeviceBuffer;
import org.ladderae.gpu.Kernel;
import org.ladderae.gpu.KernelArgs;
import org.ladderae.gpu.LaunchConfig;
import org.ladderae.models.ModelGraph;
import org.ladderae.models.Op;
import org.ladderae.models.Tensor;
import org.ladderae.models.reference.DenseTensor;

/**
 * The encoder models' ops (ViT, Conformer: {@link org.ladderae.models.EncoderModels}) in the layer executor: their
 * lowering to {@link LayerPlan} steps and their launches on {@code kernels/encoder/encoder_ops.cu}. Fusions made here:
 * a GLU read only by a depthwise conv is computed in the conv's load; a BatchNorm right after a depthwise conv is folded
 * into its weights and bias at load (in double, kept in FP32); a SiLU read only from that is applied in the conv's store.
 */
final class EncoderSteps {
    private EncoderSteps() {}

    static final String SOURCE = "encoder/encoder_ops.cu";
    /** Largest depthwise kernel the conv's shared-memory tile holds (encoder_ops.cu DW_MAXK). */
    static final int MAX_KERNEL = 63;

    /** The lowering's state that these ops read and extend (see {@link LayerPlan#lower}). */
    record Lowering(Map<String, LayerPlan.BufferSpec> buffers, Map<String, LayerPlan.View> views, Map<String, Integer> readers,
                    List<LayerPlan.Step> steps, int batch, int seq) {}

    /** An image input [B, C, H, W], stored one row per image. */
    static boolean isImage(Tensor t) { return t.rank() == 4; }

    /** The sequence length of an image model: the tokens its class-token op makes (what the attention runs over). */
    static int tokens(ModelGraph g) {
        for (Op op : g.ops()) if (op instanceof Op.ClassToken c) return g.tensor(c.output()).dim(1);
        throw new IllegalArgumentException(g.name() + ": an image input but no class-token op; the executor needs the token count for attention");
    }

    static boolean handles(Op op) {
        return op instanceof Op.Patchify || op instanceof Op.ClassToken || op instanceof Op.TakeToken || op instanceof Op.ScaledAdd
                || op instanceof Op.Glu || op instanceof Op.DepthwiseConv1d || op instanceof Op.BatchNorm || op instanceof Op.Silu
                || (op instanceof Op.Gelu g && !g.tanh());
    }

    /** Lowers ops[i] (and what fuses into it); returns the index of the last op consumed. */
    static int lower(List<Op> ops, int i, ModelGraph g, Lowering s) {
        Op op = ops.get(i);
        if (op instanceof Op.Patchify p) {
            Tensor img = g.tensor(p.input());
            if (p.patch() % 8 != 0) throw LayerPlan.unsupported(op, "patch " + p.patch() + " is not a multiple of 8 (the kernel moves 8 pixels at a time)");
            LayerPlan.View x = LayerPlan.contiguous(s.views(), p.input(), op);
            Tensor out = g.tensor(p.output());
            define(s, p.output(), s.batch() * out.dim(1), out.dim(2));
            s.steps().add(new LayerPlan.Patchify(p.name(), x, p.output(), s.batch(), img.dim(1), img.dim(2), img.dim(3), p.patch()));
        } else if (op instanceof Op.ClassToken c) {
            LayerPlan.View x = LayerPlan.contiguous(s.views(), c.input(), op);
            int patches = LayerPlan.rowsOf(s.buffers(), x) / s.batch();
            if (patches + 1 != s.seq()) throw LayerPlan.unsupported(op, (patches + 1) + " tokens, but the attention runs over " + s.seq());
            define(s, c.output(), s.batch() * s.seq(), x.width());
            s.steps().add(new LayerPlan.ClassToken(c.name(), x, c.token(), c.position(), c.output(), patches, x.width()));
        } else if (op instanceof Op.TakeToken t) {
            LayerPlan.View x = LayerPlan.contiguous(s.views(), t.input(), op);
            int seq = LayerPlan.rowsOf(s.buffers(), x) / s.batch();
            define(s, t.output(), s.batch(), x.width());
            s.steps().add(new LayerPlan.TakeToken(t.name(), x, t.output(), seq, t.index(), x.width()));
        } else if (op instanceof Op.ScaledAdd a) {
            LayerPlan.View x = LayerPlan.contiguous(s.views(), a.a(), op), y = LayerPlan.contiguous(s.views(), a.b(), op);
            int rows = LayerPlan.rowsOf(s.buffers(), x);
            if (x.width() != y.width() || rows != LayerPlan.rowsOf(s.buffers(), y)) throw LayerPlan.unsupported(op, "operands of different shapes");
            if ((long) rows * x.width() % 2 != 0) throw LayerPlan.unsupported(op, "odd element count (half2 kernel)");
            define(s, a.output(), rows, x.width());
            s.steps().add(new LayerPlan.ScaledAdd(a.name(), x, y, a.output(), x.width(), a.scale()));
        } else if (op instanceof Op.Silu || op instanceof Op.Gelu) {
            String in = op.inputs().get(0), out = op.outputs().get(0);
            LayerPlan.View x = LayerPlan.contiguous(s.views(), in, op);
            define(s, out, LayerPlan.rowsOf(s.buffers(), x), x.width());
            s.steps().add(new LayerPlan.Activation(op.name(), x, out, x.width(), op instanceof Op.Gelu));
        } else if (op instanceof Op.Glu gl) {
            LayerPlan.View x = LayerPlan.contiguous(s.views(), gl.input(), op);
            Op next = i + 1 < ops.size() ? ops.get(i + 1) : null;
            if (next instanceof Op.DepthwiseConv1d dw && dw.input().equals(gl.output()) && soleReader(s, gl.output()))
                return lowerConv(ops, i + 1, s, x, true);
            define(s, gl.output(), LayerPlan.rowsOf(s.buffers(), x), x.width() / 2);
            s.steps().add(new LayerPlan.Glu(gl.name(), x, gl.output(), x.width() / 2));
        } else if (op instanceof Op.DepthwiseConv1d dw) {
            return lowerConv(ops, i, s, LayerPlan.contiguous(s.views(), dw.input(), op), false);
        } else if (op instanceof Op.BatchNorm) {
            throw LayerPlan.unsupported(op, "a BatchNorm that does not follow a depthwise conv (it is only folded into one)");
        } else {
            throw new IllegalStateException("not an encoder op: " + op);
        }
        return i;
    }

    /** The depthwise conv at ops[i] reading {@code x} (its GLU's input when {@code glu}), with a following BatchNorm and SiLU folded in. */
    private static int lowerConv(List<Op> ops, int i, Lowering s, LayerPlan.View x, boolean glu) {
        Op.DepthwiseConv1d dw = (Op.DepthwiseConv1d) ops.get(i);
        if (dw.kernel() > MAX_KERNEL) throw LayerPlan.unsupported(dw, "kernel " + dw.kernel() + " over the conv tile's " + MAX_KERNEL);
        if (dw.channels() % 2 != 0) throw LayerPlan.unsupported(dw, "odd channel count (half2 stores)");
        int rows = LayerPlan.rowsOf(s.buffers(), x);
        if (rows != s.batch() * s.seq()) throw LayerPlan.unsupported(dw, "input of " + rows + " rows is not batch x sequence");
        String out = dw.output();
        Op.BatchNorm bn = null;
        boolean silu = false;
        if (i + 1 < ops.size() && ops.get(i + 1) instanceof Op.BatchNorm b && b.input().equals(out) && soleReader(s, out)) {
            bn = b;
            out = b.output();
            i++;
        }
        if (i + 1 < ops.size() && ops.get(i + 1) instanceof Op.Silu a && a.input().equals(out) && soleReader(s, out)) {
            silu = true;
            out = a.output();
            i++;
        }
        define(s, out, rows, dw.channels());
        String name = dw.name() + (bn != null ? "+" + bn.name() : "") + (silu ? "+silu" : "");
        s.steps().add(new LayerPlan.DepthwiseConv(name, x, out, dw.channels(), dw.kernel(), dw.weight(), dw.bias(), glu, bn, silu));
        return i;
    }

    private static boolean soleReader(Lowering s, String tensor) { return s.readers().getOrDefault(tensor, 0) == 1; }

    private static void define(Lowering s, String name, int rows, int width) {
        s.views().put(name, LayerPlan.View.whole(LayerPlan.buffer(s.buffers(), name, rows, width)));
    }

    // ---- launches ----

    /** What a launch needs from the executor that owns the buffers. */
    interface Host {
        DeviceBuffer act(LayerPlan.View v);
        DeviceBuffer buffer(String name);
        /** A weight of {@code n} FP16 values: the given weights' values, or random center +- amp. */
        DeviceBuffer param(String name, int n, double center, double amp);
        DeviceBuffer upload(float[] values);
        /** The given weights (seeded or stored), or null for device-random weights. */
        Map<String, DenseTensor> master();
        long seed();
        Kernel kernel(String name);
        void add(String name, Kernel k, LaunchConfig lc, KernelArgs args);
    }

    static boolean isEncoderStep(LayerPlan.Step s) {
        return s instanceof LayerPlan.Patchify || s instanceof LayerPlan.ClassToken || s instanceof LayerPlan.TakeToken || s instanceof LayerPlan.ScaledAdd
                || s instanceof LayerPlan.Activation || s instanceof LayerPlan.Glu || s instanceof LayerPlan.DepthwiseConv;
    }

    static void build(LayerPlan.Step step, LayerPlan plan, Host h) {
        int batch = plan.batch();
        if (step instanceof LayerPlan.Patchify p) {
            long vectors = (long) batch * p.channels() * p.height() * p.width() / 8;
            h.add(p.name(), h.kernel("patchify"), elementwise(vectors),
                    KernelArgs.of().buffer(h.act(p.x())).buffer(h.buffer(p.out())).i32(batch).i32(p.channels()).i32(p.height()).i32(p.width()).i32(p.patch()));
        } else if (step instanceof LayerPlan.ClassToken c) {
            DeviceBuffer token = h.param(c.token(), c.width(), 0, 0.02), pos = h.param(c.position(), (c.patches() + 1) * c.width(), 0, 0.02);
            h.add(c.name(), h.kernel("class_token"), elementwise((long) batch * (c.patches() + 1) * c.width()),
                    KernelArgs.of().buffer(h.act(c.x())).buffer(token).buffer(pos).buffer(h.buffer(c.out())).i32(batch).i32(c.patches()).i32(c.width()));
        } else if (step instanceof LayerPlan.TakeToken t) {
            h.add(t.name(), h.kernel("take_token"), elementwise((long) batch * t.width()),
                    KernelArgs.of().buffer(h.act(t.x())).buffer(h.buffer(t.out())).i32(batch).i32(t.seq()).i32(t.index()).i32(t.width()));
        } else if (step instanceof LayerPlan.ScaledAdd a) {
            long n = (long) plan.buffers().get(a.out()).rows() * a.width();
            h.add(a.name(), h.kernel("scaled_add"), elementwise(n / 2),
                    KernelArgs.of().buffer(h.act(a.a())).buffer(h.act(a.b())).buffer(h.buffer(a.out())).i64(n).f32((float) a.scale()));
        } else if (step instanceof LayerPlan.Activation a) {
            long n = (long) plan.buffers().get(a.out()).rows() * a.width();
            h.add(a.name(), h.kernel("activation"), elementwise(n),
                    KernelArgs.of().buffer(h.act(a.x())).buffer(h.buffer(a.out())).i64(n).i32(a.gelu() ? 1 : 0));
        } else if (step instanceof LayerPlan.Glu gl) {
            int rows = plan.buffers().get(gl.out()).rows();
            h.add(gl.name(), h.kernel("glu"), elementwise((long) rows * gl.width()),
                    KernelArgs.of().buffer(h.act(gl.x())).buffer(h.buffer(gl.out())).i32(rows).i32(gl.width()));
        } else if (step instanceof LayerPlan.DepthwiseConv dw) {
            float[][] wb = convWeights(dw, h);
            int seq = plan.buffers().get(dw.out()).rows() / batch;
            h.add(dw.name(), h.kernel("depthwise_conv1d"), new LaunchConfig((seq + 63) / 64, (dw.channels() + 63) / 64, batch, 32, 8, 1, 0),
                    KernelArgs.of().buffer(h.act(dw.x())).i32(dw.x().ld()).i32(dw.glu() ? 1 : 0).buffer(h.upload(wb[0])).buffer(h.upload(wb[1]))
                            .buffer(h.buffer(dw.out())).i32(seq).i32(dw.channels()).i32(dw.kernel()).i32(dw.silu() ? 1 : 0));
        } else {
            throw new IllegalStateException("not an encoder step: " + step);
        }
    }

    /**
     * The conv's FP32 weights [C][K] and bias [C] with the BatchNorm folded in (w * s, (b - mean) * s + beta with
     * s = gamma / sqrt(var + eps)), from the given weights; random ones (amplitude sqrt(3/K), bias +- 0.1) without.
     */
    static float[][] convWeights(LayerPlan.DepthwiseConv dw, Host h) {
        int c = dw.channels(), k = dw.kernel();
        float[] w = new float[c * k], b = new float[c];
        Map<String, DenseTensor> m = h.master();
        if (m == null) {
            SplittableRandom rnd = new SplittableRandom(h.seed() ^ dw.name().hashCode());
            double amp = Math.sqrt(3.0 / k);
            for (int i = 0; i < w.length; i++) w[i] = (float) rnd.nextDouble(-amp, amp);
            for (int i = 0; i < c; i++) b[i] = (float) rnd.nextDouble(-0.1, 0.1);
            return new float[][] {w, b};
        }
        double[] cw = m.get(dw.weight()).values(), cb = dw.bias() == null ? null : m.get(dw.bias()).values();
        Op.BatchNorm bn = dw.batchNorm();
        for (int ch = 0; ch < c; ch++) {
            double scale = 1, shift = 0;
            if (bn != null) {
                scale = m.get(bn.weight()).values()[ch] / Math.sqrt(m.get(bn.var()).values()[ch] + bn.eps());
                shift = m.get(bn.bias()).values()[ch] - m.get(bn.mean()).values()[ch] * scale;
            }
            for (int j = 0; j < k; j++) w[ch * k + j] = (float) (cw[ch * k + j] * scale);
            b[ch] = (float) ((cb == null ? 0 : cb[ch]) * scale + shift);
        }
        return new float[][] {w, b};
    }

    private static LaunchConfig elementwise(long items) {
        return LaunchConfig.of1d((int) Math.max(1, Math.min(132L * 32, (items + 255) / 256)), 256);
    }
}
