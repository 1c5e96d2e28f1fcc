package org.ladderae.kernels;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ladderae.gpu.CudaContext;
import org.ladderae.gpu.CudaModule;
import org.ladderae.gpu.DeviceBuffer;
import org.ladderae.gpu.GpuTimer;
import org.ladderae.gpu.HalfPrecision;
import org.ladderae.gpu.Kernel;
import org.ladderae.gpu.KernelArgs;
import org.ladderae.gpu.LaunchConfig;
import org.ladderae.gpu.TensorMaps;
import org.ladderae.kernels.GemmConfig.Format;
import org.ladderae.results.TimingStats;

/**
 * Builds, checks and times the Ladder tensor-core GEMM kernels ({@link GemmConfig}) on the GPU. A
 * kernel is checked against the double-precision CPU reference before it is timed; M, N and K are
 * run-time arguments, so the check runs the very binary that is timed, on the small shapes of
 * {@link #checkShapes}: M = 33 (a partial tile) and, for the large-tile kernels, M = 4095.
 */
public final class GemmRunner implements AutoCloseable {
    /** The split-K reduction every mma.sync module also exports. */
    static final String SPLITK_REDUCE = "ladder_gemm_splitk_reduce";
    private static final int REDUCE_THREADS = 256;
    /** Poison of the split-K workspace: an FP32 NaN (a huge INT32 for the INT8 kernels, equally wrong if left). */
    private static final int WORKSPACE_POISON = 0x7FC00000;

    private final CudaContext context;
    private final KernelCache cache;
    private final Map<List<String>, CudaModule> modules = new LinkedHashMap<>();
    /** Zeroed workspaces of the skinny TMA kernels prepared for callers (freed on close). */
    private final List<DeviceBuffer> retained = new ArrayList<>();

    public GemmRunner(CudaContext context, KernelCache cache) {
        this.context = context;
        this.cache = cache;
    }

    /**
     * Outcome of one correctness check at {@code config}'s shape. {@code error} is ||out-ref||/||ref||
     * (floating-point activations) or the fraction of outputs that differ from the FP16 rounding of the exact
     * INT32 sum (INT8 and INT4 activations, tolerance 0).
     */
    public record Check(GemmConfig config, double error, double tolerance, boolean allWritten) {
        public boolean passed() { return allWritten && error <= tolerance; }
    }

    /** One timing at {@code config}'s shape. */
    public record Timing(GemmConfig config, TimingStats stats) {
        /** 2MNK / median time, in TFLOP/s (TOP/s for INT8). */
        public double tflops() { return config.flops() / (stats.medianMs() * 1e-3) / 1e12; }
    }

    /**
     * FP32 accumulation leaves only the output's FP16 rounding (the H100 run measured 1.9e-4..2.1e-4
     * relative Frobenius error, split-K included); 1e-3 as for the GEMV kernels that accumulate in FP32.
     */
    public static final double FP16_TOLERANCE = 1e-3;

    /**
     * FP8 x FP8 on wgmma: Hopper's FP8 wgmma adds its products into fewer bits than FP32 (the known "FP8 fast
     * accumulation"; the kernel does not yet promote each k tile into separate FP32 sums). The H100 run measured
     * 0.7e-3..0.85e-3 at K = 1024 and 1.0e-3..1.2e-3 at K = 2048 against 2e-4 for the same data on mma.sync, growing
     * with K; 4e-3 admits that and still catches a wrong fragment or scale (errors of order 1). The TMA kernel (same
     * wgmma) measured 4.0e-4..1.35e-3 at K = 512..4096 on the H100, torch._scaled_mm 2.4e-4 on the same operands.
     */
    public static final double FP8_WGMMA_TOLERANCE = 4e-3;

    static double tolerance(GemmConfig c) {
        boolean fp8 = c.activation() == Format.FP8_E4M3 || c.activation() == Format.FP8_E5M2;
        return fp8 && (c.path() == GemmConfig.Path.WGMMA || c.path() == GemmConfig.Path.WGMMA_TMA) ? FP8_WGMMA_TOLERANCE : FP16_TOLERANCE;
    }

