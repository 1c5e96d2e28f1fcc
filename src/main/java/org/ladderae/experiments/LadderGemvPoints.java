package org.ladderae.experiments;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.ladderae.gpu.CopyBandwidth;
import org.ladderae.gpu.CudaContext;
import org.ladderae.kernels.ActFormat;
import org.ladderae.kernels.GemvConfig;
import org.ladderae.kernels.GemvKernelSpec;
import org.ladderae.kernels.GemvKernels;
import org.ladderae.kernels.GemvRunner;
import org.ladderae.kernels.GemvLaunch;
import org.ladderae.kernels.TargetArch;
import org.ladderae.checkpoints.CheckpointStore;
import org.ladderae.gpu.CudaDriver;
import org.ladderae.tuning.GemvCheckpoints;
import org.ladderae.tuning.GemvTuningProblem;
import org.ladderae.tuning.TunedCheckpoint;
import org.ladderae.kernels.KernelCache;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.paperdata.NumberFormat;
import org.ladderae.paperdata.Panel;
import org.ladderae.paperdata.Series;
import org.ladderae.paperdata.XCategory;
import org.ladderae.results.Measurement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ladder's points that the GEMV kernels measure (M <= {@link GemvConfig#MAX_M}), shared by every
 * figure that has them: which kernel formats stand for a paper series, which points of a panel
 * they cover, what they would cost ({@code --dry-run}), and the measuring itself: build every
 * configuration in parallel, then per point check against the CPU reference and time only what
 * passed. A point the run being resumed already holds as OK is reused, not measured again.
 */
final class LadderGemvPoints {
    private static final Logger LOG = LoggerFactory.getLogger(LadderGemvPoints.class);
    static final String SYSTEM = LadderPointLoop.SYSTEM;
    /** Rows the correctness check computes on the CPU reference (all of N would take minutes for the large shapes). */
    private static final int CHECK_ROWS = 1000;
    private static final int CHECK_K = 4096;

    private LadderGemvPoints() {}

    /** The kernel formats that measure a paper series; {@code substitution} says what differs from the paper, or is null. */
    record KernelFormats(WeightFormat weights, ActFormat acts, String substitution) {}

    /** One Ladder point: the paper series it fills, its kernel formats, and where it goes. */
    record Point(FormatPair series, KernelFormats kernel, String workload, String setting, int m, int n, int k)
            implements LadderPointLoop.Located {
        GemvConfig config() { return GemvKernels.holistic(kernel.weights(), kernel.acts(), m, n, k); }

        ReproducePlan.PlannedPoint plan() {
            return new ReproducePlan.PlannedPoint(SYSTEM + " GEMV", series.label() + (kernel.substitution() != null ? " (" + kernel.substitution() + ")" : ""),
                    workload, setting, "M=" + m + " N=" + n + " K=" + k,
                    Estimates.gemvPoint(GemvKernelSpec.weightBytes(kernel.weights(), n, k)));
        }
    }

    /**
     * The GEMV kernel formats of a paper series. The artifact's FP8 is E5M2 and its INTx weights are
     * unsigned codes (EXPERIMENTS.md 2.2), as are ours; MXFP8 activations have no GEMV kernel, so the
     * MXFP8 series runs MXFP8 weights with FP16 activations and says so.
     */
    static Optional<KernelFormats> kernelFormats(FormatPair pair) {
        WeightFormat w = weightFormat(pair.weights());
        ActFormat a = switch (pair.activations()) {
            case FP16, MXFP8 -> ActFormat.FP16;
            case INT8 -> ActFormat.INT8;
            case INT4 -> ActFormat.INT4;
            default -> null;
        };
        if (w == null || a == null || !a.accepts(w)) return Optional.empty();
        String substitution = pair.activations() == NumberFormat.MXFP8 ? "FP16 activations: no MXFP8-activation GEMV kernel" : null;
        return Optional.of(new KernelFormats(w, a, substitution));
    }

