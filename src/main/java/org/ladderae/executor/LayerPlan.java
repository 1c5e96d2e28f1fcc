package org.ladderae.executor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ladderae.formats.ActivationFormat;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.models.DType;
import org.ladderae.models.ModelGraph;
import org.ladderae.models.Op;
import org.ladderae.models.Tensor;
import org.ladderae.models.reference.PositionOps;

/**
 * A model graph lowered to the GPU executor's steps: every activation lives in an FP16 device buffer of
 * [rows][width] (rows = batch x sequence), and a tensor is a {@link View} of a buffer. Lowering is where the
 * cheap fusions happen, as an inference engine would do them:
 * <ul>
 * <li>consecutive linears reading the same input in the same format (LLaMA's q/k/v, gate/up) become one linear
 *     with their weights stacked along N; each output is a column slice of the fused result;</li>
 * <li>a residual Add read by the next norm becomes one add+norm kernel that also stores the sum;</li>
 * <li>a GeLU right after a linear goes into the linear's epilogue;</li>
 * <li>rotary embedding works in place on the q/k slices; BLOOM's QKV split is a strided view (no copy);</li>
 * <li>ALiBi becomes per-head slopes that the attention kernel adds (the mask must be all ones: no padding).</li>
 * </ul>
 * Any other op is rejected with its name: the executor runs the LLM layers of {@link org.ladderae.models.LlmLayers}.
 *
 * @param batch   B of the input [B, S, hidden]
 * @param seq     S of the input
 * @param inputs  the float [B, S, width] inputs (the hidden states first), each a buffer of the same name
 * @param maskInput the attention-mask input (BLOOM), or null
 */
