package org.ladderae.models.reference;

import org.ladderae.formats.E8M0;
import org.ladderae.formats.GroupQuantizer;
import org.ladderae.formats.Mxfp8;
import org.ladderae.formats.ScalarCodec;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.models.Op;

/**
 * A linear layer's weight W[N][K] as the GPU kernel receives it: element codes of its format plus, for INTx/NF4,
 * FP16 scales (and INTx zero points) per group along K, or for MXFP8 one E8M0 exponent per 32 K elements.
 * {@link #encode} quantises exactly as {@code CompiledModelWriter} does (asymmetric INTx with zeros, NF4 absmax,
 * MXFP8 per OCP MX, FP16/FP8 round to nearest even), so {@link #decode} gives the very values the kernel
 * dequantises: the reference and the kernel multiply by the same weights and differ only in arithmetic.
 *
 * @param scales [N][groups] FP16-representable values, null when the format has none
 * @param zeros [N][groups] FP16-representable zero points (0 for NF4), null when the format has none
 * @param mxExponents [N][K/32] E8M0 codes for MXFP8, else null
 */
public record StoredLinearWeight(WeightFormat format, int n, int k, int groupLength, int[] codes,
                                 double[] scales, double[] zeros, int[] mxExponents) {
    public StoredLinearWeight {
        if ((long) n * k != codes.length) throw new IllegalArgumentException("W is " + n + "x" + k + " but has " + codes.length + " codes");
    }

    /** Quantises real weight values (row-major [N][K]) into {@code op}'s format and group size. */
    public static StoredLinearWeight encode(Op.Linear op, double[] values) {
        int n = op.n(), k = op.k();
        WeightFormat f = op.format();
        if ((long) n * k != values.length) throw new IllegalArgumentException(op.name() + ": " + values.length + " values for a " + n + "x" + k + " weight");
        int[] codes = new int[n * k];
        double[] row = new double[k];
        if (Op.Linear.hasGroupScales(f)) {
            // zeros = true as the compiled-model writer stores INTx (ignored by GroupQuantizer for NF4).
            GroupQuantizer q = new GroupQuantizer(f.elementCodec(), op.groupSize(), true);
            int g = q.groupLength(k), groups = k / g;
            double[] scales = new double[n * groups], zeros = new double[n * groups];
            for (int r = 0; r < n; r++) {
                System.arraycopy(values, r * k, row, 0, k);
                GroupQuantizer.Quantized qr = q.quantizeRow(row);
                System.arraycopy(qr.codes(), 0, codes, r * k, k);
                System.arraycopy(qr.scales(), 0, scales, r * groups, groups);
                System.arraycopy(qr.zeros(), 0, zeros, r * groups, groups);
            }
            return new StoredLinearWeight(f, n, k, g, codes, scales, zeros, null);
        }
        if (f == WeightFormat.MXFP8) {
            if (k % Mxfp8.BLOCK != 0) throw new IllegalArgumentException(op.name() + ": MXFP8 needs K a multiple of " + Mxfp8.BLOCK + ", got " + k);
            int blocks = k / Mxfp8.BLOCK;
            int[] exponents = new int[n * blocks];
            for (int r = 0; r < n; r++)
                for (int b = 0; b < blocks; b++) {
                    Mxfp8.Block blk = Mxfp8.encodeBlock(values, r * k + b * Mxfp8.BLOCK);
                    System.arraycopy(blk.elements(), 0, codes, r * k + b * Mxfp8.BLOCK, Mxfp8.BLOCK);
                    exponents[r * blocks + b] = blk.exponent();
                }
            return new StoredLinearWeight(f, n, k, Mxfp8.BLOCK, codes, null, null, exponents);
        }
        ScalarCodec codec = f.elementCodec();
        for (int i = 0; i < codes.length; i++) codes[i] = codec.encode(values[i]);
        return new StoredLinearWeight(f, n, k, 0, codes, null, null, null);
    }

    /** The weight values the kernel computes with, row-major [N][K], decoded exactly in double. */
    public double[] decode() {
        ScalarCodec codec = format.elementCodec();
        double[] w = new double[n * k];
        for (int r = 0; r < n; r++)
            for (int c = 0; c < k; c++) {
                int i = r * k + c;
                double v = codec.decode(codes[i]);
                if (scales != null) {
                    int g = r * (k / groupLength) + c / groupLength;
                    v = (v - zeros[g]) * scales[g];
                } else if (mxExponents != null) {
                    v *= E8M0.decode(mxExponents[r * (k / Mxfp8.BLOCK) + c / Mxfp8.BLOCK]);
                }
                w[i] = v;
            }
        return w;
    }
}
