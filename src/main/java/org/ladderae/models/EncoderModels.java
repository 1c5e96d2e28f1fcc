package org.ladderae.models;

import org.ladderae.kernels.WeightFormat;

/**
 * The artifact's encoder workloads (EXPERIMENTS.md 1.3) as model graphs built from their configs: timm's
 * {@code vit_small_patch32_224} and torchaudio's {@code Conformer(input_dim=512, num_heads=8, ffn_dim=512, num_layers=12,
 * depthwise_conv_kernel_size=31)}, the very modules the PyTorch baseline ({@code baselines/torch_bench.py}) builds, FP16
 * activations, linear weights FP16 unless converted with {@link ModelGraph#withLinearFormat}. Weight names are the
 * PyTorch modules' state-dict names, with two exceptions a loader maps: each fused QKV projection is three linears
 * ({@code .q/.k/.v}, stacked along N in that order: timm's {@code attn.qkv} and torch MHA's {@code in_proj_weight}), and
 * convolution weights are stored flattened (patch embedding [E, C*p*p], depthwise [C, K], pointwise [out, in]).
 */
public final class EncoderModels {
    private EncoderModels() {}

    /** timm VisionTransformer fields that shape the model (class-token pooling, learned positions, pre-norm blocks, exact GeLU). */
    public record VitConfig(String name, int image, int patch, int channels, int embed, int depth, int heads, int mlp, int classes, double eps) {
        public VitConfig {
            if (embed % heads != 0) throw new IllegalArgumentException(name + ": embed " + embed + " is not a multiple of " + heads + " heads");
            if (image % patch != 0) throw new IllegalArgumentException(name + ": image " + image + " is not a multiple of patch " + patch);
        }
        public int headDim() { return embed / heads; }
        public int patches() { return (image / patch) * (image / patch); }
        public int tokens() { return patches() + 1; }
    }

    /** torchaudio Conformer fields (each layer: half-step FFN, MHSA, convolution module, half-step FFN, final LayerNorm). */
    public record ConformerConfig(String name, int inputDim, int heads, int ffn, int layers, int kernel, double eps) {
        public ConformerConfig {
            if (inputDim % heads != 0) throw new IllegalArgumentException(name + ": input dim " + inputDim + " is not a multiple of " + heads + " heads");
            if (kernel % 2 == 0) throw new IllegalArgumentException(name + ": depthwise kernel " + kernel + " is not odd");
        }
        public int headDim() { return inputDim / heads; }
    }

    /** timm vit_small_patch32_224: 224x224 RGB, 32x32 patches (49 + class token = 50 tokens), 384 wide, 12 blocks of 6 heads, MLP 1536, 1000 classes. */
    public static final VitConfig VIT_S32 = new VitConfig("vit-small-patch32-224", 224, 32, 3, 384, 12, 6, 1536, 1000, 1e-6);
    /** The Conformer of EXPERIMENTS.md 1.3; its input is [B, 512 frames, 512]. */
    public static final ConformerConfig CONFORMER = new ConformerConfig("conformer", 512, 8, 512, 12, 31, 1e-5);
    public static final int CONFORMER_FRAMES = 512;

    /**
     * Small models of the same structure for the double-precision CPU reference: every linear K (3072, 128, 256, 512) is a
     * multiple of 128 (the largest GEMV K unit and group size), head dim 64 (a flash-attention dim) as in the full models.
     */
    public static final VitConfig VIT_CHECK = new VitConfig("vit-check", 160, 32, 3, 128, 2, 2, 512, 128, 1e-6);
    public static final ConformerConfig CONFORMER_CHECK = new ConformerConfig("conformer-check", 128, 2, 256, 2, 31, 1e-5);

    /** The graph of a workload name ("vit" or "conformer"): full size, or the check model; {@code frames} is the Conformer's sequence length. */
    public static ModelGraph graph(String workload, boolean full, int batch, int frames) {
        return switch (workload) {
            case "vit" -> vit(full ? VIT_S32 : VIT_CHECK, batch);
            case "conformer" -> conformer(full ? CONFORMER : CONFORMER_CHECK, batch, frames);
            default -> throw new IllegalArgumentException("the encoder models are vit and conformer, not '" + workload + "'");
        };
    }

    /** Image [B, C, H, W] -> logits [B, 1, classes]. */
    public static ModelGraph vit(VitConfig c, int batch) {
        if (batch < 1) throw new IllegalArgumentException("batch must be positive, got " + batch);
        int e = c.embed(), pk = c.channels() * c.patch() * c.patch();
        var b = ModelGraph.builder(c.name() + "_bs" + batch).input(Tensor.of("image", DType.FP16, batch, c.channels(), c.image(), c.image()));
        b.op(new Op.Patchify("patch_embed.patchify", "image", "patches", c.patch()));
        linear(b, "patch_embed.proj", "patches", "patch_tokens", e, pk);
        b.weight(Tensor.of("cls_token", DType.FP16, e)).weight(Tensor.of("pos_embed", DType.FP16, c.tokens(), e));
        b.op(new Op.ClassToken("embed", "patch_tokens", "cls_token", "pos_embed", "x0"));
        String x = "x0";
        for (int i = 0; i < c.depth(); i++) {
            String p = "blocks." + i + ".";
            layerNorm(b, p + "norm1", x, p + "attn_in", e, c.eps());
            for (String qkv : new String[] {"q", "k", "v"}) linear(b, p + "attn." + qkv, p + "attn_in", p + qkv, e, e);
            b.op(new Op.Attention(p + "attn", p + "q", p + "k", p + "v", null, p + "ctx", c.heads(), c.heads(), c.headDim(), false));
            linear(b, p + "attn.proj", p + "ctx", p + "attn_out", e, e);
            b.op(new Op.Add(p + "residual_attn", x, p + "attn_out", p + "h"));
            layerNorm(b, p + "norm2", p + "h", p + "mlp_in", e, c.eps());
            linear(b, p + "mlp.fc1", p + "mlp_in", p + "fc1", c.mlp(), e);
            b.op(new Op.Gelu(p + "mlp.act", p + "fc1", p + "gelu", false));
            linear(b, p + "mlp.fc2", p + "gelu", p + "mlp_out", e, c.mlp());
            b.op(new Op.Add(p + "residual_mlp", p + "h", p + "mlp_out", p + "out"));
            x = p + "out";
        }
        layerNorm(b, "norm", x, "features", e, c.eps());
        b.op(new Op.TakeToken("pool", "features", "pooled", 0));
        linear(b, "head", "pooled", "logits", c.classes(), e);
        return b.output("logits").build();
    }

