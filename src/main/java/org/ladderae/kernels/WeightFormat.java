package org.ladderae.kernels;

import org.ladderae.formats.Fp16;
import org.ladderae.formats.Fp8E4M3;
import org.ladderae.formats.Fp8E5M2;
import org.ladderae.formats.Nf4;
import org.ladderae.formats.ScalarCodec;
import org.ladderae.formats.UnsignedInt;

import java.util.Locale;

/** Weight storage formats of the GEMV kernels; {@link #code()} is the W_FMT macro of ladder_gemv.cu. */
public enum WeightFormat {
    FP16(0, Fp16.INSTANCE), INT8(1, UnsignedInt.INT8), INT4(2, UnsignedInt.INT4), INT2(3, UnsignedInt.INT2),
    INT1(4, UnsignedInt.INT1), NF4(5, Nf4.INSTANCE), FP8_E5M2(6, Fp8E5M2.INSTANCE), FP8_E4M3(7, Fp8E4M3.INSTANCE),
    /** E5M2 elements plus one E8M0 exponent per 32 K elements and row (see org.ladderae.formats.Mxfp8). */
    MXFP8(8, Fp8E5M2.INSTANCE);

    private final int code;
    private final ScalarCodec elementCodec;

    WeightFormat(int code, ScalarCodec elementCodec) { this.code = code; this.elementCodec = elementCodec; }

    public int code() { return code; }
    public int bits() { return elementCodec.bits(); }
    public ScalarCodec elementCodec() { return elementCodec; }
    public boolean isUnsignedInt() { return elementCodec instanceof UnsignedInt; }
    public String token() { return name().toLowerCase(Locale.ROOT); }

    /** Elements in one 16-byte load: the K unit of the transformed layout. */
    public int elementsPer16Bytes() { return 128 / bits(); }

    /** K must be a multiple of this: one 16-byte load of a row (and one MX block for MXFP8). */
    public int kUnit() { return this == MXFP8 ? Math.max(32, elementsPer16Bytes()) : elementsPer16Bytes(); }

    public static WeightFormat parse(String s) {
        String t = s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        if (t.equals("FP8") || t.equals("E5M2")) return FP8_E5M2;
        if (t.equals("E4M3")) return FP8_E4M3;
        return valueOf(t);
    }
}
