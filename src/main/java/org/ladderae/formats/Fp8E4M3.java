package org.ladderae.formats;

/** OCP FP8 E4M3 (the "FN" variant): bias 7, no infinities, S.1111.111 is NaN, max 448. */
public final class Fp8E4M3 extends MiniFloat {
    public static final Fp8E4M3 INSTANCE = new Fp8E4M3();

    private Fp8E4M3() { super("fp8_e4m3", 4, 3, false); }
}
