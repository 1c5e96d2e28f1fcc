package org.ladderae.models.onnx;

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
 * Maps an ONNX model onto the model IR. Nodes map one to one where the IR has the op, and known
 * patterns fuse into one op: Pow/ReduceMean/Add/Sqrt/(Div | Reciprocal, Mul)[/Mul weight] into RmsNorm,
 * Sigmoid and Mul of the same input into Silu (and with a following Mul into SiluGate), MatMul or Gemm
 * with an initializer weight (and a following bias Add) into Linear. A fused op takes the place of its
 * pattern's last node, so the op order stays valid. Anything else stops the import with
 * "unsupported ONNX op 'X' at node 'Y'": a partial graph would only fail later, further from the cause.
 */
public final class OnnxImporter {
    private final GraphProto graph;
    private final Path baseDir;
    private final WeightFormat format;
    private final int groupSize;
    private final long opset;
    private final Map<String, TensorProto> initializers = new HashMap<>();
    private final Map<String, List<Integer>> consumers = new HashMap<>();
    private final Set<String> graphOutputs;
    private final Map<String, OnnxWeight> usedWeights = new LinkedHashMap<>();
    private final Map<String, String> aliases = new HashMap<>();
    private final boolean[] done;
    private final List<Placed> placed = new ArrayList<>();

    private record Placed(int position, Op op) {}

    private OnnxImporter(GraphProto graph, Path baseDir, WeightFormat format, int groupSize, long opset) {
        this.graph = graph;
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
        OnnxImporter importer = new OnnxImporter(model.getGraph(), base, format, groupSize, opset);
        ModelGraph g = importer.map(name);
        var source = new ImportedModel.Source(file, bytes.length, Sha256.of(bytes), model.getIrVersion(), opset, model.getProducerName());
        return new ImportedModel(g, importer.usedWeights, source);
    }

    private ModelGraph map(String name) {
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
        if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) throw unsupported(i);
        switch (op) {
            case "MatMul" -> mapMatMul(i);
            case "Gemm" -> mapGemm(i);
            case "Pow" -> { if (!fuseRmsNorm(i)) throw unsupported(i); }
            case "Sigmoid" -> { if (!fuseSilu(i)) place(i, new Op.Sigmoid(nodeName(i), in(n, 0), n.getOutput(0))); }
            case "Add" -> place(i, new Op.Add(nodeName(i), operand(n, 0), operand(n, 1), n.getOutput(0)));
            case "Mul" -> place(i, new Op.Mul(nodeName(i), operand(n, 0), operand(n, 1), n.getOutput(0)));
            case "Softmax" -> place(i, new Op.Softmax(nodeName(i), in(n, 0), n.getOutput(0), (int) intAttr(n, "axis", opset >= 13 ? -1 : 1)));
            case "Gelu" -> place(i, new Op.Gelu(nodeName(i), in(n, 0), n.getOutput(0)));
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
        if (nx.getOpType().equals("Div") && nx.getInput(0).equals(x) && nx.getInput(1).equals(root)) {
            normalized = nx.getOutput(0);
        } else if (nx.getOpType().equals("Reciprocal") || (nx.getOpType().equals("Div") && isScalarConstant(nx.getInput(0), 1.0) && nx.getInput(1).equals(root))) {
            int mul = soleConsumerOfType(nx.getOutput(0), "Mul");
            if (mul < 0 || !graph.getNode(mul).getInputList().contains(x)) return false;
            nodes.add(mul);
            normalized = graph.getNode(mul).getOutput(0);
        } else {
            return false;
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
                new Op.RmsNorm(nodeName(pow), resolve(x), weightName, output, eps[0]));
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

    private OnnxWeight readWeight(TensorProto t) {
        DType dt = dtype(t.getDataType(), "initializer '" + t.getName() + "'");
        List<Integer> dims = t.getDimsList().stream().map(Long::intValue).toList();
        long elements = OnnxWeight.elements(dims);
        ByteBuffer data;
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            data = external(t, elements * dt.bytes());
        } else if (t.hasRawData()) {
            data = t.getRawData().asReadOnlyByteBuffer();
        } else {
            data = ByteBuffer.allocate((int) (elements * dt.bytes())).order(ByteOrder.LITTLE_ENDIAN);
            if (t.getFloatDataCount() > 0) for (float f : t.getFloatDataList()) data.putFloat(f);
            else if (t.getInt64DataCount() > 0) for (long l : t.getInt64DataList()) data.putLong(l);
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
    private ByteBuffer external(TensorProto t, long expected) {
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

    private static AttributeProto attribute(NodeProto n, String name) {
        for (AttributeProto a : n.getAttributeList()) if (a.getName().equals(name)) return a;
        return null;
    }

    private static long intAttr(NodeProto n, String name, long dflt) {
        AttributeProto a = attribute(n, name);
        return a == null ? dflt : a.getI();
    }

    private static double floatAttr(NodeProto n, String name, double dflt) {
        AttributeProto a = attribute(n, name);
        return a == null ? dflt : a.getF();
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
