package org.ladderae.kernels;

/** The four stages of the paper's Figure 13 breakdown, as compile-time switches (STAGE macro = ordinal). */
public enum GemvStage {
    /** (a) plain layout, element-by-element generic conversion, scalar loads. */
    BASELINE("base"),
    /** (b) offline-transformed layout, 16-byte streaming loads, still generic per-element conversion. */
    TRANSFORM("transform"),
    /** (c) + fast decode: lop3 magic-number INT->FP16x2, FP8 by prmt/cvt, dp4a for integer activations. */
    PTX("transform_ptx"),
    /** (d) same code as PTX with the launch configuration chosen per shape. */
    HOLISTIC("transform_ptx_holistic");

    private final String token;

    GemvStage(String token) { this.token = token; }

    /** Name fragment in kernel names. */
    public String token() { return token; }

    /** Whether the kernel uses the fast PTX decodes (PTX and HOLISTIC; the GEMM's LADDER_STAGE >= 2). */
    public boolean fastDecode() { return this == PTX || this == HOLISTIC; }

    /** Whether the weights must be in {@link WeightLayout#transform transformed} layout. */
    public boolean transformedLayout() { return this != BASELINE; }
}
