package org.ladderae.formats;

/**
 * OCP FP8 E5M2: bias 15, IEEE-like Inf/NaN. It is FP16 with the low 8 mantissa bits dropped, so
 * decode(code) == FP16 decode(code << 8) exactly; the GPU decodes by placing the byte in a half's high byte.
 */
public final class Fp8E5M2 extends MiniFloat {
    public static final Fp8E5M2 INSTANCE = new Fp8E5M2();

    private Fp8E5M2() { super("fp8_e5m2", 5, 2, true); }
}
