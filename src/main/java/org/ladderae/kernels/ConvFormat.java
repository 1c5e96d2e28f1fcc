package org.ladderae.kernels;

import java.util.Locale;

/**
 * The format pairs of Ladder's conv kernels ({@code CONV_FMT} of {@code kernels/conv/ladder_conv.cu}).
 * Weights: FP16, E5M2 (FP8), MXFP8 (E5M2 elements + one E8M0 exponent per 32 along K), unsigned
 * INT4 codes, or 1-bit codes (8 per byte; code 1 is +1, code 0 is -1, expanded to INT4 in the kernel);
 * activations: FP16, MXFP8 (per pixel, 32 channels per exponent) or signed INT4.
 */
public enum ConvFormat {
    W_FP16A_FP16(0, 16, 16, "fp16", "fp16"),
    W_FP8A_FP16(1, 16, 8, "fp8", "fp16"),
    W_MXFP8A_MXFP8(2, 8, 8, "mxfp8", "mxfp8"),
    W_INT4A_INT4(3, 4, 4, "int4", "int4"),
    W_INT1A_INT4(4, 4, 1, "int1", "int4");

    private final int code, actBits, weightBits;
    private final String weightToken, actToken;

    ConvFormat(int code, int actBits, int weightBits, String weightToken, String actToken) {
        this.code = code;
        this.actBits = actBits;
        this.weightBits = weightBits;
        this.weightToken = weightToken;
        this.actToken = actToken;
    }

    public int code() { return code; }
    public int actBits() { return actBits; }
    /** Bits per weight in device memory. */
    public int weightBits() { return weightBits; }
    /** Bits per weight in the kernel's shared-memory tile (1-bit codes are expanded to INT4 as they are staged). */
    public int tileWeightBits() { return Math.max(4, weightBits); }
    public boolean microscaled() { return this == W_MXFP8A_MXFP8; }
    public boolean integer() { return this == W_INT4A_INT4 || this == W_INT1A_INT4; }

    /** The paper's label, e.g. "W_FP8A_FP16". */
    public String label() { return name(); }

    /** Lower-case tokens for kernel names: "w_fp8_a_fp16". */
    public String token() { return "w_" + weightToken + "_a_" + actToken; }

    /** The pair named by {@code --weights} and {@code --acts}; fp8 and e5m2 mean the same. */
    public static ConvFormat of(String weights, String acts) {
        String w = weights.trim().toLowerCase(Locale.ROOT).replace("e5m2", "fp8"), a = acts.trim().toLowerCase(Locale.ROOT);
        for (ConvFormat f : values()) if (f.weightToken.equals(w) && f.actToken.equals(a)) return f;
        throw new IllegalArgumentException("no conv kernel for --weights " + weights + " --acts " + acts
                + ": use fp16/fp16, fp8/fp16, mxfp8/mxfp8, int4/int4 or int1/int4");
    }
}
