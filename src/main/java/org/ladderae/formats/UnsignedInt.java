package org.ladderae.formats;

/**
 * Unsigned x-bit integers (x = 8, 4, 2, 1) as the artifact uses them: the code is the value, cast to
 * FP16 with no scale and no zero point (see {@link GroupQuantizer} for the scaled variant).
 */
public final class UnsignedInt implements ScalarCodec {
    public static final UnsignedInt INT8 = new UnsignedInt(8), INT4 = new UnsignedInt(4),
            INT2 = new UnsignedInt(2), INT1 = new UnsignedInt(1);

    private final int bits;

    private UnsignedInt(int bits) { this.bits = bits; }

    public static UnsignedInt of(int bits) {
        switch (bits) {
            case 8: return INT8;
            case 4: return INT4;
            case 2: return INT2;
            case 1: return INT1;
            default: throw new IllegalArgumentException("unsigned int formats have 8, 4, 2 or 1 bits, not " + bits);
        }
    }

    @Override public String name() { return "int" + bits; }
    @Override public int bits() { return bits; }

    /** Nearest integer (ties to even), saturated to [0, 2^bits - 1]; NaN is rejected. */
    @Override
    public int encode(double v) {
        if (Double.isNaN(v)) throw new IllegalArgumentException("NaN has no unsigned integer code");
        double r = Math.rint(v);
        return (int) Math.max(0, Math.min((1 << bits) - 1, r));
    }

    @Override
    public double decode(int code) { return code & ((1 << bits) - 1); }
}
