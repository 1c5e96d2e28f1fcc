package org.ladderae.models.onnx;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;
import org.ladderae.models.onnx.proto.OnnxProtos.AttributeProto;
import org.ladderae.models.onnx.proto.OnnxProtos.GraphProto;
import org.ladderae.models.onnx.proto.OnnxProtos.ModelProto;
import org.ladderae.models.onnx.proto.OnnxProtos.NodeProto;
import org.ladderae.models.onnx.proto.OnnxProtos.OperatorSetIdProto;
import org.ladderae.models.onnx.proto.OnnxProtos.TensorProto;
import org.ladderae.models.onnx.proto.OnnxProtos.TensorShapeProto;
import org.ladderae.models.onnx.proto.OnnxProtos.TypeProto;
import org.ladderae.models.onnx.proto.OnnxProtos.ValueInfoProto;

/** Small ONNX models written with the generated classes, shaped like torch.onnx.export output. */
public final class OnnxModels {
    private OnnxModels() {}

    static ModelProto model(GraphProto.Builder g) {
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("ladder-ae test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13)).setGraph(g).build();
    }

    static ValueInfoProto value(String name, TensorProto.DataType type, long... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (long d : dims) s.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("batch") : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(s))).build();
    }

    static NodeProto node(String op, String name, List<String> in, String out, AttributeProto... attrs) {
        return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(in).addOutput(out).addAllAttribute(List.of(attrs)).build();
    }

    static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) a.addInts(x);
        return a.build();
    }

    static AttributeProto intAttr(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    /** An FP16 initializer in raw_data (as torch writes FP16 models), values from {@code values}. */
    static TensorProto fp16(String name, float[] values, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putShort((short) org.ladderae.formats.Fp16.INSTANCE.encode(v));
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT16_VALUE).setRawData(ByteString.copyFrom(b.array()));
        for (long d : dims) t.addDims(d);
        return t.build();
    }

    /** An FP32 initializer in float_data (the other encoding ONNX allows). */
    static TensorProto fp32(String name, float[] values, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (float v : values) t.addFloatData(v);
        for (long d : dims) t.addDims(d);
        return t.build();
    }

    static float[] random(int count, long seed) {
        Random r = new Random(seed);
        float[] v = new float[count];
        for (int i = 0; i < count; i++) v[i] = (float) r.nextGaussian() * 0.05f;
        return v;
    }

    static float[] filled(int count, float value) {
        float[] v = new float[count];
        java.util.Arrays.fill(v, value);
        return v;
    }

    /** RMSNorm as torch exports LlamaRMSNorm: Pow, ReduceMean, Add eps, Sqrt, Reciprocal, Mul x, Mul weight. */
    static void rmsNorm(GraphProto.Builder g, String prefix, String x, String out, int hidden) {
        g.addInitializer(fp32(prefix + ".two", new float[] {2f}));
        g.addInitializer(fp32(prefix + ".eps", new float[] {1e-5f}));
        g.addInitializer(fp16(prefix + ".weight", filled(hidden, 1f), hidden));
        g.addNode(node("Pow", prefix + "/Pow", List.of(x, prefix + ".two"), prefix + "/pow"));
        g.addNode(node("ReduceMean", prefix + "/ReduceMean", List.of(prefix + "/pow"), prefix + "/mean", ints("axes", -1), intAttr("keepdims", 1)));
        g.addNode(node("Add", prefix + "/Add", List.of(prefix + "/mean", prefix + ".eps"), prefix + "/var"));
        g.addNode(node("Sqrt", prefix + "/Sqrt", List.of(prefix + "/var"), prefix + "/std"));
        g.addNode(node("Reciprocal", prefix + "/Reciprocal", List.of(prefix + "/std"), prefix + "/inv"));
        g.addNode(node("Mul", prefix + "/Mul", List.of(x, prefix + "/inv"), prefix + "/normed"));
        g.addNode(node("Mul", prefix + "/Mul_1", List.of(prefix + ".weight", prefix + "/normed"), out));
    }

    /** x [1, S, hidden] -> RMSNorm -> MatMul(W^T [hidden, ffn]) + bias -> Sigmoid/Mul (SiLU) -> MatMul back -> residual Add. */
    public static ModelProto rmsNormMlp(int hidden, int ffn) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("rmsnorm_mlp")
                .addInput(value("x", TensorProto.DataType.FLOAT16, -1, 4, hidden))
                .addOutput(value("y", TensorProto.DataType.FLOAT16, -1, 4, hidden));
        rmsNorm(g, "norm", "x", "h", hidden);
        g.addInitializer(fp16("fc1.weightT", random(hidden * ffn, 1), hidden, ffn));
        g.addInitializer(fp16("fc1.bias", random(ffn, 2), ffn));
        g.addInitializer(fp16("fc2.weightT", random(ffn * hidden, 3), ffn, hidden));
        g.addNode(node("MatMul", "fc1/MatMul", List.of("h", "fc1.weightT"), "fc1/mm"));
        g.addNode(node("Add", "fc1/Add", List.of("fc1/mm", "fc1.bias"), "fc1/out"));
        g.addNode(node("Sigmoid", "act/Sigmoid", List.of("fc1/out"), "act/sig"));
        g.addNode(node("Mul", "act/Mul", List.of("fc1/out", "act/sig"), "act/out"));
        g.addNode(node("MatMul", "fc2/MatMul", List.of("act/out", "fc2.weightT"), "fc2/out"));
        g.addNode(node("Add", "residual", List.of("x", "fc2/out"), "y"));
        return model(g);
    }

    /** LLaMA's MLP: gate and up projections (Gemm with transB=1, torch's 2-D export), silu(gate) * up, down projection. */
    public static ModelProto gatedSiluMlp(int hidden, int ffn) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("gated_mlp")
                .addInput(value("x", TensorProto.DataType.FLOAT16, 8, hidden))
                .addOutput(value("y", TensorProto.DataType.FLOAT16, 8, hidden));
        g.addInitializer(fp16("gate.weight", random(ffn * hidden, 4), ffn, hidden));
        g.addInitializer(fp16("up.weight", random(ffn * hidden, 5), ffn, hidden));
        g.addInitializer(fp16("down.weight", random(hidden * ffn, 6), hidden, ffn));
        g.addNode(node("Gemm", "gate_proj", List.of("x", "gate.weight"), "gate", intAttr("transB", 1)));
        g.addNode(node("Sigmoid", "act/Sigmoid", List.of("gate"), "sig"));
        g.addNode(node("Mul", "act/Mul", List.of("gate", "sig"), "silu"));
        g.addNode(node("Gemm", "up_proj", List.of("x", "up.weight"), "up", intAttr("transB", 1)));
        g.addNode(node("Mul", "act/Mul_1", List.of("silu", "up"), "mlp_h"));
        g.addNode(node("Gemm", "down_proj", List.of("mlp_h", "down.weight"), "y", intAttr("transB", 1)));
        return model(g);
    }

    /** An MLP whose activation is the erf form of GeLU, which the importer does not fuse. */
    static ModelProto withErf(int hidden) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("erf")
                .addInput(value("x", TensorProto.DataType.FLOAT16, 1, hidden))
                .addOutput(value("y", TensorProto.DataType.FLOAT16, 1, hidden));
        g.addInitializer(fp16("w", random(hidden * hidden, 7), hidden, hidden));
        g.addNode(node("MatMul", "fc/MatMul", List.of("x", "w"), "h"));
        g.addNode(node("Erf", "/mlp/act/Erf", List.of("h"), "y"));
        return model(g);
    }
}
