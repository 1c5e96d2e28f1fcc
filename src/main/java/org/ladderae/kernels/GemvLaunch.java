package org.ladderae.kernels;

/**
 * Launch configuration of a GEMV kernel: data a tuner can enumerate and search.
 *
 * @param threads      threads per block (multiple of 32, at most 1024)
 * @param rowsPerWarp  weight rows each warp computes (activation reuse in registers)
 * @param splitK       warps sharing the same rows, each summing a slice of K (reduced in shared memory)
 * @param unroll       16-byte chunks per lane and row loaded before the first use (loads in flight)
 * @param blocksPerSm  grid cap in blocks per multiprocessor (0: one block per row tile); the kernel
 *                     strides over row tiles, so a cap makes it persistent
 * @param tensorCores  holistic only: decoded weights feed mma.sync m16n8k16 (FP16 activations); then
 *                     rowsPerWarp counts 8-row tiles and the weights use {@link WeightLayout#tileForMma}
 */
public record GemvLaunch(int threads, int rowsPerWarp, int splitK, int unroll, int blocksPerSm, boolean tensorCores) {
    /** The fixed, untuned configuration of stages (a)-(c). */
    public static final GemvLaunch DEFAULT = new GemvLaunch(128, 1, 1, 1, 0);

    /** A CUDA-core configuration. */
    public GemvLaunch(int threads, int rowsPerWarp, int splitK, int unroll, int blocksPerSm) {
        this(threads, rowsPerWarp, splitK, unroll, blocksPerSm, false);
    }

    public GemvLaunch {
        if (threads < 32 || threads > 1024 || threads % 32 != 0) throw new IllegalArgumentException("threads must be a multiple of 32 in [32, 1024]: " + threads);
        if (rowsPerWarp < 1 || rowsPerWarp > 16) throw new IllegalArgumentException("rowsPerWarp must be 1..16: " + rowsPerWarp);
        if (splitK < 1 || (threads / 32) % splitK != 0) throw new IllegalArgumentException("splitK must divide the warp count " + threads / 32 + ": " + splitK);
        if (unroll < 1 || unroll > 8) throw new IllegalArgumentException("unroll must be 1..8: " + unroll);
        if (blocksPerSm < 0) throw new IllegalArgumentException("blocksPerSm must be >= 0: " + blocksPerSm);
    }

    public int warps() { return threads / 32; }

    /** Weight rows (output columns) one block computes per tile. */
    public int rowsPerBlock() { return warps() / splitK * rowsPerWarp * (tensorCores ? 8 : 1); }

    /** Name fragment of the compiled code, e.g. t128_r2_s1_u2; the grid cap is host-side and not part of it. */
    public String token() {
        return "t" + threads + "_r" + rowsPerWarp + "_s" + splitK + "_u" + unroll + (tensorCores ? "_mma" : "");
    }
}
