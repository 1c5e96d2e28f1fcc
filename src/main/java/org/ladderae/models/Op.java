package org.ladderae.models;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.ladderae.formats.ActivationFormat;
import org.ladderae.formats.GroupQuantizer;
import org.ladderae.kernels.WeightFormat;

/**
 * One operator of a {@link ModelGraph}. Every op names the tensors it reads and writes; {@link #infer}
 * computes its output tensors from its inputs' and checks their shapes, so a graph built from data
 * (a config, an ONNX file, a manifest) is checked op by op. Ops serialise to JSON with their kind in
 * {@code "op"}, which is how a compiled model's manifest stores the graph.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "op")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Op.Linear.class, name = "Linear"),
    @JsonSubTypes.Type(value = Op.MatMul.class, name = "MatMul"),
    @JsonSubTypes.Type(value = Op.RmsNorm.class, name = "RmsNorm"),
    @JsonSubTypes.Type(value = Op.LayerNorm.class, name = "LayerNorm"),
    @JsonSubTypes.Type(value = Op.Rotary.class, name = "Rotary"),
    @JsonSubTypes.Type(value = Op.Alibi.class, name = "Alibi"),
    @JsonSubTypes.Type(value = Op.QkvSplit.class, name = "QkvSplit"),
    @JsonSubTypes.Type(value = Op.Attention.class, name = "Attention"),
    @JsonSubTypes.Type(value = Op.Silu.class, name = "Silu"),
    @JsonSubTypes.Type(value = Op.SiluGate.class, name = "SiluGate"),
    @JsonSubTypes.Type(value = Op.Gelu.class, name = "Gelu"),
    @JsonSubTypes.Type(value = Op.Sigmoid.class, name = "Sigmoid"),
    @JsonSubTypes.Type(value = Op.Add.class, name = "Add"),
    @JsonSubTypes.Type(value = Op.Mul.class, name = "Mul"),
    @JsonSubTypes.Type(value = Op.Softmax.class, name = "Softmax"),
    @JsonSubTypes.Type(value = Op.Reshape.class, name = "Reshape"),
    @JsonSubTypes.Type(value = Op.Transpose.class, name = "Transpose"),
    @JsonSubTypes.Type(value = Op.Cast.class, name = "Cast"),
    @JsonSubTypes.Type(value = Op.QuantizeActivations.class, name = "QuantizeActivations"),
    // encoder models (ViT, Conformer)
    @JsonSubTypes.Type(value = Op.Patchify.class, name = "Patchify"),
    @JsonSubTypes.Type(value = Op.ClassToken.class, name = "ClassToken"),
    @JsonSubTypes.Type(value = Op.TakeToken.class, name = "TakeToken"),
    @JsonSubTypes.Type(value = Op.ScaledAdd.class, name = "ScaledAdd"),
    @JsonSubTypes.Type(value = Op.Glu.class, name = "Glu"),
    @JsonSubTypes.Type(value = Op.DepthwiseConv1d.class, name = "DepthwiseConv1d"),
    @JsonSubTypes.Type(value = Op.BatchNorm.class, name = "BatchNorm"),
    // convolutional networks (ResNet, ShuffleNet)
    @JsonSubTypes.Type(value = Op.Conv2d.class, name = "Conv2d"),
    @JsonSubTypes.Type(value = Op.MaxPool2d.class, name = "MaxPool2d"),
    @JsonSubTypes.Type(value = Op.GlobalAvgPool.class, name = "GlobalAvgPool"),
    @JsonSubTypes.Type(value = Op.ChannelSplit.class, name = "ChannelSplit"),
    @JsonSubTypes.Type(value = Op.ChannelConcat.class, name = "ChannelConcat"),
    @JsonSubTypes.Type(value = Op.ChannelShuffle.class, name = "ChannelShuffle"),
})
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface Op {
    String name();

    /** Tensors read (activations and weights), in the op's argument order. */
    List<String> inputs();

    List<String> outputs();

    /** Output tensors given a lookup of the inputs; throws IllegalArgumentException naming the op on a shape mismatch. */
    List<Tensor> infer(Function<String, Tensor> tensors);

    /** Arithmetic operations (a multiply-add counts 2), from the resolved tensors; dynamic dimensions count as 1. */
    long flops(Function<String, Tensor> tensors);

    /** Short kind, as in the JSON ("Linear", "RmsNorm", ...). */
    default String kind() { return getClass().getSimpleName(); }

    // ---- linear algebra ----

    /**
     * C[..., N] = A[..., K] * W[N][K]^T (+ bias[N]) through the Ladder GEMV/GEMM, W stored in {@code format}.
     * {@code groupSize} is the K extent of one scale (and zero point) for INTx/NF4 ({@link GroupQuantizer#WHOLE_ROW}
     * for one per row) and 0 for formats without scales (FP16, FP8, MXFP8, whose exponents are fixed at 32).
     */
    record Linear(String name, String input, String weight, String bias, String output, int n, int k,
                  WeightFormat format, int groupSize) implements Op {
        public Linear {
            if (n < 1 || k < 1) throw new IllegalArgumentException(name + ": linear N and K must be positive, got " + n + "x" + k);
            if (hasGroupScales(format)) {
                if (groupSize != GroupQuantizer.WHOLE_ROW && groupSize != 32 && groupSize != 64 && groupSize != 128)
                    throw new IllegalArgumentException(name + ": group size must be 32, 64, 128 or -1 (whole row) for " + format.token() + ", not " + groupSize);
                if (groupSize > 0 && k % groupSize != 0) throw new IllegalArgumentException(name + ": K = " + k + " is not a multiple of the group size " + groupSize);
            } else if (groupSize != 0) {
                throw new IllegalArgumentException(name + ": " + format.token() + " weights carry no group scales; group size must be 0, not " + groupSize);
            }
        }

        /** Whether weights of this format are stored as codes with per-group FP16 scales (INTx and NF4). */
        public static boolean hasGroupScales(WeightFormat f) { return f.isUnsignedInt() || f == WeightFormat.NF4; }

        /** The group size a format takes given the one asked for: 0 for formats without scales. */
        public static int groupSizeFor(WeightFormat f, int requested) { return hasGroupScales(f) ? requested : 0; }

        public LinearShape shape() { return new LinearShape(n, k); }

        /** Same layer, reading another input tensor (of the same shape). */
        public Linear withInput(String newInput) {
            return new Linear(name, newInput, weight, bias, output, n, k, format, groupSize);
        }

        /** Same layer, weights stored in another format. */
        public Linear withFormat(WeightFormat f, int requestedGroupSize) {
            return new Linear(name, input, weight, bias, output, n, k, f, groupSizeFor(f, requestedGroupSize));
        }

        /** Bytes of W in its format: packed codes, plus FP16 scales (and zeros for INTx) per group, or MXFP8's E8M0 exponent per 32. */
        public long weightBytes() { return weightBytes(n, k, format, groupSize); }

        public static long weightBytes(int n, int k, WeightFormat f, int groupSize) {
            long codes = (long) n * k * f.bits() / 8;
            if (f == WeightFormat.MXFP8) return codes + (long) n * (k / 32);
            if (!hasGroupScales(f)) return codes;
            long groups = (long) n * (groupSize == GroupQuantizer.WHOLE_ROW ? 1 : k / groupSize);
            int perGroup = f.isUnsignedInt() ? 4 : 2; // FP16 scale, and an FP16 zero point for asymmetric INTx
            return codes + groups * perGroup;
        }

        @Override public List<String> inputs() { return bias == null ? List.of(input, weight) : List.of(input, weight, bias); }
        @Override public List<String> outputs() { return List.of(output); }

        @Override public List<Tensor> infer(Function<String, Tensor> t) {
            Tensor a = t.apply(input), w = t.apply(weight);
            Shapes.require(a.rank() >= 1 && Shapes.fits(a.dim(-1), k), this, "input " + a + " does not end in K = " + k);
            Shapes.require(w.shape().equals(List.of(n, k)), this, "weight " + w + " is not N x K = [" + n + "," + k + "]");
            if (bias != null) Shapes.require(t.apply(bias).shape().equals(List.of(n)), this, "bias " + t.apply(bias) + " is not [" + n + "]");
            List<Integer> out = new ArrayList<>(a.shape());
            out.set(out.size() - 1, n);
            return List.of(new Tensor(output, out, a.dtype()));
        }

        @Override public long flops(Function<String, Tensor> t) { return 2L * Shapes.rows(t.apply(input)) * n * k; }
    }

    /** Batched product of two activations, A[..., M, K] x B[..., K, N] (attention scores and context in imported graphs). */
    record MatMul(String name, String a, String b, String output) implements Op {
        @Override public List<String> inputs() { return List.of(a, b); }
        @Override public List<String> outputs() { return List.of(output); }

        @Override public List<Tensor> infer(Function<String, Tensor> t) {
            Tensor x = t.apply(a), y = t.apply(b);
            Shapes.require(x.rank() >= 2 && y.rank() >= 2, this, "operands must have rank >= 2: " + x + ", " + y);
            Shapes.require(Shapes.fits(x.dim(-1), y.dim(-2)), this, "inner dimensions differ: " + x + " x " + y);
            List<Integer> batch = Shapes.broadcast(this, x.shape().subList(0, x.rank() - 2), y.shape().subList(0, y.rank() - 2));
            List<Integer> out = new ArrayList<>(batch);
            out.add(x.dim(-2));
            out.add(y.dim(-1));
            return List.of(new Tensor(output, out, x.dtype()));
        }

        @Override public long flops(Function<String, Tensor> t) {
            Tensor x = t.apply(a);
            return 2L * Shapes.rows(x) * Math.max(1, x.dim(-1)) * Math.max(1, t.apply(b).dim(-1));
        }
    }

    // ---- normalisation and position ----

    /** y = x / sqrt(mean(x^2 over the last axis) + eps) * weight (LLaMA); weight null = no scale (an imported bare norm). */
    record RmsNorm(String name, String input, String weight, String output, double eps) implements Op {
        @Override public List<String> inputs() { return weight == null ? List.of(input) : List.of(input, weight); }
        @Override public List<String> outputs() { return List.of(output); }
        @Override public List<Tensor> infer(Function<String, Tensor> t) {
            return List.of(Shapes.normOutput(this, t.apply(input), weight == null ? null : t.apply(weight), null, output));
        }
        @Override public long flops(Function<String, Tensor> t) { return 4 * Shapes.elements(t.apply(input)); }
    }

    /** y = (x - mean) / sqrt(var + eps) * weight + bias over the last axis (BLOOM). */
    record LayerNorm(String name, String input, String weight, String bias, String output, double eps) implements Op {
        @Override public List<String> inputs() { return bias == null ? List.of(input, weight) : List.of(input, weight, bias); }
        @Override public List<String> outputs() { return List.of(output); }
        @Override public List<Tensor> infer(Function<String, Tensor> t) {
            return List.of(Shapes.normOutput(this, t.apply(input), t.apply(weight), bias == null ? null : t.apply(bias), output));
        }
        @Override public long flops(Function<String, Tensor> t) { return 7 * Shapes.elements(t.apply(input)); }
    }

    /** Rotary position embedding on x[B, S, heads*headDim], rotating each head's pairs by position * theta^(-2i/headDim) (LLaMA). */
    record Rotary(String name, String input, String output, int heads, int headDim, double theta) implements Op {
        @Override public List<String> inputs() { return List.of(input); }
        @Override public List<String> outputs() { return List.of(output); }
        @Override public List<Tensor> infer(Function<String, Tensor> t) {
            Tensor x = t.apply(input);
            Shapes.require(headDim % 2 == 0, this, "head dim " + headDim + " is odd; rotary rotates pairs");
            Shapes.require(x.rank() == 3 && Shapes.fits(x.dim(-1), heads * headDim), this, "input " + x + " is not [B, S, " + heads + "*" + headDim + "]");
            return List.of(x.renamed(output));
        }
        @Override public long flops(Function<String, Tensor> t) { return 3 * Shapes.elements(t.apply(input)); }
    }

    /**
     * ALiBi bias [B*heads, 1, S] from the attention mask [B, S]: head h adds slope_h * position to its
     * scores (BLOOM's build_alibi_tensor), consumed by {@link Attention#positionBias}.
     */
    record Alibi(String name, String mask, String output, int heads) implements Op {
        @Override public List<String> inputs() { return List.of(mask); }
        @Override public List<String> outputs() { return List.of(output); }
        @Override public List<Tensor> infer(Function<String, Tensor> t) {
            Tensor m = t.apply(mask);
            Shapes.require(m.rank() == 2, this, "mask " + m + " is not [B, S]");
            int b = m.dim(0);
            return List.of(Tensor.of(output, DType.FP16, b == Tensor.DYNAMIC ? Tensor.DYNAMIC : b * heads, 1, m.dim(1)));
        }
        @Override public long flops(Function<String, Tensor> t) { return Shapes.elements(t.apply(mask)) * heads; }
    }

    /**
     * Splits a fused QKV projection [B, S, heads*3*headDim] laid out per head as [heads][3][headDim]
     * (BLOOM's query_key_value) into q, k, v of [B, S, heads*headDim] each.
     */
    record QkvSplit(String name, String input, String q, String k, String v, int heads, int headDim) implements Op {
        @Override public List<String> inputs() { return List.of(input); }
        @Override public List<String> outputs() { return List.of(q, k, v); }
        @Override public List<Tensor> infer(Function<String, Tensor> t) {
            Tensor x = t.apply(input);
            Shapes.require(x.rank() == 3 && Shapes.fits(x.dim(-1), 3 * heads * headDim), this, "input " + x + " is not [B, S, 3*" + heads + "*" + headDim + "]");
            List<Integer> s = List.of(x.dim(0), x.dim(1), heads * headDim);
            return List.of(new Tensor(q, s, x.dtype()), new Tensor(k, s, x.dtype()), new Tensor(v, s, x.dtype()));
        }
        @Override public long flops(Function<String, Tensor> t) { return 0; }
    }

    /**
     * Scaled dot-product attention over the sequence: q [B, S, heads*headDim], k and v [B, S, kvHeads*headDim]
     * (grouped-query when kvHeads < heads: each kv head serves heads/kvHeads query heads), optional additive
     * position bias (ALiBi) [B*heads, 1, S]; output [B, S, heads*headDim]. No KV cache: the artifact's layers attend
     * within the S tokens they are given.
     */
    record Attention(String name, String q, String k, String v, String positionBias, String output,
                     int heads, int kvHeads, int headDim, boolean causal) implements Op {
        @Override public List<String> inputs() { return positionBias == null ? List.of(q, k, v) : List.of(q, k, v, positionBias); }
        @Override public List<String> outputs() { return List.of(output); }
        @Override public List<Tensor> infer(Function<String, Tensor> t) {
            Tensor tq = t.apply(q), tk = t.apply(k), tv = t.apply(v);
            Shapes.require(kvHeads >= 1 && heads % kvHeads == 0, this, heads + " query heads do not divide into " + kvHeads + " kv heads");
            Shapes.require(tq.rank() == 3 && Shapes.fits(tq.dim(-1), heads * headDim), this, "q " + tq + " is not [B, S, " + heads + "*" + headDim + "]");
            for (Tensor kv : List.of(tk, tv)) {
                Shapes.require(kv.rank() == 3 && Shapes.fits(kv.dim(-1), kvHeads * headDim), this, kv + " is not [B, S, " + kvHeads + "*" + headDim + "]");
                Shapes.require(Shapes.fits(kv.dim(0), tq.dim(0)) && Shapes.fits(kv.dim(1), tq.dim(1)), this, kv + " and q " + tq + " differ in batch or sequence");
            }
            if (positionBias != null) {
                Tensor pb = t.apply(positionBias);
                Shapes.require(pb.rank() == 3 && Shapes.fits(pb.dim(2), tq.dim(1)), this, "position bias " + pb + " is not [B*heads, 1, S]");
            }
            return List.of(new Tensor(output, tq.shape(), tq.dtype()));
        }
        /** QK^T and PV, both dense (a causal kernel skips about half; the paper's counts are dense too). */
        @Override public long flops(Function<String, Tensor> t) {
            Tensor tq = t.apply(q);
            long b = Math.max(1, tq.dim(0)), s = Math.max(1, tq.dim(1));
            return 4L * b * heads * s * s * headDim;
        }
    }

    // ---- activations and elementwise ----

    /** x * sigmoid(x). */
    record Silu(String name, String input, String output) implements Op {
        @Override public List<String> inputs() { return List.of(input); }
        @Override public List<String> outputs() { return List.of(output); }
        @Override public List<Tensor> infer(Function<String, Tensor> t) { return List.of(t.apply(input).renamed(output)); }
        @Override public long flops(Function<String, Tensor> t) { return 4 * Shapes.elements(t.apply(input)); }
    }

    /** silu(gate) * up: LLaMA's gated MLP activation. */
    record SiluGate(String name, String gate, String up, String output) implements Op {
        @Override public List<String> inputs() { return List.of(gate, up); }
        @Override public List<String> outputs() { return List.of(output); }
        @Override public List<Tensor> infer(Function<String, Tensor> t) {
            Tensor g = t.apply(gate), u = t.apply(up);
            Shapes.require(Shapes.fits(g.shape(), u.shape()), this, "gate " + g + " and up " + u + " differ");
            return List.of(g.renamed(output));
        }
        @Override public long flops(Function<String, Tensor> t) { return 5 * Shapes.elements(t.apply(gate)); }
    }

    /**
     * GeLU: {@code tanh} selects the tanh approximation (BLOOM's bloom_gelu_forward, ONNX Gelu with
     * approximate="tanh"); otherwise the exact erf form (ONNX's default).
     */
    record Gelu(String name, String input, String output, boolean tanh) implements Op {
        @Override public List<String> inputs() { return List.of(input); }
        @Override public List<String> outputs() { return List.of(output); }
        @Override public List<Tensor> infer(Function<String, Tensor> t) { return List.of(t.apply(input).renamed(output)); }
        @Override public long flops(Function<String, Tensor> t) { return 8 * Shapes.elements(t.apply(input)); }
    }

    record Sigmoid(String name, String input, String output) implements Op {
        @Override public List<String> inputs() { return List.of(input); }
        @Override public List<String> outputs() { return List.of(output); }
        @Override public List<Tensor> infer(Function<String, Tensor> t) { return List.of(t.apply(input).renamed(output)); }
        @Override public long flops(Function<String, Tensor> t) { return 3 * Shapes.elements(t.apply(input)); }
    }

    /** a + b with NumPy broadcasting (residual adds, biases). */
    record Add(String name, String a, String b, String output) implements Op {
        @Override public List<String> inputs() { return List.of(a, b); }
        @Override public List<String> outputs() { return List.of(output); }
        @Override public List<Tensor> infer(Function<String, Tensor> t) {
            return List.of(new Tensor(output, Shapes.broadcast(this, t.apply(a).shape(), t.apply(b).shape()), t.apply(a).dtype()));
        }
        @Override public long flops(Function<String, Tensor> t) { return Shapes.elements(infer(t).get(0)); }
    }

    /** a * b with NumPy broadcasting. */
    record Mul(String name, String a, String b, String output) implements Op {
        @Override public List<String> inputs() { return List.of(a, b); }
        @Override public List<String> outputs() { return List.of(output); }
        @Override public List<Tensor> infer(Function<String, Tensor> t) {
            return List.of(new Tensor(output, Shapes.broadcast(this, t.apply(a).shape(), t.apply(b).shape()), t.apply(a).dtype()));
        }
        @Override public long flops(Function<String, Tensor> t) { return Shapes.elements(infer(t).get(0)); }
    }

    record Softmax(String name, String input, String output, int axis) implements Op {
        @Override public List<String> inputs() { return List.of(input); }
        @Override public List<String> outputs() { return List.of(output); }
        @Override public List<Tensor> infer(Function<String, Tensor> t) {
            Tensor x = t.apply(input);
            Shapes.require(axis >= -x.rank() && axis < x.rank(), this, "axis " + axis + " outside " + x);
            return List.of(x.renamed(output));
        }
        @Override public long flops(Function<String, Tensor> t) { return 5 * Shapes.elements(t.apply(input)); }
    }

    /** Reshape to {@code shape}, where -1 is inferred from the element count and 0 copies the input's dimension (ONNX rules). */
    record Reshape(String name, String input, String output, List<Long> shape) implements Op {
        @Override public List<String> inputs() { return List.of(input); }
        @Override public List<String> outputs() { return List.of(output); }
        @Override public List<Tensor> infer(Function<String, Tensor> t) { return List.of(Shapes.reshape(this, t.apply(input), shape, output)); }
        @Override public long flops(Function<String, Tensor> t) { return 0; }
    }

    record Transpose(String name, String input, String output, List<Integer> perm) implements Op {
        @Override public List<String> inputs() { return List.of(input); }
        @Override public List<String> outputs() { return List.of(output); }
        @Override public List<Tensor> infer(Function<String, Tensor> t) {
            Tensor x = t.apply(input);
            Shapes.require(perm.size() == x.rank() && perm.stream().sorted().toList().equals(java.util.stream.IntStream.range(0, x.rank()).boxed().toList()),
                    this, "perm " + perm + " is not a permutation of " + x.rank() + " axes");
            List<Integer> out = new ArrayList<>();
            for (int p : perm) out.add(x.dim(p));
            return List.of(new Tensor(output, out, x.dtype()));
        }
        @Override public long flops(Function<String, Tensor> t) { return 0; }
    }

    record Cast(String name, String input, String output, DType to) implements Op {
        @Override public List<String> inputs() { return List.of(input); }
        @Override public List<String> outputs() { return List.of(output); }
        @Override public List<Tensor> infer(Function<String, Tensor> t) { return List.of(new Tensor(output, t.apply(input).shape(), to)); }
        @Override public long flops(Function<String, Tensor> t) { return 0; }
    }

    /**
     * The activations a following linear layer reads, quantised to {@code format} along the last axis (K) and given
     * as the values that layer multiplies (code x scale, {@link org.ladderae.formats.ActivationQuantizer#fakeQuantize}):
     * what a W_xA_y layer inserts before each linear. The GPU executor fuses it into the producer (norm, SiLU gate) or
     * runs a quantising kernel, and the linear then reads codes and scales; the reference applies the same rounding.
     */
    record QuantizeActivations(String name, String input, String output, ActivationFormat format) implements Op {
        public QuantizeActivations {
            if (format == null || !format.quantized()) throw new IllegalArgumentException(name + ": quantising needs INT8, INT4 or MXFP8, not " + format);
        }
        @Override public List<String> inputs() { return List.of(input); }
        @Override public List<String> outputs() { return List.of(output); }
        @Override public List<Tensor> infer(Function<String, Tensor> t) { return List.of(t.apply(input).renamed(output)); }
        /** Per element: the absmax pass, a divide and a round (INT) or the block's exponent pass and a scale (MXFP8). */
        @Override public long flops(Function<String, Tensor> t) { return 3 * Shapes.elements(t.apply(input)); }
    }

    // ---- encoder models (ViT, Conformer: EncoderModels) ----

    /**
     * Non-overlapping p x p patches of an image x[B, C, H, W] as rows: [B, (H/p)*(W/p), C*p*p], patches in row-major
     * (patch row, patch column) order and each row's elements in (c, i, j) order, so that a Linear with the weight of
     * a Conv2d(C, E, p, stride p) flattened to [E, C*p*p] is that convolution (timm's PatchEmbed, then flatten(2).transpose(1, 2)).
     */
    record Patchify(String name, String input, String output, int patch) implements Op {
        @Override public List<String> inputs() { return List.of(input); }
        @Override public List<String> outputs() { return List.of(output); }
        @Override public List<Tensor> infer(Function<String, Tensor> t) {
            Tensor x = t.apply(input);
            Shapes.require(patch >= 1, this, "patch size " + patch + " is not positive");
            Shapes.require(x.rank() == 4 && x.dim(1) > 0 && x.dim(2) > 0 && x.dim(3) > 0, this, "input " + x + " is not [B, C, H, W] with known C, H, W");
            Shapes.require(x.dim(2) % patch == 0 && x.dim(3) % patch == 0, this, "image " + x.dim(2) + "x" + x.dim(3) + " does not divide into " + patch + "x" + patch + " patches");
            return List.of(Tensor.of(output, x.dtype(), x.dim(0), (x.dim(2) / patch) * (x.dim(3) / patch), x.dim(1) * patch * patch));
        }
        @Override public long flops(Function<String, Tensor> t) { return 0; }
    }

    /** [token; x] + position: the class token [D] put before the N rows of x[B, N, D], then the learned position embedding [N+1, D] added (timm ViT). */
    record ClassToken(String name, String input, String token, String position, String output) implements Op {
        @Override public List<String> inputs() { return List.of(input, token, position); }
        @Override public List<String> outputs() { return List.of(output); }
        @Override public List<Tensor> infer(Function<String, Tensor> t) {
            Tensor x = t.apply(input), c = t.apply(token), p = t.apply(position);
            Shapes.require(x.rank() == 3 && x.dim(1) > 0, this, "input " + x + " is not [B, N, D]");
            Shapes.require(c.shape().equals(List.of(x.dim(2))), this, "class token " + c + " is not [" + x.dim(2) + "]");
            Shapes.require(p.shape().equals(List.of(x.dim(1) + 1, x.dim(2))), this, "position embedding " + p + " is not [" + (x.dim(1) + 1) + ", " + x.dim(2) + "]");
            return List.of(Tensor.of(output, x.dtype(), x.dim(0), x.dim(1) + 1, x.dim(2)));
        }
        @Override public long flops(Function<String, Tensor> t) { return Shapes.elements(infer(t).get(0)); }
    }

    /** Row {@code index} of every sequence of x[B, S, D] as [B, 1, D] (timm's token pooling, x[:, 0]). */
    record TakeToken(String name, String input, String output, int index) implements Op {
        @Override public List<String> inputs() { return List.of(input); }
        @Override public List<String> outputs() { return List.of(output); }
        @Override public List<Tensor> infer(Function<String, Tensor> t) {
            Tensor x = t.apply(input);
            Shapes.require(x.rank() == 3 && (x.dim(1) == Tensor.DYNAMIC || (index >= 0 && index < x.dim(1))), this, "token " + index + " outside " + x);
            return List.of(Tensor.of(output, x.dtype(), x.dim(0), 1, x.dim(2)));
        }
        @Override public long flops(Function<String, Tensor> t) { return 0; }
    }

    /** a + scale * b, same shapes (the Conformer's half-step residual, x * 0.5 + residual). */
    record ScaledAdd(String name, String a, String b, String output, double scale) implements Op {
        @Override public List<String> inputs() { return List.of(a, b); }
        @Override public List<String> outputs() { return List.of(output); }
        @Override public List<Tensor> infer(Function<String, Tensor> t) {
            Tensor x = t.apply(a), y = t.apply(b);
            Shapes.require(Shapes.fits(x.shape(), y.shape()), this, "operands " + x + " and " + y + " differ");
            return List.of(x.renamed(output));
        }
        @Override public long flops(Function<String, Tensor> t) { return 2 * Shapes.elements(t.apply(a)); }
    }

    /** Gated linear unit over the last axis: x[..., 2C] -> x[..., :C] * sigmoid(x[..., C:]) (torch.nn.GLU on the channel axis). */
    record Glu(String name, String input, String output) implements Op {
        @Override public List<String> inputs() { return List.of(input); }
        @Override public List<String> outputs() { return List.of(output); }
        @Override public List<Tensor> infer(Function<String, Tensor> t) {
            Tensor x = t.apply(input);
            Shapes.require(x.rank() >= 1 && x.dim(-1) > 0 && x.dim(-1) % 2 == 0, this, "input " + x + " does not end in an even width");
            List<Integer> s = new ArrayList<>(x.shape());
            s.set(s.size() - 1, x.dim(-1) / 2);
            return List.of(new Tensor(output, s, x.dtype()));
        }
        @Override public long flops(Function<String, Tensor> t) { return 4 * Shapes.elements(t.apply(input)) / 2; }
    }

    /**
     * Depthwise 1-D convolution along the sequence of a channels-last x[B, T, C]: out[b, t, c] = bias[c] +
     * sum_j weight[c][j] * x[b, t + j - (K-1)/2, c], zeros outside the sequence (torch Conv1d(C, C, K, padding=(K-1)/2, groups=C)
     * on x.transpose(1, 2)). K is odd.
     */
    record DepthwiseConv1d(String name, String input, String weight, String bias, String output, int channels, int kernel) implements Op {
        @Override public List<String> inputs() { return bias == null ? List.of(input, weight) : List.of(input, weight, bias); }
        @Override public List<String> outputs() { return List.of(output); }
        @Override public List<Tensor> infer(Function<String, Tensor> t) {
            Tensor x = t.apply(input);
            Shapes.require(kernel >= 1 && kernel % 2 == 1, this, "kernel " + kernel + " is not odd (same padding)");
            Shapes.require(x.rank() == 3 && Shapes.fits(x.dim(2), channels), this, "input " + x + " is not [B, T, " + channels + "]");
            Shapes.require(t.apply(weight).shape().equals(List.of(channels, kernel)), this, "weight " + t.apply(weight) + " is not [" + channels + ", " + kernel + "]");
            if (bias != null) Shapes.require(t.apply(bias).shape().equals(List.of(channels)), this, "bias " + t.apply(bias) + " is not [" + channels + "]");
            return List.of(x.renamed(output));
        }
        @Override public long flops(Function<String, Tensor> t) { return 2L * kernel * Shapes.elements(t.apply(input)); }
    }

    /** Inference BatchNorm over the last (channel) axis: (x - mean) / sqrt(var + eps) * weight + bias, running statistics as weights. */
    record BatchNorm(String name, String input, String weight, String bias, String mean, String var, String output, double eps) implements Op {
        @Override public List<String> inputs() { return List.of(input, weight, bias, mean, var); }
        @Override public List<String> outputs() { return List.of(output); }
        @Override public List<Tensor> infer(Function<String, Tensor> t) {
            Tensor x = t.apply(input);
            for (String p : List.of(weight, bias, mean, var))
                Shapes.require(x.rank() >= 1 && t.apply(p).shape().equals(List.of(x.dim(-1))), this, p + " " + t.apply(p) + " is not [" + x.dim(-1) + "]");
            return List.of(x.renamed(output));
        }
        @Override public long flops(Function<String, Tensor> t) { return 2 * Shapes.elements(t.apply(input)); }
    }

    // ---- convolutional networks (ResNet, ShuffleNet); activations NHWC [N, H, W, C] ----

    /**
     * 2-D convolution on NHWC activations: y[N, P, Q, K] = act(conv(x, weight) + bias (+ residual)), weight OHWI
     * [K, R, S, C/groups], symmetric zero padding, dilation 1. {@code bias} is the batch norm folded into the conv at
     * load ({@code null}: none); {@code residual} [N, P, Q, K] is added before the activation (a ResNet bottleneck's
     * shortcut; {@code null}: none); {@code relu} applies max(0, .) last. groups = C = K is a depthwise conv.
     */
    record Conv2d(String name, String input, String weight, String bias, String residual, String output,
                  int outChannels, int kernelH, int kernelW, int stride, int pad, int groups, boolean relu) implements Op {
        public Conv2d {
            if (outChannels < 1 || kernelH < 1 || kernelW < 1 || stride < 1 || pad < 0 || groups < 1 || outChannels % groups != 0)
                throw new IllegalArgumentException(name + ": bad conv parameters K=" + outChannels + " " + kernelH + "x" + kernelW
                        + " stride " + stride + " pad " + pad + " groups " + groups);
        }

        public boolean depthwise(int inChannels) { return groups > 1 && groups == inChannels && groups == outChannels; }

        @Override public List<String> inputs() {
            List<String> in = new ArrayList<>(List.of(input, weight));
            if (bias != null) in.add(bias);
            if (residual != null) in.add(residual);
            return in;
        }
        @Override public List<String> outputs() { return List.of(output); }

        @Override public List<Tensor> infer(Function<String, Tensor> t) {
            Tensor x = t.apply(input), w = t.apply(weight);
            Shapes.require(x.rank() == 4, this, "input " + x + " is not NHWC [N, H, W, C]");
            int c = x.dim(3);
            Shapes.require(c != Tensor.DYNAMIC && c % groups == 0, this, "input channels " + c + " do not divide into " + groups + " groups");
            Shapes.require(w.shape().equals(List.of(outChannels, kernelH, kernelW, c / groups)), this,
                    "weight " + w + " is not OHWI [" + outChannels + "," + kernelH + "," + kernelW + "," + c / groups + "]");
            if (bias != null) Shapes.require(t.apply(bias).shape().equals(List.of(outChannels)), this, "bias " + t.apply(bias) + " is not [" + outChannels + "]");
            Shapes.require(x.dim(1) + 2 * pad >= kernelH && x.dim(2) + 2 * pad >= kernelW, this, "the filter is larger than the padded input " + x);
            Tensor y = new Tensor(output, List.of(x.dim(0), outHeight(x.dim(1)), outWidth(x.dim(2)), outChannels), x.dtype());
            if (residual != null) Shapes.require(Shapes.fits(t.apply(residual).shape(), y.shape()), this, "residual " + t.apply(residual) + " is not the output's " + y);
            return List.of(y);
        }

        public int outHeight(int h) { return (h + 2 * pad - kernelH) / stride + 1; }
        public int outWidth(int w) { return (w + 2 * pad - kernelW) / stride + 1; }

        /** 2 * N*P*Q * K * R*S*C/groups (padding taps included, as cuDNN counts). */
        @Override public long flops(Function<String, Tensor> t) {
            Tensor y = infer(t).get(0);
            return 2L * Shapes.rows(y) * outChannels * kernelH * kernelW * (t.apply(input).dim(3) / groups);
        }
    }

    /** Max over a kernel x kernel window (NHWC), padding never selected (torch.nn.MaxPool2d). */
    record MaxPool2d(String name, String input, String output, int kernel, int stride, int pad) implements Op {
        public MaxPool2d {
            if (kernel < 1 || stride < 1 || pad < 0 || 2 * pad > kernel) throw new IllegalArgumentException(name + ": bad pool " + kernel + "/" + stride + "/" + pad);
        }
        @Override public List<String> inputs() { return List.of(input); }
        @Override public List<String> outputs() { return List.of(output); }
        @Override public List<Tensor> infer(Function<String, Tensor> t) {
            Tensor x = t.apply(input);
            Shapes.require(x.rank() == 4 && x.dim(1) + 2 * pad >= kernel && x.dim(2) + 2 * pad >= kernel, this, "input " + x + " is not NHWC large enough");
            return List.of(new Tensor(output, List.of(x.dim(0), (x.dim(1) + 2 * pad - kernel) / stride + 1, (x.dim(2) + 2 * pad - kernel) / stride + 1, x.dim(3)), x.dtype()));
        }
        @Override public long flops(Function<String, Tensor> t) { return Shapes.elements(infer(t).get(0)) * kernel * kernel; }
    }

    /** Mean over H and W: NHWC [N, H, W, C] to [N, C] (torchvision's avgpool + flatten, ShuffleNet's mean([2, 3])). */
    record GlobalAvgPool(String name, String input, String output) implements Op {
        @Override public List<String> inputs() { return List.of(input); }
        @Override public List<String> outputs() { return List.of(output); }
        @Override public List<Tensor> infer(Function<String, Tensor> t) {
            Tensor x = t.apply(input);
            Shapes.require(x.rank() == 4, this, "input " + x + " is not NHWC");
            return List.of(new Tensor(output, List.of(x.dim(0), x.dim(3)), x.dtype()));
        }
        @Override public long flops(Function<String, Tensor> t) { return Shapes.elements(t.apply(input)); }
    }

    /** The last (channel) axis cut into its first and second half (torch.chunk(x, 2, dim=1) in NCHW). */
    record ChannelSplit(String name, String input, String first, String second) implements Op {
        @Override public List<String> inputs() { return List.of(input); }
        @Override public List<String> outputs() { return List.of(first, second); }
        @Override public List<Tensor> infer(Function<String, Tensor> t) {
            Tensor x = t.apply(input);
            Shapes.require(x.rank() >= 1 && x.dim(-1) != Tensor.DYNAMIC && x.dim(-1) % 2 == 0, this, "input " + x + " has no even channel axis");
            List<Integer> half = new ArrayList<>(x.shape());
            half.set(half.size() - 1, x.dim(-1) / 2);
            return List.of(new Tensor(first, half, x.dtype()), new Tensor(second, half, x.dtype()));
        }
        @Override public long flops(Function<String, Tensor> t) { return 0; }
    }

    /** a and b side by side along the last (channel) axis (torch.cat(dim=1) in NCHW). */
    record ChannelConcat(String name, String a, String b, String output) implements Op {
        @Override public List<String> inputs() { return List.of(a, b); }
        @Override public List<String> outputs() { return List.of(output); }
        @Override public List<Tensor> infer(Function<String, Tensor> t) {
            Tensor x = t.apply(a), y = t.apply(b);
            Shapes.require(x.rank() == y.rank() && Shapes.fits(x.shape().subList(0, x.rank() - 1), y.shape().subList(0, y.rank() - 1)), this,
                    x + " and " + y + " differ outside the channel axis");
            List<Integer> out = new ArrayList<>(x.shape());
            out.set(out.size() - 1, x.dim(-1) + y.dim(-1));
            return List.of(new Tensor(output, out, x.dtype()));
        }
        @Override public long flops(Function<String, Tensor> t) { return 0; }
    }

    /**
     * ShuffleNet's channel shuffle on the last axis: with C = groups * m, output channel i * groups + g is input channel
     * g * m + i (torchvision's view(N, groups, m, H, W).transpose(1, 2) in NCHW).
     */
    record ChannelShuffle(String name, String input, String output, int groups) implements Op {
        @Override public List<String> inputs() { return List.of(input); }
        @Override public List<String> outputs() { return List.of(output); }
        @Override public List<Tensor> infer(Function<String, Tensor> t) {
            Tensor x = t.apply(input);
            Shapes.require(groups >= 1 && x.rank() >= 1 && x.dim(-1) % groups == 0, this, "channels of " + x + " do not divide into " + groups + " groups");
            return List.of(x.renamed(output));
        }
        @Override public long flops(Function<String, Tensor> t) { return 0; }
    }
}
