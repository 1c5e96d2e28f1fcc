package org.ladderae.models.onnx;

import static org.ladderae.models.onnx.OnnxAttributes.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ladderae.models.DType;
import org.ladderae.models.onnx.proto.OnnxProtos.AttributeProto;
import org.ladderae.models.onnx.proto.OnnxProtos.GraphProto;
import org.ladderae.models.onnx.proto.OnnxProtos.NodeProto;
import org.ladderae.models.onnx.proto.OnnxProtos.TensorProto;
import org.ladderae.models.onnx.proto.OnnxProtos.TensorShapeProto;
import org.ladderae.models.onnx.proto.OnnxProtos.ValueInfoProto;

/**
 * Import-time simplification of an ONNX graph with static shapes, run before {@link OnnxImporter} maps it.
 * torch.onnx.export writes the shape arithmetic of Python code ({@code x.shape[-1] // 2}, {@code view(*shape, -1, d)},
 * {@code repeat_kv}'s expand shape) as Shape/Gather/Unsqueeze/Concat/Slice/... chains; with every input shape known
 * these are constants. Walking the nodes in order (ONNX graphs are topologically sorted) it
 * <ul>
 *   <li>tracks the static shape of every tensor it can (graph inputs, initializers, and a per-op rule), so
 *       {@code Shape(x)} of an activation is a constant;</li>
 *   <li>evaluates every node whose inputs are all constants (Constant, ConstantOfShape, Shape, Gather, Unsqueeze,
 *       Squeeze, Concat, Slice, Cast, Range, Equal, Less, Greater, Not, Where, Expand, Reshape, Transpose, Neg, Add,
 *       Sub, Mul, Div, Pow, Sqrt, Reciprocal, Cos, Sin, Trilu, Min, Max, MatMul, Identity) and turns its output into an
 *       initializer, up to {@link #MAX_FOLDED_ELEMENTS} elements (a causal mask of S = 4096 fits);</li>
 *   <li>drops no-op nodes on activations (a Slice taking the whole axis, an Expand or Reshape to the input's own
 *       shape, Identity, a Cast to the input's own type), renaming their readers' inputs.</li>
 * </ul>
 * Nodes it cannot evaluate stay for the importer, which maps or rejects them. A graph with dynamic
 * dimensions keeps its Shape nodes and is rejected there as an unsupported 'Shape': export with static shapes.
 */
final class OnnxFolder {
    static final long MAX_FOLDED_ELEMENTS = 1L << 24;

    /** A constant: values as doubles (exact for int64 shape values up to 2^53 and every FP16/FP32 value). */
    record Value(DType dtype, long[] shape, double[] data) {
        long elements() { return data.length; }
        long scalarLong() { return (long) data[0]; }
    }

    private final Map<String, Value> constants = new HashMap<>();
    /** Static shapes, -1 for an unknown dimension; absent = unknown rank. */
    private final Map<String, long[]> shapes = new HashMap<>();
    private final Map<String, DType> types = new HashMap<>();
    private final Map<String, String> renames = new HashMap<>();

    private OnnxFolder() {}

    /** The simplified graph and the static shapes known for its tensors (-1 for an unknown dimension). */
    record Simplified(GraphProto graph, Map<String, long[]> shapes) {
        /** The static shape of a tensor, or null when its rank is unknown. */
        long[] shape(String tensor) { return shapes.get(tensor); }
    }

    /** The graph with constant subgraphs evaluated into initializers and no-op nodes removed. */
    static Simplified simplify(GraphProto graph) {
        OnnxFolder f = new OnnxFolder();
        GraphProto g = f.run(graph);
        return new Simplified(g, Map.copyOf(f.shapes));
    }

