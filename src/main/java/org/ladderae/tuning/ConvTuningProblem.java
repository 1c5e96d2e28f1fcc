package org.ladderae.tuning;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.ladderae.checkpoints.Checkpoint;
import org.ladderae.checkpoints.CheckpointStore;
import org.ladderae.checkpoints.TuningSummary;
import org.ladderae.gpu.CudaContext;
import org.ladderae.gpu.GpuTimer;
import org.ladderae.kernels.ConvConfig;
import org.ladderae.kernels.ConvFormat;
import org.ladderae.kernels.ConvKernels;
import org.ladderae.kernels.ConvRunner;
import org.ladderae.kernels.ConvShape;
import org.ladderae.kernels.KernelCache;
import org.ladderae.kernels.TargetArch;

/**
 * Tuning the convs of one model at one batch: a list of distinct {@link ConvShape}s (e.g.
 * {@code CnnModels.denseConvShapes("resnet", 128)}), searched over
 * {@link ConvKernels#candidates} each. Independent of the model definitions: Table 2 passes the shapes.
 *
 * <p>Phases, timed separately because tuning time is itself a result (Table 2): <b>codegen</b> (enumerating the
 * candidates of every shape and their nvcc flags), <b>compile</b> (every distinct kernel once, on all cores: the
 * shape is a run-time argument, so one cubin serves every shape it is a candidate for), <b>measure</b> (each
 * candidate timed on one set of random operands per shape, a short timer: candidates are only ranked here), and
 * <b>check</b> (the fastest candidate checked against the double-precision reference with
 * {@link ConvRunner#checkAll}; a wrong one is dropped and the next fastest checked). Start from an empty
 * {@link KernelCache} for a from-scratch time.
 */
public final class ConvTuningProblem {
    /** Like the GEMM tuner's: 10 ms warm-up, 60 ms, 5 to 500 runs, L2 flushed when the working set fits in it. */
    static final GpuTimer.Options TIMER = new GpuTimer.Options(10, 60, 5, 500, GpuTimer.Cache.FLUSH_L2);

    private final String name;
    private final List<ConvShape> shapes;
    private final ConvFormat format;
    private final ConvRunner runner;
    private final KernelCache cache;
    private final long seed;

    /**
     * {@code runner} must build through {@code cache} (the compile phase fills it, the measure phase loads from it),
     * e.g. {@code new ConvRunner(ctx, cache)}; see {@link #tuneFromScratch}.
     */
    public ConvTuningProblem(String name, List<ConvShape> shapes, ConvFormat format, ConvRunner runner, KernelCache cache, long seed) {
        if (shapes.isEmpty()) throw new IllegalArgumentException(name + ": no conv shapes to tune");
        this.name = name;
        this.shapes = List.copyOf(new LinkedHashSet<>(shapes));
        this.format = format;
        this.runner = runner;
        this.cache = cache;
        this.seed = seed;
    }

    /** One shape's outcome: the winner (null when nothing passed, with the reason), its time and the heuristic pick's. */
    public record ShapeResult(ConvShape shape, ConvConfig best, double bestMs, ConvConfig heuristic, double heuristicMs, int candidates,
                              int measured, double medianMs, String failure) {
        public boolean tuned() { return best != null; }
    }

