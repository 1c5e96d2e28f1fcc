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
import org.ladderae.results.TimingStats;

/**
 * Builds, checks and times the Ladder GEMV kernels on the GPU. A kernel is always checked against
 * the double-precision CPU reference before it is timed; N and K are run-time arguments, so the
 * check runs the very binary that is timed, on a smaller shape.
 */
public final class GemvRunner {
    private final CudaContext context;
    private final KernelCache cache;
    private final Map<GemvConfig, CudaModule> modules = new LinkedHashMap<>();

    public GemvRunner(CudaContext context, KernelCache cache) {
        this.context = context;
        this.cache = cache;
    }

    /** Outcome of one correctness check. {@code error} is ||out-ref||/||ref|| (FP16 acts) or the fraction of inexact outputs (integer acts). */
    public record Check(GemvConfig config, int n, int k, double error, double tolerance, boolean allWritten) {
        public boolean passed() { return allWritten && error <= tolerance; }
    }

    /** One timing: the median and spread, and the weight bytes that bound a memory-bound GEMV. */
    public record Timing(GemvConfig config, int n, int k, TimingStats stats, long bytes) {
        public double gbPerSecond() { return bytes / (stats.medianMs() * 1e-3) / 1e9; }
    }

    /** nvcc flags for a configuration: its -D macros and -O3 (the cache adds the arch). */
    public static List<String> flags(GemvConfig config) {
        List<String> f = new ArrayList<>();
        GemvKernels.spec(config).nvccDefines().forEach((key, value) -> f.add("-D" + key + "=" + value));
        f.add("-O3");
        return f;
    }

    /** The kernel's binary, compiled (or found in the cache) without touching the GPU; safe from several threads. */
    public static byte[] build(KernelCache cache, GemvConfig config, TargetArch arch) {
        return cache.cubin(source(), arch, flags(config));
    }

    /** Compiles every configuration on all cores before GPU work starts (nvcc is the slow part of a first run). */
    public static void buildAll(KernelCache cache, List<GemvConfig> configs, TargetArch arch) {
        KernelCache.buildInParallel(configs, c -> build(cache, c, arch));
    }

    /** {@link #buildAll} for the architecture of this runner's GPU. */
    public void buildAll(List<GemvConfig> configs) {
        buildAll(cache, configs, TargetArch.forComputeCapability(context.device().ccMajor(), context.device().ccMinor()));
    }

    private static KernelSource source() {
        return KernelSource.fromClasspath(GemvKernelSpec.SOURCE_RESOURCE.substring("/kernels/".length()));
    }

    /**
     * Uses {@code cubin} for {@code config} from now on (a tuned checkpoint, or a candidate the tuner
     * just built), so no compiler is needed to run it.
     */
    public void useBinary(GemvConfig config, byte[] cubin) {
        CudaModule old = modules.put(config, context.loadModule(cubin, GemvKernels.spec(config).kernelName()));
        if (old != null) old.close();
    }

    private Kernel kernel(GemvConfig config) {
        CudaModule m = modules.computeIfAbsent(config, c -> cache.load(context, source(), flags(c)));
        return m.kernel(GemvKernels.spec(config).kernelName());
    }

    private LaunchConfig launch(GemvConfig config, int n) {
        GemvKernelSpec spec = GemvKernels.spec(config);
        int[] g = spec.grid(n, context.device().smCount());
        int[] b = spec.block();
        return new LaunchConfig(g[0], g[1], g[2], b[0], b[1], b[2], spec.dynamicSharedBytes());
    }

    /**
     * One launch of {@code config} on the caller's buffers (A [M][K], W in {@link WeightLayout#deviceWeights} layout,
     * aux, C [M][N]), arguments built once: what a model executor queues per step.
     */
    public Runnable prepare(GemvConfig config, DeviceBuffer a, DeviceBuffer w, DeviceBuffer aux, DeviceBuffer c, int n, int k) {
        config.validateShape(n, k);
        Kernel kernel = kernel(config);
        LaunchConfig lc = launch(config, n);
        KernelArgs args = KernelArgs.of().buffer(a).buffer(w).buffer(aux).buffer(c).i32(n).i32(k);
        return () -> kernel.launch(lc, args);
    }

