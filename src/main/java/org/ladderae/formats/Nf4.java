package org.ladderae.formats;

/**
 * NF4: a 4-bit index into QLoRA's 16-value NormalFloat table (the real table, as BitBLAS hard-codes
 * it; the artifact filled its table at random). Scaling by a per-block absmax is {@link GroupQuantizer}'s job.
 */
public final class Nf4 implements ScalarCodec {
    public static final Nf4 INSTANCE = new Nf4();

    private static final double[] TABLE = {
        -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
        -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
        0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
        0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0};

    private Nf4() {}

    @Override public String name() { return "nf4"; }
    @Override public int bits() { return 4; }

    public static double[] table() { return TABLE.clone(); }

    /** Table value of a code (the table is given as float32 constants; the double is that float exactly). */
    @Override
    public double decode(int code) { return (float) TABLE[code & 15]; }

    /** Index of the nearest table entry; a tie goes to the lower index; NaN is rejected. */
    @Override
    public int encode(double v) {
        if (Double.isNaN(v)) throw new IllegalArgumentException("NaN has no NF4 code");
        int best = 0;
        for (int i = 1; i < 16; i++) {
            if (Math.abs(v - decode(i)) < Math.abs(v - decode(best))) best = i;
        }
        return best;
    }
}
