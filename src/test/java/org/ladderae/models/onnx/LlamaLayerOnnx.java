package org.ladderae.models.onnx;

import static org.ladderae.models.onnx.OnnxModels.fp16;
import static org.ladderae.models.onnx.OnnxModels.fp32;
import static org.ladderae.models.onnx.OnnxModels.intAttr;
import static org.ladderae.models.onnx.OnnxModels.ints;
import static org.ladderae.models.onnx.OnnxModels.random;
import static org.ladderae.models.onnx.OnnxModels.value;

import java.util.List;
import org.ladderae.models.onnx.proto.OnnxProtos.GraphProto;
import org.ladderae.models.onnx.proto.OnnxProtos.ModelProto;
import org.ladderae.models.onnx.proto.OnnxProtos.TensorProto;

/**
 * One LlamaDecoderLayer as torch 2.x's TorchScript exporter (opset 17) writes it with eager attention:
 * shape arithmetic as Shape/Gather/Unsqueeze/Concat chains, rotate_half as Slice/Neg/Concat, repeat_kv as a
 * whole-axis Slice, Unsqueeze, Expand and Reshape, the softmax in FP32 between Casts, and the causal mask
 * built from Range/Unsqueeze/Greater/Where and cut to the key length with a Slice.
 */
final class LlamaLayerOnnx {
    int hidden = 64, heads = 4, kvHeads = 2, ffn = 128, seq = 4;
    double theta = 10000;
    /** Multiplies the scores; 1/sqrt(head dim) in a real export. */
    Double scoreScale = null;
    /** Whether the mask hides the future (a real export) or the past (a test of the check). */
    boolean causalMask = true;
    boolean dynamicBatch = false;

    private GraphProto.Builder g;
    private int constants;

    int headDim() { return hidden / heads; }

    ModelProto build() {
        int d = headDim();
        g = GraphProto.newBuilder().setName("llama_layer")
                .addInput(value("hidden_states", TensorProto.DataType.FLOAT16, dynamicBatch ? -1 : 1, seq, hidden))
                .addOutput(value("out", TensorProto.DataType.FLOAT16, dynamicBatch ? -1 : 1, seq, hidden));
        rmsNorm("input_layernorm", "hidden_states", "h");
        linear("q_proj", "h", "q", heads * d);
        linear("k_proj", "h", "k", kvHeads * d);
        linear("v_proj", "h", "v", kvHeads * d);
        // hidden_shape = (*hidden_states.shape[:-1], -1, head_dim)
        op("Shape", "/attn/Shape", List.of("hidden_states"), "/attn/shape");
        gather("/attn/shape", 0, "/attn/B");
        gather("/attn/shape", 1, "/attn/S");
        unsqueeze("/attn/B", "/attn/B_1d");
        unsqueeze("/attn/S", "/attn/S_1d");
        op("Concat", "/attn/Concat", List.of("/attn/B_1d", "/attn/S_1d", i64(-1), i64(d)), "/attn/hidden_shape", intAttr("axis", 0));
        for (String p : List.of("q", "k", "v")) {
            op("Reshape", "/attn/" + p + "/Reshape", List.of(p, "/attn/hidden_shape"), p + "/bshd");
            op("Transpose", "/attn/" + p + "/Transpose", List.of(p + "/bshd"), p + "/bhsd", ints("perm", 0, 2, 1, 3));
        }
        float[][] tables = ropeTables(seq, d, theta);
        g.addInitializer(fp16("cos_cached", tables[0], 1, seq, d));
        g.addInitializer(fp16("sin_cached", tables[1], 1, seq, d));
        unsqueeze("cos_cached", 1, "/rope/cos");
        unsqueeze("sin_cached", 1, "/rope/sin");
        rope("q/bhsd", "q/rope");
        rope("k/bhsd", "k/rope");
        repeatKv("k/rope", "k/rep");
        repeatKv("v/bhsd", "v/rep");
        op("Transpose", "/attn/kT", List.of("k/rep"), "k/T", ints("perm", 0, 1, 3, 2));
        op("MatMul", "/attn/MatMul", List.of("q/rope", "k/T"), "/attn/scores");
        op("Mul", "/attn/Mul_scale", List.of("/attn/scores", scalar(scoreScale == null ? 1 / Math.sqrt(d) : scoreScale)), "/attn/scaled");
        causalMask("/attn/mask");
        op("Add", "/attn/Add_mask", List.of("/attn/scaled", "/attn/mask"), "/attn/masked");
        op("Cast", "/attn/Cast_fp32", List.of("/attn/masked"), "/attn/masked_f32", intAttr("to", TensorProto.DataType.FLOAT_VALUE));
        op("Softmax", "/attn/Softmax", List.of("/attn/masked_f32"), "/attn/probs_f32", intAttr("axis", -1));
        op("Cast", "/attn/Cast_fp16", List.of("/attn/probs_f32"), "/attn/probs", intAttr("to", TensorProto.DataType.FLOAT16_VALUE));
        op("MatMul", "/attn/MatMul_1", List.of("/attn/probs", "v/rep"), "/attn/ctx");
        op("Transpose", "/attn/Transpose_out", List.of("/attn/ctx"), "/attn/ctx_bshd", ints("perm", 0, 2, 1, 3));
        op("Concat", "/attn/Concat_out", List.of("/attn/B_1d", "/attn/S_1d", i64(-1)), "/attn/out_shape", intAttr("axis", 0));
        op("Reshape", "/attn/Reshape_out", List.of("/attn/ctx_bshd", "/attn/out_shape"), "/attn/merged");
        linear("o_proj", "/attn/merged", "/attn/o");
        op("Add", "/residual_1", List.of("hidden_states", "/attn/o"), "h1");
        rmsNorm("post_attention_layernorm", "h1", "h2");
        linear("gate_proj", "h2", "gate", ffn);
        linear("up_proj", "h2", "up", ffn);
        op("Sigmoid", "/mlp/act/Sigmoid", List.of("gate"), "gate_sig");
        op("Mul", "/mlp/act/Mul", List.of("gate", "gate_sig"), "gate_silu");
        op("Mul", "/mlp/Mul", List.of("gate_silu", "up"), "mlp_h");
        linear("down_proj", "mlp_h", "mlp_out", hidden);
        op("Add", "/residual_2", List.of("h1", "mlp_out"), "out");
        ModelProto m = OnnxModels.model(g);
        return m.toBuilder().setOpsetImport(0, m.getOpsetImport(0).toBuilder().setVersion(17)).build();
    }

