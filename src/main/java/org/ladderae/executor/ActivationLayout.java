package org.ladderae.executor;

import org.ladderae.formats.ActivationFormat;
import org.ladderae.kernels.GemvConfig;

/**
 * How an activation buffer of the layer executor is stored; {@link #kernelCode()} is the {@code fmt} argument of the
 * quantising kernels of {@code kernels/llm/llm_ops.cu}. The integer layouts come with two side buffers of one value per
 * row: the FP32 activation scale and the INT32 sum of the row's codes (the weight zero point's term).
 */
public enum ActivationLayout {
    /** FP16 [rows][width]. */
    FP16(0),
    /** Signed INT8 codes [rows][width] (the GEMV's and the GEMM's INT8 activations). */
    INT8(1),
    /** Signed INT4 codes two per byte, element 0 in the low nibble, [rows][width / 2] (the GEMV's INT4 activations). */
    INT4(2),
    /** E5M2 codes [rows][width], then E8M0 exponents [rows][width / 32] in the same buffer (the GEMM's MXFP8 A). */
    MXFP8(3),
    /**
     * MXFP8-quantised values decoded back to FP16 [rows][width]: the GEMV has no MXFP8-activation kernel, so at
     * M <= 16 the W_MXFP8 GEMV reads these (the numbers of an MXFP8 x MXFP8 product; FP16 bytes of A, which at M <= 16
     * is a negligible share of the weight stream).
     */
    MXFP8_AS_FP16(4);

    private final int kernelCode;

    ActivationLayout(int kernelCode) { this.kernelCode = kernelCode; }

    public int kernelCode() { return kernelCode; }

    /** Whether the buffer has per-row scales and code sums beside it. */
    public boolean hasRowScales() { return this == INT8 || this == INT4; }

    public long bytes(int rows, int width) {
        long n = (long) rows * width;
        return switch (this) {
            case FP16, MXFP8_AS_FP16 -> 2 * n;
            case INT8 -> n;
            case INT4 -> n / 2;
            case MXFP8 -> n + n / 32;
        };
    }

    /** The layout a linear at M = rows reads for activations in {@code f}: MXFP8 stays FP16-coded on the GEMV (M <= 16). */
    public static ActivationLayout of(ActivationFormat f, int rows) {
        return switch (f) {
            case FP16 -> FP16;
            case INT8 -> INT8;
            case INT4 -> INT4;
            case MXFP8 -> rows <= GemvConfig.MAX_M ? MXFP8_AS_FP16 : MXFP8;
        };
    }
}
