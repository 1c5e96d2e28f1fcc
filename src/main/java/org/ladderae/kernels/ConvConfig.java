package org.ladderae.kernels;

import java.util.ArrayList;
import java.util.List;

/**
 * One launch configuration of Ladder's conv2d: the implicit GEMM of {@code kernels/conv/ladder_conv.cu}, or (with
 * {@link ConvMma#HALO}) the persistent halo direct conv of {@code kernels/conv/ladder_conv_halo.cu}, or (with
 * {@link ConvMma#POINTWISE}) the persistent 1x1 TMA conv of {@code kernels/conv/ladder_conv_pw.cu}, or (with
 * {@link ConvMma#IM2COL_TMA}) the persistent im2col-TMA implicit GEMM of {@code kernels/conv/ladder_conv_i2c.cu}, whose
 * fields read differently (see there). For the implicit GEMM: the
 * format pair, the problem, the block tile over (output pixels x output channels), the warp grid, the
 * cp.async pipeline depth, the blocks per SM the registers are budgeted for, the MMA path (mma.sync, or
 * Hopper's warpgroup MMA for FP16) and the width of the activation gather in elements.
 *
 * <p>The K tile is always 64 elements. FP16 takes any C: the gather copies {@code aVec} channels at a time
 * (8, 4, 2 or 1, dividing C and the input's pixel stride) so a copy never straddles two filter taps; the
 * byte formats need C % 64 == 0 (a K tile inside one tap). K needs no multiple of the tile (rows past K are
 * zero-filled, columns past K not stored).
 *
 * @param mma   the instruction path: mma.sync, or (FP16 on sm_90a) wgmma with {@code warpsM / 4} warpgroups of one
 *              64-pixel x {@code bn} tile each ({@code warpsN == 1}), or wgmma with pixels as N: {@code warpsM / 4}
 *              warpgroups along pixels ({@code bm / (warpsM / 4)} = 64, 128 or 256 each) x {@code warpsN} along
 *              channels (64 each, {@code bn = 64 * warpsN})
 * @param aVec  activation gather width in elements: 8 (16-byte cp.async), 4, 2 or 1 (plain loads, C = 3)
 * @param splitK K-tile ranges (FP16): 1, or that many blocks per output tile writing FP32 partials that
 *              {@code ladder_conv_splitk_reduce} sums (and applies the epilogue to); for batch-1 layers whose
 *              output tiles cannot fill the SMs. The same cubin (the split is the grid's y); normalised so that
 *              no range is empty.
 */
