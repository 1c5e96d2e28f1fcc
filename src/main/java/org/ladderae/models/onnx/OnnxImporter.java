package org.ladderae.models.onnx;

import static org.ladderae.models.onnx.OnnxAttributes.*;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ladderae.checkpoints.Sha256;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.models.DType;
import org.ladderae.models.ModelGraph;
import org.ladderae.models.Op;
import org.ladderae.models.Tensor;
import org.ladderae.models.onnx.proto.OnnxProtos.AttributeProto;
import org.ladderae.models.onnx.proto.OnnxProtos.GraphProto;
import org.ladderae.models.onnx.proto.OnnxProtos.ModelProto;
import org.ladderae.models.onnx.proto.OnnxProtos.NodeProto;
import org.ladderae.models.onnx.proto.OnnxProtos.StringStringEntryProto;
import org.ladderae.models.onnx.proto.OnnxProtos.TensorProto;
import org.ladderae.models.onnx.proto.OnnxProtos.TensorShapeProto;
import org.ladderae.models.onnx.proto.OnnxProtos.ValueInfoProto;

/**
 * Maps an ONNX model onto the model IR. {@link OnnxFolder} first evaluates the graph's constant shape
 * arithmetic (Shape/Gather/Unsqueeze/Concat/Slice/Range/Where/... on static shapes) into initializers and drops
 * no-op nodes; then nodes map one to one where the IR has the op, and these sequences (as torch 2.x's TorchScript
 * exporter writes transformers' LlamaDecoderLayer with eager attention, opset 13-17) fuse into one op each:
 * <ul>
 *   <li><b>RmsNorm</b>: [Cast(x, float)] Pow(x, 2) -> ReduceMean(axes [-1], keepdims 1) -> Add(eps) -> Sqrt ->
 *       (Div(x, .) | Reciprocal or Div(1, .) then Mul(x, .)) -> [Cast] -> [Mul(weight [H])];</li>
 *   <li><b>Linear</b>: MatMul(x, W^T [K, N] initializer) [-> Add(bias [N])], or Gemm(x, W, [bias]);</li>
 *   <li><b>ladder.QuantLinear</b>(x, &lt;w&gt;.qweight, &lt;w&gt;.scales, &lt;w&gt;.zeros[, bias]) -> Linear with the
 *       weight's own INTx format and group size, codes carried as they are ({@link QuantizedWeight} gives the form);</li>
 *   <li><b>Silu / SiluGate</b>: Sigmoid(x), Mul(x, sigmoid) [-> Mul(silu, up activation)];</li>
 *   <li><b>Attention</b>, anchored at its Softmax(axis -1) on [B, heads, S, S] scores:
 *     <pre>
 *     x [B,S,h*d] -> Reshape [B,S,h,d] -> Transpose [0,2,1,3]                         (q, k and v each)
 *     q, k: [rotary, below]
 *     k, v: [repeat_kv: Unsqueeze(axis 2) -> Expand [B,kv,rep,S,d] -> Reshape [B,kv*rep,S,d]]
 *     scores = MatMul(q, Transpose(k, [0,1,3,2])) -> Mul(1/sqrt(d)) | Div(sqrt(d)) -> [Add(causal mask constant)]
 *              (scale and mask in either order, Casts anywhere between) -> Softmax -> [Cast]
 *     out = MatMul(probs, v) -> Transpose [0,2,1,3] -> Reshape [B,S,h*d]
 *     </pre>
 *     becoming [Rotary(q), Rotary(k)] and Attention(q, k, v, heads, kvHeads, headDim, causal). The scale must be
 *     1/sqrt(d) and the mask causal (0 on and below the diagonal, at most -1e4 above), or the import stops saying so;</li>
 *   <li><b>Rotary</b> (rotate_half): Add(Mul(x, cos), Mul(Concat(Neg(Slice(x, d/2:)), Slice(x, :d/2), axis -1), sin))
 *       on head-major x, cos/sin constant tables [.., S, d] whose theta is read back from the tables and checked.</li>
 * </ul>
 * Every tensor inside a fused pattern must be read only inside it; otherwise the pattern is left unfused. A fused
 * op takes the place of its pattern's last node, so the op order stays valid. Anything left over stops the import
 * with "unsupported ONNX op 'X' at node 'Y'" (with dynamic dimensions that is typically a Shape: export with static
 * shapes): a partial graph would only fail later, further from the cause.
 */
public final class OnnxImporter {
    private final GraphProto graph;
    private final Path baseDir;
    private final WeightFormat format;
    private final int groupSize;
    private final long opset;
    private final Map<String, TensorProto> initializers = new HashMap<>();
    private final Map<String, List<Integer>> consumers = new HashMap<>();
    private final Map<String, Integer> producers = new HashMap<>();
    private final Map<String, long[]> shapes;
    private final Map<String, QuantizedWeight> quantizedWeights = new LinkedHashMap<>();
    private final Set<String> graphOutputs;
    private final Map<String, OnnxWeight> usedWeights = new LinkedHashMap<>();
    private final Map<String, String> aliases = new HashMap<>();
    private final boolean[] done;
    private final List<Placed> placed = new ArrayList<>();

    private record Placed(int position, Op op) {}

    private OnnxImporter(OnnxFolder.Simplified simplified, Path baseDir, WeightFormat format, int groupSize, long opset) {
        this.graph = simplified.graph();
        this.shapes = simplified.shapes();
        this.baseDir = baseDir;
        this.format = format;
        this.groupSize = groupSize;
        this.opset = opset;
        this.done = new boolean[graph.getNodeCount()];
        for (TensorProto t : graph.getInitializerList()) initializers.put(t.getName(), t);
        for (int i = 0; i < graph.getNodeCount(); i++) {
            NodeProto n = graph.getNode(i);
            if (n.getOpType().equals("Constant")) {
                // A Constant node is an initializer written as a node (torch exports eps, exponents and shapes this way).
                AttributeProto value = attribute(n, "value");
                if (value == null || !value.hasT()) throw new OnnxImportException("Constant node '" + nodeName(i) + "' has no tensor 'value' (only tensor constants are read)");
                initializers.put(n.getOutput(0), value.getT().toBuilder().setName(n.getOutput(0)).build());
                done[i] = true;
            }
            for (String in : n.getInputList()) if (!in.isEmpty()) consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(i);
            for (String out : n.getOutputList()) producers.put(out, i);
        }
        graphOutputs = Set.copyOf(graph.getOutputList().stream().map(ValueInfoProto::getName).toList());
    }

