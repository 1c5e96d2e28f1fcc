package org.ladderae.kernels;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
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
 * Builds, checks and times Ladder's implicit-GEMM conv2d kernels ({@link ConvConfig}). The shape is a
 * run-time argument, so the check runs the very binary that is timed, on the small shapes of
 * {@link #checkShapes} (odd sizes, padding, strides, several output-channel tiles, partial pixel tiles),
 * against the double-precision CPU reference on fresh random data with NaN-poisoned outputs. A kernel
 * that fails is not timed. {@link #tune} times every candidate of {@link ConvKernels} that passed and
 * keeps the fastest.
 */
public final class ConvRunner implements AutoCloseable {
    /** FP32 accumulation leaves the FP16 output rounding (~2e-4 relative); as for the GEMM kernels. */
    public static final double FP16_TOLERANCE = GemmRunner.FP16_TOLERANCE;
    /** A conv whose reference costs more multiply-adds than this is checked on the small shapes only. */
    static final long MAX_REFERENCE_MACS = 300_000_000L;

    private final CudaContext context;
    private final KernelCache cache;
    private final Map<List<String>, CudaModule> modules = new LinkedHashMap<>();
    /** FP32 split-K workspaces of the layers this runner made, per configuration and shape. */
    private final Map<String, DeviceBuffer> workspaces = new LinkedHashMap<>();
    /** Outcomes of the shape-independent checks per kernel: a binary is checked on them once per runner, not once per shape it is timed at. */
    private final Map<String, List<Check>> smallShapeChecks = new LinkedHashMap<>();

    public ConvRunner(CudaContext context, KernelCache cache) {
        this.context = context;
        this.cache = cache;
    }

    /** {@code error}: ||out-ref||/||ref|| (float formats) or the fraction of outputs not the FP16 rounding of the exact sum (INT4). */
    public record Check(ConvConfig config, double error, double tolerance, boolean allWritten) {
        public boolean passed() { return allWritten && error <= tolerance; }
    }

    public record Timing(ConvConfig config, TimingStats stats) {
        /** 2 * N*P*Q * K * R*S*C / median time (TOP/s for INT4). */
        public double tflops() { return config.shape().flops() / (stats.medianMs() * 1e-3) / 1e12; }

        /** {@link ConvConfig#minimumBytes} / median time. */
        public double gbPerSecond() { return config.minimumBytes() / (stats.medianMs() * 1e-3) / 1e9; }
    }

    /** One candidate's outcome: its check, and its timing when the check passed (else null). */
    public record Candidate(ConvConfig config, Check check, Timing timing) {}

    /** Every candidate tried for one format and shape; {@link #best} is the fastest that passed. */
    public record Tuned(ConvFormat format, ConvShape shape, List<Candidate> candidates) {
        public Optional<Candidate> best() {
            return candidates.stream().filter(c -> c.timing() != null).min(Comparator.comparingDouble(c -> c.timing().stats().medianMs()));
        }

        /** The first failed check (what to report when nothing passed). */
        public Optional<Check> firstFailure() { return candidates.stream().map(Candidate::check).filter(c -> !c.passed()).findFirst(); }
    }

    public static byte[] build(KernelCache cache, ConvConfig config, TargetArch arch) {
        return cache.cubin(config.kernelSource(), arch, config.defineFlags());
    }

    /** Compiles every configuration on all cores before GPU work starts. */
    public static void buildAll(KernelCache cache, List<ConvConfig> configs, TargetArch arch) {
        KernelCache.buildInParallel(configs, c -> build(cache, c, arch));
    }

    public void buildAll(List<ConvConfig> configs) { buildAll(cache, configs, arch()); }

    public TargetArch arch() { return TargetArch.forComputeCapability(context.device().ccMajor(), context.device().ccMinor()); }

    /**
     * The shapes a timed configuration is checked at. FP16: a 3x3/pad 1 conv on odd 13x11 images whose C is
     * no multiple of 64 (K tiles straddle filter taps) and whose K is no multiple of the tile (rows past K),
     * with the fused bias + residual + ReLU epilogue; a 1x1 stride-2 conv; a 3x3 stride-2 conv on 15x14
     * images; a 7x7 stride-2 conv with C = 3 or 3 x the gather width (the stem); and the timed shape itself
     * when its reference is cheap. Byte formats: the same kinds of shape with C and K multiples of 64 and the tile.
     */
    public static List<ConvConfig> checkShapes(ConvConfig timed) {
        int bn = timed.bn(), v = timed.aVec();
        List<ConvConfig> out = new ArrayList<>();
        ConvShape t = timed.shape();
        if (timed.mma().pointwise()) {
            // C is compiled in: the same C, fewer pixels with a partial last tile, K with a partial block of output channels
            // (and one more block), odd image sizes.
            out.add(timed.withShape(new ConvShape(3, t.c(), 19, 13, Math.max(8, t.k() - 24), 1, 1, 1, 0)));
            out.add(timed.withShape(new ConvShape(2, t.c(), 7, 9, t.k() + 8, 1, 1, 1, 0)));
            if ((long) t.gemmM() * t.k() * t.gemmK() <= MAX_REFERENCE_MACS) out.add(timed);
            return out;
        }
        if (timed.mma().im2colTma()) {
            // One cubin for every shape (C % 64 == 0): odd images with a partial last pixel tile and a partial block of output
            // channels, stride-2 1x1 and 3x3 convs, a 7x7 stride-2 filter, and two output-channel blocks.
            out.add(timed.withShape(new ConvShape(3, 64, 13, 11, Math.max(8, bn - 24), 3, 3, 1, 1)));
            out.add(timed.withShape(new ConvShape(2, 128, 9, 9, bn + 8, 1, 1, 2, 0)));
            out.add(timed.withShape(new ConvShape(2, 64, 15, 14, bn, 3, 3, 2, 1)));
            out.add(timed.withShape(new ConvShape(2, 64, 19, 17, 24, 7, 7, 2, 3)));
            if ((long) t.gemmM() * t.k() * t.gemmK() <= MAX_REFERENCE_MACS) out.add(timed);
            return out;
        }
        if (timed.mma().halo()) {
            // The halo cubin compiles in R, S and the padded row width: same W, pad, C (same shared memory), fewer images,
            // output rows with a partial last tile, K with a partial 64-channel block (and one of 8 channels).
            int rows = 2 * timed.bm() + 1 + t.r() - 1 - 2 * t.pad();
            out.add(timed.withShape(new ConvShape(3, t.c(), Math.max(rows, t.r()), t.w(), Math.max(8, t.k() - 24), t.r(), t.s(), 1, t.pad())));
            out.add(timed.withShape(new ConvShape(2, t.c(), Math.max(timed.bm() + 2, t.r()), t.w(), t.k() + 8, t.r(), t.s(), 1, t.pad())));
            if ((long) t.gemmM() * t.k() * t.gemmK() <= MAX_REFERENCE_MACS) out.add(timed);
            return out;
        }
        if (timed.format().actBits() == 16) {   // FP16 activations (FP16 or FP8 weights): any C
            int c = 128 + 3 * v;   // 131, 134, 140, 152: C % 64 != 0, a multiple of the gather width
            out.add(timed.withShape(new ConvShape(3, c, 13, 11, 2 * bn - 6, 3, 3, 1, 1)));
            out.add(timed.withShape(new ConvShape(2, c, 9, 9, bn, 1, 1, 2, 0)));
            out.add(timed.withShape(new ConvShape(2, 64, 15, 14, bn + 2, 3, 3, 2, 1)));
            out.add(timed.withShape(new ConvShape(2, v == 1 ? 3 : 3 * v, 19, 17, 24, 7, 7, 2, 3)));
        } else {
            out.add(timed.withShape(new ConvShape(3, 128, 13, 11, 2 * bn, 3, 3, 1, 1)));
            out.add(timed.withShape(new ConvShape(2, 128, 9, 9, bn, 1, 1, 2, 0)));
            out.add(timed.withShape(new ConvShape(2, 64, 15, 14, bn, 3, 3, 2, 1)));
        }
        ConvShape s = timed.shape();
        if ((long) s.gemmM() * s.k() * s.gemmK() <= MAX_REFERENCE_MACS) out.add(timed);
        return out;
    }

    /** Whether {@link #checkAll} runs the fused epilogue at this check shape (the first FP16 one). */
    static boolean checksEpilogue(ConvConfig timed, ConvConfig at) {
        return timed.format() == ConvFormat.W_FP16A_FP16 && at.equals(checkShapes(timed).get(0));
    }

    /**
     * Every shape of {@link #checkShapes}; the first that fails, else the one with the largest error. The
     * small shapes depend only on the kernel, so their outcome is reused for the kernel's other timed shapes.
     */
    public Check checkAll(ConvConfig timed, long seed) {
        List<ConvConfig> shapes = checkShapes(timed);
        List<Check> results = new ArrayList<>(smallShapeChecks.computeIfAbsent(timed.label() + "|" + timed.bn(), k -> {
            List<Check> small = new ArrayList<>();
            long s = seed;
            for (ConvConfig c : shapes) if (c != timed) small.add(check(c, s++, checksEpilogue(timed, c)));
            return small;
        }));
        if (shapes.contains(timed)) results.add(check(timed, seed + shapes.size(), false));
        Check worst = null;
        for (Check r : results) {
            if (!r.passed()) return r;
            if (worst == null || r.error() > worst.error()) worst = r;
        }
        return worst;
    }

    /** Runs {@code config} once on fresh random inputs at its own shape, output NaN-poisoned, and compares with the CPU reference. */
    public Check check(ConvConfig config, long seed) { return check(config, seed, false); }

    /**
     * As {@link #check(ConvConfig, long)}; with {@code epilogue} (FP16 only) also random FP16 bias and residual
     * and ReLU, through {@link ConvLayer#launch} (the executor's entry point).
     */
    public Check check(ConvConfig config, long seed, boolean epilogue) {
        if (epilogue && config.format() != ConvFormat.W_FP16A_FP16) throw new IllegalArgumentException("the fused epilogue is checked in FP16 only");
        ConvProblem p = ConvProblem.random(config.format(), config.shape(), seed);
        byte[] x = p.deviceInput(), w = p.deviceWeights(), xs = p.deviceInputScales(), ws = p.deviceWeightScales();
        int outElems = Math.toIntExact(config.shape().outputElements());
        short[] out = new short[outElems];
        int[] bias = epilogue ? ConvProblem.randomFp16(config.shape().k(), seed + 101) : null;
        int[] res = epilogue ? ConvProblem.randomFp16(outElems, seed + 102) : null;
        try (DeviceBuffer dX = context.allocate(x.length); DeviceBuffer dW = context.allocate(w.length);
             DeviceBuffer dXs = context.allocate(xs.length); DeviceBuffer dWs = context.allocate(ws.length);
             DeviceBuffer dY = context.allocate(2L * out.length);
             DeviceBuffer dB = context.allocate(epilogue ? 2L * bias.length : 16); DeviceBuffer dR = context.allocate(epilogue ? 2L * res.length : 16)) {
            dX.copyFrom(x);
            dW.copyFrom(w);
            dXs.copyFrom(xs);
            dWs.copyFrom(ws);
            dY.fill16(HalfPrecision.POISON);
            if (epilogue) {
                dB.copyFrom(org.ladderae.formats.BitPacking.pack(bias, 16));
                dR.copyFrom(org.ladderae.formats.BitPacking.pack(res, 16));
                layer(config).launch(dX, dW, dB, dR, true, dY);
            } else {
                launch(config, dX, dW, dXs, dWs, dY).run();
            }
            context.synchronize();
            dY.copyTo(out);
        }
        boolean written = true;
        for (short s : out) if (s == HalfPrecision.POISON) written = false;
        if (config.format().integer()) return new Check(config, GemvReference.fractionInexact(out, p.exactReference()), 0.0, written);
        GemvReference.Fp16Comparison cmp = GemvReference.compare(out, epilogue ? p.reference(bias, res, true) : p.reference());
        return new Check(config, cmp.relativeError(), FP16_TOLERANCE, written && cmp.allFinite());
    }

    /** Times {@code config} at its shape on random device data of its formats (never zeros; MX exponents near those of [-1, 1) data). */
    public Timing time(ConvConfig config, long seed) { return time(config, seed, GpuTimer.Options.defaults()); }

    private Timing time(ConvConfig config, long seed, GpuTimer.Options options) {
        try (Operands o = operands(config.format(), config.shape(), seed)) {
            return time(config, o, options);
        }
    }

    /**
     * Random device operands of one format pair and shape (never zeros; MX exponents near those of [-1, 1) data),
     * shared by every candidate timed at that shape. Close to free them.
     */
    public final class Operands implements AutoCloseable {
        final ConvFormat format;
        final ConvShape shape;
        final DeviceBuffer x, w, xs, ws, y;
        final long workingSet;

        private Operands(ConvFormat f, ConvShape s, long seed) {
            format = f;
            shape = s;
            long xBytes = s.inputElements() * f.actBits() / 8, wBytes = ConvWeightLayout.deviceElements(s) * f.weightBits() / 8;
            long xsBytes = f.microscaled() ? s.inputElements() / 32 : 16, wsBytes = f.microscaled() ? s.weightElements() / 32 : 16;
            long yBytes = 2 * s.outputElements();
            x = context.allocate(xBytes);
            w = context.allocate(wBytes);
            xs = context.allocate(xsBytes);
            ws = context.allocate(wsBytes);
            y = context.allocate(yBytes);
            GemvRunner.fillRandomValid(x, storage(f.actBits()), xBytes, seed);
            GemvRunner.fillRandomValid(w, storage(f.weightBits()), wBytes, seed + 1);
            fillExponents(xs, xsBytes, seed + 2);
            fillExponents(ws, wsBytes, seed + 3);
            workingSet = xBytes + wBytes + xsBytes + wsBytes + yBytes;
        }

        @Override
        public void close() {
            for (DeviceBuffer b : new DeviceBuffer[] {x, w, xs, ws, y}) b.close();
        }
    }

    public Operands operands(ConvFormat format, ConvShape shape, long seed) { return new Operands(format, shape, seed); }

    /** Times {@code config} on {@code o} (same formats and shape) with the timer {@code options} (L2 flushed when the working set fits in it). */
    public Timing time(ConvConfig config, Operands o, GpuTimer.Options options) {
        if (o.format != config.format() || !o.shape.equals(config.shape())) throw new IllegalArgumentException("operands are for " + o.format + " " + o.shape.dims());
        Runnable l = launch(config, o.x, o.w, o.xs, o.ws, o.y);
        try (GpuTimer timer = new GpuTimer(context)) {
            TimingStats stats = timer.time(i -> l.run(), options.withCache(GpuTimer.cacheFor(o.workingSet, context.device())));
            return new Timing(config, stats);
        }
    }

    /** GpuTimer budget per candidate: still at least 20 repetitions, ~1000 for a 0.1 ms conv. */
    static final double TUNE_TARGET_MS = 100;

    /** Checks every candidate of {@code format} at {@code shape}, times those that passed, and returns them all. */
    public Tuned tune(ConvFormat format, ConvShape shape, long seed) {
        List<Candidate> out = new ArrayList<>();
        for (ConvConfig c : ConvKernels.candidates(format, shape, arch())) {
            Check check = checkAll(c, seed);
            out.add(new Candidate(c, check, check.passed() ? time(c, seed, GpuTimer.Options.defaults().withTargetMs(TUNE_TARGET_MS)) : null));
        }
        return new Tuned(format, shape, out);
    }

    private static WeightFormat storage(int bits) {
        return switch (bits) {
            case 16 -> WeightFormat.FP16;
            case 8 -> WeightFormat.FP8_E5M2;
            case 1 -> WeightFormat.INT1;
            default -> WeightFormat.INT4;
        };
    }

    private static void fillExponents(DeviceBuffer dst, long bytes, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] b = new byte[Math.toIntExact(bytes)];
        for (int i = 0; i < b.length; i++) b[i] = (byte) rnd.nextInt(108, 115);
        dst.copyFrom(b);
    }

    private Runnable launch(ConvConfig c, DeviceBuffer x, DeviceBuffer w, DeviceBuffer xs, DeviceBuffer ws, DeviceBuffer y) {
        if (c.splitK() > 1 || c.mma().pointwise() || c.mma().im2colTma()) {   // FP16 only: conv + reduce through the layer (its workspace), or the TMA maps the layer builds
            return layer(c).bind(x, w, null, null, false, y);   // arguments and tensor maps built once, not per timed launch
        }
        ConvShape s = c.shape();
        Kernel k = module(c).kernel(c.kernelName());
        KernelArgs args = KernelArgs.of().buffer(x).buffer(w);
        if (c.format().integer()) args.nullPointer().nullPointer();   // no dequantising scales: the output is the INT32 sum
        else args.buffer(xs).buffer(ws);
        args.buffer(y).nullPointer().nullPointer();
        ConvLayer.shapeArgs(args, s, s.c(), s.k(), 0);
        LaunchConfig lc = ConvLayer.launchConfig(c);
        return () -> k.launch(lc, args);
    }

    /**
     * A conv layer ready to launch on caller-owned buffers: {@code config} built (cached) and loaded. The
     * executor's entry point; see {@link ConvLayer}.
     */
    public ConvLayer layer(ConvConfig config) {
        if (!config.runsOn(arch())) throw new IllegalArgumentException(config.kernelName() + " needs sm_90a; this GPU is " + arch().smName());
        if (config.splitK() == 1) return new ConvLayer(config, module(config).kernel(config.kernelName()), null, null);
        DeviceBuffer ws = workspaces.computeIfAbsent(config.label() + "|" + config.shape().dims(), k -> context.allocate(config.workspaceBytes()));
        return new ConvLayer(config, module(config).kernel(config.kernelName()), module(config).kernel(ConvLayer.REDUCE_KERNEL), ws);
    }

    /** {@link #layer(ConvConfig)} of the FP16 configuration picked for {@code shape} on this GPU ({@link ConvKernels#heuristic}). */
    public ConvLayer layer(ConvShape shape) { return layer(ConvKernels.heuristic(shape, arch())); }

    /**
     * Uses {@code cubin} for {@code config}'s kernel from now on (a shipped checkpoint's binary: no compiler needed). The
     * check shapes of {@link #checkShapes} compile to the same flags, so they run this very binary.
     */
    public void useBinary(ConvConfig config, byte[] cubin) {
        CudaModule m = context.loadModule(cubin, config.kernelName());
        m.kernel(config.kernelName()).setMaxDynamicSharedBytes(config.sharedMemoryBytes());
        CudaModule old = modules.put(config.defineFlags(), m);
        if (old != null) old.close();
        smallShapeChecks.remove(config.label() + "|" + config.bn());
    }

    /** Loads (building if needed) and lifts the function's dynamic shared memory limit to what it uses. */
    private CudaModule module(ConvConfig c) {
        return modules.computeIfAbsent(c.defineFlags(), f -> {
            CudaModule m = context.loadModule(build(cache, c, arch()), c.kernelName());
            m.kernel(c.kernelName()).setMaxDynamicSharedBytes(c.sharedMemoryBytes());
            return m;
        });
    }

    @Override
    public void close() {
        modules.values().forEach(CudaModule::close);
        modules.clear();
        workspaces.values().forEach(DeviceBuffer::close);
        workspaces.clear();
    }
}