    /** Wall time per phase (in the order they run) and in all. */
    public record Phases(Duration codegen, Duration compile, Duration measure, Duration check, Duration total) {
        public Map<String, Double> millis() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("codegen", (double) codegen.toMillis());
            m.put("compile", (double) compile.toMillis());
            m.put("measure", (double) measure.toMillis());
            m.put("check", (double) check.toMillis());
            return m;
        }
    }

    public record Result(String name, List<ShapeResult> shapes, Phases phases, int distinctKernels, int candidateLaunches) {
        /** The manifest summary of one shape's tuning (the whole model's phase times: kernels are shared across shapes). */
        public TuningSummary summary(ShapeResult r) {
            return new TuningSummary(phases.total().toMillis(), phases.millis(), Math.max(1, r.measured()), r.bestMs(), r.medianMs());
        }

        public String describe() {
            long tuned = shapes.stream().filter(ShapeResult::tuned).count();
            return String.format(Locale.ROOT, "%s: %d/%d conv shapes tuned, %d kernels, %d timed candidates; codegen %.1f s, compile %.1f s, measure %.1f s, "
                            + "check %.1f s, total %.1f s", name, tuned, shapes.size(), distinctKernels, candidateLaunches, phases.codegen().toMillis() / 1e3,
                    phases.compile().toMillis() / 1e3, phases.measure().toMillis() / 1e3, phases.check().toMillis() / 1e3, phases.total().toMillis() / 1e3);
        }
    }

    /**
     * Table 2's measurement: tunes {@code shapes} (FP16) from scratch, with a fresh, empty kernel cache in
     * {@code scratchDir} (nvcc found as for the default cache) and a runner of its own, so compile time is counted in full.
     */
    public static Result tuneFromScratch(String name, List<ConvShape> shapes, CudaContext ctx, Path scratchDir, long seed, PrintWriter progress) {
        KernelCache fresh = new KernelCache(scratchDir, List.of(), KernelCache.defaultCache().nvcc());
        try (ConvRunner r = new ConvRunner(ctx, fresh)) {
            return new ConvTuningProblem(name, shapes, ConvFormat.W_FP16A_FP16, r, fresh, seed).tune(progress);
        }
    }

    /** Saves every tuned shape of {@code result} as a checkpoint (binaries from this problem's cache: already built). */
    public List<Checkpoint> save(Result result, CheckpointStore store, TuningEnvironment env) throws IOException {
        List<Checkpoint> out = new ArrayList<>();
        for (ShapeResult r : result.shapes()) {
            if (!r.tuned()) continue;
            out.add(ConvCheckpoints.save(store, r.best(), ConvRunner.build(cache, r.best(), runner.arch()), result.summary(r), env, true));
        }
        return out;
    }

    public String describe() { return "conv " + format.label() + " " + name + " (" + shapes.size() + " shapes)"; }

    public List<ConvShape> shapes() { return shapes; }

    public Result tune(PrintWriter progress) {
        long t0 = System.nanoTime();
        TargetArch arch = runner.arch();
        Map<ConvShape, List<ConvConfig>> perShape = new LinkedHashMap<>();
        Map<String, ConvConfig> kernels = new LinkedHashMap<>();
        for (ConvShape s : shapes) {
            List<ConvConfig> cs = ConvKernels.candidates(format, s, arch);
            perShape.put(s, cs);
            for (ConvConfig c : cs) kernels.putIfAbsent(String.join(" ", c.defineFlags()), c);
        }
        long t1 = System.nanoTime();

        Set<String> compileFailed = new LinkedHashSet<>();
        List<ConvConfig> distinct = new ArrayList<>(kernels.values());
        KernelCache.buildInParallel(distinct, c -> {
            try {
                ConvRunner.build(cache, c, arch);
            } catch (RuntimeException e) {
                synchronized (compileFailed) {
                    compileFailed.add(c.kernelName());
                }
            }
        });
        long t2 = System.nanoTime();

        long measureNs = 0, checkNs = 0;
        int launches = 0;
        List<ShapeResult> results = new ArrayList<>();
        for (ConvShape s : shapes) {
            List<ConvConfig> cs = perShape.get(s);
            if (cs.isEmpty()) {
                results.add(new ShapeResult(s, null, Double.NaN, null, Double.NaN, 0, 0, Double.NaN, ConvKernels.unsupportedReason(format, s)));
                continue;
            }
            long m0 = System.nanoTime();
            Map<ConvConfig, Double> ms = new LinkedHashMap<>();
            String failure = null;
            try (ConvRunner.Operands o = runner.operands(format, s, seed)) {
                for (ConvConfig c : cs) {
                    if (compileFailed.contains(c.kernelName())) continue;
                    try {
                        ms.put(c, runner.time(c, o, TIMER).stats().medianMs());
                        launches++;
                    } catch (RuntimeException e) {
                        failure = c.label() + ": " + e.getMessage();
                    }
                }
            }
            long m1 = System.nanoTime();
            measureNs += m1 - m0;
            List<ConvConfig> order = new ArrayList<>(ms.keySet());
            order.sort(Comparator.comparingDouble(ms::get));
            ConvConfig best = null;
            for (ConvConfig c : order) {
                ConvRunner.Check chk = runner.checkAll(c, seed ^ 0x9e3779b97f4a7c15L);
                if (chk.passed()) {
                    best = c;
                    break;
                }
                failure = c.label() + " wrong (error " + chk.error() + ")";
            }
            checkNs += System.nanoTime() - m1;
            double[] sorted = order.stream().mapToDouble(ms::get).toArray();
            double median = sorted.length == 0 ? Double.NaN : sorted[sorted.length / 2];
            ConvConfig h = cs.get(0);
            results.add(new ShapeResult(s, best, best == null ? Double.NaN : ms.get(best), h, ms.getOrDefault(h, Double.NaN), cs.size(), ms.size(), median,
                    best == null ? (failure == null ? "no candidate ran" : failure) : null));
            if (progress != null) {
                ShapeResult r = results.get(results.size() - 1);
                progress.printf(Locale.ROOT, "conv %-28s %s%n", s.dims(), r.tuned() ? String.format(Locale.ROOT, "%.4f ms (heuristic %.4f ms) %s", r.bestMs(),
                        r.heuristicMs(), best.label()) : "FAILED: " + r.failure());
                progress.flush();
            }
        }
        long t3 = System.nanoTime();
        Phases phases = new Phases(Duration.ofNanos(t1 - t0), Duration.ofNanos(t2 - t1), Duration.ofNanos(measureNs), Duration.ofNanos(checkNs),
                Duration.ofNanos(t3 - t0));
        return new Result(name, results, phases, distinct.size(), launches);
    }
}