    /** The kernels' storage format of a paper weight format (the artifact's FP8 is E5M2), or null when no kernel stores it. */
    static WeightFormat weightFormat(NumberFormat f) {
        return switch (f) {
            case FP16 -> WeightFormat.FP16;
            case INT8 -> WeightFormat.INT8;
            case INT4 -> WeightFormat.INT4;
            case INT2 -> WeightFormat.INT2;
            case INT1 -> WeightFormat.INT1;
            case NF4 -> WeightFormat.NF4;
            case FP8 -> WeightFormat.FP8_E5M2;
            case FP8_E4M3 -> WeightFormat.FP8_E4M3;
            case MXFP8 -> WeightFormat.MXFP8;
            default -> null;
        };
    }

    /**
     * Every Ladder series x every x category of {@code panel} with M small enough for the GEMV kernels,
     * in panel order. The points' workload is the panel id, which is how {@link MeasuredPanels#fill} finds them.
     */
    static List<Point> forPanel(Panel panel) {
        List<Point> points = new ArrayList<>();
        for (XCategory x : panel.x()) {
            Integer m = x.intAttribute("M");
            if (m == null || m > GemvConfig.MAX_M) continue;
            for (Series s : panel.series()) {
                if (!s.isLadder() || s.formats() == null) continue;
                KernelFormats kf = kernelFormats(s.formats()).orElse(null);
                if (kf == null) continue;
                points.add(new Point(s.formats(), kf, panel.id(), x.plainLabel(), m, x.intAttribute("N"), x.intAttribute("K")));
            }
        }
        return points;
    }

    static ReproducePlan.OneOff buildCost(List<Point> points) {
        int configs = new LinkedHashSet<>(points.stream().map(Point::config).toList()).size();
        return new ReproducePlan.OneOff("build " + configs + " GEMV kernel configurations (nvcc, cold cache)", Estimates.kernelBuilds(configs));
    }

    /** Measures {@code points} (reusing what the resumed run holds), recording each as it finishes; returns them in order. */
    static List<Measurement> measure(List<Point> points, CudaContext ctx, CopyBandwidth.Result copy, ReproduceContext rc, String experimentId) {
        return LadderPointLoop.run(points, rc, experimentId, "GEMV", () -> new Gemv(ctx, copy, rc, experimentId));
    }

    /** GEMV's steps: a shipped checkpoint, else the heuristic launch (built in parallel up front), else (--force-tune-ladder) tuning. */
    private static final class Gemv implements LadderPointLoop.Family<Point> {
        private final CudaContext ctx;
        private final CopyBandwidth.Result copy;
        private final ReproduceContext rc;
        private final String experimentId;
        private final KernelCache cache = KernelCache.defaultCache();
        private final GemvRunner runner;
        private final TargetArch arch;
        private final Map<Point, Resolved> resolved = new java.util.HashMap<>();

        Gemv(CudaContext ctx, CopyBandwidth.Result copy, ReproduceContext rc, String experimentId) {
            this.ctx = ctx;
            this.copy = copy;
            this.rc = rc;
            this.experimentId = experimentId;
            this.runner = new GemvRunner(ctx, cache);
            this.arch = TargetArch.forComputeCapability(ctx.device().ccMajor(), ctx.device().ccMinor());
        }

        @Override
        public void prepare(List<Point> todo) {
            List<GemvConfig> toBuild = new ArrayList<>();
            for (Point p : todo) {
                if (rc.forceTune()) continue;   // tuned one by one in measure()
                Resolved r = fromCheckpoint(p, runner, arch);
                if (r == null) {
                    r = new Resolved(p.config(), "heuristic launch (no checkpoint for this shape and " + arch.smName() + ")");
                    toBuild.add(r.config());
                }
                resolved.put(p, r);
            }
            runner.buildAll(toBuild.stream().distinct().toList());
        }