    public Check check(GemvConfig config, int n, int k, long seed) {
        config.validateShape(n, k);
        GemvProblem p = GemvProblem.random(config.weights(), config.acts(), config.m(), n, k, seed);
        byte[] w = WeightLayout.deviceWeights(p.weightCodes(), config, n, k);
        GroupParams groups = config.grouped() ? GroupParams.random(config, n, k, seed) : null;
        byte[] aux = groups != null ? groups.deviceBytes()
                : p.mxExponents() == null ? new byte[16] : WeightLayout.deviceMxExponents(p.mxExponents(), config, n, k);
        byte[] a = p.deviceActivations();
        short[] out = new short[config.m() * n];
        try (DeviceBuffer dA = context.allocate(a.length); DeviceBuffer dW = context.allocate(w.length);
             DeviceBuffer dX = context.allocate(aux.length); DeviceBuffer dC = context.allocate(2L * out.length)) {
            dA.copyFrom(a);
            dW.copyFrom(w);
            dX.copyFrom(aux);
            dC.fill16(HalfPrecision.POISON);
            kernel(config).launchAndWait(launch(config, n), KernelArgs.of().buffer(dA).buffer(dW).buffer(dX).buffer(dC).i32(n).i32(k));
            dC.copyTo(out);
        }
        boolean written = true;
        for (short s : out) if (s == HalfPrecision.POISON) written = false;
        if (config.acts() == ActFormat.FP16) {
            double[] ref = groups != null
                    ? GemvReference.gemvGroupedCodes(p.actValues(), p.weightCodes(), groups, config.weights(), config.m(), n, k)
                    : GemvReference.gemv(p.actValues(), p.weightCodes(), p.mxExponents(), config.weights(), config.m(), n, k);
            GemvReference.Fp16Comparison cmp = GemvReference.compare(out, ref);
            return new Check(config, n, k, cmp.relativeError(), tolerance(config), written && cmp.allFinite());
        }
        long[] exact = GemvReference.gemvInt(p.actInts(), p.weightCodes(), config.m(), n, k);
        return new Check(config, n, k, GemvReference.fractionInexact(out, exact), 0.0, written);
    }

    /**
     * FP32 accumulation (stages a/b and the 8-bit float formats) leaves only the final FP16 rounding;
     * the fast paths add half2 partial sums over one 16-byte chunk before FP32.
     */
    public static double tolerance(GemvConfig c) {
        boolean fp32Accumulation = c.stage() == GemvStage.BASELINE || c.stage() == GemvStage.TRANSFORM
                || c.weights() == WeightFormat.FP8_E5M2 || c.weights() == WeightFormat.FP8_E4M3 || c.weights() == WeightFormat.MXFP8;
        return fp32Accumulation ? 1e-3 : 4e-3;
    }

    /**
     * Times the kernel at a full shape on random device data (the same bytes the check's layout would
     * hold statistically; values do not change a memory-bound kernel's time, and the data is never zero).
     * Weight buffers rotate when the weights fit in L2, so every launch reads device memory.
     */
    public Timing time(GemvConfig config, int n, int k, long seed) {
        config.validateShape(n, k);
        TimingData data = timingData(config, n, k, seed);
        Kernel kernel = kernel(config);
        LaunchConfig lc = launch(config, n);
        try (GpuTimer timer = new GpuTimer(context)) {
            TimingStats stats = timer.time(i -> kernel.launch(lc, data.args().get(i % data.args().size())),
                    GpuTimer.Options.defaults().withTargetMs(150).withCache(GpuTimer.cacheFor(data.workingSet(), context.device())));
            return new Timing(config, n, k, stats, GemvKernelSpec.weightBytes(config, n, k) + data.activationBytes() + 2L * config.m() * n);
        }
    }

    /** What the timing data depends on: everything but the launch configuration, so a tuner's candidates share it. */
    private record DataKey(WeightFormat weights, ActFormat acts, int m, int groupSize, int n, int k, long seed) {}

    /** Device buffers of one timing shape: rotating weight (and aux) copies, activations, output. */
    private record TimingData(DataKey key, List<DeviceBuffer> buffers, List<KernelArgs> args, long workingSet, long activationBytes) {}

    private TimingData timing;

