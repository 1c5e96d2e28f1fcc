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
    WGMMA_PIXELS_N(2, "wgmmaT64n"),
    /**
     * {@link #WGMMA} warp-specialised: one extra producer warpgroup gathers the stages (cp.async, mbarrier
     * "full"/"empty" ring), the MMA warpgroups only wait and issue wgmma (no block-wide barrier per K tile).
     */
    WGMMA_WS(1, "wgmmaW64n", true),
    /** {@link #WGMMA_PIXELS_N} warp-specialised (as {@link #WGMMA_WS}). */
    WGMMA_PIXELS_N_WS(2, "wgmmaWT64n", true),
    /**
     * FP16, sm_90a, stride 1, C % 64 == 0: {@code kernels/conv/ladder_conv_halo.cu}, a persistent direct conv over
     * halo tiles of whole output rows (weights resident in shared memory as wgmma's M = 64 channels, the pixels of
     * the padded grid as N; one producer warpgroup, 1-2 consumer warpgroups). In {@link ConvConfig}: {@code bm} =
     * output rows per tile, {@code warpsM} = 4 x consumer warpgroups, {@code stages} = halo stages.
     */
    HALO(3, "halo"),
    /**
     * FP16, sm_90a, 1x1 stride 1 without padding, C % 64 == 0: {@code kernels/conv/ladder_conv_pw.cu}, a persistent
     * streaming GEMM over pixel tiles (2-D TMA loads, weights of {@code bn} output channels resident in shared memory,
     * one producer warpgroup, 1-2 consumer warpgroups, C compiled in). In {@link ConvConfig}: {@code bm} = pixels per
     * tile (64 or 128), {@code bn} = output channels per block (64, 128 or 256), {@code warpsM} = 4 x consumer
     * warpgroups, {@code stages} = stages per consumer.
     */
    POINTWISE(4, "pw"),
    /**
     * FP16, sm_90a, C % 64 == 0, any filter, stride and padding: {@code kernels/conv/ladder_conv_i2c.cu}, a persistent
     * implicit GEMM whose pixel tiles arrive by im2col-mode TMA (the padding as out-of-bounds zeros) and whose weights
     * stream by 2-D TMA, pixels as wgmma's M; one producer warpgroup, 1-2 consumer warpgroups sharing every stage. One
     * cubin serves every shape. In {@link ConvConfig}: {@code bm} = pixels per tile (64 x consumers x m64 blocks per
     * consumer, at most 256), {@code bn} = output channels per tile (64 or 128), {@code warpsM} = 4 x consumer
     * warpgroups, {@code stages} = stages.
     */
    IM2COL_TMA(5, "tma");

    private final int code;
    private final String token;
    private final boolean warpSpecialized;

    ConvMma(int code, String token) { this(code, token, false); }

    ConvMma(int code, String token, boolean warpSpecialized) {
        this.code = code;
        this.token = token;
        this.warpSpecialized = warpSpecialized;
    }

    /** {@code CONV_WGMMA}: 0 mma.sync, 1 pixels as M, 2 pixels as N; 3: the halo kernel, 4: the pointwise kernel, 5: the im2col-TMA kernel (their own sources). */
    public int code() { return code; }

    /** {@code CONV_WS}: a producer warpgroup (128 threads) besides the MMA warps. */
    public boolean warpSpecialized() { return warpSpecialized; }

    /** Pixels as wgmma's M (64 per warpgroup). */
    public boolean pixelsM() { return code == 1; }

    /** Pixels as wgmma's N (weights as M) in ladder_conv.cu's im2col tiles. */
    public boolean pixelsN() { return code == 2; }

    /** The persistent halo direct conv ({@code ladder_conv_halo.cu}). */
    public boolean halo() { return code == 3; }

    /** The persistent pointwise (1x1) TMA conv ({@code ladder_conv_pw.cu}). */
    public boolean pointwise() { return code == 4; }

    /** The persistent implicit GEMM with im2col-TMA loads ({@code ladder_conv_i2c.cu}). */
    public boolean im2colTma() { return code == 5; }

    /** A persistent kernel with its own source and a producer warpgroup (halo, pointwise or im2col-TMA). */
    public boolean persistent() { return code >= 3; }

    String token() { return token; }
}