    public static KernelSource source(GemmConfig config) {
        return KernelSource.fromClasspath(config.source().substring("kernels/".length()));
    }

    /** The kernel's binary, compiled (or found in the cache) without touching the GPU; safe from several threads. */
    public static byte[] build(KernelCache cache, GemmConfig config, TargetArch arch) {
        if ((config.path() == GemmConfig.Path.WGMMA || config.path() == GemmConfig.Path.WGMMA_TMA) && !arch.hasWgmma())
            throw new KernelBuildException(config.kernelName() + " uses wgmma, which needs sm_90a, not " + arch.smName());
        return cache.cubin(source(config), arch, config.defineFlags());
    }

    /** Compiles every configuration on all cores before GPU work starts. */
    public static void buildAll(KernelCache cache, List<GemmConfig> configs, TargetArch arch) {
        KernelCache.buildInParallel(configs, c -> build(cache, c, arch));
    }

    public void buildAll(List<GemmConfig> configs) { buildAll(cache, configs, arch()); }

    private TargetArch arch() { return TargetArch.forComputeCapability(context.device().ccMajor(), context.device().ccMinor()); }

    /**
     * The shapes the check runs for a timed configuration: N = 2 tiles (so the grouped tile order is
     * exercised), K a few pipeline rounds, M = 33 (a partial tile) and, for the large tiles, M = 4095
     * (many tile rows, the last partial) or else the timed M itself.
     */
    public static List<GemmConfig> checkShapes(GemmConfig timed) {
        int n = 2 * timed.bn();
        // the TMA kernel's weights decoded in registers run two k tiles per loop round
        boolean pairs = timed.path() == GemmConfig.Path.WGMMA_TMA && !GemmConfig.tmaSharedOperands(timed.weight(), timed.activation());
        // the skinny TMA kernel splits any even number of k tiles (uneven splits included)
        int kUnit = timed.bk() * (timed.tmaSkinny() ? 1 : timed.splitK()) * (pairs ? 2 : 1);
        List<GemmConfig> shapes = new ArrayList<>();
        shapes.add(timed.withShape(33, n, roundUp(1024, kUnit)));
        if (timed.m() > GemmKernels.SMALL_M) shapes.add(timed.withShape(4095, n, roundUp(512, kUnit)));
        else if (timed.m() != 33) shapes.add(timed.withShape(timed.m(), n, roundUp(1024, kUnit)));
        return shapes;
    }

    private static int roundUp(int v, int unit) { return (v + unit - 1) / unit * unit; }

    /** Every shape of {@link #checkShapes}; the first that fails, else the last (the largest error is reported). */
    public Check checkAll(GemmConfig timed, long seed) { return checkAll(checkShapes(timed), seed); }

    /** Every one of {@code shapes} (one kernel at several shapes); the first that fails, else the one with the largest error. */
    public Check checkAll(List<GemmConfig> shapes, long seed) {
        Check worst = null;
        for (GemmConfig c : shapes) {
            Check r = check(c, seed++);
            if (!r.passed()) return r;
            if (worst == null || r.error() > worst.error()) worst = r;
        }
        return worst;
    }

