package org.ladderae.formats;

/**
 * Per-group scales and zero points along K (beyond the artifact, which used none): value =
 * (q - zero) * scale for unsigned INTx, value = NF4(q) * scale for NF4. Group size 32, 64, 128, or
 * {@link #WHOLE_ROW}. Scales and zeros are stored as FP16 values, as real quantised checkpoints do.
 */
public final class GroupQuantizer {
    public static final int WHOLE_ROW = -1;

    private final ScalarCodec codec;
    private final int groupSize;
    private final boolean zeros;

    /** @param zeros whether INTx groups carry a zero point (asymmetric); ignored for NF4 (absmax, symmetric). */
    public GroupQuantizer(ScalarCodec codec, int groupSize, boolean zeros) {
        if (!(codec instanceof UnsignedInt) && !(codec instanceof Nf4)) throw new IllegalArgumentException("group scales apply to INTx and NF4, not " + codec.name());
        if (groupSize != WHOLE_ROW && groupSize != 32 && groupSize != 64 && groupSize != 128) throw new IllegalArgumentException("group size must be 32, 64, 128 or whole row, not " + groupSize);
        this.codec = codec;
        this.groupSize = groupSize;
        this.zeros = zeros && codec instanceof UnsignedInt;
    }

    /** Quantised row: codes, and one FP16-rounded scale and zero per group. */
    public record Quantized(int[] codes, double[] scales, double[] zeros, int groupSize) {
        public double dequantize(int k, ScalarCodec codec) {
            int g = k / groupSize;
            return (codec.decode(codes[k]) - zeros[g]) * scales[g];
        }
    }

    public int groupLength(int k) { return groupSize == WHOLE_ROW ? k : groupSize; }

    public Quantized quantizeRow(double[] row) {
        int g = groupLength(row.length);
        if (row.length % g != 0) throw new IllegalArgumentException("K = " + row.length + " is not a multiple of the group size " + g);
        int groups = row.length / g;
        int[] codes = new int[row.length];
        double[] scales = new double[groups], zs = new double[groups];
        int qmax = (1 << codec.bits()) - 1;
        for (int gi = 0; gi < groups; gi++) {
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY, absmax = 0;
            for (int i = gi * g; i < (gi + 1) * g; i++) {
                lo = Math.min(lo, row[i]); hi = Math.max(hi, row[i]); absmax = Math.max(absmax, Math.abs(row[i]));
            }
            double scale, zero = 0;
            if (codec instanceof Nf4) {
                scale = Fp16.round(absmax == 0 ? 1 : absmax);
            } else if (zeros) {
                scale = Fp16.round(hi > lo ? (hi - lo) / qmax : 1);
                zero = Fp16.round(Math.rint(-lo / scale));
            } else {
                scale = Fp16.round(hi > 0 ? hi / qmax : 1);
            }
            scales[gi] = scale;
            zs[gi] = zero;
            for (int i = gi * g; i < (gi + 1) * g; i++) codes[i] = codec.encode(row[i] / scale + zero);
        }
        return new Quantized(codes, scales, zs, g);
    }
}
