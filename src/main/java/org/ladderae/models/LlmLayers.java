package org.ladderae.models;

import org.ladderae.kernels.WeightFormat;

/**
 * The artifact's end-to-end LLM workloads (EXPERIMENTS.md section 1.1/1.2) as model graphs, built from
 * their configs rather than written out per figure: one LLaMA-2-70B decoder layer and one BLOOM-176B
 * block, FP16 activations, weights FP16 unless converted with {@link ModelGraph#withLinearFormat}.
 * Weight names follow the Hugging Face modules the artifact exported.
 */
public final class LlmLayers {
    private LlmLayers() {}

    /** HF LlamaConfig fields that shape one decoder layer. */
    public record LlamaConfig(String name, int hidden, int heads, int kvHeads, int ffn, double rmsEps, double ropeTheta) {
        public LlamaConfig {
            if (hidden % heads != 0) throw new IllegalArgumentException(name + ": hidden " + hidden + " is not a multiple of " + heads + " heads");
            if (heads % kvHeads != 0) throw new IllegalArgumentException(name + ": " + heads + " heads do not group into " + kvHeads + " kv heads");
        }
        public int headDim() { return hidden / heads; }
    }

    /** BLOOM config fields that shape one block (FFN is 4 x hidden, ALiBi positions, biases on every linear). */
    public record BloomConfig(String name, int hidden, int heads, double layerNormEps) {
        public BloomConfig {
            if (hidden % heads != 0) throw new IllegalArgumentException(name + ": hidden " + hidden + " is not a multiple of " + heads + " heads");
        }
        public int headDim() { return hidden / heads; }
        public int ffn() { return 4 * hidden; }
    }

    public static final LlamaConfig LLAMA2_70B = new LlamaConfig("llama2-70b", 8192, 64, 8, 28672, 1e-5, 10000.0);
    public static final BloomConfig BLOOM_176B = new BloomConfig("bloom-176b", 14336, 112, 1e-5);

    /**
     * Small layers of the same structure, for CPU reference tests and quick GPU checks. Every linear K
     * (128, 384, 512) is a multiple of 128, the largest GEMV K unit (INT1: 128 codes per 16-byte load) and the
     * largest group size, so the same small graph runs in every weight format; LLaMA keeps real GQA (8 heads on
     * 2 kv heads) and BLOOM keeps several ALiBi heads.
     */
    public static final LlamaConfig LLAMA_SMALL = new LlamaConfig("llama-small", 128, 8, 2, 384, 1e-5, 10000.0);
    public static final BloomConfig BLOOM_SMALL = new BloomConfig("bloom-small", 128, 4, 1e-5);

    public static ModelGraph llama2_70b(int batch, int seq) { return llamaLayer(LLAMA2_70B, batch, seq); }

    public static ModelGraph llamaSmall(int batch, int seq) { return llamaLayer(LLAMA_SMALL, batch, seq); }

    public static ModelGraph bloomSmall(int batch, int seq) { return bloomBlock(BLOOM_SMALL, batch, seq); }

    public static ModelGraph bloom176b(int batch, int seq) { return bloomBlock(BLOOM_176B, batch, seq); }

