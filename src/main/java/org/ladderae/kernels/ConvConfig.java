package org.ladderae.kernels;

import java.util.ArrayList;
import java.util.List;

/**
 * One launch configuration of Ladder's implicit-GEMM conv2d ({@code kernels/conv/ladder_conv.cu}): the
 * format pair, the problem, the block tile over (output pixels x output channels), the warp grid, the
 * cp.async pipeline depth and the blocks per SM the registers are budgeted for. The K tile is always
 * 64 elements, so C must be a multiple of 64 (a K tile then lies inside one filter tap).
 */
public record ConvConfig(ConvFormat format, ConvShape shape, int bm, int bn, int warpsM, int warpsN, int stages, int minBlocks) {

    public static final int BK = 64;

    public ConvConfig {
        if (stages < 2 || warpsM < 1 || warpsN < 1 || minBlocks < 1) throw new IllegalArgumentException("bad stages/warps/minBlocks");
        if (bm % (16 * warpsM) != 0 || bn % (16 * warpsN) != 0) throw new IllegalArgumentException("warp tile must be a multiple of 16x16");
        int mi = bm / warpsM / 16, ni = bn / warpsN / 8;
        if (format.actBits() < 16 && mi % 2 != 0) throw new IllegalArgumentException("byte activation tiles need an even number of 16-row fragments per warp");
        if (format.weightBits() < 16 && ni % 4 != 0) throw new IllegalArgumentException("byte weight tiles need a multiple of 4 8-column fragments per warp");
        if (shape.c() % BK != 0) throw new IllegalArgumentException("C=" + shape.c() + " is not a multiple of " + BK + " (Ladder's conv kernels need it)");
        if (shape.k() % bn != 0) throw new IllegalArgumentException("K=" + shape.k() + " output channels is not a multiple of the tile's " + bn);
        if (sharedMemoryBytesOf(format, bm, bn, stages) > GemmConfig.MAX_SMEM_PER_BLOCK)
            throw new IllegalArgumentException("shared memory " + sharedMemoryBytesOf(format, bm, bn, stages) + " B over the limit");
    }

    public int threads() { return warpsM * warpsN * 32; }

    /** CUTLASS-style symbol, e.g. {@code ladder_conv_w_fp8_a_fp16_nhwc_mma16816_128x64x64_w2x2_4stage_b2}. */
    public String kernelName() {
        String mma = format.integer() ? "mma16832" : "mma16816";
        return "ladder_conv_" + format.token() + "_nhwc_" + mma + "_" + bm + "x" + bn + "x" + BK + "_w" + warpsM + "x" + warpsN + "_"
                + stages + "stage_b" + minBlocks;
    }

    public static KernelSource source() { return KernelSource.fromClasspath("conv/ladder_conv.cu"); }

    /** -O3 and the -D macros (what {@link KernelCache} needs besides the source); independent of the shape. */
    public List<String> defineFlags() {
        return new ArrayList<>(List.of("-O3", "-DKNAME=" + kernelName(), "-DCONV_FMT=" + format.code(), "-DBM=" + bm, "-DBN=" + bn,
                "-DWARPS_M=" + warpsM, "-DWARPS_N=" + warpsN, "-DSTAGES=" + stages, "-DMIN_BLOCKS=" + minBlocks));
    }

    public ConvConfig withShape(ConvShape s) { return new ConvConfig(format, s, bm, bn, warpsM, warpsN, stages, minBlocks); }

    /** One-dimensional grid over output tiles: ceil(M/BM) * K/BN (the kernel walks them in grouped order). */
    public int[] grid() { return new int[] {((shape.gemmM() + bm - 1) / bm) * (shape.k() / bn), 1, 1}; }

    public int[] block() { return new int[] {threads(), 1, 1}; }

    public int sharedMemoryBytes() { return sharedMemoryBytesOf(format, bm, bn, stages); }

    /** Row table (16 B per tile row) + stages x (A tile + W tile + MXFP8 exponents rounded to 128 B). */
    static int sharedMemoryBytesOf(ConvFormat f, int bm, int bn, int stages) {
        int scales = f.microscaled() ? ((bm + bn) * 2 + 127) / 128 * 128 : 0;
        return bm * 16 + stages * (bm * BK * f.actBits() / 8 + bn * BK * f.weightBits() / 8 + scales);
    }

    /** Bytes the kernel must move at least once: input, weights, MX exponents, FP16 output. */
    public long minimumBytes() {
        long b = shape.inputElements() * format.actBits() / 8 + shape.weightElements() * format.weightBits() / 8 + 2 * shape.outputElements();
        if (format.microscaled()) b += shape.inputElements() / 32 + shape.weightElements() / 32;
        return b;
    }
}