    /**
     * The timing buffers for this shape, kept until a different shape is timed (or {@link #close}): filling
     * hundreds of MB of random weights on the host costs more than timing a candidate, and a tuner times
     * several candidates of one shape in a row.
     */
    private TimingData timingData(GemvConfig config, int n, int k, long seed) {
        DataKey key = new DataKey(config.weights(), config.acts(), config.m(), config.groupSize(), n, k, seed);
        if (timing != null && timing.key().equals(key)) return timing;
        releaseTimingData();
        long wBytes = (long) n * k * config.weights().bits() / 8;
        long auxBytes = config.grouped() ? 4L * n * config.groups(k) : config.weights() == WeightFormat.MXFP8 ? (long) n * (k / 32) : 16;
        long l2 = context.device().l2CacheBytes();
        int copies = (int) Math.max(1, Math.min(16, (4 * l2) / Math.max(1, wBytes + auxBytes) + 1));
        GemvProblem small = GemvProblem.random(config.weights(), config.acts(), config.m(), 1, k, seed);
        byte[] a = small.deviceActivations();
        List<DeviceBuffer> owned = new ArrayList<>();
        try {
            DeviceBuffer dA = track(owned, context.allocate(a.length));
            dA.copyFrom(a);
            DeviceBuffer dC = track(owned, context.allocate(2L * config.m() * n));
            List<KernelArgs> args = new ArrayList<>();
            for (int c = 0; c < copies; c++) {
                DeviceBuffer dW = track(owned, context.allocate(wBytes));
                DeviceBuffer dX = track(owned, context.allocate(auxBytes));
                fillRandomValid(dW, config.weights(), wBytes, seed + c);
                if (config.grouped()) fillGroupParams(dX, config, n, k, seed + c);
                else fillMxExponents(dX, config.weights(), auxBytes, seed + c);
                args.add(KernelArgs.of().buffer(dA).buffer(dW).buffer(dX).buffer(dC).i32(n).i32(k));
            }
            timing = new TimingData(key, owned, args, copies * (wBytes + auxBytes), a.length);
            return timing;
        } catch (RuntimeException e) {
            for (DeviceBuffer b : owned) b.close();
            throw e;
        }
    }

    private void releaseTimingData() {
        if (timing != null) {
            for (DeviceBuffer b : timing.buffers()) b.close();
            timing = null;
        }
    }

    private static DeviceBuffer track(List<DeviceBuffer> owned, DeviceBuffer b) {
        owned.add(b);
        return b;
    }

    /**
     * Fills a weight buffer with valid codes, uploading in chunks so large matrices need little host
     * memory. Multi-byte formats draw from a table of valid codes (FP16/FP8 must stay finite); in
     * sub-byte formats every bit pattern is a valid code.
     */
    static void fillRandomValid(DeviceBuffer dst, WeightFormat w, long bytes, long seed) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        int[] table = new int[4096];
        for (int i = 0; i < table.length; i++) table[i] = GemvProblem.randomWeightCode(w, rnd);
        byte[] buf = new byte[(int) Math.min(1 << 24, bytes)];
        for (long off = 0; off < bytes; off += buf.length) {
            int len = (int) Math.min(buf.length, bytes - off);
            if (w.bits() == 16) {
                for (int i = 0; i + 1 < len; i += 2) {
                    int code = table[rnd.nextInt(4096)];
                    buf[i] = (byte) code;
                    buf[i + 1] = (byte) (code >>> 8);
                }
            } else if (w.bits() == 8) {
                for (int i = 0; i < len; i++) buf[i] = (byte) table[rnd.nextInt(4096)];
            } else {
                for (int i = 0; i < len; i += 8) {
                    long r = rnd.nextLong();
                    for (int j = 0; j < 8 && i + j < len; j++) buf[i + j] = (byte) (r >>> (8 * j));
                }
            }
            dst.copyFrom(buf, off, len);
        }
    }

    private static void fillGroupParams(DeviceBuffer dst, GemvConfig config, int n, int k, long seed) {
        dst.copyFrom(GroupParams.random(config, n, k, seed).deviceBytes());
    }

    private static void fillMxExponents(DeviceBuffer dst, WeightFormat w, long bytes, long seed) {
        byte[] e = new byte[(int) bytes];
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed ^ 0x5eed);
        for (int i = 0; i < e.length; i++) e[i] = (byte) (w == WeightFormat.MXFP8 ? rnd.nextInt(112, 129) : 127);
        dst.copyFrom(e);
    }

    public void close() {
        releaseTimingData();
        modules.values().forEach(CudaModule::close);
        modules.clear();
    }
}
