package org.ladderae.kernels;

/** The tensor-core instruction path of a conv kernel ({@code CONV_WGMMA} of {@code kernels/conv/ladder_conv.cu}). */
public enum ConvMma {
    /** mma.sync m16n8k16 (m16n8k32 for INT4) from ldmatrix fragments: every format, sm_80+. */
    MMA_SYNC(0, "mma16816"),
    /** FP16, sm_90a: wgmma with pixels as M (one 64-pixel tile per warpgroup) and channels as N = bn. */
    WGMMA(1, "wgmma64n"),
    /**
     * FP16, sm_90a: wgmma with the weights as M (64 channels per warpgroup) and pixels as N (64, 128 or 256 per
     * warpgroup): fewer shared-memory bytes per MAC when K is small (ResNet's 64-channel layers).
     */
    WGMMA_PIXELS_N(2, "wgmmaT64n");

    private final int code;
    private final String token;

    ConvMma(int code, String token) {
        this.code = code;
        this.token = token;
    }

    public int code() { return code; }

    String token() { return token; }
}
