package org.ladderae.experiments;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.ladderae.checkpoints.CheckpointStore;
import org.ladderae.gpu.CudaContext;
import org.ladderae.gpu.GpuPeaks;
import org.ladderae.kernels.GemmConfig;
import org.ladderae.kernels.GemmConfig.Format;
import org.ladderae.kernels.GemmKernels;
import org.ladderae.kernels.GemmRunner;
import org.ladderae.kernels.GemvConfig;
import org.ladderae.kernels.KernelCache;
import org.ladderae.kernels.TargetArch;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.paperdata.NumberFormat;
import org.ladderae.paperdata.Panel;
import org.ladderae.paperdata.Series;
import org.ladderae.paperdata.XCategory;
import org.ladderae.results.Measurement;
import org.ladderae.tuning.GemmCheckpoints;
import org.ladderae.tuning.GemmTuningProblem;
import org.ladderae.tuning.TunedCheckpoint;
import org.ladderae.tuning.TuningEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ladder's points that the tensor-core GEMM kernels measure (M above {@link GemvConfig#MAX_M}): which
 * paper series have a GEMM kernel ({@link GemmKernels#supportedPairs}), which points of a panel
 * they cover, the reason every other Ladder series stays n/a there, what the points would cost
 * ({@code --dry-run}), and the measuring: a shipped GEMM checkpoint for the point's shape, formats and arch
 * when there is one (driver only), else the heuristic configuration (built in parallel up front; the results
 * say which), or with {@code --force-tune-ladder} a tuning run per point; then per point check against the
 * double-precision CPU reference and time only what passed.
 */
final class LadderGemmPoints {
    private static final Logger LOG = LoggerFactory.getLogger(LadderGemmPoints.class);
    static final String SYSTEM = LadderPointLoop.SYSTEM;

    private LadderGemmPoints() {}

    /** Whether a point of this M is the GEMM kernels' (the GEMV kernels take M up to {@link GemvConfig#MAX_M}). */
    static boolean isGemm(int m) { return m > GemvConfig.MAX_M; }

    /** The storage formats of a GEMM kernel. */
    record KernelFormats(Format weights, Format acts) {}

    /** The GEMM kernel formats of a paper series; empty when there is no GEMM kernel for it. */
    static Optional<KernelFormats> kernelFormats(FormatPair pair) {
        Format w = format(pair.weights());
        Format a = format(pair.activations());
        if (w == null || a == null || !GemmKernels.supports(w, a)) return Optional.empty();
        return Optional.of(new KernelFormats(w, a));
    }

    /** The kernels' storage format of a paper format; the paper's FP8 is E5M2 (EXPERIMENTS.md 2.2). Null where none. */
    private static Format format(NumberFormat f) {
        return switch (f) {
            case FP16 -> Format.FP16;
            case INT8 -> Format.INT8;
            case INT4 -> Format.INT4;
            case INT2 -> Format.INT2;
            case INT1 -> Format.INT1;
            case NF4 -> Format.NF4;
            case FP8 -> Format.FP8_E5M2;
            case FP8_E4M3 -> Format.FP8_E4M3;
            case MXFP8 -> Format.MXFP8;
            default -> null;
        };
    }

    /** Why a Ladder series has no GEMM point (null when it has a kernel). */
    static String noKernelReason(FormatPair pair) {
        return kernelFormats(pair).isPresent() ? null : "no GEMM kernel for " + pair.label() + " yet (tensor-core GEMM kernels: "
                + GemmKernels.supportedPairs() + ")";
    }

    /** One Ladder GEMM point: the paper series it fills and where it goes. */
    record Point(FormatPair series, String workload, String setting, int m, int n, int k) implements LadderPointLoop.Located {
        Format weights() { return kernelFormats(series).orElseThrow().weights(); }

        Format acts() { return kernelFormats(series).orElseThrow().acts(); }

        GemmConfig config(TargetArch arch) { return GemmKernels.forShape(weights(), acts(), m, n, k, arch); }

        ReproducePlan.PlannedPoint plan() {
            return new ReproducePlan.PlannedPoint(SYSTEM + " GEMM", series.label(), workload, setting, "M=" + m + " N=" + n + " K=" + k,
                    Estimates.gemmPoint(m, n, k, weights() == Format.FP16 ? 2 : 1));
        }
    }

    /** Every Ladder series with a GEMM kernel x every x category of {@code panel} with M above the GEMV range, in panel order. */
    static List<Point> forPanel(Panel panel) {
        List<Point> points = new ArrayList<>();
        for (XCategory x : panel.x()) {
            Integer m = x.intAttribute("M");
            if (m == null || !isGemm(m)) continue;
            for (Series s : panel.series()) {
                if (!s.isLadder() || s.formats() == null || kernelFormats(s.formats()).isEmpty()) continue;
                points.add(new Point(s.formats(), panel.id(), x.plainLabel(), m, x.intAttribute("N"), x.intAttribute("K")));
            }
        }
        return points;
    }

    /**
     * The reason a point of {@code panel} that no measurement covers is empty: for a Ladder series at a
     * GEMM-sized M, the missing kernel (or "not measured" when it has one); null for everything else.
     */
    static String notCovered(Panel panel, Series s, String xLabel) {
        if (!s.isLadder() || s.formats() == null) return null;
        Integer m = panel.x().stream().filter(x -> x.plainLabel().equals(xLabel)).findFirst().map(x -> x.intAttribute("M")).orElse(null);
        if (m == null || !isGemm(m)) return null;
        String reason = noKernelReason(s.formats());
        return reason != null ? reason : "not measured by this build";
    }

    /** Plan notes: each Ladder series of {@code panel} that stays n/a at the GEMM-sized M, with its reason. */
    static List<String> planNotes(Panel panel) {
        boolean anyGemmM = panel.x().stream().anyMatch(x -> x.intAttribute("M") != null && isGemm(x.intAttribute("M")));
        if (!anyGemmM) return List.of();
        List<String> notes = new ArrayList<>();
        for (Series s : panel.series()) {
            if (!s.isLadder() || s.formats() == null) continue;
            String reason = noKernelReason(s.formats());
            if (reason != null) notes.add(panel.id() + " Ladder " + s.formats().label() + " at M > " + GemvConfig.MAX_M + ": n/a (" + reason + ")");
        }
        return notes;
    }

    /** nvcc work for the points without a shipped sm_90a checkpoint (those load their binary; the plan assumes an H100). */
    static ReproducePlan.OneOff buildCost(List<Point> points) {
        TargetArch h100 = TargetArch.forComputeCapability(9, 0);
        CheckpointStore shipped = CheckpointStore.installed();
        List<Point> toBuild = points.stream().filter(p -> !hasCheckpoint(shipped, h100, p)).toList();
        int configs = new LinkedHashSet<>(toBuild.stream().map(p -> p.config(h100).kernelName()).toList()).size();
        return new ReproducePlan.OneOff("build " + configs + " GEMM kernel configurations (nvcc, cold cache; " + (points.size() - toBuild.size())
                + " of " + points.size() + " points load a shipped " + h100.smName() + " checkpoint)", Estimates.kernelBuilds(configs));
    }

    private static boolean hasCheckpoint(CheckpointStore store, TargetArch arch, Point p) {
        try {
            return store.find(arch.smName(), GemmCheckpoints.key(p.weights(), p.acts(), p.m(), p.n(), p.k())).isPresent();
        } catch (org.ladderae.checkpoints.CheckpointException unreadable) {
            return false;   // the run itself reports the broken checkpoint on that point
        }
    }

    /** Measures {@code points} (reusing what the resumed run holds), recording each as it finishes; returns them in order. */
    static List<Measurement> measure(List<Point> points, CudaContext ctx, ReproduceContext rc, String experimentId) {
        return LadderPointLoop.run(points, rc, experimentId, "GEMM", () -> new Gemm(ctx, rc, experimentId));
    }

    /** The compute precision whose dense tensor peak a GEMM of these formats is measured against (INT4 weights run FP16 MMA). */
    static NumberFormat computeFormat(Format acts) { return GpuPeaks.computeFormatOfGemm(acts.name()); }

    /** The kernel a point runs, its binary when it comes from a checkpoint (else null: built by the kernel cache), and where it came from. */
    record Resolved(GemmConfig config, byte[] cubin, String source) {}

    /**
     * A checkpoint in {@code store} for the point's formats, shape and {@code arch} (the binary alone, no nvcc), else
     * the heuristic configuration with the reason in one line (none tuned, or only for another arch, which is never
     * used). A checkpoint whose binary fails its SHA-256 throws: that point fails rather than silently falling back.
     */
    static Resolved resolve(Point p, CheckpointStore store, TargetArch arch) {
        GemmCheckpoints.Lookup found = GemmCheckpoints.lookup(store, arch.smName(), p.weights(), p.acts(), p.m(), p.n(), p.k());
        return found.tuned().map(t -> new Resolved(t.config(), t.cubin(), "checkpoint " + t.checkpoint().id()))
                .orElseGet(() -> new Resolved(p.config(arch), null, "heuristic GEMM configuration (GemmKernels.forShape): " + found.missing()));
    }

    /** GEMM's steps: a shipped checkpoint, else the heuristic (built in parallel up front), or with --force-tune-ladder tuning per point. */
    private static final class Gemm implements LadderPointLoop.Family<Point> {
        private final CudaContext ctx;
        private final ReproduceContext rc;
        private final long seed;
        private final String experimentId;
        private final KernelCache cache = KernelCache.defaultCache();
        private final GemmRunner runner;
        private final TargetArch arch;
        private final Map<Point, Resolved> resolved = new java.util.HashMap<>();
        private final Map<Point, String> unresolved = new java.util.HashMap<>();

        Gemm(CudaContext ctx, ReproduceContext rc, String experimentId) {
            this.ctx = ctx;
            this.rc = rc;
            this.seed = rc.seed();
            this.experimentId = experimentId;
            this.runner = new GemmRunner(ctx, cache);
            this.arch = TargetArch.forComputeCapability(ctx.device().ccMajor(), ctx.device().ccMinor());
        }

        @Override
        public void prepare(List<Point> todo) {
            if (rc.forceTune()) return;   // tuned one by one in measure()
            List<GemmConfig> toBuild = new ArrayList<>();
            CheckpointStore shipped = CheckpointStore.installed();
            for (Point p : todo) {
                try {
                    Resolved r = resolve(p, shipped, arch);
                    if (r.cubin() != null) runner.useBinary(r.config(), r.cubin());
                    else toBuild.add(r.config());
                    if (r.cubin() == null) LOG.info("{} {} {}: {}", experimentId, p.setting(), p.series().label(), r.source());
                    resolved.put(p, r);
                } catch (RuntimeException e) {
                    unresolved.put(p, e.getMessage());   // no kernel for the shape, or a corrupted checkpoint: that point fails
                }
            }
            runner.buildAll(toBuild);
        }

        @Override
        public Measurement measure(Point p) {
            if (unresolved.containsKey(p)) return Measurement.failed(SYSTEM, p.series(), p.workload(), p.setting(), unresolved.get(p));
            Resolved r = resolved.get(p);
            if (r == null) {
                try {
                    r = tune(p);
                } catch (Exception e) {
                    return Measurement.failed(SYSTEM, p.series(), p.workload(), p.setting(), "tuning failed: " + e.getMessage());
                }
            }
            GemmConfig c = r.config();
            GemmRunner.Check check = runner.checkAll(c, seed);
            if (!check.passed()) {
                GemmConfig at = check.config();
                return Measurement.failed(SYSTEM, p.series(), p.workload(), p.setting(), String.format(
                        "failed its correctness check at %dx%dx%d (error %.2e, tolerance %.0e, all written: %s): not timed",
                        at.m(), at.n(), at.k(), check.error(), check.tolerance(), check.allWritten()));
            }
            GemmRunner.Timing t = runner.time(c, seed);
            LOG.info("{} {} {}: {} ms, {} TFLOP/s", experimentId, p.setting(), p.series().label(),
                    String.format("%.4f", t.stats().medianMs()), String.format("%.1f", t.tflops()));
            Map<String, Double> extras = new java.util.LinkedHashMap<>();
            extras.put("tflops", t.tflops());
            extras.put("check_error", check.error());
            GpuPeaks.forDevice(ctx.device().name()).flatMap(pk -> {
                java.util.OptionalDouble v = pk.peak(computeFormat(c.activation()));
                return v.isPresent() ? Optional.of(v.getAsDouble()) : Optional.empty();
            }).ifPresent(peak -> extras.put("fraction_of_peak", t.tflops() / peak));
            Map<String, String> notes = new java.util.LinkedHashMap<>();
            notes.put("kernel", c.kernelName() + (c.splitK() > 1 ? " split-K " + c.splitK() : ""));
            notes.put("kernel_source", r.source());
            String weights = weightNote(c);
            if (weights != null) notes.put("weights", weights);
            return new Measurement(SYSTEM, p.series(), p.workload(), p.setting(), Measurement.Status.OK, t.stats(), null, ctx.device().name(),
                    notes, extras);
        }

        /** --force-tune-ladder: tunes the point's problem on this GPU and keeps the checkpoint in the run directory. */
        private Resolved tune(Point p) throws Exception {
            TuningEnvironment env = TuningEnvironment.of(ctx, cache);
            try (GemmTuningProblem problem = new GemmTuningProblem(p.weights(), p.acts(), p.m(), p.n(), p.k(), runner, cache, arch, seed)) {
                TunedCheckpoint<GemmConfig> tuned = TunedCheckpoint.tuneAndSave(problem, rc.out(), new CheckpointStore(rc.tunedCheckpoints()),
                        report -> GemmCheckpoints.manifest(report, env));
                runner.useBinary(tuned.report().best(), tuned.report().bestBinary());
                return new Resolved(tuned.report().best(), tuned.report().bestBinary(), tuned.source());
            }
        }

        @Override
        public void close() { runner.close(); }

        private static String weightNote(GemmConfig c) {
            return switch (c.weight()) {
                case INT8 -> c.activation() == Format.FP16 ? "unsigned INT8 codes 0..255 (as the GEMV kernels) decoded exactly to FP16, no scale"
                        : "signed INT8 (s8 x s8 IMMA, INT32 accumulation, FP16 output)";
                case INT4, INT2, INT1 -> "unsigned " + c.weight() + " codes in the Ladder fragment layout, no scale (as in the artifact), "
                        + switch (c.activation()) {
                            case FP16 -> "decoded to FP16 in registers (lop3 + magic 1024.0)";
                            case INT4 -> "unpacked to s8 x INT4 activations stored packed two per byte, unpacked to s8 (s8 IMMA, INT32 accumulation)";
                            default -> "unpacked to s8 (s8 IMMA, INT32 accumulation)";
                        };
                case NF4 -> "NF4 codes (QLoRA table) in the pair layout, decoded to FP16 by a shared-memory table, no block scale";
                case FP8_E5M2 -> c.activation() == Format.FP16 ? "FP8 E5M2 decoded exactly to FP16 (byte into the high byte)"
                        : "FP8 E5M2 x E5M2 on FP8 tensor cores" + (c.path() == GemmConfig.Path.WGMMA
                        ? " (wgmma: Hopper's reduced-precision FP8 accumulation, checked at tolerance 4e-3)" : ", FP32 accumulation");
                case FP8_E4M3 -> "FP8 E4M3 x E4M3 on FP8 tensor cores" + (c.path() == GemmConfig.Path.WGMMA
                        ? " (wgmma: Hopper's reduced-precision FP8 accumulation, checked at tolerance 4e-3)" : ", FP32 accumulation");
                case MXFP8 -> "MXFP8 (E5M2 elements, E8M0 exponent per 32 K elements) for weights and activations: e5m2 MMA per block, "
                        + "scales applied in FP32";
                default -> null;
            };
        }
    }
}