    private GraphProto run(GraphProto graph) {
        Set<String> graphOutputs = new HashSet<>();
        for (ValueInfoProto v : graph.getOutputList()) graphOutputs.add(v.getName());
        for (TensorProto t : graph.getInitializerList()) {
            shapes.put(t.getName(), t.getDimsList().stream().mapToLong(Long::longValue).toArray());
            try {
                types.put(t.getName(), OnnxImporter.dtype(t.getDataType(), "initializer '" + t.getName() + "'"));
            } catch (OnnxImportException e) {
                // a type ladder-ae does not read matters only where it is used; the importer reports it there
            }
        }
        for (ValueInfoProto v : graph.getInputList()) recordValueInfo(v);
        for (ValueInfoProto v : graph.getValueInfoList()) if (!shapes.containsKey(v.getName())) recordValueInfo(v);
        Map<String, TensorProto> initializers = new HashMap<>();
        for (TensorProto t : graph.getInitializerList()) initializers.put(t.getName(), t);

        List<NodeProto> kept = new ArrayList<>();
        Map<String, Value> folded = new HashMap<>();
        for (NodeProto original : graph.getNodeList()) {
            NodeProto n = renamed(original);
            boolean defaultDomain = n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
            if (defaultDomain && allConstant(n, initializers)) {
                Value v = null;
                try {
                    v = evaluate(n, initializers);
                } catch (RuntimeException e) {
                    v = null;  // an op or case the evaluator does not cover: leave the node for the importer
                }
                if (v != null && v.elements() <= MAX_FOLDED_ELEMENTS) {
                    constants.put(n.getOutput(0), v);
                    shapes.put(n.getOutput(0), v.shape());
                    types.put(n.getOutput(0), v.dtype());
                    folded.put(n.getOutput(0), v);
                    if (graphOutputs.contains(n.getOutput(0))) kept.add(constantNode(n.getOutput(0), v));
                    continue;
                }
            }
            if (defaultDomain && isNoOp(n) && !graphOutputs.contains(n.getOutput(0))) {
                renames.put(n.getOutput(0), n.getInput(0));
                continue;
            }
            inferShape(n);
            kept.add(n);
        }
        Set<String> read = new HashSet<>();
        for (NodeProto n : kept) read.addAll(n.getInputList());
        GraphProto.Builder out = graph.toBuilder().clearNode().addAllNode(kept);
        for (Map.Entry<String, Value> e : folded.entrySet()) if (read.contains(e.getKey())) out.addInitializer(tensor(e.getKey(), e.getValue()));
        for (int i = 0; i < out.getOutputCount(); i++) {
            String name = out.getOutput(i).getName();
            if (renames.containsKey(name)) throw new IllegalStateException("graph output " + name + " was renamed");
        }
        return out.build();
    }

    // ---- helpers on nodes ----

    private NodeProto renamed(NodeProto n) {
        boolean any = false;
        for (String in : n.getInputList()) if (renames.containsKey(in)) { any = true; break; }
        if (!any) return n;
        NodeProto.Builder b = n.toBuilder().clearInput();
        for (String in : n.getInputList()) b.addInput(renames.getOrDefault(in, in));
        return b.build();
    }

    private boolean allConstant(NodeProto n, Map<String, TensorProto> initializers) {
        if (n.getOutputCount() != 1) return false;
        if (n.getOpType().equals("Shape")) {
            long[] s = shapes.get(n.getInput(0));
            return s != null && Arrays.stream(s).allMatch(d -> d >= 0);
        }
        for (String in : n.getInputList()) {
            if (in.isEmpty()) continue;
            if (!constants.containsKey(in) && !initializers.containsKey(in)) return false;
        }
        return true;
    }

