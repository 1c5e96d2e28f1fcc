package org.ladderae.models.reference;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.ladderae.formats.Fp16;
import org.ladderae.models.ModelGraph;
import org.ladderae.models.Op;
import org.ladderae.models.Tensor;

/**
 * Runs a {@link ModelGraph} on the CPU in double precision, op by op, to be the "reference that applies the same
 * decoded weights" of the end-to-end issue. Weights are given as decoded values: for a linear layer stored in a
 * low-bit format, the codes decoded and group scales / zeros (or MX exponents) applied, exactly as
 * {@link StoredLinearWeight#decode} does; {@link SeededWeights#decodedWeights} produces them from a seed.
 *
 * <p>Each op follows its IR javadoc; where that leaves a choice open the op family class follows Hugging Face
 * transformers and names the function it copies: rotary with rotate_half (HF LLaMA), causal attention with the KV
 * length equal to the sequence, GQA by repeat_kv, ALiBi slopes and positions by build_alibi_tensor, BLOOM's
 * per-head fused QKV layout, GeLU by bloom_gelu_forward (tanh form).
 *
 * <p><b>How the GPU executor is to be checked against this.</b> Both sides start from the same graph and seed:
 * {@link SeededWeights#masterWeights} gives the master weights, the GPU side stores each linear layer through
 * {@link StoredLinearWeight#encode} (the codes, scales and zeros its kernels read), the reference runs on
 * {@link StoredLinearWeight#decode} of that same encoding, so any difference comes from the GPU's FP16 arithmetic
 * and not from quantisation. Compare each graph output with {@link LayerComparison#relativeFrobeniusError}: a whole
 * layer passes below {@link LayerComparison#FP16_LAYER_TOLERANCE} (1e-2). A low-bit layer is held to the same
 * tolerance, because its reference uses the low-bit weights too; comparing it with the FP16 layer would measure
 * quantisation error, which is a separate (accuracy) question.
 */
public final class ReferenceExecutor {
    private ReferenceExecutor() {}

    /** Every tensor of the run (inputs, weights, then op outputs in order). */
    public static Map<String, DenseTensor> runAll(ModelGraph g, Map<String, DenseTensor> inputs, Map<String, DenseTensor> decodedWeights) {
        return runAll(g, inputs, decodedWeights, UnaryOperator.identity());
    }

    /**
     * As {@link #runAll(ModelGraph, Map, Map)}, passing every op output through {@code storeOutput} before later
     * ops read it: {@link #roundToFp16} there models a GPU that keeps each intermediate tensor in FP16, which
     * is how the tolerance of {@link LayerComparison} is sized.
     */
    public static Map<String, DenseTensor> runAll(ModelGraph g, Map<String, DenseTensor> inputs, Map<String, DenseTensor> decodedWeights,
                                                  UnaryOperator<DenseTensor> storeOutput) {
        return runAll(g, inputs, decodedWeights, storeOutput, null);
    }

    /** What an op reads of one of its inputs: e.g. a low-bit conv reads its input activation quantised. */
    @FunctionalInterface
    public interface InputRead {
        DenseTensor read(Op op, String tensor, DenseTensor value);
    }

    /**
     * As {@link #runAll(ModelGraph, Map, Map, UnaryOperator)}, with each op seeing its inputs through {@code read} (null:
     * as stored); later ops still read the stored tensors.
     */
    public static Map<String, DenseTensor> runAll(ModelGraph g, Map<String, DenseTensor> inputs, Map<String, DenseTensor> decodedWeights,
                                                  UnaryOperator<DenseTensor> storeOutput, InputRead read) {
        Map<String, Tensor> declared = g.tensors();
        Map<String, DenseTensor> values = new LinkedHashMap<>();
        for (Tensor t : g.inputs()) values.put(t.name(), provided(inputs, t, "input"));
        for (Tensor t : g.weights()) values.put(t.name(), provided(decodedWeights, t, "weight"));
        for (Op op : g.ops()) {
            Map<String, DenseTensor> seen = values;
            if (read != null) {
                seen = new java.util.HashMap<>(values);
                for (String in : op.inputs()) if (values.containsKey(in)) seen.put(in, read.read(op, in, values.get(in)));
            }
            List<DenseTensor> produced = execute(op, seen);
            for (int i = 0; i < produced.size(); i++) {
                String name = op.outputs().get(i);
                checkShape(declared.get(name), produced.get(i), op.kind() + " '" + op.name() + "' output");
                values.put(name, storeOutput.apply(produced.get(i)));
            }
        }
        return values;
    }

    /** The graph's outputs, by name, in declared order. */
    public static Map<String, DenseTensor> run(ModelGraph g, Map<String, DenseTensor> inputs, Map<String, DenseTensor> decodedWeights) {
        Map<String, DenseTensor> all = runAll(g, inputs, decodedWeights);
        Map<String, DenseTensor> out = new LinkedHashMap<>();
        for (String name : g.outputs()) out.put(name, all.get(name));
        return out;
    }

    /** Every value rounded to the nearest FP16 (ties to even), as an FP16 store of the tensor would. */
    public static DenseTensor roundToFp16(DenseTensor t) { return ElementwiseOps.map(t, Fp16::round); }