public record LayerPlan(String name, int batch, int seq, List<String> inputs, String maskInput, String output,
                        Map<String, BufferSpec> buffers, List<Step> steps) {

    public int rows() { return batch * seq; }

    /** An activation buffer [rows][width]: FP16, or activations quantised for the linear that reads them. */
    public record BufferSpec(String name, int rows, int width, ActivationLayout layout) {
        public BufferSpec(String name, int rows, int width) { this(name, rows, width, ActivationLayout.FP16); }

        public long bytes() { return layout.bytes(rows, width); }
    }

    /**
     * Columns {@code colOffset .. colOffset + width} of every row of a buffer with row stride {@code ld}; for
     * attention operands, head h starts at column {@code colOffset + h * headStride}.
     */
    public record View(String buffer, int colOffset, int ld, int width, int headStride) {
        static View whole(BufferSpec b) { return new View(b.name(), 0, b.width(), b.width(), 0); }

        public boolean contiguous() { return colOffset == 0 && ld == width; }
    }

    public sealed interface Step {
        String name();
    }

    /**
     * RMSNorm or LayerNorm of x (+ residual, stored to {@code sumOut} when given) into {@code out}; when {@code out} is
     * a quantised buffer the norm kernel quantises its FP16 result on the way out (no FP16 copy is stored).
     */
    public record Norm(String name, boolean rms, View x, View residual, String sumOut, String weight, String bias, String out,
                       int width, double eps) implements Step {}

    /**
     * One (fused) linear: out[rows][nTotal] = input x [W_0; W_1; ...]^T (+ bias) (+ GeLU). {@code members} are the
     * graph's linears in stacking order; their biases, when present, stack the same way. {@code acts} is the format of
     * the activations it reads (a quantised buffer unless FP16).
     */
    public record Linear(String name, List<Op.Linear> members, View input, String out, int nTotal, int k,
                         WeightFormat format, int groupSize, boolean hasBias, boolean gelu, ActivationFormat acts) implements Step {
        /** Column where member i's outputs start. */
        public int offsetOf(int i) {
            int off = 0;
            for (int j = 0; j < i; j++) off += members.get(j).n();
            return off;
        }
    }

    /** Rotary embedding in place on a view (heads of headDim contiguous columns). */
    public record Rotary(String name, View x, int heads, int headDim, double theta) implements Step {}

    /** Attention of q/k/v views into a contiguous [rows][heads * headDim] buffer; ALiBi slopes or null. */
    public record Attention(String name, View q, View k, View v, String out, int heads, int kvHeads, int headDim, boolean causal,
                            double[] alibiSlopes) implements Step {}

    /** silu(gate) * up into {@code out}; a quantised {@code out} makes the kernel quantise its FP16 result (as {@link Norm}). */
    public record SiluGate(String name, View gate, View up, String out, int width) implements Step {}

    /** An FP16 view quantised into the buffer {@code out} (whose layout says how), where no producer could fuse it. */
    public record Quantize(String name, View x, String out, int width) implements Step {}

    public record Gelu(String name, View x, String out, int width) implements Step {}

    public record Add(String name, View a, View b, String out, int width) implements Step {}

    // ---- encoder-model steps (ViT, Conformer): lowered by EncoderSteps, run by kernels/encoder/encoder_ops.cu ----

    /** Image rows [B][C*H*W] into patch rows [B*(H/p)*(W/p)][C*p*p] ({@link Op.Patchify}). */
    public record Patchify(String name, View x, String out, int batch, int channels, int height, int width, int patch) implements Step {}

    /** [token; x] + position for every image: x [B*N][width] into out [B*(N+1)][width]. */
    public record ClassToken(String name, View x, String token, String position, String out, int patches, int width) implements Step {}

    /** Row {@code index} of each of the B sequences of x [B*seq][width] into out [B][width]. */
    public record TakeToken(String name, View x, String out, int seq, int index, int width) implements Step {}

    /** a + scale * b. */
    public record ScaledAdd(String name, View a, View b, String out, int width, double scale) implements Step {}

    /** An elementwise activation of a whole buffer: SiLU or exact (erf) GeLU. */
    public record Activation(String name, View x, String out, int width, boolean gelu) implements Step {}

    /** GLU of x [rows][2 * width] into out [rows][width]. */
    public record Glu(String name, View x, String out, int width) implements Step {}

    /**
     * Depthwise conv1d over the sequence of [rows = B*seq][channels]; {@code glu}: the input is x [rows][2*channels] and the
     * conv reads its GLU (fused); {@code batchNorm}: an inference BatchNorm after the conv, folded into its weights and bias
     * at load; {@code silu}: SiLU on the result.
     */
    public record DepthwiseConv(String name, View x, String out, int channels, int kernel, String weight, String bias, boolean glu,
                                Op.BatchNorm batchNorm, boolean silu) implements Step {}

    /** Lowers a layer graph with concrete shapes; IllegalArgumentException naming the op it cannot run. */
    public static LayerPlan lower(ModelGraph g) {
        Tensor hidden = g.inputs().stream().filter(t -> t.dtype().isFloat() && (t.rank() == 3 || EncoderSteps.isImage(t))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(g.name() + ": no [B, S, hidden] float input"));
        if (!hidden.fullyKnown()) throw new IllegalArgumentException(g.name() + ": input " + hidden + " has a dynamic dimension");
        String mask = g.inputs().stream().filter(t -> t.dtype() == DType.BOOL).map(Tensor::name).findFirst().orElse(null);
        int batch = hidden.dim(0), seq = EncoderSteps.isImage(hidden) ? EncoderSteps.tokens(g) : hidden.dim(1), rows = batch * seq;
        Map<String, BufferSpec> buffers = new LinkedHashMap<>();
        Map<String, View> views = new HashMap<>();
        Map<String, double[]> slopes = new HashMap<>();
        Map<String, Integer> readers = new HashMap<>();
        for (Op op : g.ops()) for (String in : op.inputs()) readers.merge(in, 1, Integer::sum);
        for (String out : g.outputs()) readers.merge(out, 1, Integer::sum);
        List<String> inputs = new ArrayList<>();
        for (Tensor t : g.inputs()) {
            if (!t.dtype().isFloat()) continue;
            if (EncoderSteps.isImage(t) && t.dim(0) == batch) {   // an image [B, C, H, W]: one row per image, read by Patchify
                views.put(t.name(), View.whole(buffer(buffers, t.name(), batch, t.dim(1) * t.dim(2) * t.dim(3))));
                inputs.add(t.name());
                continue;
            }
            if (t.rank() != 3 || !t.fullyKnown() || t.dim(0) != batch || t.dim(1) != seq)
                throw new IllegalArgumentException(g.name() + ": input " + t + " is not [" + batch + ", " + seq + ", width]");
            views.put(t.name(), View.whole(buffer(buffers, t.name(), rows, t.dim(2))));
            inputs.add(t.name());
        }
        List<Step> steps = new ArrayList<>();
        Map<String, ActivationFormat> quantized = new HashMap<>();   // quantised tensor -> its format
        List<Op> ops = g.ops();
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            if (op instanceof Op.Linear first) {
                List<Op.Linear> members = new ArrayList<>(List.of(first));
                while (i + 1 < ops.size() && ops.get(i + 1) instanceof Op.Linear next && fusable(first, next)) {
                    members.add(next);
                    i++;
                }
                boolean gelu = members.size() == 1 && i + 1 < ops.size() && ops.get(i + 1) instanceof Op.Gelu ge
                        && ge.input().equals(first.output()) && ge.tanh() && readers.getOrDefault(first.output(), 0) == 1;
                String outName = gelu ? ((Op.Gelu) ops.get(++i)).output() : String.join("+", members.stream().map(Op.Linear::output).toList());
                int nTotal = members.stream().mapToInt(Op.Linear::n).sum();
                View in = contiguous(views, first.input(), first);
                BufferSpec out = buffer(buffers, outName, rowsOf(buffers, in), nTotal);   // as many rows as it reads (ViT's patches, pooled tokens)
                ActivationFormat acts = quantized.getOrDefault(first.input(), ActivationFormat.FP16);
                Linear step = new Linear(String.join("+", members.stream().map(Op.Linear::name).toList()), List.copyOf(members), in, out.name(),
                        nTotal, first.k(), first.format(), first.groupSize(), first.bias() != null, gelu, acts);
                steps.add(step);
                if (gelu) views.put(outName, View.whole(out));
                else for (int m = 0; m < members.size(); m++)
                    views.put(members.get(m).output(), new View(out.name(), step.offsetOf(m), nTotal, members.get(m).n(), 0));
            } else if (op instanceof Op.Add add) {
                View a = contiguous(views, add.a(), op), b = contiguous(views, add.b(), op);
                requireSameShape(a, b, op);
                BufferSpec sum = buffer(buffers, add.output(), rows, a.width());
                views.put(add.output(), View.whole(sum));
                Op next = i + 1 < ops.size() ? ops.get(i + 1) : null;
                if (next instanceof Op.RmsNorm n && n.input().equals(add.output()) && n.weight() != null) {
                    steps.add(new Norm(add.name() + "+" + n.name(), true, a, b, sum.name(), n.weight(), null,
                            normOut(buffers, views, n.output(), rows, a.width()), a.width(), n.eps()));
                    i++;
                } else if (next instanceof Op.LayerNorm n && n.input().equals(add.output())) {
                    steps.add(new Norm(add.name() + "+" + n.name(), false, a, b, sum.name(), n.weight(), n.bias(),
                            normOut(buffers, views, n.output(), rows, a.width()), a.width(), n.eps()));
                    i++;
                } else {
                    steps.add(new Add(add.name(), a, b, sum.name(), a.width()));
                }
            } else if (op instanceof Op.RmsNorm n) {
                if (n.weight() == null) throw unsupported(op, "RMSNorm without a scale");
                View x = contiguous(views, n.input(), op);
                steps.add(new Norm(n.name(), true, x, null, null, n.weight(), null, normOut(buffers, views, n.output(), rows, x.width()), x.width(), n.eps()));
            } else if (op instanceof Op.LayerNorm n) {
                View x = contiguous(views, n.input(), op);
                steps.add(new Norm(n.name(), false, x, null, null, n.weight(), n.bias(), normOut(buffers, views, n.output(), rows, x.width()), x.width(), n.eps()));
            } else if (op instanceof Op.Rotary r) {
                View x = view(views, r.input(), op);
                // In place: the rotated tensor replaces its input, which nothing else may read.
                if (readers.getOrDefault(r.input(), 0) != 1) throw unsupported(op, "rotary input " + r.input() + " has other readers; in-place rotation would change them");
                if (x.headStride() != 0) throw unsupported(op, "rotary on a head-strided view");
                steps.add(new Rotary(r.name(), x, r.heads(), r.headDim(), r.theta()));
                views.put(r.output(), x);
            } else if (op instanceof Op.QkvSplit s) {
                View x = contiguous(views, s.input(), op);
                int d = s.headDim(), width = s.heads() * d;
                views.put(s.q(), new View(x.buffer(), 0, x.ld(), width, 3 * d));
                views.put(s.k(), new View(x.buffer(), d, x.ld(), width, 3 * d));
                views.put(s.v(), new View(x.buffer(), 2 * d, x.ld(), width, 3 * d));
            } else if (op instanceof Op.Alibi a) {
                slopes.put(a.output(), PositionOps.alibiSlopes(a.heads()));
            } else if (op instanceof Op.Attention at) {
                double[] s = null;
                if (at.positionBias() != null) {
                    s = slopes.get(at.positionBias());
                    if (s == null) throw unsupported(op, "position bias " + at.positionBias() + " is not an ALiBi op's output");
                }
                BufferSpec out = buffer(buffers, at.output(), rows, at.heads() * at.headDim());
                views.put(at.output(), View.whole(out));
                steps.add(new Attention(at.name(), view(views, at.q(), op), view(views, at.k(), op), view(views, at.v(), op), out.name(),
                        at.heads(), at.kvHeads(), at.headDim(), at.causal(), s));
            } else if (op instanceof Op.SiluGate sg) {
                View gate = view(views, sg.gate(), op), up = view(views, sg.up(), op);
                if (gate.headStride() != 0 || up.headStride() != 0) throw unsupported(op, "head-strided operands");
                requireSameShape(gate, up, op);
                BufferSpec out = buffer(buffers, sg.output(), rows, gate.width());
                views.put(sg.output(), View.whole(out));
                steps.add(new SiluGate(sg.name(), gate, up, out.name(), gate.width()));
            } else if (op instanceof Op.QuantizeActivations qa) {
                View x = contiguous(views, qa.input(), op);
                if (x.width() % 32 != 0) throw unsupported(op, "width " + x.width() + " is not a multiple of 32 (the quantisers' block)");
                if ((long) x.width() * ActivationFormat.INT8.maxCode() >= 1 << 24)
                    throw unsupported(op, "width " + x.width() + ": the row's code sum would not be exact in the kernels' FP32 reduction");
                int qRows = rowsOf(buffers, x);
                BufferSpec q = new BufferSpec(qa.output(), qRows, x.width(), ActivationLayout.of(qa.format(), qRows));
                if (buffers.containsKey(q.name())) throw new IllegalArgumentException("tensor " + q.name() + " is written twice");
                buffers.put(q.name(), q);
                views.put(qa.output(), View.whole(q));
                quantized.put(qa.output(), qa.format());
                // Fuse into the producer when it is the step just lowered, wrote the whole FP16 tensor, and nothing else reads it:
                // the producer's kernel then quantises its result and the FP16 tensor is never stored.
                boolean soleReader = readers.getOrDefault(qa.input(), 0) == 1 && !g.outputs().contains(qa.input());
                Step last = steps.isEmpty() ? null : steps.get(steps.size() - 1);
                if (soleReader && last instanceof Norm n && n.out().equals(x.buffer())) {
                    steps.set(steps.size() - 1, new Norm(n.name(), n.rms(), n.x(), n.residual(), n.sumOut(), n.weight(), n.bias(), q.name(), n.width(), n.eps()));
                    buffers.remove(x.buffer());
                } else if (soleReader && last instanceof SiluGate sg && sg.out().equals(x.buffer())) {
                    steps.set(steps.size() - 1, new SiluGate(sg.name(), sg.gate(), sg.up(), q.name(), sg.width()));
                    buffers.remove(x.buffer());
                } else {
                    steps.add(new Quantize(qa.name(), x, q.name(), x.width()));
                }
            } else if (EncoderSteps.handles(op)) {
                i = EncoderSteps.lower(ops, i, g, new EncoderSteps.Lowering(buffers, views, readers, steps, batch, seq));
            } else if (op instanceof Op.Gelu ge) {
                if (!ge.tanh()) throw unsupported(op, "exact (erf) GeLU; the kernels have BLOOM's tanh form");
                View x = contiguous(views, ge.input(), op);
                BufferSpec out = buffer(buffers, ge.output(), rows, x.width());
                views.put(ge.output(), View.whole(out));
                steps.add(new Gelu(ge.name(), x, out.name(), x.width()));
            } else {
                throw unsupported(op, "no GPU kernel for this op");
            }
        }
        if (g.outputs().size() != 1) throw new IllegalArgumentException(g.name() + ": the executor runs graphs with one output, not " + g.outputs());
        View out = views.get(g.outputs().get(0));
        if (out == null || !out.contiguous()) throw new IllegalArgumentException(g.name() + ": output " + g.outputs().get(0) + " is not a whole buffer");
        return new LayerPlan(g.name(), batch, seq, List.copyOf(inputs), mask, out.buffer(), buffers, List.copyOf(steps));
    }

    /** Linears that stack into one: same input, format, group size and bias presence. */
    static boolean fusable(Op.Linear a, Op.Linear b) {
        return a.input().equals(b.input()) && a.format() == b.format() && a.groupSize() == b.groupSize() && a.k() == b.k()
                && (a.bias() == null) == (b.bias() == null);
    }

    private static String normOut(Map<String, BufferSpec> buffers, Map<String, View> views, String name, int rows, int width) {
        BufferSpec b = buffer(buffers, name, rows, width);
        views.put(name, View.whole(b));
        return b.name();
    }

    static BufferSpec buffer(Map<String, BufferSpec> buffers, String name, int rows, int width) {
        if (buffers.containsKey(name)) throw new IllegalArgumentException("tensor " + name + " is written twice");
        BufferSpec b = new BufferSpec(name, rows, width);
        buffers.put(name, b);
        return b;
    }

    /** Rows of the buffer a view reads. */
    static int rowsOf(Map<String, BufferSpec> buffers, View v) { return buffers.get(v.buffer()).rows(); }

    /** Rows of the buffer behind a linear's input: its M. */
    public int rows(Linear l) { return buffers.get(l.input().buffer()).rows(); }

    static View view(Map<String, View> views, String tensor, Op op) {
        View v = views.get(tensor);
        if (v == null) throw unsupported(op, "reads " + tensor + ", which no earlier op or input defines");
        return v;
    }

    static View contiguous(Map<String, View> views, String tensor, Op op) {
        View v = view(views, tensor, op);
        if (!v.contiguous()) throw unsupported(op, "reads " + tensor + " as a slice of a fused buffer; this op needs a whole buffer");
        return v;
    }

    private static void requireSameShape(View a, View b, Op op) {
        if (a.width() != b.width()) throw unsupported(op, "operands of width " + a.width() + " and " + b.width());
    }

    static IllegalArgumentException unsupported(Op op, String why) {
        return new IllegalArgumentException("the GPU executor cannot run " + op.kind() + " '" + op.name() + "': " + why);
    }

    /** Bytes of all activation buffers. */
    public long activationBytes() { return buffers.values().stream().mapToLong(BufferSpec::bytes).sum(); }

    /** The linear steps, in order. */
    public List<Linear> linears() { return steps.stream().filter(s -> s instanceof Linear).map(s -> (Linear) s).toList(); }
}
