package org.ladderae.formats;

/** IEEE 754 binary16: 1 sign, 5 exponent (bias 15), 10 mantissa bits. */
public final class Fp16 extends MiniFloat {
    public static final Fp16 INSTANCE = new Fp16();

    private Fp16() { super("fp16", 5, 10, true); }

    /** Value of a double after rounding to FP16 (the rounding the GPU's __float2half_rn does on exact inputs). */
    public static double round(double v) { return INSTANCE.decode(INSTANCE.encode(v)); }
}