    /** One op on already computed tensors; outputs in the op's {@link Op#outputs()} order. */
    public static List<DenseTensor> execute(Op op, Map<String, DenseTensor> v) {
        // Java 17 has no pattern switch; the sealed interface keeps this list closed, and the last line catches a new op.
        if (op instanceof Op.Linear o) return List.of(LinearOps.linear(o, v.get(o.input()), v.get(o.weight()), o.bias() == null ? null : v.get(o.bias())));
        if (op instanceof Op.MatMul o) return List.of(LinearOps.matMul(o, v.get(o.a()), v.get(o.b())));
        if (op instanceof Op.RmsNorm o) return List.of(NormOps.rmsNorm(o, v.get(o.input()), o.weight() == null ? null : v.get(o.weight())));
        if (op instanceof Op.LayerNorm o) return List.of(NormOps.layerNorm(o, v.get(o.input()), v.get(o.weight()), o.bias() == null ? null : v.get(o.bias())));
        if (op instanceof Op.Rotary o) return List.of(PositionOps.rotary(o, v.get(o.input())));
        if (op instanceof Op.Alibi o) return List.of(PositionOps.alibi(o, v.get(o.mask())));
        if (op instanceof Op.QkvSplit o) return AttentionOps.qkvSplit(o, v.get(o.input()));
        if (op instanceof Op.Attention o) return List.of(AttentionOps.attention(o, v.get(o.q()), v.get(o.k()), v.get(o.v()),
                o.positionBias() == null ? null : v.get(o.positionBias())));
        if (op instanceof Op.Silu o) return List.of(ElementwiseOps.map(v.get(o.input()), ElementwiseOps::silu));
        if (op instanceof Op.SiluGate o) return List.of(ElementwiseOps.siluGate(o, v.get(o.gate()), v.get(o.up())));
        if (op instanceof Op.Gelu o) {
            return List.of(ElementwiseOps.map(v.get(o.input()), o.tanh() ? ElementwiseOps::geluTanh : ElementwiseOps::geluErf));
        }
        if (op instanceof Op.Sigmoid o) return List.of(ElementwiseOps.map(v.get(o.input()), ElementwiseOps::sigmoid));
        if (op instanceof Op.Add o) return List.of(ElementwiseOps.broadcast(o.name(), v.get(o.a()), v.get(o.b()), Double::sum));
        if (op instanceof Op.Mul o) return List.of(ElementwiseOps.broadcast(o.name(), v.get(o.a()), v.get(o.b()), (x, y) -> x * y));
        if (op instanceof Op.Softmax o) return List.of(ElementwiseOps.softmax(o, v.get(o.input())));
        if (op instanceof Op.Reshape o) return List.of(LayoutOps.reshape(o, v.get(o.input())));
        if (op instanceof Op.Transpose o) return List.of(LayoutOps.transpose(o, v.get(o.input())));
        if (op instanceof Op.Cast o) return List.of(ElementwiseOps.cast(o, v.get(o.input())));
        if (op instanceof Op.QuantizeActivations o) {
            DenseTensor x = v.get(o.input());
            return List.of(new DenseTensor(x.shape(), org.ladderae.formats.ActivationQuantizer.fakeQuantize(o.format(), x.values(), x.dim(-1))));
        }
        if (op instanceof Op.Patchify o) return List.of(EncoderOps.patchify(o, v.get(o.input())));
        if (op instanceof Op.ClassToken o) return List.of(EncoderOps.classToken(o, v.get(o.input()), v.get(o.token()), v.get(o.position())));
        if (op instanceof Op.TakeToken o) return List.of(EncoderOps.takeToken(o, v.get(o.input())));
        if (op instanceof Op.ScaledAdd o) return List.of(EncoderOps.scaledAdd(o, v.get(o.a()), v.get(o.b())));
        if (op instanceof Op.Glu o) return List.of(EncoderOps.glu(o, v.get(o.input())));
        if (op instanceof Op.DepthwiseConv1d o) return List.of(EncoderOps.depthwiseConv1d(o, v.get(o.input()), v.get(o.weight()), o.bias() == null ? null : v.get(o.bias())));
        if (op instanceof Op.BatchNorm o) return List.of(EncoderOps.batchNorm(o, v.get(o.input()), v.get(o.weight()), v.get(o.bias()), v.get(o.mean()), v.get(o.var())));
        // convolutional networks
        if (op instanceof Op.Conv2d o) return List.of(ConvOps.conv2d(o, v.get(o.input()), v.get(o.weight()),
                o.bias() == null ? null : v.get(o.bias()), o.residual() == null ? null : v.get(o.residual())));
        if (op instanceof Op.MaxPool2d o) return List.of(ConvOps.maxPool(o, v.get(o.input())));
        if (op instanceof Op.GlobalAvgPool o) return List.of(ConvOps.globalAvgPool(v.get(o.input())));
        if (op instanceof Op.ChannelSplit o) return ConvOps.channelSplit(v.get(o.input()));
        if (op instanceof Op.ChannelConcat o) return List.of(ConvOps.channelConcat(v.get(o.a()), v.get(o.b())));
        if (op instanceof Op.ChannelShuffle o) return List.of(ConvOps.channelShuffle(o, v.get(o.input())));
        throw new IllegalStateException("the reference executor has no semantics for " + op.kind() + " '" + op.name() + "'");
    }

    private static DenseTensor provided(Map<String, DenseTensor> given, Tensor t, String role) {
        DenseTensor d = given.get(t.name());
        if (d == null) throw new IllegalArgumentException("no value given for " + role + " " + t);
        checkShape(t, d, role);
        return d;
    }

    /** A concrete value must fit its declared shape (a dynamic dimension fits any size). */
    private static void checkShape(Tensor declared, DenseTensor actual, String role) {
        boolean fits = declared.rank() == actual.rank();
        for (int i = 0; fits && i < declared.rank(); i++) fits = declared.dim(i) == Tensor.DYNAMIC || declared.dim(i) == actual.dim(i);
        if (!fits) throw new IllegalArgumentException(role + " " + declared + " got a value of shape " + actual.shape());
    }
}
