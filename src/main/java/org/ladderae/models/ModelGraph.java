package org.ladderae.models;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.ladderae.kernels.WeightFormat;

/**
 * A model as data: graph inputs, weights (shapes only; their values live with whoever loaded them),
 * ops in execution order, and graph outputs. Constructing one checks it: every op reads only tensors
 * that exist by then, no tensor is written twice, every op's shapes agree, every output is produced.
 * Serialises to and from JSON as is (the compiled-model manifest stores it).
 */
public record ModelGraph(String name, List<Tensor> inputs, List<Tensor> weights, List<Op> ops, List<String> outputs) {
    public ModelGraph {
        inputs = List.copyOf(inputs);
        weights = List.copyOf(weights);
        ops = List.copyOf(ops);
        outputs = List.copyOf(outputs);
        resolve(name, inputs, weights, ops, outputs);
    }

    /** Every tensor of the graph (inputs, weights, then op outputs in order) with its checked shape. */
    public Map<String, Tensor> tensors() { return resolve(name, inputs, weights, ops, outputs); }

    public Tensor tensor(String tensorName) {
        Tensor t = tensors().get(tensorName);
        if (t == null) throw new IllegalArgumentException("graph " + name + " has no tensor '" + tensorName + "'");
        return t;
    }

    public List<Op.Linear> linears() {
        List<Op.Linear> out = new ArrayList<>();
        for (Op op : ops) if (op instanceof Op.Linear l) out.add(l);
        return out;
    }

    /** The distinct N x K weight shapes, in order of first use: what the tuner must tune for this model. */
    public List<LinearShape> distinctLinearShapes() {
        Set<LinearShape> s = new LinkedHashSet<>();
        for (Op.Linear l : linears()) s.add(l.shape());
        return List.copyOf(s);
    }

    /** Bytes of the linear layers' weights, each in its own format (scales, zeros, exponents included). */
    public long linearWeightBytes() { return linears().stream().mapToLong(Op.Linear::weightBytes).sum(); }

    /** Bytes of every other weight (norm scales, biases, constants) in its declared type. */
    public long otherWeightBytes() {
        Set<String> linearWeights = new LinkedHashSet<>();
        for (Op.Linear l : linears()) linearWeights.add(l.weight());
        return weights.stream().filter(w -> !linearWeights.contains(w.name())).mapToLong(w -> Math.max(0, w.elements()) * w.dtype().bytes()).sum();
    }

    public long weightBytes() { return linearWeightBytes() + otherWeightBytes(); }

    /** The same graph with every linear layer's weights stored in {@code format} (group size ignored where the format has no scales). */
    public ModelGraph withLinearFormat(WeightFormat format, int groupSize) {
        List<Op> converted = new ArrayList<>();
        for (Op op : ops) converted.add(op instanceof Op.Linear l ? l.withFormat(format, groupSize) : op);
        return new ModelGraph(name, inputs, weights, converted, outputs);
    }

    /**
     * The same graph with the activations of every linear layer quantised to {@code format} (a W_xA_y layer): one
     * {@link Op.QuantizeActivations} per distinct linear input, placed right before the first linear that reads it,
     * and every linear reading that input re-pointed to the quantised tensor ("{input}.a_{format}"); other readers
     * (residual adds, norms) keep the FP16 tensor. FP16 returns this graph.
     */
    public ModelGraph withActivationFormat(org.ladderae.formats.ActivationFormat format) {
        if (!format.quantized()) return this;
        Map<String, String> quantized = new LinkedHashMap<>();
        List<Op> converted = new ArrayList<>();
        for (Op op : ops) {
            if (op instanceof Op.Linear l) {
                String q = quantized.get(l.input());
                if (q == null) {
                    q = l.input() + ".a_" + format.token();
                    quantized.put(l.input(), q);
                    converted.add(new Op.QuantizeActivations("quantize_" + l.input(), l.input(), q, format));
                }
                converted.add(l.withInput(q));
            } else {
                converted.add(op);
            }
        }
        return new ModelGraph(name, inputs, weights, converted, outputs);
    }

    /** Arithmetic of one forward pass (see each op's {@link Op#flops}); dynamic dimensions count as 1. */
    public long flops() {
        Map<String, Tensor> t = tensors();
        return ops.stream().mapToLong(op -> op.flops(t::get)).sum();
    }

    /** Number of ops of each kind, in order of first appearance. */
    public Map<String, Integer> opCounts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Op op : ops) counts.merge(op.kind(), 1, Integer::sum);
        return counts;
    }

    private static Map<String, Tensor> resolve(String name, List<Tensor> inputs, List<Tensor> weights, List<Op> ops, List<String> outputs) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("a model graph needs a name");
        Map<String, Tensor> known = new LinkedHashMap<>();
        for (Tensor t : inputs) define(known, t, "graph input");
        for (Tensor t : weights) define(known, t, "weight");
        Set<String> opNames = new LinkedHashSet<>();
        Function<String, Tensor> lookup = n -> known.get(n);
        for (Op op : ops) {
            if (!opNames.add(op.name())) throw new IllegalArgumentException("two ops are named '" + op.name() + "'");
            for (String in : op.inputs()) {
                if (!known.containsKey(in)) throw new IllegalArgumentException(op.kind() + " '" + op.name() + "' reads '" + in + "', which no graph input, weight or earlier op provides");
            }
            List<Tensor> produced = op.infer(lookup);
            for (Tensor t : produced) define(known, t, "output of " + op.kind() + " '" + op.name() + "'");
        }
        for (String out : outputs) if (!known.containsKey(out)) throw new IllegalArgumentException("graph output '" + out + "' is never produced");
        return known;
    }

    private static void define(Map<String, Tensor> known, Tensor t, String role) {
        if (known.putIfAbsent(t.name(), t) != null) throw new IllegalArgumentException("tensor '" + t.name() + "' (" + role + ") is defined twice");
    }

    public static Builder builder(String name) { return new Builder(name); }

    /** Collects a graph op by op; {@link #build} checks it. {@link #shapeOf} lets a builder size the next op from the last. */
    public static final class Builder {
        private final String name;
        private final List<Tensor> inputs = new ArrayList<>(), weights = new ArrayList<>();
        private final List<Op> ops = new ArrayList<>();
        private final List<String> outputs = new ArrayList<>();

        private Builder(String name) { this.name = name; }

        public Builder input(Tensor t) { inputs.add(t); return this; }
        public Builder weight(Tensor t) { weights.add(t); return this; }
        public Builder op(Op op) { ops.add(op); return this; }
        public Builder output(String tensorName) { outputs.add(tensorName); return this; }

        /** Shape of a tensor defined so far (checks the partial graph). */
        public Tensor shapeOf(String tensorName) {
            Tensor t = resolve(name, inputs, weights, ops, List.of()).get(tensorName);
            if (t == null) throw new IllegalArgumentException("no tensor '" + tensorName + "' yet");
            return t;
        }

        public boolean hasWeight(String tensorName) { return weights.stream().anyMatch(w -> w.name().equals(tensorName)); }

        public ModelGraph build() { return new ModelGraph(name, inputs, weights, ops, outputs); }
    }
}