        @Override
        public Measurement measure(Point p) {
            Resolved r = resolved.get(p);
            if (r == null) {
                try {
                    r = tune(p, runner, cache, arch, ctx, rc);
                } catch (Exception e) {
                    return Measurement.failed(SYSTEM, p.series(), p.workload(), p.setting(), "tuning failed: " + e.getMessage());
                }
            }
            return measureOne(runner, p, r, rc.seed(), ctx.device().name(), copy, experimentId);
        }

        @Override
        public void close() { runner.close(); }
    }

    /** The kernel a point runs, and where it came from (a shipped checkpoint, this run's tuning, or the heuristic). */
    record Resolved(GemvConfig config, String source) {}

    private static Resolved fromCheckpoint(Point p, GemvRunner runner, TargetArch arch) {
        return GemvCheckpoints.find(CheckpointStore.installed(), arch.smName(), p.kernel().weights(), p.kernel().acts(), p.m(), p.n(), p.k())
                .map(t -> {
                    runner.useBinary(t.config(), t.cubin());
                    return new Resolved(t.config(), "checkpoint " + t.checkpoint().id());
                }).orElse(null);
    }

    /** --force-tune-ladder: tunes the point on this GPU and keeps the checkpoint in the run directory. */
    private static Resolved tune(Point p, GemvRunner runner, KernelCache cache, TargetArch arch, CudaContext ctx, ReproduceContext rc)
            throws Exception {
        if (cache.nvcc().isEmpty()) throw new IllegalStateException("--force-tune-ladder needs nvcc on PATH");
        GemvTuningProblem problem = new GemvTuningProblem(p.kernel().weights(), p.kernel().acts(), p.m(), p.n(), p.k(), runner, cache, arch, rc.seed());
        TunedCheckpoint<GemvLaunch> tuned = TunedCheckpoint.tuneAndSave(problem, rc.out(), new CheckpointStore(rc.tunedCheckpoints()),
                report -> GemvCheckpoints.manifest(problem, report, arch.smName(), ctx.device().name(),
                        CudaDriver.versionString(ctx.device().driverVersion()), cache.nvcc().get().version(), ctx.device().smCount()));
        GemvConfig best = problem.config(tuned.report().best());
        runner.useBinary(best, tuned.report().bestBinary());
        return new Resolved(best, tuned.source());
    }

    private static Measurement measureOne(GemvRunner runner, Point p, Resolved r, long seed, String gpu, CopyBandwidth.Result copy,
                                          String experimentId) {
        try {
            GemvConfig c = r.config();
            GemvRunner.Check check = runner.check(c, Math.min(p.n(), CHECK_ROWS), Math.min(p.k(), CHECK_K), seed);
            if (!check.passed()) {
                return Measurement.failed(SYSTEM, p.series(), p.workload(), p.setting(), String.format(
                        "failed its correctness check (error %.2e, tolerance %.0e, all written: %s): not timed",
                        check.error(), check.tolerance(), check.allWritten()));
            }
            GemvRunner.Timing t = runner.time(c, p.n(), p.k(), seed);
            LOG.info("{} {} {}: {} ms", experimentId, p.setting(), p.series().label(), String.format("%.4f", t.stats().medianMs()));
            return new Measurement(SYSTEM, p.series(), p.workload(), p.setting(), Measurement.Status.OK, t.stats(), null, gpu,
                    kernelNotes(c, p.kernel(), r.source()),
                    Map.of("gb_per_s", t.gbPerSecond(), "fraction_of_copy", t.gbPerSecond() / copy.gbPerSecond(), "check_error", check.error()));
        } catch (RuntimeException e) {
            return Measurement.failed(SYSTEM, p.series(), p.workload(), p.setting(), e.getMessage());
        }
    }

    private static Map<String, String> kernelNotes(GemvConfig c, KernelFormats kf, String source) {
        Map<String, String> notes = new java.util.LinkedHashMap<>();
        notes.put("kernel", GemvKernels.spec(c).kernelName());
        notes.put("kernel_source", source);
        if (kf.substitution() != null) notes.put("substitution", kf.substitution());
        return notes;
    }
}