    /** Runs {@code config} once on fresh random inputs at its own shape, outputs NaN-poisoned, and compares with the CPU reference. */
    public Check check(GemmConfig config, long seed) {
        int m = config.m(), n = config.n(), k = config.k();
        GemmProblem p = GemmProblem.random(config.weight(), config.activation(), m, n, k, seed);
        byte[] a = p.deviceActivations();
        byte[] w = p.deviceWeights(config);
        short[] out = new short[m * n];
        int[] out32 = config.variant() == GemmConfig.Variant.INT32_OUT ? new int[m * n] : null;
        try (DeviceBuffer dA = context.allocate(a.length); DeviceBuffer dW = context.allocate(w.length);
             DeviceBuffer dC = context.allocate((long) config.outputElementBytes() * m * n);
             DeviceBuffer dWs = context.allocate(Math.max(16, config.workspaceBytes()))) {
            dA.copyFrom(a);
            dW.copyFrom(w);
            if (out32 != null) dC.fill32(WORKSPACE_POISON);
            else dC.fill16(HalfPrecision.POISON);
            dWs.fill32(WORKSPACE_POISON);
            Launches l = launches(config, dA, dW, dC, dWs);
            try {
                l.queue();
                context.synchronize();
                if (out32 != null) dC.copyTo(out32);
                else dC.copyTo(out);
            } finally {
                l.release();
            }
        }
        if (out32 != null) {
            // INT32 sums: exact, so every output must equal the exact sum (the poison is far above any sum of the check shapes)
            long[] exact = p.exactReference();
            boolean written = true;
            int wrong = 0;
            for (int i = 0; i < out32.length; i++) {
                if (out32[i] == WORKSPACE_POISON) written = false;
                if (out32[i] != exact[i]) wrong++;
            }
            return new Check(config, (double) wrong / out32.length, 0.0, written);
        }
        boolean written = true;
        for (short s : out) if (s == HalfPrecision.POISON) written = false;
        if (!GemmProblem.integerActivations(config.activation())) {
            double[] ref = p.reference();
            if (config.variant() == GemmConfig.Variant.CENTRED_CODES) ref = centred(ref, p);
            GemvReference.Fp16Comparison cmp = GemvReference.compare(out, ref);
            return new Check(config, cmp.relativeError(), tolerance(config), written && cmp.allFinite());
        }
        return new Check(config, GemvReference.fractionInexact(out, p.exactReference()), 0.0, written);
    }

    /** The reference of centred codes: sum_k (w - 2^(bits-1)) a = ref - 2^(bits-1) * rowsum(A) (FP16 activations). */
    static double[] centred(double[] ref, GemmProblem p) {
        double centre = 1 << (p.weights().bits() - 1);
        double[] out = ref.clone();
        for (int r = 0; r < p.m(); r++) {
            double rowSum = 0;
            for (int i = 0; i < p.k(); i++) rowSum += org.ladderae.formats.Fp16.INSTANCE.decode(p.actCodes()[r * p.k() + i]);
            for (int c = 0; c < p.n(); c++) out[r * p.n() + c] -= centre * rowSum;
        }
        return out;
    }

    /**
     * Times {@code config} at its shape on random device data of the right formats (values never zero:
     * zeros would lower the tensor cores' power draw and flatter the time). Split-K times both launches.
     * MXFP8 exponents are filled like their elements (finite E5M2 codes, never the E8M0 NaN 255): the time does
     * not depend on the values, only on their not being zero.
     */
    public Timing time(GemmConfig config, long seed) {
        try (Operands ops = operands(config, seed)) {
            return time(config, ops, GpuTimer.Options.defaults());
        }
    }

    /**
     * Random device A, W and C for timing at one shape and formats (see {@link #time(GemmConfig, long)} for the
     * values). Filling happens on the host, seconds for the largest shapes, so a tuning run fills once and times
     * every candidate of the shape on the same operands.
     */
    public Operands operands(GemmConfig shape, long seed) {
        long aBytes = shape.activationBytes();
        long wBytes = shape.weightBytes();
        DeviceBuffer dA = context.allocate(aBytes), dW = null, dC = null;
        try {
            dW = context.allocate(wBytes);
            dC = context.allocate((long) shape.outputElementBytes() * shape.m() * shape.n());
            GemvRunner.fillRandomValid(dA, fillFormat(shape.activation()), aBytes, seed);
            GemvRunner.fillRandomValid(dW, fillFormat(shape.weight()), wBytes, seed + 1);
            return new Operands(shape, dA, dW, dC);
        } catch (RuntimeException e) {
            for (DeviceBuffer b : new DeviceBuffer[] {dA, dW, dC}) if (b != null) b.close();
            throw e;
        }
    }

