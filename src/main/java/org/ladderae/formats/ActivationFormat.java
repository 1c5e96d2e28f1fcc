package org.ladderae.formats;

import java.util.Locale;

/**
 * How the layer executor stores the activations a linear layer reads (the "A_y" of a W_xA_y layer). FP16 is the
 * unquantised tensor; the others are what {@link ActivationQuantizer} defines: per-token symmetric INT8 and INT4,
 * and OCP MXFP8 (E5M2 elements, one E8M0 exponent per 32 consecutive K elements of a row).
 */
public enum ActivationFormat {
    FP16(0), INT8(127), INT4(7), MXFP8(0);

    private final int maxCode;

    ActivationFormat(int maxCode) { this.maxCode = maxCode; }

    /** Largest integer code (INT8 127, INT4 7: symmetric, so -8 is never used); 0 for the float formats. */
    public int maxCode() { return maxCode; }

    public boolean quantized() { return this != FP16; }

    public boolean isInt() { return maxCode > 0; }

    public String token() { return name().toLowerCase(Locale.ROOT); }

    public static ActivationFormat parse(String s) { return valueOf(s.trim().toUpperCase(Locale.ROOT)); }
}