    /** Features [B, T, D] -> [B, T, D] (all lengths T: no padding). */
    public static ModelGraph conformer(ConformerConfig c, int batch, int frames) {
        if (batch < 1 || frames < 1) throw new IllegalArgumentException("batch and frames must be positive, got " + batch + " and " + frames);
        int d = c.inputDim();
        var b = ModelGraph.builder(c.name() + "_frames" + frames + "_bs" + batch).input(Tensor.of("input", DType.FP16, batch, frames, d));
        String x = "input";
        for (int i = 0; i < c.layers(); i++) {
            String p = "conformer_layers." + i + ".";
            String f1 = feedForward(b, c, p + "ffn1", x);
            b.op(new Op.ScaledAdd(p + "ffn1.residual", x, f1, p + "x1", 0.5));
            layerNorm(b, p + "self_attn_layer_norm", p + "x1", p + "attn_in", d, c.eps());
            for (String qkv : new String[] {"q", "k", "v"}) linear(b, p + "self_attn." + qkv, p + "attn_in", p + qkv, d, d);
            b.op(new Op.Attention(p + "self_attn", p + "q", p + "k", p + "v", null, p + "ctx", c.heads(), c.heads(), c.headDim(), false));
            linear(b, p + "self_attn.out_proj", p + "ctx", p + "attn_out", d, d);
            b.op(new Op.Add(p + "attn.residual", p + "x1", p + "attn_out", p + "x2"));
            String m = p + "conv_module.";
            layerNorm(b, m + "layer_norm", p + "x2", p + "conv_in", d, c.eps());
            linear(b, m + "sequential.0", p + "conv_in", p + "pw1", 2 * d, d);
            b.op(new Op.Glu(m + "glu", p + "pw1", p + "glu"));
            b.weight(Tensor.of(m + "sequential.2.weight", DType.FP16, d, c.kernel())).weight(Tensor.of(m + "sequential.2.bias", DType.FP16, d));
            b.op(new Op.DepthwiseConv1d(m + "sequential.2", p + "glu", m + "sequential.2.weight", m + "sequential.2.bias", p + "dw", d, c.kernel()));
            String bn = m + "sequential.3.";
            for (String s : new String[] {"weight", "bias", "running_mean", "running_var"}) b.weight(Tensor.of(bn + s, DType.FP16, d));
            b.op(new Op.BatchNorm(m + "sequential.3", p + "dw", bn + "weight", bn + "bias", bn + "running_mean", bn + "running_var", p + "bn", 1e-5));
            b.op(new Op.Silu(m + "sequential.4", p + "bn", p + "conv_act"));
            linear(b, m + "sequential.5", p + "conv_act", p + "conv_out", d, d);
            b.op(new Op.Add(p + "conv.residual", p + "x2", p + "conv_out", p + "x3"));
            String f2 = feedForward(b, c, p + "ffn2", p + "x3");
            b.op(new Op.ScaledAdd(p + "ffn2.residual", p + "x3", f2, p + "x4", 0.5));
            layerNorm(b, p + "final_layer_norm", p + "x4", p + "out", d, c.eps());
            x = p + "out";
        }
        return b.output(x).build();
    }

    /** torchaudio _FeedForwardModule: LayerNorm, Linear(D, ffn), SiLU, Linear(ffn, D) (dropouts are identities in eval). */
    private static String feedForward(ModelGraph.Builder b, ConformerConfig c, String module, String in) {
        String s = module + ".sequential.";
        layerNorm(b, s + "0", in, module + ".ln", c.inputDim(), c.eps());
        linear(b, s + "1", module + ".ln", module + ".h", c.ffn(), c.inputDim());
        b.op(new Op.Silu(s + "2", module + ".h", module + ".act"));
        linear(b, s + "4", module + ".act", module + ".out", c.inputDim(), c.ffn());
        return module + ".out";
    }

    private static void layerNorm(ModelGraph.Builder b, String module, String in, String out, int width, double eps) {
        b.weight(Tensor.of(module + ".weight", DType.FP16, width)).weight(Tensor.of(module + ".bias", DType.FP16, width));
        b.op(new Op.LayerNorm(module, in, module + ".weight", module + ".bias", out, eps));
    }

    /** A linear with bias (every linear of both models has one). */
    private static void linear(ModelGraph.Builder b, String module, String in, String out, int n, int k) {
        b.weight(Tensor.of(module + ".weight", DType.FP16, n, k)).weight(Tensor.of(module + ".bias", DType.FP16, n));
        b.op(new Op.Linear(module, in, module + ".weight", module + ".bias", out, n, k, WeightFormat.FP16, 0));
    }
}