    /**
     * Reads and maps an ONNX file; linear layers get weights of {@code format} with {@code groupSize}
     * (ignored for formats without group scales).
     * @throws OnnxImportException for a missing, unreadable, truncated or non-ONNX file, or an op or node it cannot map
     */
    public static ImportedModel importFile(Path file, WeightFormat format, int groupSize) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new OnnxImportException("no such file: " + file);
        } catch (IOException | OutOfMemoryError e) {
            throw new OnnxImportException("cannot read " + file + ": " + e.getMessage());
        }
        ModelProto model;
        try {
            model = ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxImportException(file + " is not an ONNX model or is truncated (" + firstLine(e.getMessage()) + ")");
        }
        // A file cut at a field boundary still parses: ONNX writes ir_version first and the opsets after the graph, so both must be there.
        if (!model.hasIrVersion() || model.getIrVersion() < 1 || model.getIrVersion() > 100)
            throw new OnnxImportException(file + " is not an ONNX model (no valid ir_version)");
        if (!model.hasGraph() || model.getOpsetImportCount() == 0)
            throw new OnnxImportException(file + " is truncated or not an ONNX model (" + (model.hasGraph() ? "no opset_import after the graph" : "no graph") + ")");
        long opset = model.getOpsetImportList().stream().filter(o -> o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx"))
                .mapToLong(o -> o.getVersion()).max().orElseThrow(() -> new OnnxImportException(file + " imports no default-domain opset"));
        Path base = file.toAbsolutePath().getParent();
        String stem = file.getFileName().toString().replaceFirst("\\.onnx$", "");
        String name = model.getGraph().getName().isEmpty() ? stem : model.getGraph().getName();
        OnnxFolder.Simplified simplified;
        try {
            simplified = OnnxFolder.simplify(model.getGraph());
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new OnnxImportException(file + ": cannot fold the graph's constant shape arithmetic: " + e.getMessage());
        }
        OnnxImporter importer = new OnnxImporter(simplified, base, format, groupSize, opset);
        ModelGraph g = importer.map(name);
        var source = new ImportedModel.Source(file, bytes.length, Sha256.of(bytes), model.getIrVersion(), opset, model.getProducerName());
        return new ImportedModel(g, importer.usedWeights, importer.quantizedWeights, source);
    }

    private ModelGraph map(String name) {
        // Attention is anchored at its Softmax but begins at the q/k/v reshapes, which come first in node order.
        // RMSNorm likewise starts at a Cast before its Pow.
        for (int i = 0; i < graph.getNodeCount(); i++) {
            if (done[i]) continue;
            if (graph.getNode(i).getOpType().equals("Softmax")) fuseAttention(i);
            else if (graph.getNode(i).getOpType().equals("Pow")) fuseRmsNorm(i);
        }
        for (int i = 0; i < graph.getNodeCount(); i++) if (!done[i]) mapNode(i);
        placed.sort(Comparator.comparingInt(Placed::position));
        List<Tensor> inputs = new ArrayList<>();
        for (ValueInfoProto v : graph.getInputList()) {
            if (initializers.containsKey(v.getName())) continue;  // IR < 4 files list initializers as inputs too
            inputs.add(valueTensor(v));
        }
        List<Tensor> weights = new ArrayList<>();
        for (OnnxWeight w : usedWeights.values()) {
            List<Integer> shape = w.transposed() ? List.of(w.dims().get(1), w.dims().get(0)) : w.dims();
            weights.add(new Tensor(w.name(), shape, w.dtype()));
        }
        for (QuantizedWeight q : quantizedWeights.values()) weights.add(new Tensor(q.name(), List.of(q.n(), q.k()), DType.FP16));
        List<String> outputs = graph.getOutputList().stream().map(v -> resolve(v.getName())).toList();
        try {
            return new ModelGraph(name, inputs, weights, placed.stream().map(Placed::op).toList(), outputs);
        } catch (IllegalArgumentException e) {
            throw new OnnxImportException("the mapped graph does not check: " + e.getMessage());
        }
    }

    private void mapNode(int i) {
        NodeProto n = graph.getNode(i);
        String op = n.getOpType();
        if (n.getDomain().equals(QuantizedWeight.DOMAIN) && op.equals(QuantizedWeight.OP_TYPE)) { mapQuantLinear(i); return; }
        if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) throw unsupported(i);
        switch (op) {
            case "MatMul" -> mapMatMul(i);
            case "Gemm" -> mapGemm(i);
            case "Pow" -> throw unsupported(i);  // every Pow that is part of an RMSNorm was fused before this loop
            case "Sigmoid" -> { if (!fuseSilu(i)) place(i, new Op.Sigmoid(nodeName(i), in(n, 0), n.getOutput(0))); }
            case "Add" -> place(i, new Op.Add(nodeName(i), operand(n, 0), operand(n, 1), n.getOutput(0)));
            case "Mul" -> place(i, new Op.Mul(nodeName(i), operand(n, 0), operand(n, 1), n.getOutput(0)));
            case "Softmax" -> place(i, new Op.Softmax(nodeName(i), in(n, 0), n.getOutput(0), (int) intAttr(n, "axis", opset >= 13 ? -1 : 1)));
            case "Gelu" -> place(i, new Op.Gelu(nodeName(i), in(n, 0), n.getOutput(0), isTanhGelu(n)));
            case "Cast" -> place(i, new Op.Cast(nodeName(i), in(n, 0), n.getOutput(0), dtype((int) intAttr(n, "to", 0), "Cast node '" + nodeName(i) + "'")));
            case "Transpose" -> mapTranspose(i);
            case "Reshape" -> {
                double[] shape = constantValues(n.getInput(1), i);
                List<Long> dims = new ArrayList<>();
                for (double d : shape) dims.add((long) d);
                place(i, new Op.Reshape(nodeName(i), in(n, 0), n.getOutput(0), dims));
            }
            case "LayerNormalization" -> {
                if (intAttr(n, "axis", -1) != -1) throw new OnnxImportException("LayerNormalization node '" + nodeName(i) + "' normalises axis " + intAttr(n, "axis", -1) + "; only the last axis (-1) maps");
                String bias = n.getInputCount() > 2 && !n.getInput(2).isEmpty() ? weight(n.getInput(2), false) : null;
                place(i, new Op.LayerNorm(nodeName(i), in(n, 0), weight(n.getInput(1), false), bias, n.getOutput(0), floatAttr(n, "epsilon", 1e-5)));
            }
            case "RMSNormalization" -> place(i, new Op.RmsNorm(nodeName(i), in(n, 0), weight(n.getInput(1), false), n.getOutput(0), floatAttr(n, "epsilon", 1e-5)));
            case "Identity" -> { aliases.put(n.getOutput(0), resolve(n.getInput(0))); done[i] = true; }
            default -> throw unsupported(i);
        }
    }

    // ---- linear layers ----

    private void mapMatMul(int i) {
        NodeProto n = graph.getNode(i);
        TensorProto w = initializers.get(n.getInput(1));
        if (initializers.containsKey(n.getInput(0))) throw new OnnxImportException("MatMul node '" + nodeName(i) + "' has a constant left operand; only activation x weight maps to a linear layer");
        if (w == null) { place(i, new Op.MatMul(nodeName(i), in(n, 0), in(n, 1), n.getOutput(0))); return; }
        if (w.getDimsCount() != 2) throw new OnnxImportException("MatMul node '" + nodeName(i) + "' has a weight of rank " + w.getDimsCount() + "; linear layers take a [K, N] matrix");
        // torch exports nn.Linear as MatMul(x, W^T) with W^T stored [K][N]; Ladder keeps W as [N][K].
        linear(i, n.getInput(0), n.getInput(1), true, (int) w.getDims(1), (int) w.getDims(0));
    }

    private void mapGemm(int i) {
        NodeProto n = graph.getNode(i);
        TensorProto w = initializers.get(n.getInput(1));
        if (w == null || w.getDimsCount() != 2) throw new OnnxImportException("Gemm node '" + nodeName(i) + "' needs an initializer matrix as B to map to a linear layer");
        if (intAttr(n, "transA", 0) != 0 || floatAttr(n, "alpha", 1) != 1 || floatAttr(n, "beta", 1) != 1)
            throw new OnnxImportException("Gemm node '" + nodeName(i) + "' uses transA, alpha or beta; only Y = A * B(^T) + C maps to a linear layer");
        boolean transB = intAttr(n, "transB", 0) != 0;
        int nOut = (int) (transB ? w.getDims(0) : w.getDims(1)), k = (int) (transB ? w.getDims(1) : w.getDims(0));
        String bias = n.getInputCount() > 2 && !n.getInput(2).isEmpty() ? n.getInput(2) : null;
        if (bias != null) {
            TensorProto b = initializers.get(bias);
            if (b == null || b.getDimsCount() != 1 || b.getDims(0) != nOut)
                throw new OnnxImportException("Gemm node '" + nodeName(i) + "' has a C that is not a [" + nOut + "] initializer bias");
        }
        String wName = weight(n.getInput(1), !transB);
        place(i, linearOp(nodeName(i), in(n, 0), wName, bias == null ? null : weight(bias, false), n.getOutput(0), nOut, k));
    }

    private void linear(int i, String input, String weightName, boolean transposed, int nOut, int k) {
        NodeProto n = graph.getNode(i);
        String out = n.getOutput(0);
        int last = i;
        String bias = null;
        int add = soleConsumer(out);
        if (add >= 0 && graph.getNode(add).getOpType().equals("Add")) {
            NodeProto a = graph.getNode(add);
            String other = a.getInput(0).equals(out) ? a.getInput(1) : a.getInput(0);
            TensorProto b = initializers.get(other);
            if (b != null && b.getDimsCount() == 1 && b.getDims(0) == nOut) {
                bias = weight(other, false);
                out = a.getOutput(0);
                done[add] = true;
                last = add;
            }
        }
        String w = weight(weightName, transposed);
        placeAt(last, i, linearOp(nodeName(i), resolve(input), w, bias, out, nOut, k));
    }

    private Op.Linear linearOp(String name, String input, String weight, String bias, String output, int n, int k) {
        try {
            return new Op.Linear(name, input, weight, bias, output, n, k, format, Op.Linear.groupSizeFor(format, groupSize));
        } catch (IllegalArgumentException e) {
            throw new OnnxImportException("linear layer " + e.getMessage());
        }
    }

    // ---- fused patterns ----

    /** Pow(x,2) -> ReduceMean(last axis) -> Add(eps) -> Sqrt -> Div(x, .) | Reciprocal/Div(1, .) then Mul(x, .) -> [Mul(weight)]. */
    private boolean fuseRmsNorm(int pow) {
        NodeProto p = graph.getNode(pow);
        String x = p.getInput(0);
        if (!isScalarConstant(p.getInput(1), 2.0)) return false;
        int mean = soleConsumerOfType(p.getOutput(0), "ReduceMean");
        if (mean < 0 || !reducesLastAxis(mean)) return false;
        int add = soleConsumerOfType(graph.getNode(mean).getOutput(0), "Add");
        if (add < 0) return false;
        NodeProto a = graph.getNode(add);
        String epsName = a.getInput(0).equals(graph.getNode(mean).getOutput(0)) ? a.getInput(1) : a.getInput(0);
        double[] eps = initializers.containsKey(epsName) ? constantValues(epsName, add) : null;
        if (eps == null || eps.length != 1) return false;
        int sqrt = soleConsumerOfType(a.getOutput(0), "Sqrt");
        if (sqrt < 0) return false;
        String root = graph.getNode(sqrt).getOutput(0);
        int next = soleConsumer(root);
        if (next < 0) return false;
        NodeProto nx = graph.getNode(next);
        List<Integer> nodes = new ArrayList<>(List.of(pow, mean, add, sqrt, next));
        String normalized;
        int xReader;
        if (nx.getOpType().equals("Div") && nx.getInput(0).equals(x) && nx.getInput(1).equals(root)) {
            normalized = nx.getOutput(0);
            xReader = next;
        } else if (nx.getOpType().equals("Reciprocal") || (nx.getOpType().equals("Div") && isScalarConstant(nx.getInput(0), 1.0) && nx.getInput(1).equals(root))) {
            int mul = soleConsumerOfType(nx.getOutput(0), "Mul");
            if (mul < 0 || !graph.getNode(mul).getInputList().contains(x)) return false;
            nodes.add(mul);
            normalized = graph.getNode(mul).getOutput(0);
            xReader = mul;
        } else {
            return false;
        }
        // LlamaRMSNorm computes in FP32: Cast(x -> float) before, Cast(-> input dtype) before the weight; both fold in.
        String source = x;
        Integer upCast = producers.get(x);
        if (upCast != null && !done[upCast] && graph.getNode(upCast).getOpType().equals("Cast") && !graphOutputs.contains(x)
                && Set.copyOf(consumers.get(x)).equals(Set.of(pow, xReader))) {
            source = graph.getNode(upCast).getInput(0);
            nodes.add(upCast);
        }
        int downCast = soleConsumerOfType(normalized, "Cast");
        if (downCast >= 0) {
            nodes.add(downCast);
            normalized = graph.getNode(downCast).getOutput(0);
        }
        String weightName = null, output = normalized;
        int scale = soleConsumerOfType(normalized, "Mul");
        if (scale >= 0) {
            NodeProto m = graph.getNode(scale);
            String other = m.getInput(0).equals(normalized) ? m.getInput(1) : m.getInput(0);
            TensorProto w = initializers.get(other);
            if (w != null && w.getDimsCount() == 1) {
                weightName = weight(other, false);
                output = m.getOutput(0);
                nodes.add(scale);
            }
        }
        for (int n : nodes) done[n] = true;
        placeAt(nodes.stream().mapToInt(Integer::intValue).max().orElseThrow(), pow,
                new Op.RmsNorm(nodeName(pow), resolve(source), weightName, output, eps[0]));
        return true;
    }

    /** Sigmoid(x) and Mul(x, sigmoid) -> Silu; a following Mul(silu, up) with an activation -> SiluGate(x, up). */
    private boolean fuseSilu(int sig) {
        NodeProto s = graph.getNode(sig);
        String x = s.getInput(0);
        int mul = soleConsumerOfType(s.getOutput(0), "Mul");
        if (mul < 0 || !graph.getNode(mul).getInputList().contains(x)) return false;
        done[mul] = true;
        String silu = graph.getNode(mul).getOutput(0);
        int gate = soleConsumerOfType(silu, "Mul");
        if (gate >= 0) {
            NodeProto g = graph.getNode(gate);
            String up = g.getInput(0).equals(silu) ? g.getInput(1) : g.getInput(0);
            if (!initializers.containsKey(up) && !up.equals(silu)) {
                done[gate] = true;
                placeAt(gate, sig, new Op.SiluGate(nodeName(sig), resolve(x), resolve(up), g.getOutput(0)));
                return true;
            }
        }
        placeAt(mul, sig, new Op.Silu(nodeName(sig), resolve(x), silu));
        return true;
    }

    private boolean reducesLastAxis(int mean) {
        NodeProto m = graph.getNode(mean);
        if (intAttr(m, "keepdims", 1) != 1) return false;
        AttributeProto axes = attribute(m, "axes");
        List<Long> ax = axes != null ? axes.getIntsList()
                : m.getInputCount() > 1 && initializers.containsKey(m.getInput(1)) ? longs(constantValues(m.getInput(1), mean)) : List.of();
        return ax.size() == 1 && ax.get(0) == -1;  // torch writes -1 for mean(-1); a positive last axis would need the rank here
    }

    // ---- attention and rotary (torch's export of transformers' eager attention) ----

    /** The head-major [B, heads, S, d] view of a [B, S, heads*d] tensor: Reshape to [B, S, heads, d] then Transpose [0, 2, 1, 3]. */
    private record HeadSplit(String source, int heads, int headDim, List<Integer> nodes) {}

    /** rotate_half RoPE applied to a head-major tensor, with the theta its cos/sin tables were built with. */
    private record RotaryMatch(String input, String output, double theta, List<Integer> nodes) {}

    /** repeat_kv: Unsqueeze(axis 2) -> Expand [B, kv, rep, S, d] -> Reshape [B, kv*rep, S, d]; rep 1 when absent. */
    private record RepeatKv(String input, int rep, List<Integer> nodes) {}

    /**
     * Fuses one attention block anchored at its Softmax (see the class javadoc for the node sequence) into
     * Rotary(q), Rotary(k) and Attention. Returns false, leaving the nodes to be mapped one by one (and most
     * likely rejected), when the nodes around the Softmax are not that sequence.
     */
    private boolean fuseAttention(int softmax) {
        NodeProto sm = graph.getNode(softmax);
        long axis = intAttr(sm, "axis", opset >= 13 ? -1 : 1);
        long[] smShape = shapes.get(sm.getInput(0));
        if (smShape == null || smShape.length != 4 || (axis != -1 && axis != 3)) return false;
        List<Integer> nodes = new ArrayList<>(List.of(softmax));
        // Backwards from the Softmax: [Cast] [Add causal mask] [Mul scale | Div sqrt(d)] MatMul(q, k^T), in either order of mask and scale.
        String t = skipCasts(sm.getInput(0), nodes);
        String mask = null;
        double scale = Double.NaN;
        for (int step = 0; step < 2; step++) {
            Integer p = producers.get(t);
            if (p == null || done[p]) return false;
            NodeProto pn = graph.getNode(p);
            String op = pn.getOpType();
            int constAt = initializers.containsKey(pn.getInput(1)) ? 1 : initializers.containsKey(pn.getInput(0)) ? 0 : -1;
            if (constAt < 0 || !(op.equals("Add") || op.equals("Mul") || op.equals("Div"))) break;
            String c = pn.getInput(constAt), other = pn.getInput(1 - constAt);
            double[] cv = constantValues(c, p);
            if (op.equals("Add") && mask == null) mask = c;
            else if (op.equals("Mul") && cv.length == 1 && Double.isNaN(scale)) scale = cv[0];
            else if (op.equals("Div") && constAt == 1 && cv.length == 1 && Double.isNaN(scale)) scale = 1 / cv[0];
            else return false;
            nodes.add(p);
            t = skipCasts(other, nodes);
        }
        Integer scores = producers.get(t);
        if (scores == null || done[scores] || !graph.getNode(scores).getOpType().equals("MatMul")) return false;
        NodeProto qk = graph.getNode(scores);
        if (initializers.containsKey(qk.getInput(0)) || initializers.containsKey(qk.getInput(1))) return false;
        nodes.add(scores);
        // k^T: Transpose [0, 1, 3, 2] of the (repeated) head-major k.
        Integer kT = producers.get(qk.getInput(1));
        if (kT == null || !isTranspose(kT, 0, 1, 3, 2)) return false;
        nodes.add(kT);
        RepeatKv kRep = repeatKv(graph.getNode(kT).getInput(0));
        RotaryMatch kRope = rotary(kRep.input());
        HeadSplit kSplit = headSplit(kRope == null ? kRep.input() : kRope.input());
        RotaryMatch qRope = rotary(qk.getInput(0));
        HeadSplit qSplit = headSplit(qRope == null ? qk.getInput(0) : qRope.input());
        if (kSplit == null || qSplit == null) return false;
        // Forwards from the Softmax: [Cast] MatMul(probs, v) -> Transpose [0, 2, 1, 3] -> Reshape [B, S, heads*d].
        String probs = sm.getOutput(0);
        int c = soleConsumer(probs);
        while (c >= 0 && graph.getNode(c).getOpType().equals("Cast")) {
            nodes.add(c);
            probs = graph.getNode(c).getOutput(0);
            c = soleConsumer(probs);
        }
        if (c < 0 || !graph.getNode(c).getOpType().equals("MatMul") || !graph.getNode(c).getInput(0).equals(probs)) return false;
        int pv = c;
        nodes.add(pv);
        RepeatKv vRep = repeatKv(graph.getNode(pv).getInput(1));
        HeadSplit vSplit = headSplit(vRep.input());
        if (vSplit == null) return false;
        int back = soleConsumer(graph.getNode(pv).getOutput(0));
        if (back < 0 || !isTranspose(back, 0, 2, 1, 3)) return false;
        nodes.add(back);
        int merge = soleConsumerOfType(graph.getNode(back).getOutput(0), "Reshape");
        long[] merged = merge < 0 ? null : shapes.get(graph.getNode(merge).getOutput(0));
        if (merged == null || merged.length != 3) return false;
        nodes.add(merge);

        int heads = qSplit.heads(), kvHeads = kSplit.heads(), headDim = qSplit.headDim();
        String where = "attention at Softmax node '" + nodeName(softmax) + "'";
        if (kSplit.headDim() != headDim || vSplit.headDim() != headDim || vSplit.heads() != kvHeads)
            throw new OnnxImportException(where + ": q, k, v head shapes differ (q " + heads + "x" + qSplit.headDim() + ", k " + kvHeads + "x" + kSplit.headDim() + ", v " + vSplit.heads() + "x" + vSplit.headDim() + ")");
        if (kRep.rep() != vRep.rep() || kvHeads * kRep.rep() != heads)
            throw new OnnxImportException(where + ": " + kvHeads + " kv heads repeated " + kRep.rep() + "x (k) / " + vRep.rep() + "x (v) do not make " + heads + " query heads");
        if (Double.isNaN(scale) || Math.abs(scale * Math.sqrt(headDim) - 1) > 1e-3)
            throw new OnnxImportException(where + ": scores are scaled by " + (Double.isNaN(scale) ? "nothing" : String.valueOf(scale)) + ", not 1/sqrt(" + headDim + ")");
        boolean causal = false;
        if (mask != null) {
            checkCausalMask(mask, smShape, where);
            causal = true;
        }
        if ((qRope == null) != (kRope == null)) throw new OnnxImportException(where + ": rotary embedding is applied to only one of q and k");
        for (List<Integer> part : List.of(kRep.nodes(), vRep.nodes(), kSplit.nodes(), qSplit.nodes(), vSplit.nodes())) nodes.addAll(part);
        if (qRope != null) { nodes.addAll(qRope.nodes()); nodes.addAll(kRope.nodes()); }
        // Every tensor inside the pattern must be read only inside it: fusing a tensor someone else reads would hide it.
        java.util.Set<Integer> inside = new java.util.HashSet<>(nodes);
        for (int n : nodes) {
            if (done[n]) return false;
            if (n == merge) continue;
            for (String out : graph.getNode(n).getOutputList()) {
                if (graphOutputs.contains(out)) return false;
                for (int r : consumers.getOrDefault(out, List.of())) if (!inside.contains(r)) return false;
            }
        }
        for (int n : nodes) done[n] = true;
        String q = resolve(qSplit.source()), k = resolve(kSplit.source()), v = resolve(vSplit.source());
        if (qRope != null) {
            if (Math.abs(qRope.theta() - kRope.theta()) > 1e-6 * qRope.theta()) throw new OnnxImportException(where + ": q and k rotary tables use different theta (" + qRope.theta() + ", " + kRope.theta() + ")");
            // The rotated tensors keep the ONNX name of the rotary Add, in the IR's [B, S, heads*headDim] layout.
            placeAt(last(qRope.nodes()), softmax, new Op.Rotary(nodeName(last(qRope.nodes())), q, qRope.output(), heads, headDim, qRope.theta()));
            placeAt(last(kRope.nodes()), softmax, new Op.Rotary(nodeName(last(kRope.nodes())), k, kRope.output(), kvHeads, headDim, kRope.theta()));
            q = qRope.output();
            k = kRope.output();
        }
        placeAt(merge, softmax, new Op.Attention(nodeName(softmax), q, k, v, null, graph.getNode(merge).getOutput(0), heads, kvHeads, headDim, causal));
        return true;
    }

    private static int last(List<Integer> nodes) { return nodes.stream().mapToInt(Integer::intValue).max().orElseThrow(); }

    /** Walks back through Cast nodes (eager attention's softmax runs in FP32), adding them to {@code nodes}. */
    private String skipCasts(String tensor, List<Integer> nodes) {
        Integer p = producers.get(tensor);
        while (p != null && !done[p] && graph.getNode(p).getOpType().equals("Cast")) {
            nodes.add(p);
            tensor = graph.getNode(p).getInput(0);
            p = producers.get(tensor);
        }
        return tensor;
    }

    private boolean isTranspose(int node, long... perm) {
        NodeProto n = graph.getNode(node);
        if (done[node] || !n.getOpType().equals("Transpose")) return false;
        AttributeProto a = attribute(n, "perm");
        return a != null && a.getIntsList().equals(java.util.Arrays.stream(perm).boxed().toList());
    }

    /** Reshape(x [B, S, heads*d] -> [B, S, heads, d]) then Transpose [0, 2, 1, 3]; null when {@code headMajor} is not made so. */
    private HeadSplit headSplit(String headMajor) {
        Integer tr = producers.get(headMajor);
        if (tr == null || !isTranspose(tr, 0, 2, 1, 3)) return null;
        Integer rs = producers.get(graph.getNode(tr).getInput(0));
        if (rs == null || done[rs] || !graph.getNode(rs).getOpType().equals("Reshape")) return null;
        long[] in = shapes.get(graph.getNode(rs).getInput(0)), out = shapes.get(graph.getNode(rs).getOutput(0));
        if (in == null || out == null || in.length != 3 || out.length != 4 || out[2] < 1 || out[3] < 1 || in[2] != out[2] * out[3]) return null;
        return new HeadSplit(graph.getNode(rs).getInput(0), (int) out[2], (int) out[3], List.of(rs, tr));
    }

    private RepeatKv repeatKv(String repeated) {
        Integer rs = producers.get(repeated);
        if (rs == null || done[rs] || !graph.getNode(rs).getOpType().equals("Reshape")) return new RepeatKv(repeated, 1, List.of());
        Integer ex = producers.get(graph.getNode(rs).getInput(0));
        if (ex == null || done[ex] || !graph.getNode(ex).getOpType().equals("Expand")) return new RepeatKv(repeated, 1, List.of());
        Integer un = producers.get(graph.getNode(ex).getInput(0));
        if (un == null || done[un] || !graph.getNode(un).getOpType().equals("Unsqueeze")) return new RepeatKv(repeated, 1, List.of());
        long[] in = shapes.get(graph.getNode(un).getInput(0)), expanded = shapes.get(graph.getNode(ex).getOutput(0)), out = shapes.get(repeated);
        if (in == null || expanded == null || out == null || in.length != 4 || expanded.length != 5 || out.length != 4) return new RepeatKv(repeated, 1, List.of());
        // [B, kv, S, d] -> [B, kv, rep, S, d] -> [B, kv*rep, S, d]
        if (expanded[1] != in[1] || expanded[3] != in[2] || expanded[4] != in[3] || out[1] != in[1] * expanded[2] || out[2] != in[2] || out[3] != in[3])
            return new RepeatKv(repeated, 1, List.of());
        return new RepeatKv(graph.getNode(un).getInput(0), (int) expanded[2], List.of(un, ex, rs));
    }

    /**
     * Add(Mul(x, cos), Mul(Concat(Neg(Slice(x, d/2:)), Slice(x, :d/2), axis -1), sin)), operands in either order,
     * cos and sin constant tables [.., S, d]; null when {@code rotated} is not made so.
     */
    private RotaryMatch rotary(String rotated) {
        Integer add = producers.get(rotated);
        if (add == null || done[add] || !graph.getNode(add).getOpType().equals("Add")) return null;
        NodeProto a = graph.getNode(add);
        for (int order = 0; order < 2; order++) {
            Integer mCos = producers.get(a.getInput(order)), mSin = producers.get(a.getInput(1 - order));
            if (mCos == null || mSin == null || !graph.getNode(mCos).getOpType().equals("Mul") || !graph.getNode(mSin).getOpType().equals("Mul")) continue;
            String[] cosSide = splitConstant(graph.getNode(mCos)), sinSide = splitConstant(graph.getNode(mSin));
            if (cosSide == null || sinSide == null) continue;
            String x = cosSide[0];
            Integer cat = producers.get(sinSide[0]);
            if (cat == null || !graph.getNode(cat).getOpType().equals("Concat") || graph.getNode(cat).getInputCount() != 2) continue;
            long[] xs = shapes.get(x);
            if (xs == null || xs.length != 4 || xs[3] < 2 || xs[3] % 2 != 0) continue;
            long catAxis = intAttr(graph.getNode(cat), "axis", 0);
            if (catAxis != -1 && catAxis != 3) continue;
            Integer neg = producers.get(graph.getNode(cat).getInput(0)), lowHalf = producers.get(graph.getNode(cat).getInput(1));
            if (neg == null || lowHalf == null || !graph.getNode(neg).getOpType().equals("Neg")) continue;
            Integer highHalf = producers.get(graph.getNode(neg).getInput(0));
            long half = xs[3] / 2;
            if (highHalf == null || !isLastAxisSlice(lowHalf, x, 0, half) || !isLastAxisSlice(highHalf, x, half, xs[3])) continue;
            double theta = ropeTheta(cosSide[1], sinSide[1], (int) xs[2], (int) xs[3], "rotary Add node '" + nodeName(add) + "'");
            return new RotaryMatch(x, a.getOutput(0), theta, List.of(mCos, mSin, cat, neg, lowHalf, highHalf, add));
        }
        return null;
    }

    /** {activation, constant} operands of a Mul, or null unless exactly one is a constant. */
    private String[] splitConstant(NodeProto mul) {
        boolean c0 = initializers.containsKey(mul.getInput(0)), c1 = initializers.containsKey(mul.getInput(1));
        if (c0 == c1) return null;
        return c1 ? new String[] {mul.getInput(0), mul.getInput(1)} : new String[] {mul.getInput(1), mul.getInput(0)};
    }

    /** A Slice of {@code x}'s last axis [from, to) with step 1, its parameters constants. */
    private boolean isLastAxisSlice(int node, String x, long from, long to) {
        NodeProto n = graph.getNode(node);
        if (!n.getOpType().equals("Slice") || !n.getInput(0).equals(x) || n.getInputCount() < 4) return false;
        long[] xs = shapes.get(x), out = shapes.get(n.getOutput(0));
        if (out == null || out.length != xs.length || out[3] != to - from) return false;
        for (int i = 0; i < 3; i++) if (out[i] != xs[i]) return false;
        double[] starts = constantValues(n.getInput(1), node);
        long start = (long) starts[0] < 0 ? (long) starts[0] + xs[3] : (long) starts[0];
        return starts.length == 1 && start == from;
    }

    /**
     * The theta of transformers' RoPE tables: cos[p][i] = cos(p * theta^(-2j/d)), j = i mod d/2 (the frequencies are
     * concatenated twice), positions 0..S-1. Estimated from the slowest frequency at the last position (the most
     * accurate angle an FP16 table holds), rounded to 3 significant digits, and then checked against every entry.
     */
    private double ropeTheta(String cosName, String sinName, int seq, int headDim, String where) {
        double[] cos = constantValues(cosName, producers.getOrDefault(cosName, 0)), sin = constantValues(sinName, producers.getOrDefault(sinName, 0));
        long[] cs = shapes.get(cosName);
        if (cos.length != sin.length || cs == null || cs.length < 2 || cs[cs.length - 1] != headDim || cs[cs.length - 2] != seq || cos.length != (long) seq * headDim)
            throw new OnnxImportException(where + ": cos/sin tables are not one [" + seq + ", " + headDim + "] table each (got " + (cs == null ? "?" : java.util.Arrays.toString(cs)) + ")");
        int half = headDim / 2;
        double theta = 10000;  // with a single position every angle is 0 and theta does not matter
        if (seq > 1) {
            int p = seq - 1, j = half - 1;
            double angle = Math.atan2(sin[p * headDim + j], cos[p * headDim + j]) / p;
            if (!(angle > 0)) throw new OnnxImportException(where + ": cos/sin tables do not rotate (angle " + angle + " at position " + p + ")");
            theta = Math.pow(angle, -(double) headDim / (2.0 * j));
            double magnitude = Math.pow(10, Math.floor(Math.log10(theta)) - 2);
            theta = Math.rint(theta / magnitude) * magnitude;
        }
        for (int p = 0; p < seq; p++)
            for (int i = 0; i < headDim; i++) {
                double f = p * Math.pow(theta, -2.0 * (i % half) / headDim);
                if (Math.abs(cos[p * headDim + i] - Math.cos(f)) > 1e-2 || Math.abs(sin[p * headDim + i] - Math.sin(f)) > 1e-2)
                    throw new OnnxImportException(where + ": cos/sin tables differ from rotate_half RoPE with theta " + theta + " at position " + p + ", index " + i);
            }
        return theta;
    }

    /** The additive mask must be causal: 0 where key <= query, at most -1e4 (torch's finfo.min or -inf) above the diagonal. */
    private void checkCausalMask(String mask, long[] scoreShape, String where) {
        double[] m = constantValues(mask, producers.getOrDefault(mask, 0));
        long[] ms = shapes.get(mask);
        long s = scoreShape[3];
        if (ms == null || ms.length < 2 || ms[ms.length - 1] != s || ms[ms.length - 2] != scoreShape[2])
            throw new OnnxImportException(where + ": the added mask " + (ms == null ? "?" : java.util.Arrays.toString(ms)) + " is not [.., " + scoreShape[2] + ", " + s + "]");
        long rows = scoreShape[2];
        for (int i = 0; i < m.length; i++) {
            long col = i % s, row = (i / s) % rows;
            boolean visible = col <= row + (s - rows);
            if (visible ? m[i] != 0 : m[i] > -1e4)
                throw new OnnxImportException(where + ": the added mask is not causal (row " + row + ", column " + col + " holds " + m[i] + ")");
        }
    }

    // ---- quantised linear layers ----

    /** ladder.QuantLinear(x, qweight, scales, zeros[, bias]) with attributes bits and group_size: see {@link QuantizedWeight}. */
    private void mapQuantLinear(int i) {
        NodeProto n = graph.getNode(i);
        String node = "QuantLinear node '" + nodeName(i) + "'";
        if (n.getInputCount() < 4) throw new OnnxImportException(node + " has " + n.getInputCount() + " inputs; it needs x, qweight, scales, zeros[, bias]");
        int bits = (int) intAttr(n, "bits", 0), group = (int) intAttr(n, "group_size", 0);
        OnnxWeight[] parts = new OnnxWeight[3];
        for (int p = 0; p < 3; p++) {
            TensorProto t = initializers.get(n.getInput(p + 1));
            if (t == null) throw new OnnxImportException(node + ": '" + n.getInput(p + 1) + "' is no initializer");
            parts[p] = readWeight(t);
        }
        QuantizedWeight q;
        try {
            q = QuantizedWeight.of(QuantizedWeight.logicalName(n.getInput(1)), bits, group, parts[0], parts[1], parts[2]);
        } catch (IllegalArgumentException e) {
            throw new OnnxImportException(node + ": " + e.getMessage());
        }
        if (quantizedWeights.containsKey(q.name()) || usedWeights.containsKey(q.name()))
            throw new OnnxImportException(node + ": weight name '" + q.name() + "' is already used");
        quantizedWeights.put(q.name(), q);
        String bias = n.getInputCount() > 4 && !n.getInput(4).isEmpty() ? weight(n.getInput(4), false) : null;
        try {
            place(i, new Op.Linear(nodeName(i), in(n, 0), q.name(), bias, n.getOutput(0), q.n(), q.k(), q.format(), q.groupSize()));
        } catch (IllegalArgumentException e) {
            throw new OnnxImportException("linear layer " + e.getMessage());
        }
    }

    // ---- helpers ----

    private void mapTranspose(int i) {
        NodeProto n = graph.getNode(i);
        AttributeProto perm = attribute(n, "perm");
        if (perm == null) throw new OnnxImportException("Transpose node '" + nodeName(i) + "' has no perm (reversing all axes is not mapped)");
        place(i, new Op.Transpose(nodeName(i), in(n, 0), n.getOutput(0), perm.getIntsList().stream().map(Long::intValue).toList()));
    }

    private void place(int i, Op op) { placeAt(i, i, op); }

    private void placeAt(int position, int anchor, Op op) {
        done[anchor] = true;
        placed.add(new Placed(position, op));
    }

    private String in(NodeProto n, int index) { return resolve(n.getInput(index)); }

    /** An input that may be an initializer (an Add's bias, a Mul's scale): initializers become graph weights. */
    private String operand(NodeProto n, int index) {
        String name = n.getInput(index);
        return initializers.containsKey(name) ? weight(name, false) : resolve(name);
    }

    private String resolve(String name) { return aliases.getOrDefault(name, name); }

    /** Registers an initializer as a graph weight and returns its name. */
    private String weight(String name, boolean transposed) {
        TensorProto t = initializers.get(name);
        if (t == null) throw new OnnxImportException("'" + name + "' is used as a weight but is no initializer or constant");
        OnnxWeight known = usedWeights.get(name);
        if (known != null) {
            if (known.transposed() != transposed) throw new OnnxImportException("initializer '" + name + "' is used both as [N,K] and as [K,N]");
            return name;
        }
        OnnxWeight w = readWeight(t);
        usedWeights.put(name, transposed ? w.asTransposed() : w);
        return name;
    }

    private OnnxWeight readWeight(TensorProto t) { return readWeight(t, baseDir); }

    private static OnnxWeight readWeight(TensorProto t, Path baseDir) {
        DType dt = dtype(t.getDataType(), "initializer '" + t.getName() + "'");
        List<Integer> dims = t.getDimsList().stream().map(Long::intValue).toList();
        long elements = OnnxWeight.elements(dims);
        ByteBuffer data;
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            data = external(t, elements * dt.bytes(), baseDir);
        } else if (t.hasRawData()) {
            data = t.getRawData().asReadOnlyByteBuffer();
        } else {
            data = ByteBuffer.allocate((int) (elements * dt.bytes())).order(ByteOrder.LITTLE_ENDIAN);
            if (t.getFloatDataCount() > 0) for (float f : t.getFloatDataList()) data.putFloat(f);
            else if (t.getInt64DataCount() > 0) for (long l : t.getInt64DataList()) data.putLong(l);
            else if (t.getDoubleDataCount() > 0) throw new OnnxImportException("initializer '" + t.getName() + "' holds double_data, which ladder-ae does not read");
            else if (t.getInt32DataCount() > 0) {
                // ONNX keeps FP16/BF16/INT8/BOOL element bits in int32_data, one per entry.
                for (int v : t.getInt32DataList()) {
                    if (dt.bytes() == 2) data.putShort((short) v);
                    else if (dt.bytes() == 1) data.put((byte) v);
                    else data.putInt(v);
                }
            }
            if (data.position() != data.capacity()) throw new OnnxImportException("initializer '" + t.getName() + "' holds " + data.position() + " bytes of values, its shape " + dims + " of " + dt.token() + " needs " + data.capacity());
            data.flip();
        }
        return new OnnxWeight(t.getName(), dt, dims, data, false);
    }

    /** External data ("location" relative to the model file, "offset", "length"), mapped read-only; it may not leave the model's folder. */
    private static ByteBuffer external(TensorProto t, long expected, Path baseDir) {
        Map<String, String> kv = new HashMap<>();
        for (StringStringEntryProto e : t.getExternalDataList()) kv.put(e.getKey(), e.getValue());
        String location = kv.get("location");
        if (location == null) throw new OnnxImportException("initializer '" + t.getName() + "' is external but names no location");
        Path file = baseDir.resolve(location).normalize();
        if (!file.startsWith(baseDir)) throw new OnnxImportException("initializer '" + t.getName() + "' points outside the model's folder: " + location);
        long offset = Long.parseLong(kv.getOrDefault("offset", "0"));
        long length = kv.containsKey("length") ? Long.parseLong(kv.get("length")) : expected;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (offset + length > ch.size()) throw new OnnxImportException("external data of '" + t.getName() + "' ends past " + file + " (" + ch.size() + " bytes): truncated?");
            return ch.map(FileChannel.MapMode.READ_ONLY, offset, length);
        } catch (NoSuchFileException e) {
            throw new OnnxImportException("external data of '" + t.getName() + "' is missing: " + file);
        } catch (IOException e) {
            throw new OnnxImportException("cannot read external data of '" + t.getName() + "' from " + file + ": " + e.getMessage());
        }
    }

    /** All values of an in-file (not external) initializer, for the folder's constant arithmetic. */
    static double[] tensorValues(TensorProto t) {
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) throw new IllegalArgumentException("initializer '" + t.getName() + "' is external");
        return readWeight(t, null).values();
    }

    private double[] constantValues(String name, int node) {
        TensorProto t = initializers.get(name);
        if (t == null) throw new OnnxImportException(graph.getNode(node).getOpType() + " node '" + nodeName(node) + "' needs '" + name + "' to be a constant");
        return readWeight(t).values();
    }

    private boolean isScalarConstant(String name, double value) {
        TensorProto t = initializers.get(name);
        if (t == null || OnnxWeight.elements(t.getDimsList().stream().map(Long::intValue).toList()) != 1) return false;
        return readWeight(t).element(0) == value;
    }

    private static List<Long> longs(double[] v) {
        List<Long> out = new ArrayList<>();
        for (double d : v) out.add((long) d);
        return out;
    }

    /** The one node reading {@code tensor}, or -1 when none, several, or it is a graph output (fusing it would hide it). */
    private int soleConsumer(String tensor) {
        List<Integer> c = consumers.getOrDefault(tensor, List.of());
        return c.size() == 1 && !graphOutputs.contains(tensor) && !done[c.get(0)] ? c.get(0) : -1;
    }

    private int soleConsumerOfType(String tensor, String opType) {
        int c = soleConsumer(tensor);
        return c >= 0 && graph.getNode(c).getOpType().equals(opType) ? c : -1;
    }

    private String nodeName(int i) {
        String n = graph.getNode(i).getName();
        return n.isEmpty() ? graph.getNode(i).getOpType() + "#" + i : n;
    }

    private OnnxImportException unsupported(int i) {
        NodeProto n = graph.getNode(i);
        String op = n.getDomain().isEmpty() ? n.getOpType() : n.getDomain() + "." + n.getOpType();
        return new OnnxImportException("unsupported ONNX op '" + op + "' at node '" + nodeName(i) + "'");
    }

    /** ONNX Gelu's approximate attribute: "tanh", or "none" (the exact erf form, the default). */
    private static boolean isTanhGelu(NodeProto n) {
        AttributeProto a = attribute(n, "approximate");
        return a != null && a.getS().toStringUtf8().equals("tanh");
    }

    private Tensor valueTensor(ValueInfoProto v) {
        if (!v.hasType() || !v.getType().hasTensorType()) throw new OnnxImportException("graph input '" + v.getName() + "' is not a tensor");
        var tt = v.getType().getTensorType();
        List<Integer> shape = new ArrayList<>();
        for (TensorShapeProto.Dimension d : tt.getShape().getDimList()) shape.add(d.hasDimValue() ? (int) d.getDimValue() : Tensor.DYNAMIC);
        return new Tensor(v.getName(), shape, dtype(tt.getElemType(), "graph input '" + v.getName() + "'"));
    }

    static DType dtype(int onnxType, String what) {
        return switch (onnxType) {
            case TensorProto.DataType.FLOAT_VALUE -> DType.FP32;
            case TensorProto.DataType.FLOAT16_VALUE -> DType.FP16;
            case TensorProto.DataType.BFLOAT16_VALUE -> DType.BF16;
            case TensorProto.DataType.INT64_VALUE -> DType.INT64;
            case TensorProto.DataType.INT32_VALUE -> DType.INT32;
            case TensorProto.DataType.INT8_VALUE -> DType.INT8;
            case TensorProto.DataType.UINT8_VALUE -> DType.UINT8;
            case TensorProto.DataType.BOOL_VALUE -> DType.BOOL;
            default -> {
                TensorProto.DataType known = TensorProto.DataType.forNumber(onnxType);
                throw new OnnxImportException(what + " has ONNX data type " + (known == null ? onnxType : known.name()) + ", which ladder-ae does not read");
            }
        };
    }

    private static String firstLine(String s) {
        if (s == null) return "unreadable";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
