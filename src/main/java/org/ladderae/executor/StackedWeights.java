package org.ladderae.executor;

import java.util.Map;
import org.ladderae.formats.ActivationFormat;
import org.ladderae.formats.BitPacking;
import org.ladderae.formats.Fp16;
import org.ladderae.kernels.GemmWeightLayout;
import org.ladderae.kernels.GemvConfig;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.kernels.WeightLayout;
import org.ladderae.models.Op;
import org.ladderae.models.reference.DenseTensor;
import org.ladderae.models.reference.StoredLinearWeight;

/**
 * The weights of one (fused) linear as its format stores them, members stacked along N: codes [nTotal][K],
 * per-row-group FP16 scales and zero points (INTx, NF4), MXFP8 block exponents, and the stacked bias. Each member is
 * quantised by {@link StoredLinearWeight#encode}, the same code the reference's decoded weights come from, so the
 * kernels and {@link org.ladderae.models.reference.ReferenceExecutor} multiply by identical values. The device
 * layouts ({@link #gemvWeights}, {@link #gemmWeights}, ...) are Ladder's offline transforms of these codes.
 *
 * @param scales [nTotal][groups] or null; zeros likewise; mxExponents [nTotal][K/32] or null; bias [nTotal] or null
 */
public record StackedWeights(WeightFormat format, int nTotal, int k, int groups, int[] codes, double[] scales, double[] zeros,
                             int[] mxExponents, double[] bias) {

    /** Quantises and stacks the members of {@code l} from master (pre-quantisation) weights. */
    public static StackedWeights of(LayerPlan.Linear l, Map<String, DenseTensor> master) {
        Map<String, StoredLinearWeight> stored = new java.util.HashMap<>();
        for (Op.Linear op : l.members()) {
            DenseTensor w = master.get(op.weight());
            if (w == null) throw new IllegalArgumentException("no weight " + op.weight());
            stored.put(op.weight(), StoredLinearWeight.encode(op, w.values()));
        }
        return ofStored(l, stored, master);
    }

    /**
     * Stacks the members of {@code l} from weights already stored in their format (a compiled model's codes, scales
     * and zero points, taken as they are: no re-quantisation), biases from {@code others}.
     */
    public static StackedWeights ofStored(LayerPlan.Linear l, Map<String, StoredLinearWeight> stored, Map<String, DenseTensor> others) {
        int n = l.nTotal(), k = l.k();
        int[] codes = new int[n * k];
        double[] scales = null, zeros = null, bias = l.hasBias() ? new double[n] : null;
        int[] mx = l.format() == WeightFormat.MXFP8 ? new int[n * (k / 32)] : null;
        int groups = 0;
        for (int m = 0; m < l.members().size(); m++) {
            Op.Linear op = l.members().get(m);
            int off = l.offsetOf(m);
            StoredLinearWeight s = stored.get(op.weight());
            if (s == null) throw new IllegalArgumentException("no stored weight " + op.weight());
            if (s.format() != l.format() || s.n() != op.n() || s.k() != k)
                throw new IllegalArgumentException(op.weight() + " is stored as W_" + s.format() + " " + s.n() + "x" + s.k() + ", the layer wants W_" + l.format() + " " + op.n() + "x" + k);
            System.arraycopy(s.codes(), 0, codes, off * k, op.n() * k);
            if (s.scales() != null) {
                int g = k / s.groupLength();
                if (scales == null) { groups = g; scales = new double[n * groups]; zeros = new double[n * groups]; }
                if (g != groups) throw new IllegalArgumentException(op.weight() + ": " + g + " groups per row where its fused neighbours have " + groups);
                System.arraycopy(s.scales(), 0, scales, off * groups, op.n() * groups);
                System.arraycopy(s.zeros(), 0, zeros, off * groups, op.n() * groups);
            }
            if (mx != null) System.arraycopy(s.mxExponents(), 0, mx, off * (k / 32), op.n() * (k / 32));
            if (bias != null) {
                DenseTensor b = others.get(op.bias());
                if (b == null) throw new IllegalArgumentException("no bias " + op.bias());
                System.arraycopy(b.values(), 0, bias, off, op.n());
            }
        }
        return new StackedWeights(l.format(), n, k, groups, codes, scales, zeros, mx, bias);
    }

    /** W as the GEMV kernel of {@code c} reads it. */
    public byte[] gemvWeights(GemvConfig c) { return WeightLayout.deviceWeights(codes, c, nTotal, k); }

    /** The GEMV's aux operand: (scale, zero) pairs per row and group, MXFP8 exponents, or 16 unused bytes. */
    public byte[] gemvAux(GemvConfig c) {
        if (c.grouped()) return WeightLayout.deviceGroupParams(scales, zeros, nTotal, groups);
        if (mxExponents != null) {
            byte[] e = new byte[mxExponents.length];
            for (int i = 0; i < e.length; i++) e[i] = (byte) mxExponents[i];
            return WeightLayout.deviceMxExponents(e, c, nTotal, k);
        }
        return new byte[16];
    }

    /**
     * W as the GEMM kernel of {@code path} beside activations {@code acts} reads it: the mma layout, reordered into the
     * wgmma fragment order for the TMA kernel's packed weights.
     */
    public byte[] gemmWeights(int paddedN, ActivationFormat acts, org.ladderae.kernels.GemmConfig config) {
        if (config.plainWeightLayout() && format.bits() < 8) {
            // Figure 13's BASELINE GEMM reads the plain row-major packing (element i of a row at bit i * bits)
            return BitPacking.pack(java.util.Arrays.copyOf(codes, paddedN * k), format.bits());
        }
        return gemmWeights(paddedN, acts, config.path());
    }

    /** {@link #gemmWeights(int, ActivationFormat, org.ladderae.kernels.GemmConfig)} for the full design's kernel on {@code path}. */
    public byte[] gemmWeights(int paddedN, ActivationFormat acts, org.ladderae.kernels.GemmConfig.Path path) {
        byte[] w = gemmWeights(paddedN, acts);
        if (path != org.ladderae.kernels.GemmConfig.Path.WGMMA_TMA || format == WeightFormat.FP16) return w;
        return GemmWeightLayout.wgmmaFragmentOrder(w, paddedN, k, format.bits(), acts == ActivationFormat.FP16 ? 64 : 128);
    }

    /** W as the GEMM kernel with FP16 activations reads it, rows padded with zero codes to {@code paddedN}. */
    public byte[] gemmWeights(int paddedN) { return gemmWeights(paddedN, ActivationFormat.FP16); }

    /** Whether {@link #gemmWeights(int, ActivationFormat)} knows the GEMM's layout for this pair. */
    public static boolean hasGemmLayout(WeightFormat w, ActivationFormat a) {
        return switch (a) {
            case FP16 -> w == WeightFormat.FP16 || w == WeightFormat.INT4 || w == WeightFormat.NF4 || w == WeightFormat.FP8_E5M2
                    || w == WeightFormat.INT8 || w == WeightFormat.INT2 || w == WeightFormat.INT1;
            case INT8 -> w == WeightFormat.INT8 || w == WeightFormat.INT4 || w == WeightFormat.INT2 || w == WeightFormat.INT1;
            case MXFP8 -> w == WeightFormat.MXFP8;
            case INT4 -> w == WeightFormat.INT4 || w == WeightFormat.INT2 || w == WeightFormat.INT1;
        };
    }

    /**
     * W as the GEMM kernel beside activations {@code acts} reads it, rows padded to {@code paddedN} with zero codes
     * (and, for MXFP8, exponent 127 = 2^0, so the padded outputs are zeros).
     */
    public byte[] gemmWeights(int paddedN, ActivationFormat acts) {
        if (!hasGemmLayout(format, acts)) throw new IllegalArgumentException("no GEMM layout for W_" + format + "A_" + acts);
        int[] padded = java.util.Arrays.copyOf(codes, paddedN * k);
        if (format == WeightFormat.MXFP8) {
            // The MXFP8 GEMM's W: E5M2 codes [N][K], then the E8M0 exponents [N][K/32] in the same buffer.
            int blocks = k / 32;
            byte[] out = BitPacking.pack(padded, 8);
            out = java.util.Arrays.copyOf(out, out.length + paddedN * blocks);
            java.util.Arrays.fill(out, paddedN * k, out.length, (byte) 127);
            for (int i = 0; i < mxExponents.length; i++) out[paddedN * k + i] = (byte) mxExponents[i];
            return out;
        }
        if (acts == ActivationFormat.FP16 && (format == WeightFormat.INT8 || format == WeightFormat.INT2 || format == WeightFormat.INT1)) {
            // ladder_gemm.cu's FP16-activation INT8/INT2/INT1 kernels (LADDER_FMT 9, 10, 11)
            return GemmWeightLayout.forMma(org.ladderae.kernels.GemmConfig.Format.valueOf(format.name()),
                    org.ladderae.kernels.GemmConfig.Format.FP16, padded, paddedN, k);
        }
        if (acts.isInt()) {
            org.ladderae.kernels.GemmConfig.Format a = acts == ActivationFormat.INT8 ? org.ladderae.kernels.GemmConfig.Format.INT8
                    : org.ladderae.kernels.GemmConfig.Format.INT4;
            if (format == WeightFormat.INT8) {
                // The s8 x s8 MMA: unsigned codes stored as code - 128 (the epilogue's zero point is zero - 128)
                byte[] out = new byte[padded.length];
                for (int i = 0; i < out.length; i++) out[i] = (byte) (padded[i] - 128);
                return out;
            }
            return GemmWeightLayout.forMma(org.ladderae.kernels.GemmConfig.Format.valueOf(format.name()), a, padded, paddedN, k);
        }
        return switch (format) {
            case FP16 -> BitPacking.pack(padded, 16);
            case INT4 -> GemmWeightLayout.int4ForMma(padded, paddedN, k);
            case NF4 -> GemmWeightLayout.nf4ForMma(padded, paddedN, k);
            case FP8_E5M2 -> GemmWeightLayout.bytePairsForMma(padded, paddedN, k);
            case INT1 -> GemmWeightLayout.int1ForMma(padded, paddedN, k);
            default -> throw new IllegalStateException("no GEMM layout for W_" + format);
        };
    }

    /** One FP16 scale per output row for the GEMM epilogue (whole-row groups only). */
    public short[] rowScales() { return fp16(perRow(scales)); }

    /** One FP16 zero point per output row for the GEMM epilogue. */
    public short[] rowZeros() { return fp16(perRow(zeros)); }

    public short[] biasFp16() { return fp16(bias); }

    private double[] perRow(double[] v) {
        if (v == null) throw new IllegalStateException("W_" + format + " has no scales");
        if (groups != 1) throw new IllegalStateException("row scales need one group per row, have " + groups);
        return v;
    }

    static short[] fp16(double[] v) {
        short[] out = new short[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (short) Fp16.INSTANCE.encode(v[i]);
        return out;
    }
}
