package org.ladderae.kernels;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the GPU runtime needs to build and launch one GEMV configuration.
 *
 * <p>Build: {@code nvcc} {@link #nvccOptions()} on the text of {@link #sourceResource()} with
 * {@link #nvccDefines()} as {@code -Dkey=value}; load the cubin and look up {@link #kernelName()}.
 * <p>Launch: grid {@link #grid(int, int)}, block {@link #block()}, dynamic shared memory
 * {@link #dynamicSharedBytes()} (the kernel's shared memory is static), arguments in this order:
 * <ol>
 *   <li>{@code const void* A}: activations M x K row-major ({@link WeightLayout#deviceActivations})</li>
 *   <li>{@code const void* W}: weights, N rows of K*bits/8 bytes ({@link WeightLayout#deviceWeights})</li>
 *   <li>{@code const uint8_t* aux}: MXFP8 exponents ({@link WeightLayout#deviceMxExponents}); with groups, (scale, zero)
 *       FP16 pairs per row and group ({@link WeightLayout#deviceGroupParams}); any valid pointer otherwise</li>
 *   <li>{@code half* C}: output M x N row-major FP16 (INT32 with {@link GemvConfig#int32Output})</li>
 *   <li>{@code int N}</li>
 *   <li>{@code int K}</li>
 * </ol>
 * Every output element is written, so C needs no clearing.
 */
public record GemvKernelSpec(GemvConfig config) {
    public static final String SOURCE_RESOURCE = "/kernels/gemv/ladder_gemv.cu";
    public static final String ARCH = "sm_90a";

    public String sourceResource() { return SOURCE_RESOURCE; }

    /** CUTLASS-style name encoding the compiled configuration, e.g. ladder_gemv_w_int4_a_fp16_transform_ptx_m1_t128_r1_s1_u1. */
    public String kernelName() {
        return "ladder_gemv_w_" + config.weights().token() + "_a_" + config.acts().token() + "_" + config.stage().token()
                + "_m" + config.m() + "_" + config.launch().token()
                + (config.grouped() ? "_g" + (config.groupSize() == GemvConfig.WHOLE_ROW ? "row" : Integer.toString(config.groupSize())) : "")
                + (config.int32Output() ? "_i32out" : "");
    }

    public Map<String, String> nvccDefines() {
        GemvLaunch l = config.launch();
        Map<String, String> d = new LinkedHashMap<>();
        d.put("LADDER_KERNEL_NAME", kernelName());
        d.put("W_FMT", Integer.toString(config.weights().code()));
        d.put("A_FMT", Integer.toString(config.acts().code()));
        d.put("STAGE", Integer.toString(config.stage().ordinal()));
        d.put("GEMV_M", Integer.toString(config.m()));
        d.put("THREADS", Integer.toString(l.threads()));
        d.put("RPW", Integer.toString(l.rowsPerWarp()));
        d.put("SPLITK", Integer.toString(l.splitK()));
        d.put("UNROLL", Integer.toString(l.unroll()));
        d.put("MMA", l.tensorCores() ? "1" : "0");
        if (config.grouped()) d.put("GROUP", Integer.toString(config.groupSize()));   // absent = 0: ungrouped builds keep their cache keys
        if (config.int32Output()) d.put("INT_OUT", "1");                               // likewise

        return Collections.unmodifiableMap(d);
    }

    /** nvcc options besides the defines and the source file. */
    public List<String> nvccOptions() {
        return List.of("-cubin", "-gencode=arch=compute_90a,code=sm_90a", "-O3", "-Xptxas", "-v");
    }

    public int[] block() { return new int[] {config.launch().threads(), 1, 1}; }

    /** Grid for N output columns on a device with this many multiprocessors (the kernel strides over row tiles; tensor-core tiles are 8 rows). */
    public int[] grid(int n, int multiprocessors) {
        GemvLaunch l = config.launch();
        long tiles = (n + (long) l.rowsPerBlock() - 1) / l.rowsPerBlock();
        if (l.blocksPerSm() > 0) tiles = Math.min(tiles, (long) l.blocksPerSm() * multiprocessors);
        return new int[] {(int) tiles, 1, 1};
    }

    public int dynamicSharedBytes() { return 0; }

    /** Static shared memory the kernel declares (for occupancy estimates): split-K partials and the NF4 LUT. */
    public int staticSharedBytes() {
        GemvLaunch l = config.launch();
        int red = l.splitK() > 1 ? 4 * l.splitK() * (l.tensorCores() ? l.rowsPerBlock() / 8 * 128 : l.rowsPerBlock() * config.m()) : 4;
        int lut = config.weights() == WeightFormat.NF4 && config.stage().ordinal() >= GemvStage.PTX.ordinal() ? 256 * 32 * 4 : 0;
        return red + lut;
    }

    /** Bytes of the weight stream (plus MX exponents): the memory-bound floor's numerator. */
    public static long weightBytes(WeightFormat w, int n, int k) {
        long b = (long) n * k * w.bits() / 8;
        return w == WeightFormat.MXFP8 ? b + (long) n * k / 32 : b;
    }

    /** Bytes of the weight stream of this configuration: weights, MX exponents, and 4 bytes per (row, group) of scales and zeros. */
    public static long weightBytes(GemvConfig c, int n, int k) {
        return weightBytes(c.weights(), n, k) + 4L * n * c.groups(k);
    }
}