    /** Timing operands of one (formats, M, N, K); any configuration of that problem times on them. */
    public static final class Operands implements AutoCloseable {
        private final GemmConfig shape;
        private final DeviceBuffer a, w, c;

        private Operands(GemmConfig shape, DeviceBuffer a, DeviceBuffer w, DeviceBuffer c) {
            this.shape = shape;
            this.a = a;
            this.w = w;
            this.c = c;
        }

        void requireFits(GemmConfig config) {
            if (config.weight() != shape.weight() || config.activation() != shape.activation() || config.m() != shape.m()
                    || config.n() != shape.n() || config.k() != shape.k() || config.outputElementBytes() > shape.outputElementBytes())
                throw new IllegalArgumentException("operands of " + shape.formatLabel() + " " + shape.m() + "x" + shape.n() + "x" + shape.k()
                        + " cannot time " + config.formatLabel() + " " + config.m() + "x" + config.n() + "x" + config.k());
        }

        @Override
        public void close() {
            a.close();
            w.close();
            c.close();
        }
    }

    /** Times {@code config} on {@code ops} with {@code options}; the cache policy follows the working set as in {@link #time(GemmConfig, long)}. */
    public Timing time(GemmConfig config, Operands ops, GpuTimer.Options options) {
        ops.requireFits(config);
        try (DeviceBuffer dWs = context.allocate(Math.max(16, config.workspaceBytes()))) {
            Launches l = launches(config, ops.a, ops.w, ops.c, dWs);
            long workingSet = ops.a.bytes() + ops.w.bytes() + ops.c.bytes() + config.workspaceBytes() + config.tmaSkinnyWorkspaceBytes();
            try (GpuTimer timer = new GpuTimer(context)) {
                TimingStats stats = timer.time(i -> l.queue(), options.withCache(GpuTimer.cacheFor(workingSet, context.device())));
                return new Timing(config, stats);
            } finally {
                l.release();
            }
        }
    }

    /**
     * The launch (and split-K reduction) of {@code config} on the caller's buffers, arguments built once: what a model
     * executor queues per step. {@code ws} must hold {@link GemmConfig#workspaceBytes()} (any buffer without split-K).
     */
    public Runnable prepare(GemmConfig config, DeviceBuffer a, DeviceBuffer w, DeviceBuffer out, DeviceBuffer ws) {
        Launches l = launches(config, a, w, out, ws);
        if (l.owned() != null) retained.add(l.owned());
        return l::queue;
    }

    /** The GEMV format whose valid random codes fill a buffer of this GEMM format (random bits for the packed ones). */
    private static WeightFormat fillFormat(Format f) {
        return switch (f) {
            case FP16 -> WeightFormat.FP16;
            case INT8 -> WeightFormat.INT8;
            case INT4, NF4 -> WeightFormat.INT4;
            case INT2 -> WeightFormat.INT2;
            case INT1 -> WeightFormat.INT1;
            case FP8_E5M2, MXFP8 -> WeightFormat.FP8_E5M2;
            case FP8_E4M3 -> WeightFormat.FP8_E4M3;
        };
    }

    /** The launch (and, with split-K, the reduction) of one configuration on given buffers. */
    private record Launches(Kernel gemm, LaunchConfig gemmLaunch, KernelArgs gemmArgs, Kernel reduce, LaunchConfig reduceLaunch,
                            KernelArgs reduceArgs, DeviceBuffer owned) {
        void queue() {
            gemm.launch(gemmLaunch, gemmArgs);
            if (reduce != null) reduce.launch(reduceLaunch, reduceArgs);
        }

        /** Frees the launch's own workspace (skinny TMA kernel), if any. */
        void release() {
            if (owned != null) owned.close();
        }
    }