    /** One LLaMA decoder layer: RMSNorm, q/k/v, rotary, GQA causal attention, o, residual, RMSNorm, SiLU-gated MLP, residual. */
    public static ModelGraph llamaLayer(LlamaConfig c, int batch, int seq) {
        checkBatchSeq(batch, seq);
        int h = c.hidden(), d = c.headDim(), kv = c.kvHeads() * d;
        var b = ModelGraph.builder(c.name() + "_layer1_seq" + seq + "_bs" + batch)
                .input(Tensor.of("hidden_states", DType.FP16, batch, seq, h));
        norm(b, "input_layernorm", h);
        b.op(new Op.RmsNorm("input_layernorm", "hidden_states", "input_layernorm.weight", "attn_in", c.rmsEps()));
        linear(b, "self_attn.q_proj", "attn_in", "q", h, h, false);
        linear(b, "self_attn.k_proj", "attn_in", "k", kv, h, false);
        linear(b, "self_attn.v_proj", "attn_in", "v", kv, h, false);
        b.op(new Op.Rotary("rotary_q", "q", "q_rot", c.heads(), d, c.ropeTheta()));
        b.op(new Op.Rotary("rotary_k", "k", "k_rot", c.kvHeads(), d, c.ropeTheta()));
        b.op(new Op.Attention("self_attn", "q_rot", "k_rot", "v", null, "attn_ctx", c.heads(), c.kvHeads(), d, true));
        linear(b, "self_attn.o_proj", "attn_ctx", "attn_out", h, h, false);
        b.op(new Op.Add("residual_attn", "hidden_states", "attn_out", "h1"));
        norm(b, "post_attention_layernorm", h);
        b.op(new Op.RmsNorm("post_attention_layernorm", "h1", "post_attention_layernorm.weight", "mlp_in", c.rmsEps()));
        linear(b, "mlp.gate_proj", "mlp_in", "gate", c.ffn(), h, false);
        linear(b, "mlp.up_proj", "mlp_in", "up", c.ffn(), h, false);
        b.op(new Op.SiluGate("mlp.act", "gate", "up", "mlp_h"));
        linear(b, "mlp.down_proj", "mlp_h", "mlp_out", h, c.ffn(), false);
        b.op(new Op.Add("residual_mlp", "h1", "mlp_out", "output"));
        return b.output("output").build();
    }

    /** One BLOOM block: LayerNorm, fused QKV, ALiBi causal attention, dense, residual, LayerNorm, GeLU MLP, residual. */
    public static ModelGraph bloomBlock(BloomConfig c, int batch, int seq) {
        checkBatchSeq(batch, seq);
        int h = c.hidden(), d = c.headDim();
        var b = ModelGraph.builder(c.name() + "_layer1_seq" + seq + "_bs" + batch)
                .input(Tensor.of("hidden_states", DType.FP16, batch, seq, h))
                .input(Tensor.of("attention_mask", DType.BOOL, batch, seq));
        norm(b, "input_layernorm", h);
        b.weight(Tensor.of("input_layernorm.bias", DType.FP16, h));
        b.op(new Op.LayerNorm("input_layernorm", "hidden_states", "input_layernorm.weight", "input_layernorm.bias", "attn_in", c.layerNormEps()));
        b.op(new Op.Alibi("alibi", "attention_mask", "alibi", c.heads()));
        linear(b, "self_attention.query_key_value", "attn_in", "qkv", 3 * h, h, true);
        b.op(new Op.QkvSplit("split_qkv", "qkv", "q", "k", "v", c.heads(), d));
        b.op(new Op.Attention("self_attention", "q", "k", "v", "alibi", "attn_ctx", c.heads(), c.heads(), d, true));
        linear(b, "self_attention.dense", "attn_ctx", "attn_out", h, h, true);
        b.op(new Op.Add("residual_attn", "hidden_states", "attn_out", "h1"));
        norm(b, "post_attention_layernorm", h);
        b.weight(Tensor.of("post_attention_layernorm.bias", DType.FP16, h));
        b.op(new Op.LayerNorm("post_attention_layernorm", "h1", "post_attention_layernorm.weight", "post_attention_layernorm.bias", "mlp_in", c.layerNormEps()));
        linear(b, "mlp.dense_h_to_4h", "mlp_in", "mlp_h", c.ffn(), h, true);
        b.op(new Op.Gelu("mlp.gelu", "mlp_h", "mlp_act", true));
        linear(b, "mlp.dense_4h_to_h", "mlp_act", "mlp_out", h, c.ffn(), true);
        b.op(new Op.Add("residual_mlp", "h1", "mlp_out", "output"));
        return b.output("output").build();
    }

    private static void norm(ModelGraph.Builder b, String module, int hidden) {
        b.weight(Tensor.of(module + ".weight", DType.FP16, hidden));
    }

    private static void linear(ModelGraph.Builder b, String module, String in, String out, int n, int k, boolean bias) {
        b.weight(Tensor.of(module + ".weight", DType.FP16, n, k));
        if (bias) b.weight(Tensor.of(module + ".bias", DType.FP16, n));
        b.op(new Op.Linear(module, in, module + ".weight", bias ? module + ".bias" : null, out, n, k, WeightFormat.FP16, 0));
    }

    private static void checkBatchSeq(int batch, int seq) {
        if (batch < 1 || seq < 1) throw new IllegalArgumentException("batch and sequence length must be positive, got " + batch + " and " + seq);
    }
}