    private Value constant(String name, Map<String, TensorProto> initializers) {
        Value v = constants.get(name);
        if (v != null) return v;
        TensorProto t = initializers.get(name);
        if (t == null) return null;
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) throw new IllegalArgumentException("external");
        long elements = 1;
        for (long d : t.getDimsList()) elements *= d;
        if (elements > MAX_FOLDED_ELEMENTS) throw new IllegalArgumentException("too large to fold");
        DType dt = OnnxImporter.dtype(t.getDataType(), "initializer '" + name + "'");
        double[] data = OnnxImporter.tensorValues(t);
        v = new Value(dt, t.getDimsList().stream().mapToLong(Long::longValue).toArray(), data);
        constants.put(name, v);
        return v;
    }

    private void recordValueInfo(ValueInfoProto v) {
        if (!v.hasType() || !v.getType().hasTensorType() || !v.getType().getTensorType().hasShape()) return;
        List<TensorShapeProto.Dimension> dims = v.getType().getTensorType().getShape().getDimList();
        long[] s = new long[dims.size()];
        for (int i = 0; i < s.length; i++) s[i] = dims.get(i).hasDimValue() ? dims.get(i).getDimValue() : -1;
        shapes.put(v.getName(), s);
        try {
            types.put(v.getName(), OnnxImporter.dtype(v.getType().getTensorType().getElemType(), v.getName()));
        } catch (OnnxImportException e) {
            // an unreadable type only matters if something uses it; the importer reports that
        }
    }

    /** A node that returns its input unchanged on known static shapes. */
    private boolean isNoOp(NodeProto n) {
        if (n.getInputCount() == 0 || n.getOutputCount() != 1) return false;
        long[] s = shapes.get(n.getInput(0));
        switch (n.getOpType()) {
            case "Identity": return true;
            case "Dropout": return n.getOutputCount() == 1;  // inference: Dropout is the identity
            case "Cast": return types.containsKey(n.getInput(0)) && types.get(n.getInput(0)) == OnnxImporter.dtype((int) intAttr(n, "to", 0), "Cast");
            case "Expand": case "Reshape": {
                Value target = constants.get(n.getInput(1));
                if (s == null || target == null || !known(s)) return false;
                long[] out = n.getOpType().equals("Expand") ? broadcast(s, longs(target)) : reshape(s, longs(target));
                return Arrays.equals(out, s);
            }
            case "Slice": {
                if (s == null || !known(s)) return false;
                SliceSpec spec = sliceSpec(n, s);
                if (spec == null) return false;
                for (int a = 0; a < s.length; a++) if (spec.start[a] != 0 || spec.step[a] != 1 || spec.count[a] != s[a]) return false;
                return true;
            }
            default: return false;
        }
    }

    private static boolean known(long[] s) { return Arrays.stream(s).allMatch(d -> d >= 0); }

    // ---- shape inference for nodes that stay ----

    private void inferShape(NodeProto n) {
        String out = n.getOutputCount() > 0 ? n.getOutput(0) : null;
        if (out == null || out.isEmpty()) return;
        long[] a = n.getInputCount() > 0 ? shapes.get(n.getInput(0)) : null;
        long[] b = n.getInputCount() > 1 ? shapes.get(n.getInput(1)) : null;
        DType ta = n.getInputCount() > 0 ? types.get(n.getInput(0)) : null;
        long[] s = null;
        DType t = ta;
        try {
            switch (n.getOpType()) {
                case "Sigmoid", "Neg", "Softmax", "Sqrt", "Reciprocal", "Cos", "Sin", "Gelu", "Erf", "Tanh", "Relu",
                     "LayerNormalization", "RMSNormalization", "Identity", "Dropout", "Abs", "Exp" -> s = a;
                case "Cast" -> { s = a; t = OnnxImporter.dtype((int) intAttr(n, "to", 0), "Cast"); }
                case "Add", "Sub", "Mul", "Div", "Pow", "Equal", "Where", "Min", "Max" -> {
                    s = a;
                    for (int i = 1; i < n.getInputCount() && s != null; i++) s = shapes.get(n.getInput(i)) == null ? null : broadcast(s, shapes.get(n.getInput(i)));
                    if (n.getOpType().equals("Equal")) t = DType.BOOL;
                    if (n.getOpType().equals("Where")) t = types.get(n.getInput(1));
                }
                case "MatMul", "QuantLinear" -> {
                    if (n.getOpType().equals("QuantLinear") && a != null && b != null) s = replaceLast(a, b[0]);
                    else if (a != null && b != null) s = matmul(a, b);
                }
                case "Gemm" -> {
                    if (a != null && b != null) s = new long[] {a[0], intAttr(n, "transB", 0) != 0 ? b[0] : b[1]};
                }
                case "Transpose" -> {
                    if (a != null) {
                        long[] perm = ints(n, "perm");
                        s = new long[a.length];
                        for (int i = 0; i < a.length; i++) s[i] = a[(int) (perm == null ? a.length - 1 - i : perm[i])];
                    }
                }
                case "Reshape" -> { if (a != null && constants.containsKey(n.getInput(1))) s = reshape(a, longs(constants.get(n.getInput(1)))); }
                case "Expand" -> { if (a != null && constants.containsKey(n.getInput(1))) s = broadcast(a, longs(constants.get(n.getInput(1)))); }
                case "Unsqueeze" -> { if (a != null) s = unsqueeze(a, axes(n)); }
                case "Squeeze" -> { if (a != null) s = squeeze(a, axes(n)); }
                case "Slice" -> {
                    if (a != null && known(a)) {
                        SliceSpec spec = sliceSpec(n, a);
                        if (spec != null) s = spec.count;
                    }
                }
                case "Concat" -> {
                    s = a == null ? null : a.clone();
                    if (s != null) {
                        int axis = axis(intAttr(n, "axis", 0), s.length);
                        for (int i = 1; i < n.getInputCount(); i++) {
                            long[] o = shapes.get(n.getInput(i));
                            if (o == null) { s = null; break; }
                            s[axis] = s[axis] < 0 || o[axis] < 0 ? -1 : s[axis] + o[axis];
                        }
                    }
                }
                case "ReduceMean" -> {
                    if (a != null) {
                        long[] ax = ints(n, "axes");
                        if (ax == null && n.getInputCount() > 1 && constants.containsKey(n.getInput(1))) ax = longs(constants.get(n.getInput(1)));
                        if (ax != null) {
                            s = a.clone();
                            for (long x : ax) s[axis(x, a.length)] = 1;
                            if (intAttr(n, "keepdims", 1) == 0) s = squeeze(s, ax);
                        }
                    }
                }
                default -> s = null;
            }
        } catch (RuntimeException e) {
            s = null;  // shapes that do not agree are reported by the IR's checks after mapping
        }
        if (s != null) shapes.put(out, s);
        if (t != null) types.put(out, t);
    }

    // ---- evaluation ----

    private Value evaluate(NodeProto n, Map<String, TensorProto> init) {
        List<Value> in = new ArrayList<>();
        for (String name : n.getInputList()) in.add(name.isEmpty() ? null : constant(name, init));
        Value x = in.isEmpty() ? null : in.get(0);
        switch (n.getOpType()) {
            case "Constant": {
                AttributeProto v = attribute(n, "value");
                if (v != null && v.hasT()) return new Value(OnnxImporter.dtype(v.getT().getDataType(), "Constant"),
                        v.getT().getDimsList().stream().mapToLong(Long::longValue).toArray(), OnnxImporter.tensorValues(v.getT()));
                AttributeProto vi = attribute(n, "value_int"), vf = attribute(n, "value_float"), vis = attribute(n, "value_ints"), vfs = attribute(n, "value_floats");
                if (vi != null) return new Value(DType.INT64, new long[0], new double[] {vi.getI()});
                if (vf != null) return new Value(DType.FP32, new long[0], new double[] {vf.getF()});
                if (vis != null) return new Value(DType.INT64, new long[] {vis.getIntsCount()}, vis.getIntsList().stream().mapToDouble(Long::doubleValue).toArray());
                if (vfs != null) return new Value(DType.FP32, new long[] {vfs.getFloatsCount()}, vfs.getFloatsList().stream().mapToDouble(Float::doubleValue).toArray());
                return null;
            }
            case "Identity": return x;
            case "Shape": {
                long[] s = shapes.get(n.getInput(0));
                int r = s.length;
                int start = (int) Math.max(0, Math.min(r, axisOrEnd(intAttr(n, "start", 0), r)));
                int end = (int) Math.max(0, Math.min(r, axisOrEnd(intAttr(n, "end", r), r)));
                double[] d = new double[Math.max(0, end - start)];
                for (int i = 0; i < d.length; i++) d[i] = s[start + i];
                return new Value(DType.INT64, new long[] {d.length}, d);
            }
            case "ConstantOfShape": {
                long[] s = longs(x);
                AttributeProto v = attribute(n, "value");
                double fill = v == null ? 0 : OnnxImporter.tensorValues(v.getT())[0];
                DType dt = v == null ? DType.FP32 : OnnxImporter.dtype(v.getT().getDataType(), "ConstantOfShape");
                double[] d = new double[(int) count(s)];
                Arrays.fill(d, fill);
                return new Value(dt, s, d);
            }
            case "Cast": return new Value(OnnxImporter.dtype((int) intAttr(n, "to", 0), "Cast"), x.shape(), cast(x.data(), OnnxImporter.dtype((int) intAttr(n, "to", 0), "Cast")));
            case "Neg": return map(x, v -> -v);
            case "Sqrt": return map(x, Math::sqrt);
            case "Reciprocal": return map(x, v -> 1 / v);
            case "Cos": return map(x, Math::cos);
            case "Sin": return map(x, Math::sin);
            case "Not": return map(x, v -> v == 0 ? 1 : 0);
            case "Add": return binary(x, in.get(1), Double::sum, x.dtype());
            case "Sub": return binary(x, in.get(1), (p, q) -> p - q, x.dtype());
            case "Mul": return binary(x, in.get(1), (p, q) -> p * q, x.dtype());
            case "Div": return binary(x, in.get(1), isInt(x.dtype()) ? (p, q) -> (double) ((long) p / (long) q) : (p, q) -> p / q, x.dtype());
            case "Pow": return binary(x, in.get(1), Math::pow, x.dtype());
            case "Min": return binary(x, in.get(1), Math::min, x.dtype());
            case "Max": return binary(x, in.get(1), Math::max, x.dtype());
            case "Equal": return binary(x, in.get(1), (p, q) -> p == q ? 1 : 0, DType.BOOL);
            case "Less": return binary(x, in.get(1), (p, q) -> p < q ? 1 : 0, DType.BOOL);
            case "Greater": return binary(x, in.get(1), (p, q) -> p > q ? 1 : 0, DType.BOOL);
            case "And": return binary(x, in.get(1), (p, q) -> p != 0 && q != 0 ? 1 : 0, DType.BOOL);
            case "Or": return binary(x, in.get(1), (p, q) -> p != 0 || q != 0 ? 1 : 0, DType.BOOL);
            case "Where": {
                Value c = x, a = in.get(1), b = in.get(2);
                long[] s = broadcast(broadcast(c.shape(), a.shape()), b.shape());
                double[] d = new double[(int) count(s)];
                for (int i = 0; i < d.length; i++) d[i] = at(c, s, i) != 0 ? at(a, s, i) : at(b, s, i);
                return new Value(a.dtype(), s, d);
            }
            case "Range": {
                double start = x.data()[0], limit = in.get(1).data()[0], delta = in.get(2).data()[0];
                int len = (int) Math.max(0, Math.ceil((limit - start) / delta));
                double[] d = new double[len];
                for (int i = 0; i < len; i++) d[i] = start + i * delta;
                return new Value(x.dtype(), new long[] {len}, d);
            }
            case "Unsqueeze": return new Value(x.dtype(), unsqueeze(x.shape(), axes(n)), x.data());
            case "Squeeze": return new Value(x.dtype(), squeeze(x.shape(), axes(n)), x.data());
            case "Reshape": return new Value(x.dtype(), reshape(x.shape(), longs(in.get(1))), x.data());
            case "Expand": {
                long[] s = broadcast(x.shape(), longs(in.get(1)));
                double[] d = new double[(int) count(s)];
                for (int i = 0; i < d.length; i++) d[i] = at(x, s, i);
                return new Value(x.dtype(), s, d);
            }
            case "Gather": {
                int axis = axis(intAttr(n, "axis", 0), x.shape().length);
                Value idx = in.get(1);
                long[] s = x.shape();
                long outer = 1, inner = 1;
                for (int i = 0; i < axis; i++) outer *= s[i];
                for (int i = axis + 1; i < s.length; i++) inner *= s[i];
                long[] os = new long[s.length - 1 + idx.shape().length];
                int o = 0;
                for (int i = 0; i < axis; i++) os[o++] = s[i];
                for (long d : idx.shape()) os[o++] = d;
                for (int i = axis + 1; i < s.length; i++) os[o++] = s[i];
                double[] d = new double[(int) (outer * idx.elements() * inner)];
                int w = 0;
                for (long p = 0; p < outer; p++)
                    for (double id : idx.data()) {
                        long j = (long) id < 0 ? (long) id + s[axis] : (long) id;
                        for (long q = 0; q < inner; q++) d[w++] = x.data()[(int) ((p * s[axis] + j) * inner + q)];
                    }
                return new Value(x.dtype(), os, d);
            }
            case "Concat": {
                int axis = axis(intAttr(n, "axis", 0), x.shape().length);
                long[] s = x.shape().clone();
                s[axis] = 0;
                for (Value v : in) s[axis] += v.shape()[axis];
                long outer = 1;
                for (int i = 0; i < axis; i++) outer *= s[i];
                double[] d = new double[(int) count(s)];
                int w = 0;
                for (long p = 0; p < outer; p++)
                    for (Value v : in) {
                        int chunk = (int) (v.elements() / outer);
                        System.arraycopy(v.data(), (int) (p * chunk), d, w, chunk);
                        w += chunk;
                    }
                return new Value(x.dtype(), s, d);
            }
            case "Slice": {
                SliceSpec spec = sliceSpec(n, x.shape());
                long[] s = spec.count;
                double[] d = new double[(int) count(s)];
                long[] src = strides(x.shape()), idx = new long[s.length];
                for (int i = 0; i < d.length; i++) {
                    long rem = i, off = 0;
                    for (int a = s.length - 1; a >= 0; a--) { idx[a] = rem % s[a]; rem /= s[a]; }
                    for (int a = 0; a < s.length; a++) off += (spec.start[a] + idx[a] * spec.step[a]) * src[a];
                    d[i] = x.data()[(int) off];
                }
                return new Value(x.dtype(), s, d);
            }
            case "Transpose": {
                long[] s0 = x.shape();
                long[] perm = ints(n, "perm");
                long[] s = new long[s0.length];
                for (int i = 0; i < s.length; i++) s[i] = s0[(int) (perm == null ? s0.length - 1 - i : perm[i])];
                long[] src = strides(s0), idx = new long[s.length];
                double[] d = new double[x.data().length];
                for (int i = 0; i < d.length; i++) {
                    long rem = i, off = 0;
                    for (int a = s.length - 1; a >= 0; a--) { idx[a] = rem % s[a]; rem /= s[a]; }
                    for (int a = 0; a < s.length; a++) off += idx[a] * src[(int) (perm == null ? s.length - 1 - a : perm[a])];
                    d[i] = x.data()[(int) off];
                }
                return new Value(x.dtype(), s, d);
            }
            case "Trilu": {
                long k = in.size() > 1 && in.get(1) != null ? in.get(1).scalarLong() : 0;
                boolean upper = intAttr(n, "upper", 1) != 0;
                long[] s = x.shape();
                long rows = s[s.length - 2], cols = s[s.length - 1];
                double[] d = x.data().clone();
                for (int i = 0; i < d.length; i++) {
                    long c = i % cols, r = (i / cols) % rows;
                    boolean keep = upper ? c - r >= k : c - r <= k;
                    if (!keep) d[i] = 0;
                }
                return new Value(x.dtype(), s, d);
            }
            case "MatMul": {
                Value y = in.get(1);
                long[] s = matmul(x.shape(), y.shape());
                if (x.shape().length != 2 || y.shape().length != 2) return null;  // only the small 2-D case (rotary frequency tables)
                int m = (int) s[0], nn = (int) s[1], kk = (int) x.shape()[1];
                double[] d = new double[m * nn];
                for (int i = 0; i < m; i++) for (int j = 0; j < nn; j++) {
                    double acc = 0;
                    for (int q = 0; q < kk; q++) acc += x.data()[i * kk + q] * y.data()[q * nn + j];
                    d[i * nn + j] = acc;
                }
                return new Value(x.dtype(), s, d);
            }
            default: return null;
        }
    }

    // ---- small tensor arithmetic ----

    private record SliceSpec(long[] start, long[] step, long[] count) {}

    /** Slice's per-axis start, step and length on a known shape, from its constant inputs (opset 10+) or attributes (opset < 10). */
    private SliceSpec sliceSpec(NodeProto n, long[] shape) {
        long[] starts, ends, axes = null, steps = null;
        if (n.getInputCount() >= 3) {
            Value s = constants.get(n.getInput(1)), e = constants.get(n.getInput(2));
            if (s == null || e == null) return null;
            starts = longs(s);
            ends = longs(e);
            if (n.getInputCount() > 3 && !n.getInput(3).isEmpty()) { if (!constants.containsKey(n.getInput(3))) return null; axes = longs(constants.get(n.getInput(3))); }
            if (n.getInputCount() > 4 && !n.getInput(4).isEmpty()) { if (!constants.containsKey(n.getInput(4))) return null; steps = longs(constants.get(n.getInput(4))); }
        } else {
            starts = ints(n, "starts");
            ends = ints(n, "ends");
            axes = ints(n, "axes");
            if (starts == null || ends == null) return null;
        }
        int r = shape.length;
        long[] st = new long[r], sp = new long[r], cnt = shape.clone();
        Arrays.fill(sp, 1);
        for (int i = 0; i < starts.length; i++) {
            int a = axis(axes == null ? i : axes[i], r);
            long dim = shape[a], step = steps == null ? 1 : steps[i];
            if (step != 1) return null;  // torch's rotate_half and mask slicing use step 1; others are not needed
            long b = starts[i] < 0 ? starts[i] + dim : starts[i], e = ends[i] < 0 ? ends[i] + dim : ends[i];
            b = Math.max(0, Math.min(dim, b));
            e = Math.max(0, Math.min(dim, e));
            st[a] = b;
            sp[a] = step;
            cnt[a] = Math.max(0, e - b);
        }
        return new SliceSpec(st, sp, cnt);
    }

    private static boolean isInt(DType t) { return t == DType.INT64 || t == DType.INT32 || t == DType.INT8 || t == DType.UINT8 || t == DType.BOOL; }

    private static double[] cast(double[] d, DType to) {
        double[] o = new double[d.length];
        for (int i = 0; i < d.length; i++) o[i] = to == DType.BOOL ? (d[i] != 0 ? 1 : 0) : isInt(to) ? (double) (long) d[i] : to == DType.FP16 ? org.ladderae.formats.Fp16.round(d[i]) : to == DType.FP32 ? (float) d[i] : d[i];
        return o;
    }

    private static Value map(Value x, java.util.function.DoubleUnaryOperator f) {
        double[] d = new double[x.data().length];
        for (int i = 0; i < d.length; i++) d[i] = f.applyAsDouble(x.data()[i]);
        return new Value(x.dtype(), x.shape(), d);
    }

    private static Value binary(Value a, Value b, java.util.function.DoubleBinaryOperator f, DType out) {
        long[] s = broadcast(a.shape(), b.shape());
        double[] d = new double[(int) count(s)];
        for (int i = 0; i < d.length; i++) d[i] = f.applyAsDouble(at(a, s, i), at(b, s, i));
        return new Value(out, s, d);
    }

    /** Element of {@code v} broadcast to {@code shape} at flat index i of that shape. */
    private static double at(Value v, long[] shape, long i) {
        if (v.data().length == 1) return v.data()[0];
        long[] vs = v.shape();
        long off = 0, stride = 1, rem = i;
        for (int a = shape.length - 1; a >= 0; a--) {
            long idx = rem % shape[a];
            rem /= shape[a];
            int va = a - (shape.length - vs.length);
            if (va >= 0) {
                if (vs[va] != 1) off += idx * stride;
                stride *= vs[va];
            }
        }
        return v.data()[(int) off];
    }

    static long[] broadcast(long[] a, long[] b) {
        int r = Math.max(a.length, b.length);
        long[] s = new long[r];
        for (int i = 0; i < r; i++) {
            long x = i - (r - a.length) >= 0 ? a[i - (r - a.length)] : 1, y = i - (r - b.length) >= 0 ? b[i - (r - b.length)] : 1;
            if (x != y && x != 1 && y != 1 && x >= 0 && y >= 0) throw new IllegalArgumentException("shapes do not broadcast");
            s[i] = x == 1 ? y : x;
        }
        return s;
    }

    static long[] reshape(long[] in, long[] target) {
        long[] s = target.clone();
        long known = 1, total = count(in);
        int inferred = -1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == 0) s[i] = in[i];
            if (s[i] == -1) inferred = i; else known *= s[i];
        }
        if (inferred >= 0) s[inferred] = total < 0 || known == 0 ? -1 : total / known;
        return s;
    }

    private static long[] matmul(long[] a, long[] b) {
        if (a.length < 2 || b.length < 2) throw new IllegalArgumentException("matmul rank");
        long[] batch = broadcast(Arrays.copyOf(a, a.length - 2), Arrays.copyOf(b, b.length - 2));
        long[] s = Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = a[a.length - 2];
        s[batch.length + 1] = b[b.length - 1];
        return s;
    }

    private static long[] replaceLast(long[] a, long v) {
        long[] s = a.clone();
        s[s.length - 1] = v;
        return s;
    }

    private long[] axes(NodeProto n) {
        long[] ax = ints(n, "axes");
        if (ax == null && n.getInputCount() > 1 && constants.containsKey(n.getInput(1))) ax = longs(constants.get(n.getInput(1)));
        return ax;
    }

    private static long[] unsqueeze(long[] s, long[] axes) {
        int r = s.length + axes.length;
        long[] out = new long[r];
        boolean[] inserted = new boolean[r];
        for (long a : axes) inserted[axis(a, r)] = true;
        for (int i = 0, j = 0; i < r; i++) out[i] = inserted[i] ? 1 : s[j++];
        return out;
    }

    private static long[] squeeze(long[] s, long[] axes) {
        List<Long> out = new ArrayList<>();
        Set<Integer> drop = new HashSet<>();
        if (axes == null) { for (int i = 0; i < s.length; i++) if (s[i] == 1) drop.add(i); }
        else for (long a : axes) drop.add(axis(a, s.length));
        for (int i = 0; i < s.length; i++) if (!drop.contains(i)) out.add(s[i]);
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    private static long[] strides(long[] s) {
        long[] st = new long[s.length];
        long acc = 1;
        for (int i = s.length - 1; i >= 0; i--) { st[i] = acc; acc *= s[i]; }
        return st;
    }

    static long count(long[] s) {
        long c = 1;
        for (long d : s) { if (d < 0) return -1; c *= d; }
        return c;
    }

    private static int axis(long a, int rank) {
        long x = a < 0 ? a + rank : a;
        if (x < 0 || x >= rank) throw new IllegalArgumentException("axis out of range");
        return (int) x;
    }

    private static long axisOrEnd(long a, int rank) { return a < 0 ? a + rank : a; }

    static long[] longs(Value v) {
        long[] o = new long[v.data().length];
        for (int i = 0; i < o.length; i++) o[i] = (long) v.data()[i];
        return o;
    }

    /** A folded value as an initializer: integers as INT64, floats as FLOAT (exact for FP16 values), bools as BOOL. */
    private static TensorProto tensor(String name, Value v) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name);
        for (long d : v.shape()) t.addDims(d);
        if (v.dtype() == DType.BOOL) {
            t.setDataType(TensorProto.DataType.BOOL_VALUE);
            for (double d : v.data()) t.addInt32Data(d != 0 ? 1 : 0);
        } else if (isInt(v.dtype())) {
            t.setDataType(TensorProto.DataType.INT64_VALUE);
            for (double d : v.data()) t.addInt64Data((long) d);
        } else {
            t.setDataType(TensorProto.DataType.FLOAT_VALUE);
            for (double d : v.data()) t.addFloatData((float) d);
        }
        return t.build();
    }

    private static NodeProto constantNode(String name, Value v) {
        return NodeProto.newBuilder().setOpType("Constant").setName(name + "/folded").addOutput(name)
                .addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR).setT(tensor(name, v))).build();
    }
}