    private Launches launches(GemmConfig c, DeviceBuffer a, DeviceBuffer w, DeviceBuffer out, DeviceBuffer ws) {
        CudaModule module = module(c);
        int[] g = c.grid(), b = c.block();
        KernelArgs args;
        DeviceBuffer owned = null;
        if (c.tmaSkinny()) {
            // (tmA, W, C, M, N, K, ws, counters, splits): split-K adds into a zeroed FP32/INT32 workspace of its own (never
            // a caller's shared scratch, which other kernels dirty); the last CTA of each tile leaves it zeroed again
            boolean fp16Acts = c.activation() == Format.FP16;
            long sums = 4L * c.m() * c.n();
            owned = context.allocate(Math.max(16, c.tmaSkinnyWorkspaceBytes()));
            owned.fill32(0);
            args = KernelArgs.of().bytes(fp16Acts ? TensorMaps.fp16Rows(a, c.m(), c.k(), c.bm()) : TensorMaps.byteRows(a, c.m(), c.k(), c.bm()))
                    .buffer(w).buffer(out).i32(c.m()).i32(c.n()).i32(c.k())
                    .buffer(owned).buffer(owned, c.splitK() > 1 ? sums : 0).i32(c.splitK());
        } else if (c.path() == GemmConfig.Path.WGMMA_TMA) {
            // (tmA, tmW | W, C, M, N, K): A (and W where both come from shared memory) by 2-D TMA tensor maps of
            // 128-byte box rows (FP16, or FP8/INT8 as bytes), packed W by 1-D bulk copies
            boolean fp16Acts = c.activation() == Format.FP16;
            args = KernelArgs.of().bytes(fp16Acts ? TensorMaps.fp16Rows(a, c.m(), c.k(), c.bm()) : TensorMaps.byteRows(a, c.m(), c.k(), c.bm()));
            if (GemmConfig.tmaSharedOperands(c.weight(), c.activation()))
                args.bytes(fp16Acts ? TensorMaps.fp16Rows(w, c.n(), c.k(), c.bn()) : TensorMaps.byteRows(w, c.n(), c.k(), c.bn()));
            else args.buffer(w);
            args.buffer(out).i32(c.m()).i32(c.n()).i32(c.k());
        } else {
            args = KernelArgs.of().buffer(a).buffer(w).buffer(out).buffer(ws).i32(c.m()).i32(c.n()).i32(c.k());
        }
        LaunchConfig lc = new LaunchConfig(g[0], g[1], g[2], b[0], b[1], b[2], c.sharedMemoryBytes());
        if (c.splitK() == 1 || c.tmaSkinny()) return new Launches(module.kernel(c.kernelName()), lc, args, null, null, null, owned);
        long mn = (long) c.m() * c.n();   // even: N is a multiple of the tile
        LaunchConfig rl = LaunchConfig.covering(mn / 2, REDUCE_THREADS);
        KernelArgs ra = KernelArgs.of().buffer(ws).buffer(out).i64(mn).i32(c.splitK());
        return new Launches(module.kernel(c.kernelName()), lc, args, module.kernel(SPLITK_REDUCE), rl, ra, null);
    }

    /** Loads (building if needed) and lifts the function's dynamic shared memory limit to what it uses (up to 227 KiB). */
    private CudaModule module(GemmConfig c) {
        return modules.computeIfAbsent(c.defineFlags(), f -> {
            CudaModule m = context.loadModule(build(cache, c, arch()), c.kernelName());
            m.kernel(c.kernelName()).setMaxDynamicSharedBytes(c.sharedMemoryBytes());
            return m;
        });
    }

    /** Uses {@code cubin} for {@code config} from now on (a prebuilt or tuned binary: no compiler needed). */
    public void useBinary(GemmConfig config, byte[] cubin) {
        CudaModule m = context.loadModule(cubin, config.kernelName());
        m.kernel(config.kernelName()).setMaxDynamicSharedBytes(config.sharedMemoryBytes());
        CudaModule old = modules.put(config.defineFlags(), m);
        if (old != null) old.close();
    }

    @Override
    public void close() {
        retained.forEach(DeviceBuffer::close);
        retained.clear();
        modules.values().forEach(CudaModule::close);
        modules.clear();
    }
}