    /** transformers' RoPE tables: emb = cat(freqs, freqs), freqs[p][j] = p * theta^(-2j/d), rounded to FP16. */
    static float[][] ropeTables(int seq, int d, double theta) {
        float[] cos = new float[seq * d], sin = new float[seq * d];
        for (int p = 0; p < seq; p++)
            for (int i = 0; i < d; i++) {
                double f = p * (float) (1 / Math.pow(theta, 2.0 * (i % (d / 2)) / d));
                cos[p * d + i] = (float) Math.cos(f);
                sin[p * d + i] = (float) Math.sin(f);
            }
        return new float[][] {cos, sin};
    }


    private void op(String op, String name, List<String> in, String out, org.ladderae.models.onnx.proto.OnnxProtos.AttributeProto... attrs) {
        g.addNode(OnnxModels.node(op, name, in, out, attrs));
    }

    private String i64(long... v) {
        String name = "const_" + constants++;
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE);
        t.addDims(v.length);
        for (long x : v) t.addInt64Data(x);
        g.addNode(OnnxModels.node("Constant", name + "/Constant", List.of(), name,
                org.ladderae.models.onnx.proto.OnnxProtos.AttributeProto.newBuilder().setName("value")
                        .setType(org.ladderae.models.onnx.proto.OnnxProtos.AttributeProto.AttributeType.TENSOR).setT(t).build()));
        return name;
    }

    private String i64Scalar(long v) {
        String name = "const_" + constants++;
        g.addInitializer(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE).addInt64Data(v));
        return name;
    }

    private String scalar(double v) {
        String name = "const_" + constants++;
        g.addInitializer(fp16(name, new float[] {(float) v}));
        return name;
    }

    private void gather(String from, long index, String out) {
        g.addNode(OnnxModels.node("Gather", out + "/Gather", List.of(from, i64Scalar(index)), out, intAttr("axis", 0)));
    }

    private void unsqueeze(String x, String out) { unsqueeze(x, 0, out); }

    private void unsqueeze(String x, long axis, String out) {
        g.addNode(OnnxModels.node("Unsqueeze", out + "/Unsqueeze", List.of(x, i64(axis)), out));
    }

    private void linear(String name, String x, String out) { linear(name, x, out, hidden); }

    /** nn.Linear without bias: MatMul(x, W^T) with W^T stored [K, N]. */
    private void linear(String name, String x, String out, int n) {
        int k = name.equals("down_proj") ? ffn : name.equals("o_proj") ? heads * headDim() : hidden;
        g.addInitializer(fp16(name + ".weight_T", random(k * n, name.hashCode()), k, n));
        g.addNode(OnnxModels.node("MatMul", "/" + name + "/MatMul", List.of(x, name + ".weight_T"), out));
    }

    /** LlamaRMSNorm: FP32 Cast, Pow 2, ReduceMean(-1), Add eps, Sqrt, Div(1, .), Mul x, Cast back, Mul weight. */
    private void rmsNorm(String p, String x, String out) {
        g.addInitializer(fp32(p + ".two", new float[] {2f}));
        g.addInitializer(fp32(p + ".eps", new float[] {1e-5f}));
        g.addInitializer(fp32(p + ".one", new float[] {1f}));
        g.addInitializer(fp16(p + ".weight", OnnxModels.filled(hidden, 1f), hidden));
        op("Cast", p + "/Cast", List.of(x), p + "/xf", intAttr("to", TensorProto.DataType.FLOAT_VALUE));
        op("Pow", p + "/Pow", List.of(p + "/xf", p + ".two"), p + "/pow");
        op("ReduceMean", p + "/ReduceMean", List.of(p + "/pow"), p + "/mean", ints("axes", -1), intAttr("keepdims", 1));
        op("Add", p + "/Add", List.of(p + "/mean", p + ".eps"), p + "/var");
        op("Sqrt", p + "/Sqrt", List.of(p + "/var"), p + "/std");
        op("Div", p + "/Div", List.of(p + ".one", p + "/std"), p + "/rstd");
        op("Mul", p + "/Mul", List.of(p + "/xf", p + "/rstd"), p + "/normed_f32");
        op("Cast", p + "/Cast_1", List.of(p + "/normed_f32"), p + "/normed", intAttr("to", TensorProto.DataType.FLOAT16_VALUE));
        op("Mul", p + "/Mul_1", List.of(p + ".weight", p + "/normed"), out);
    }

    /** q * cos + rotate_half(q) * sin, the halves' bounds from Shape/Gather/Div like `x.shape[-1] // 2`. */
    private void rope(String x, String out) {
        op("Shape", x + "/Shape", List.of(x), x + "/shape");
        gather(x + "/shape", 3, x + "/d");
        op("Div", x + "/Div", List.of(x + "/d", i64Scalar(2)), x + "/half");
        unsqueeze(x + "/half", x + "/half_1d");
        op("Slice", x + "/Slice", List.of(x, i64(0), x + "/half_1d", i64(3), i64(1)), x + "/x1");
        op("Slice", x + "/Slice_1", List.of(x, x + "/half_1d", i64(Long.MAX_VALUE), i64(3), i64(1)), x + "/x2");
        op("Neg", x + "/Neg", List.of(x + "/x2"), x + "/neg_x2");
        op("Concat", x + "/Concat", List.of(x + "/neg_x2", x + "/x1"), x + "/rotated", intAttr("axis", -1));
        op("Mul", x + "/Mul", List.of(x, "/rope/cos"), x + "/x_cos");
        op("Mul", x + "/Mul_1", List.of(x + "/rotated", "/rope/sin"), x + "/rot_sin");
        op("Add", x + "/Add", List.of(x + "/x_cos", x + "/rot_sin"), out);
    }

    /** hidden_states[:, :, None, :, :].expand(B, kv, rep, S, d).reshape(B, kv*rep, S, d). */
    private void repeatKv(String x, String out) {
        int rep = heads / kvHeads;
        if (rep == 1) { op("Identity", x + "/Identity", List.of(x), out); return; }
        op("Slice", x + "/Slice_all", List.of(x, i64(0), i64(Long.MAX_VALUE), i64(0), i64(1)), x + "/all");
        unsqueeze(x + "/all", 2, x + "/5d");
        op("Expand", x + "/Expand", List.of(x + "/5d", i64(1, kvHeads, rep, seq, headDim())), x + "/expanded");
        op("Reshape", x + "/Reshape", List.of(x + "/expanded", i64(1, heads, seq, headDim())), out);
    }

    /** A causal mask [1, 1, S, S] from Range, Unsqueeze, Greater and Where, sliced to the key length. */
    private void causalMask(String out) {
        op("Range", "/mask/Range", List.of(i64Scalar(0), i64Scalar(seq), i64Scalar(1)), "/mask/pos");
        unsqueeze("/mask/pos", 0, "/mask/cols");
        unsqueeze("/mask/pos", 1, "/mask/rows");
        op("Greater", "/mask/Greater", List.of("/mask/cols", "/mask/rows"), "/mask/future");
        // A non-causal variant hides the past instead of the future.
        op("Where", "/mask/Where", causalMask ? List.of("/mask/future", scalar(-65504), scalar(0)) : List.of("/mask/future", scalar(0), scalar(-65504)), "/mask/2d");
        unsqueeze("/mask/2d", 0, "/mask/3d");
        unsqueeze("/mask/3d", 0, "/mask/full");
        op("Shape", "/mask/Shape", List.of("k/rep"), "/mask/kshape");
        gather("/mask/kshape", 2, "/mask/klen");
        unsqueeze("/mask/klen", "/mask/klen_1d");
        op("Slice", "/mask/Slice", List.of("/mask/full", i64(0), "/mask/klen_1d", i64(3), i64(1)), out);
    }
}