public record ConvConfig(ConvFormat format, ConvShape shape, int bm, int bn, int warpsM, int warpsN, int stages, int minBlocks,
                         ConvMma mma, int aVec, int splitK) {

    public static final int BK = 64;

    /** An mma.sync configuration with the widest gather {@code shape}'s C allows (16-byte chunks for the byte formats). */
    public ConvConfig(ConvFormat format, ConvShape shape, int bm, int bn, int warpsM, int warpsN, int stages, int minBlocks) {
        this(format, shape, bm, bn, warpsM, warpsN, stages, minBlocks, ConvMma.MMA_SYNC, format.actBits() == 16 ? widestGather(shape.c()) : 8);
    }

    /** Without split-K. */
    public ConvConfig(ConvFormat format, ConvShape shape, int bm, int bn, int warpsM, int warpsN, int stages, int minBlocks, ConvMma mma, int aVec) {
        this(format, shape, bm, bn, warpsM, warpsN, stages, minBlocks, mma, aVec, 1);
    }

    public ConvConfig {
        if (splitK < 1) throw new IllegalArgumentException("splitK >= 1, not " + splitK);
        if (splitK > 1 && format != ConvFormat.W_FP16A_FP16) throw new IllegalArgumentException("split-K is FP16 only");
        splitK = normalisedSplits(shape.gemmK(), splitK);
        if (stages < 2 || warpsM < 1 || warpsN < 1 || minBlocks < 1) throw new IllegalArgumentException("bad stages/warps/minBlocks");
        if (mma.halo()) validateHalo(format, shape, bm, bn, warpsM, warpsN, stages, minBlocks, aVec, splitK);
        else if (mma.pointwise()) validatePointwise(format, shape, bm, bn, warpsM, warpsN, stages, minBlocks, aVec, splitK);
        else if (mma.im2colTma()) validateIm2colTma(format, shape, bm, bn, warpsM, warpsN, minBlocks, aVec, splitK, stages);
        else validateIm2col(format, shape, bm, bn, warpsM, warpsN, stages, mma, aVec);
    }

    private static void validateIm2col(ConvFormat format, ConvShape shape, int bm, int bn, int warpsM, int warpsN, int stages, ConvMma mma, int aVec) {
        if (mma != ConvMma.MMA_SYNC && format != ConvFormat.W_FP16A_FP16) throw new IllegalArgumentException("the wgmma conv path is FP16 only");
        if (mma != ConvMma.MMA_SYNC && stages < 3) throw new IllegalArgumentException("wgmma pipeline needs >= 3 stages");
        if (mma.warpSpecialized() && aVec < 2) throw new IllegalArgumentException("warp-specialised wgmma needs cp.async gathers (aVec >= 2)");
        if (mma.pixelsM()) {
            if (warpsN != 1 || warpsM % 4 != 0 || bm != 16 * warpsM) throw new IllegalArgumentException("wgmma: one 64-row tile per warpgroup (warpsN 1, bm = 16 * warpsM)");
            if (bn != 64 && bn != 128 && bn != 256) throw new IllegalArgumentException("wgmma: bn in {64, 128, 256}");
        } else if (mma.pixelsN()) {
            if (warpsM % 4 != 0 || bn != 64 * warpsN) throw new IllegalArgumentException("pixel-N wgmma: warpsM a multiple of 4, bn = 64 * warpsN");
            int px = bm / (warpsM / 4);
            if (bm % (warpsM / 4) != 0 || (px != 64 && px != 128 && px != 256)) throw new IllegalArgumentException("pixel-N wgmma: 64, 128 or 256 pixels per warpgroup");
        } else if (bm % (16 * warpsM) != 0 || bn % (16 * warpsN) != 0) {
            throw new IllegalArgumentException("warp tile must be a multiple of 16x16");
        }
        int mi = bm / warpsM / 16, ni = bn / warpsN / 8;
        if (format.actBits() < 16 && mi % 2 != 0) throw new IllegalArgumentException("byte activation tiles need an even number of 16-row fragments per warp");
        if (format.weightBits() < 16 && ni % 4 != 0) throw new IllegalArgumentException("byte weight tiles need a multiple of 4 8-column fragments per warp");
        if (format.actBits() == 16) {   // FP16 activations (FP16 or FP8 weights): any C, gathered aVec channels at a time
            if (aVec != 8 && aVec != 4 && aVec != 2 && aVec != 1) throw new IllegalArgumentException("aVec in {8, 4, 2, 1}, not " + aVec);
            if (shape.c() % aVec != 0) throw new IllegalArgumentException("C=" + shape.c() + " is not a multiple of the gather width " + aVec);
            if (warpsM * warpsN * 32 % (BK / aVec) != 0) throw new IllegalArgumentException("threads must be a multiple of " + BK / aVec);
        } else {
            if (aVec != 8) throw new IllegalArgumentException("byte formats gather 16-byte chunks (aVec 8)");
            if (shape.c() % BK != 0)
                throw new IllegalArgumentException("C=" + shape.c() + " is not a multiple of " + BK + " (Ladder's " + format.label() + " conv kernel needs it)");
        }
        if (mma != ConvMma.MMA_SYNC && (long) bm * (bn + (mma.pixelsM() ? 8 : 4)) * 4 > (long) stages * (bm + bn) * BK * 2)
            throw new IllegalArgumentException("wgmma: the FP32 output tile (epilogue through shared memory) does not fit in the stages");
        if (sharedMemoryBytesOf(format, bm, bn, stages) > GemmConfig.MAX_SMEM_PER_BLOCK)
            throw new IllegalArgumentException("shared memory " + sharedMemoryBytesOf(format, bm, bn, stages) + " B over the limit");
    }

    /** Why {@code shape} cannot run on the halo kernel ({@link ConvMma#HALO}), or null when it can (with some tile). */
    public static String haloUnsupportedReason(ConvShape shape) {
        if (shape.stride() != 1) return "the halo conv is stride 1, not " + shape.stride();
        if (shape.c() % BK != 0) return "the halo conv needs C % 64 == 0, not C=" + shape.c();
        if (shape.k() % 8 != 0) return "the halo conv stores 8 output channels at a time: K=" + shape.k() + " is no multiple of 8";
        if (shape.w() + 2 * shape.pad() > 256) return "the halo conv's padded row (" + (shape.w() + 2 * shape.pad()) + " pixels) exceeds wgmma's N of 256";
        return null;
    }

    private static void validateHalo(ConvFormat format, ConvShape shape, int tileRows, int bn, int warpsM, int warpsN, int stages, int minBlocks, int aVec,
                                     int splitK) {
        if (format != ConvFormat.W_FP16A_FP16) throw new IllegalArgumentException("the halo conv is FP16 only");
        String why = haloUnsupportedReason(shape);
        if (why != null) throw new IllegalArgumentException(why);
        if (bn != 64 || warpsN != 1 || (warpsM != 4 && warpsM != 8) || (minBlocks != 1 && minBlocks != 2) || aVec != 8 || splitK != 1)
            throw new IllegalArgumentException("halo conv: 64 output channels per block (bn 64), 1-2 consumer warpgroups (warpsM 4 or 8, warpsN 1), minBlocks 1 or 2, aVec 8, no split-K");
        if (tileRows < 1 || haloPixels(shape, tileRows) > 256)
            throw new IllegalArgumentException("halo conv: " + tileRows + " output rows of " + (shape.w() + 2 * shape.pad()) + " padded pixels exceed wgmma's N of 256");
        int ncw = warpsM / 4, kc = shape.c() / BK;
        // Two rings of stages / 2: a consumer holds chunk kc - 1 until chunk kc's MMAs are issued, so with C > 64 a ring needs two stages.
        if (ncw == 2 && stages < kc + 1 && (stages % 2 != 0 || (kc > 1 && stages < 4)))
            throw new IllegalArgumentException("halo conv: " + stages + " stages neither feed one shared ring (>= C/64 + 1 = " + (kc + 1) + ") nor two rings"
                    + (kc > 1 ? " of >= 2 stages" : ""));
        if (minBlocks == 2 && haloPixels(shape, tileRows) > 128)
            throw new IllegalArgumentException("halo conv: two blocks per SM leave 128 registers a thread, for wgmma N <= 128, not " + haloPixels(shape, tileRows));
        int perBlock = GemmConfig.MAX_SMEM_PER_BLOCK - 1024, perSm = SMEM_PER_SM / minBlocks - 2048;   // 1 KB static + 1 KB reserved a block
        if (haloSharedMemoryBytes(shape, tileRows, stages) > Math.min(perBlock, perSm))
            throw new IllegalArgumentException("shared memory " + haloSharedMemoryBytes(shape, tileRows, stages) + " B over the limit (resident weights + halo stages, "
                    + minBlocks + " block(s) per SM)");
    }

    /** Why {@code shape} cannot run on the pointwise kernel ({@link ConvMma#POINTWISE}), or null when it can (with some tile). */
    public static String pointwiseUnsupportedReason(ConvShape shape) {
        if (shape.r() != 1 || shape.s() != 1 || shape.stride() != 1 || shape.pad() != 0)
            return "the pointwise conv is 1x1, stride 1, no padding, not " + shape.r() + "x" + shape.s() + " stride " + shape.stride() + " pad " + shape.pad();
        if (shape.c() % BK != 0) return "the pointwise conv loads 64-channel TMA boxes: C=" + shape.c() + " is no multiple of 64";
        if (shape.k() % 8 != 0) return "the pointwise conv stores 8 output channels at a time: K=" + shape.k() + " is no multiple of 8";
        if (pointwiseSharedMemoryBytes(shape, 64, 64, 1, 2) > GemmConfig.MAX_SMEM_PER_BLOCK - 1024)
            return "the pointwise conv's resident weights (64 output channels x C=" + shape.c() + ") do not fit in shared memory";
        return null;
    }

    private static void validatePointwise(ConvFormat format, ConvShape shape, int tilePixels, int bn, int warpsM, int warpsN, int stages, int minBlocks,
                                          int aVec, int splitK) {
        if (format != ConvFormat.W_FP16A_FP16) throw new IllegalArgumentException("the pointwise conv is FP16 only");
        String why = pointwiseUnsupportedReason(shape);
        if (why != null) throw new IllegalArgumentException(why);
        if ((tilePixels != 64 && tilePixels != 128) || (bn != 64 && bn != 128 && bn != 256) || tilePixels / 64 * bn > 256)
            throw new IllegalArgumentException("pointwise conv: 64 or 128 pixels per tile (bm) x 64, 128 or 256 output channels (bn), at most 128 accumulators a thread");
        if (warpsN != 1 || (warpsM != 4 && warpsM != 8) || (minBlocks != 1 && minBlocks != 2) || aVec != 8 || splitK != 1)
            throw new IllegalArgumentException("pointwise conv: 1-2 consumer warpgroups (warpsM 4 or 8, warpsN 1), minBlocks 1 or 2, aVec 8, no split-K");
        if (minBlocks == 2 && tilePixels / 64 * bn > 64)
            throw new IllegalArgumentException("pointwise conv: two blocks per SM leave about 80 registers a thread, for 32 accumulators (64 x 64 tiles)");
        int perBlock = GemmConfig.MAX_SMEM_PER_BLOCK - 1024, perSm = SMEM_PER_SM / minBlocks - 2048;   // 1 KB static + 1 KB reserved a block
        int bytes = pointwiseSharedMemoryBytes(shape, tilePixels, bn, warpsM / 4, stages);
        if (bytes > Math.min(perBlock, perSm))
            throw new IllegalArgumentException("shared memory " + bytes + " B over the limit (resident weights + stages + output staging, " + minBlocks + " block(s) per SM)");
    }

    /**
     * 1024 (alignment) + the resident weights (C/64 chunks of bn rows x 128 bytes) + consumers x stages x (tile pixels x 128
     * bytes) + consumers x the FP16 output tile (tile pixels x bn x 2 bytes).
     */
    static int pointwiseSharedMemoryBytes(ConvShape s, int tilePixels, int bn, int consumers, int stages) {
        return 1024 + s.c() / BK * bn * 128 + consumers * stages * tilePixels * 128 + consumers * tilePixels * bn * 2;
    }

    /**
     * Why {@code shape} cannot run on the im2col-TMA conv ({@link ConvMma#IM2COL_TMA}), or null when it can. The limits
     * are the im2col tensor map's: a rank-4 map's bounding-box corners lie in [-128, 127] (so the padding, and how far the
     * last window start falls short of the image edge, stay within that). Filters up to 7x7 are what the GPU checks
     * cover ({@code ConvRunner.checkShapes}); larger ones are refused rather than run unchecked.
     */
    public static String im2colTmaUnsupportedReason(ConvShape shape) {
        if (shape.c() % BK != 0) return "the im2col-TMA conv loads 64-channel boxes: C=" + shape.c() + " is no multiple of 64";
        if (shape.k() % 8 != 0) return "the im2col-TMA conv stores 8 output channels at a time: K=" + shape.k() + " is no multiple of 8";
        int[] upper = im2colTmaUpperCorner(shape);
        if (shape.pad() > 128 || upper[0] < -128 || upper[1] < -128 || upper[0] > 127 || upper[1] > 127)
            return "the im2col-TMA conv's bounding box (padding " + shape.pad() + ", upper corner " + upper[0] + "," + upper[1] + ") is outside TMA's [-128, 127]";
        if (shape.r() > 7 || shape.s() > 7) return "the im2col-TMA conv is checked up to 7x7 filters, not " + shape.r() + "x" + shape.s();
        return null;
    }

    /**
     * The upper corner {W, H} of the im2col map's bounding box: the last window start ((Q-1) stride - pad) less the last
     * pixel (W-1), so the box walks exactly the Q (P) window starts of a row (column) at the map's traversal stride.
     */
    public static int[] im2colTmaUpperCorner(ConvShape s) {
        return new int[] {(s.q() - 1) * s.stride() - s.pad() - (s.w() - 1), (s.p() - 1) * s.stride() - s.pad() - (s.h() - 1)};
    }

    private static void validateIm2colTma(ConvFormat format, ConvShape shape, int tilePixels, int bn, int warpsM, int warpsN, int minBlocks, int aVec,
                                          int splitK, int stages) {
        if (format != ConvFormat.W_FP16A_FP16) throw new IllegalArgumentException("the im2col-TMA conv is FP16 only");
        String why = im2colTmaUnsupportedReason(shape);
        if (why != null) throw new IllegalArgumentException(why);
        int consumers = warpsM / 4;
        if ((bn != 64 && bn != 128) || warpsN != 1 || (warpsM != 4 && warpsM != 8) || minBlocks != 1 || aVec != 8 || splitK != 1)
            throw new IllegalArgumentException("im2col-TMA conv: 64 or 128 output channels (bn), 1-2 consumer warpgroups (warpsM 4 or 8, warpsN 1), one block per SM, aVec 8, no split-K");
        int mi = tilePixels / 64 / consumers;
        if (tilePixels % (64 * consumers) != 0 || mi < 1 || mi > 2 || mi * bn > 256 || tilePixels > 256)
            throw new IllegalArgumentException("im2col-TMA conv: 1 or 2 m64 blocks per consumer (bm = 64 x consumers x blocks, at most 256 pixels), at most 128 accumulators a thread");
        int bytes = im2colTmaSharedMemoryBytes(tilePixels, bn, consumers, stages);
        if (bytes > GemmConfig.MAX_SMEM_PER_BLOCK - 1024)
            throw new IllegalArgumentException("shared memory " + bytes + " B over the limit (stages + output staging)");
    }

    /** 1024 (alignment) + stages x (tile pixels + bn) rows of 128 bytes + the consumers' FP16 output staging (tile pixels x bn x 2 bytes). */
    static int im2colTmaSharedMemoryBytes(int tilePixels, int bn, int consumers, int stages) {
        return 1024 + stages * (tilePixels + bn) * 128 + tilePixels * bn * 2;
    }

    /** Shared memory per SM on sm_90 (228 KB; each block also reserves 1 KB). */
    static final int SMEM_PER_SM = 233_472;

    /** wgmma N of the halo conv: {@code tileRows} output rows of the padded grid (W + 2 pad pixels each), rounded up to 8. */
    static int haloPixels(ConvShape s, int tileRows) { return (tileRows * (s.w() + 2 * s.pad()) + 7) / 8 * 8; }

    /** Halo pixels gathered per stage (the last tap of the last padded output pixel), a multiple of 8. */
    static int haloStagePixels(ConvShape s, int tileRows) {
        int wp = s.w() + 2 * s.pad();
        return (haloPixels(s, tileRows) + (s.r() - 1) * wp + (s.s() - 1) + 7) / 8 * 8;
    }

    /** 1024 (alignment) + the resident weights (R*S*C/64 tiles of 8 KB) + stages x 8 K planes of (halo pixels x 16 + 16) bytes. */
    static int haloSharedMemoryBytes(ConvShape s, int tileRows, int stages) {
        return 1024 + s.r() * s.s() * (s.c() / BK) * 8192 + stages * 8 * (haloStagePixels(s, tileRows) * 16 + 16);
    }

    /**
     * The halo conv's rings ({@code RINGS}): 1 when its consumers can share all stages (one consumer, or
     * {@code stages >= C/64 + 1}: a consumer skipping the other's chunks never waits on a stage two fills ahead),
     * else one ring of {@code stages / 2} per consumer.
     */
    public int haloRings() {
        int ncw = warpsM / 4;
        return ncw == 1 || stages >= shape.c() / BK * (ncw - 1) + 1 ? 1 : ncw;
    }

    /** The widest FP16 gather (8, 4, 2, 1 elements) that divides {@code channels}. */
    public static int widestGather(int channels) {
        for (int v = 8; v > 1; v /= 2) if (channels % v == 0) return v;
        return 1;
    }

    /** The MMA warps, plus the producer warpgroup of the warp-specialised path. */
    public int threads() { return warpsM * warpsN * 32 + (mma.warpSpecialized() || mma.persistent() ? 128 : 0); }

    /** K tiles of the implicit GEMM. */
    public static int kTiles(int gemmK) { return (gemmK + BK - 1) / BK; }

    /** {@code splits} reduced until every K range is non-empty (ceil(kTiles / ceil(kTiles / splits))). */
    static int normalisedSplits(int gemmK, int splits) {
        int kt = kTiles(gemmK), per = (kt + splits - 1) / splits;
        return (kt + per - 1) / per;
    }

    /** Bytes of the FP32 split-K workspace ({@code splitK x M x K}), 0 without split-K. */
    public long workspaceBytes() { return splitK > 1 ? 4L * splitK * shape.gemmM() * shape.k() : 0; }

    /** The kernel symbol, plus {@code _splitkN} with split-K: names a candidate (several share a cubin). */
    public String label() { return kernelName() + (splitK > 1 ? "_splitk" + splitK : ""); }

    /** Whether this configuration uses Hopper's warpgroup MMA (needs sm_90a). */
    public boolean wgmma() { return mma != ConvMma.MMA_SYNC; }

    /** Whether a cubin of this configuration can run on {@code arch}. */
    public boolean runsOn(TargetArch arch) { return !wgmma() || arch.hasWgmma(); }

    /**
     * CUTLASS-style symbol, e.g. {@code ladder_conv_w_fp8_a_fp16_nhwc_mma16816_128x64x64_w2x2_4stage_b2}; the
     * wgmma paths read {@code wgmma64n128} (pixels as M) or {@code wgmmaT64n256} (pixels as N, 256 per warpgroup),
     * and a narrower gather than 16 bytes appends {@code _v4}.
     */
    public String kernelName() {
        if (mma.halo())   // the geometry is compiled in: filter, padded row width, rows per tile
            return "ladder_conv_" + format.token() + "_nhwc_halo_r" + shape.r() + "s" + shape.s() + "_wp" + (shape.w() + 2 * shape.pad()) + "_tp" + bm + "_w"
                    + warpsM / 4 + "_s" + stages + (haloRings() > 1 ? "_rings" : "") + (minBlocks > 1 ? "_b" + minBlocks : "");
        if (mma.pointwise())   // C is compiled in (the resident weights size the shared memory)
            return "ladder_conv_" + format.token() + "_nhwc_pw_c" + shape.c() + "_" + bm + "x" + bn + "_w" + warpsM / 4 + "_s" + stages
                    + (minBlocks > 1 ? "_b" + minBlocks : "");
        if (mma.im2colTma())   // one cubin for every shape: the geometry is in the tensor map and the arguments
            return "ladder_conv_" + format.token() + "_nhwc_tma_" + bm + "x" + bn + "_w" + warpsM / 4 + "_s" + stages;
        String inst = switch (mma) {
            case MMA_SYNC -> format.integer() ? "mma16832" : "mma16816";
            case WGMMA, WGMMA_WS -> mma.token() + bn;
            case WGMMA_PIXELS_N, WGMMA_PIXELS_N_WS -> mma.token() + bm / (warpsM / 4);
            case HALO, POINTWISE, IM2COL_TMA -> throw new AssertionError("named above");
        };
        return "ladder_conv_" + format.token() + "_nhwc_" + inst + "_" + bm + "x" + bn + "x" + BK + "_w" + warpsM + "x" + warpsN + "_"
                + stages + "stage_b" + minBlocks + (aVec == 8 ? "" : "_v" + aVec);
    }

    /** The im2col conv kernels' source (every configuration but the persistent ones: {@link ConvMma#persistent}). */
    public static KernelSource source() { return KernelSource.fromClasspath("conv/ladder_conv.cu"); }

    /** The source this configuration compiles from. */
    public KernelSource kernelSource() {
        if (mma.halo()) return KernelSource.fromClasspath("conv/ladder_conv_halo.cu");
        if (mma.im2colTma()) return KernelSource.fromClasspath("conv/ladder_conv_i2c.cu");
        return mma.pointwise() ? KernelSource.fromClasspath("conv/ladder_conv_pw.cu") : source();
    }

    /**
     * -O3 and the -D macros (what {@link KernelCache} needs besides the source); independent of the shape, except
     * for the halo conv, which compiles in the filter size and the padded row width, and the pointwise conv, which
     * compiles in C.
     */
    public List<String> defineFlags() {
        if (mma.im2colTma())
            return new ArrayList<>(List.of("-O3", "-DKNAME=" + kernelName(), "-DBN=" + bn, "-DMI=" + bm / 64 / (warpsM / 4), "-DNCW=" + warpsM / 4,
                    "-DNST=" + stages));
        if (mma.pointwise())
            return new ArrayList<>(List.of("-O3", "-DKNAME=" + kernelName(), "-DPW_C=" + shape.c(), "-DBN=" + bn, "-DMI=" + bm / 64, "-DNCW=" + warpsM / 4,
                    "-DNSTR=" + stages, "-DMINB=" + minBlocks));
        if (mma.halo())
            return new ArrayList<>(List.of("-O3", "-DKNAME=" + kernelName(), "-DWP=" + (shape.w() + 2 * shape.pad()), "-DTP=" + bm, "-DCR=" + shape.r(),
                    "-DCS=" + shape.s(), "-DNCW=" + warpsM / 4, "-DNST=" + stages, "-DRINGS=" + haloRings(), "-DMINB=" + minBlocks));
        return new ArrayList<>(List.of("-O3", "-DKNAME=" + kernelName(), "-DCONV_FMT=" + format.code(), "-DBM=" + bm, "-DBN=" + bn,
                "-DWARPS_M=" + warpsM, "-DWARPS_N=" + warpsN, "-DSTAGES=" + stages, "-DMIN_BLOCKS=" + minBlocks,
                "-DCONV_WGMMA=" + mma.code(), "-DA_VEC=" + aVec, "-DCONV_WS=" + (mma.warpSpecialized() ? 1 : 0)));
    }

    /** The same kernel at another shape (the gather width must still divide its C). */
    public ConvConfig withShape(ConvShape s) { return new ConvConfig(format, s, bm, bn, warpsM, warpsN, stages, minBlocks, mma, aVec, splitK); }

    /** The same kernel launched with {@code splits} K ranges. */
    public ConvConfig withSplitK(int splits) { return new ConvConfig(format, shape, bm, bn, warpsM, warpsN, stages, minBlocks, mma, aVec, splits); }

    /** The same tiles with another gather width (for inputs whose pixel stride or offset the wider one does not divide). */
    public ConvConfig withGather(int v) { return new ConvConfig(format, shape, bm, bn, warpsM, warpsN, stages, minBlocks, mma, v, splitK); }

    /** Grid over output tiles: ceil(M/BM) * ceil(K/BN) (the kernel walks them in grouped order) x the K splits. */
    public int[] grid() {
        if (mma.halo()) {   // persistent: minBlocks per SM (rounded down to a multiple of the output-channel blocks), at most one per tile
            int cb = (shape.k() + 63) / 64;
            long tiles = (long) shape.n() * ((shape.p() + bm - 1) / bm) * cb;
            return new int[] {(int) Math.max(cb, Math.min(ConvKernels.SMS * minBlocks / cb * cb, tiles)), 1, 1};
        }
        if (mma.pointwise()) {   // persistent, as the halo conv: block b keeps output channels (b % CB) * bn and walks pixel tiles
            int cb = (shape.k() + bn - 1) / bn;
            long tiles = ((long) shape.gemmM() + bm - 1) / bm * cb;
            return new int[] {(int) Math.max(cb, Math.min(ConvKernels.SMS * minBlocks / cb * cb, tiles)), 1, 1};
        }
        if (mma.im2colTma()) {   // persistent, one block per SM, at most one per tile
            long tiles = ((long) shape.gemmM() + bm - 1) / bm * ((shape.k() + bn - 1) / bn);
            return new int[] {(int) Math.min(ConvKernels.SMS, tiles), 1, 1};
        }
        return new int[] {((shape.gemmM() + bm - 1) / bm) * ((shape.k() + bn - 1) / bn), splitK, 1};
    }

    /** Thread blocks of one launch (the wave count is this over SMs x blocks per SM). */
    public long blocks() { return (long) grid()[0] * grid()[1]; }

    public int[] block() { return new int[] {threads(), 1, 1}; }

    public int sharedMemoryBytes() {
        if (mma.halo()) return haloSharedMemoryBytes(shape, bm, stages);
        if (mma.im2colTma()) return im2colTmaSharedMemoryBytes(bm, bn, warpsM / 4, stages);
        return mma.pointwise() ? pointwiseSharedMemoryBytes(shape, bm, bn, warpsM / 4, stages) : sharedMemoryBytesOf(format, bm, bn, stages);
    }

    /** 1024 (stages start 1024-byte aligned for the wgmma swizzle) + stages x (A + W tiles + MXFP8 exponents) + the row table. */
    static int sharedMemoryBytesOf(ConvFormat f, int bm, int bn, int stages) {
        int scales = f.microscaled() ? ((bm + bn) * 2 + 127) / 128 * 128 : 0;
        return 1024 + stages * (bm * BK * f.actBits() / 8 + bn * BK * f.tileWeightBits() / 8 + scales) + bm * 16;
    }

    /** Bytes the kernel must move at least once: input, weights, MX exponents, FP16 output. */
    public long minimumBytes() {
        long b = shape.inputElements() * format.actBits() / 8 + shape.weightElements() * format.weightBits() / 8 + 2 * shape.outputElements();
        if (format.microscaled()) b += shape.inputElements() / 32 + shape.weightElements() / 32;
        return b;
    }
}
