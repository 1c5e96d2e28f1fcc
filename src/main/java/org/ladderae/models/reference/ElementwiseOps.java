package org.ladderae.models.reference;

import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import org.ladderae.models.DType;
import org.ladderae.models.Op;

/** Activations, broadcast arithmetic, softmax and cast. */
final class ElementwiseOps {
    private ElementwiseOps() {}

    /**
     * sqrt(2/pi) as HF's {@code bloom_gelu_forward} writes it (models/bloom/modeling_bloom.py), truncated to
     * 8 digits; kept verbatim so the reference is BLOOM's function, not the textbook one (they differ by ~1e-9).
     */
    static final double BLOOM_GELU_SQRT_2_OVER_PI = 0.79788456;

    static double sigmoid(double x) { return 1 / (1 + Math.exp(-x)); }

    /** x * sigmoid(x): torch.nn.functional.silu, LLaMA's {@code hidden_act = "silu"}. */
    static double silu(double x) { return x * sigmoid(x); }

    /**
     * GeLU, tanh approximation, as HF's {@code bloom_gelu_forward}:
     * x * 0.5 * (1 + tanh(0.79788456 * x * (1 + 0.044715 x^2))). The IR's Gelu documents BLOOM's tanh form.
     */
    /** GeLU, exact: x * Phi(x) = x * 0.5 * (1 + erf(x / sqrt 2)) (ONNX Gelu, torch's default). */
    static double geluErf(double x) {
        return x * 0.5 * (1 + erf(x / Math.sqrt(2)));
    }

    /**
     * erf in double precision (Java has none): the Maclaurin series below |x| = 3, where the largest
     * term is about 3e3 so cancellation still leaves ~1e-12; above, 1 - erfc from erfc's continued
     * fraction, evaluated bottom-up (erfc(3) is 2.2e-5, so the fraction's error is negligible).
     */
    static double erf(double x) {
        double ax = Math.abs(x);
        if (ax < 3) {
            double term = ax, sum = ax;
            for (int n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
                term *= -ax * ax / n;
                sum += term / (2 * n + 1);
            }
            return Math.signum(x) * 2 / Math.sqrt(Math.PI) * sum;
        }
        double f = ax;
        for (int n = 60; n >= 1; n--) f = ax + (n / 2.0) / f;
        double erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
        return Math.signum(x) * (1 - erfc);
    }

    static double geluTanh(double x) {
        return x * 0.5 * (1 + Math.tanh(BLOOM_GELU_SQRT_2_OVER_PI * x * (1 + 0.044715 * x * x)));
    }

    static DenseTensor map(DenseTensor x, DoubleUnaryOperator f) {
        double[] out = new double[x.size()];
        for (int i = 0; i < out.length; i++) out[i] = f.applyAsDouble(x.values()[i]);
        return new DenseTensor(x.shape(), out);
    }

    /** silu(gate) * up: HF {@code LlamaMLP.forward}'s {@code act_fn(gate_proj(x)) * up_proj(x)}. */
    static DenseTensor siluGate(Op.SiluGate op, DenseTensor gate, DenseTensor up) {
        if (!gate.shape().equals(up.shape())) throw new IllegalArgumentException(op.name() + ": gate " + gate.shape() + " and up " + up.shape() + " differ");
        double[] out = new double[gate.size()];
        for (int i = 0; i < out.length; i++) out[i] = silu(gate.values()[i]) * up.values()[i];
        return new DenseTensor(gate.shape(), out);
    }

    static DenseTensor broadcast(String opName, DenseTensor a, DenseTensor b, DoubleBinaryOperator f) {
        List<Integer> shape = Broadcasting.shape(opName, a.shape(), b.shape());
        int[] ai = Broadcasting.sourceIndex(shape, a.shape()), bi = Broadcasting.sourceIndex(shape, b.shape());
        double[] out = new double[ai.length];
        for (int i = 0; i < out.length; i++) out[i] = f.applyAsDouble(a.values()[ai[i]], b.values()[bi[i]]);
        return new DenseTensor(shape, out);
    }

    /** Softmax along one axis (negative counts from the end), shifted by the maximum so large scores do not overflow. */
    static DenseTensor softmax(Op.Softmax op, DenseTensor x) {
        int axis = op.axis() < 0 ? x.rank() + op.axis() : op.axis();
        if (axis < 0 || axis >= x.rank()) throw new IllegalArgumentException(op.name() + ": axis " + op.axis() + " outside " + x.shape());
        int len = x.dim(axis), stride = DenseTensor.strides(x.shape())[axis];
        int outer = x.size() / (len * stride);
        double[] in = x.values(), out = new double[in.length];
        for (int o = 0; o < outer; o++)
            for (int inner = 0; inner < stride; inner++) {
                int base = o * len * stride + inner;
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int i = 0; i < len; i++) max = Math.max(max, in[base + i * stride]);
                for (int i = 0; i < len; i++) { out[base + i * stride] = Math.exp(in[base + i * stride] - max); sum += out[base + i * stride]; }
                for (int i = 0; i < len; i++) out[base + i * stride] /= sum;
            }
        return new DenseTensor(x.shape(), out);
    }

    /**
     * Cast to a float type is the identity here: the reference stands for the exact computation, and the rounding a
     * half-precision cast does on the GPU is part of the error the comparison tolerates. Casts to integer types truncate
     * toward zero (C / NumPy {@code astype}); to BOOL, nonzero becomes 1.
     */
    static DenseTensor cast(Op.Cast op, DenseTensor x) {
        DType to = op.to();
        if (to.isFloat()) return x;
        if (to == DType.BOOL) return map(x, v -> v != 0 ? 1 : 0);
        return map(x, v -> v < 0 ? Math.ceil(v) : Math.floor(v));
    }
}
