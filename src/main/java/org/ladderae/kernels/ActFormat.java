package org.ladderae.kernels;

import java.util.Locale;

/** Activation formats; {@link #code()} is the A_FMT macro. INT8 is signed bytes, INT4 signed nibbles two per byte (element 0 low). */
public enum ActFormat {
    FP16(0), INT8(1), INT4(2);

    private final int code;

    ActFormat(int code) { this.code = code; }

    public int code() { return code; }
    public String token() { return name().toLowerCase(Locale.ROOT); }

    /** Bytes of one activation row of K elements. */
    public long rowBytes(int k) { return this == FP16 ? 2L * k : this == INT8 ? k : k / 2; }

    /** Whether weights of this format can pair with these activations (INT8 acts: INTx weights; INT4 acts: INT4/2/1). */
    public boolean accepts(WeightFormat w) {
        switch (this) {
            case FP16: return true;
            case INT8: return w.isUnsignedInt();
            default: return w.isUnsignedInt() && w.bits() <= 4;
        }
    }

    public static ActFormat parse(String s) { return valueOf(s.trim().toUpperCase(Locale.ROOT)); }
}
