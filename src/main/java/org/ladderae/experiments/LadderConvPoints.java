package org.ladderae.experiments;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.ladderae.gpu.CudaContext;
import org.ladderae.gpu.GpuPeaks;
import org.ladderae.kernels.ConvConfig;
import org.ladderae.kernels.ConvFormat;
import org.ladderae.kernels.ConvKernels;
import org.ladderae.kernels.ConvRunner;
import org.ladderae.kernels.ConvShape;
import org.ladderae.kernels.KernelCache;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.paperdata.NumberFormat;
import org.ladderae.paperdata.Panel;
import org.ladderae.paperdata.Series;
import org.ladderae.paperdata.XCategory;
import org.ladderae.results.Measurement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ladder's conv points (Figure 12's conv panel): which paper series have a conv kernel (W_FP16A_FP16,
 * W_FP8A_FP16, W_MXFP8A_MXFP8, W_INT4A_INT4), the points of a panel they cover, their cost for
 * {@code --dry-run}, and the measuring: build every candidate tile in parallel, then per point check each
 * candidate against the double-precision CPU reference, time those that passed and keep the fastest.
 */
final class LadderConvPoints {
    private static final Logger LOG = LoggerFactory.getLogger(LadderConvPoints.class);
    static final String SYSTEM = LadderPointLoop.SYSTEM;

    private LadderConvPoints() {}

    /** The conv kernel of a paper series; empty when there is none. */
    static Optional<ConvFormat> format(FormatPair pair) {
        for (ConvFormat f : ConvFormat.values()) if (f.label().equals(pair.label())) return Optional.of(f);
        return Optional.empty();
    }

    /** One Ladder conv point. */
    record Point(FormatPair series, String workload, String setting, ConvShape shape) implements LadderPointLoop.Located {
        ConvFormat format() { return LadderConvPoints.format(series).orElseThrow(); }

        ReproducePlan.PlannedPoint plan() {
            return new ReproducePlan.PlannedPoint(SYSTEM + " conv", series.label(), workload, setting, shape.dims(),
                    Estimates.convPoint(ConvKernels.candidates(format(), shape).size()));
        }
    }

    /** The shape of a conv panel category from its attributes (N, C, H, W, K, R, S, stride, pad). */
    static ConvShape shapeOf(XCategory x) {
        int[] v = new int[9];
        String[] keys = {"N", "C", "H", "W", "K", "R", "S", "stride", "pad"};
        for (int i = 0; i < keys.length; i++) {
            Integer a = x.intAttribute(keys[i]);
            if (a == null) throw new IllegalArgumentException("conv category " + x.plainLabel() + " has no " + keys[i]);
            v[i] = a;
        }
        return new ConvShape(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
    }

    /** Every Ladder series with a conv kernel x every category of {@code panel}, in panel order. */
    static List<Point> forPanel(Panel panel) {
        List<Point> points = new ArrayList<>();
        for (XCategory x : panel.x()) {
            ConvShape shape = shapeOf(x);
            for (Series s : panel.series()) {
                if (!s.isLadder() || s.formats() == null || format(s.formats()).isEmpty()) continue;
                points.add(new Point(s.formats(), panel.id(), x.plainLabel(), shape));
            }
        }
        return points;
    }

    /** Why a Ladder series of the conv panel is empty: no kernel for its formats, or null when it has one. */
    static String noKernelReason(FormatPair pair) {
        return format(pair).isPresent() ? null : "no conv kernel for " + pair.label() + " (conv kernels: W_FP16A_FP16, W_FP8A_FP16, "
                + "W_MXFP8A_MXFP8, W_INT4A_INT4)";
    }

    static ReproducePlan.OneOff buildCost(List<Point> points) {
        int configs = new LinkedHashSet<>(points.stream().flatMap(p -> ConvKernels.candidates(p.format(), p.shape()).stream())
                .map(ConvConfig::kernelName).toList()).size();
        return new ReproducePlan.OneOff("build " + configs + " conv kernel configurations (nvcc, cold cache)", Estimates.kernelBuilds(configs));
    }

    static List<Measurement> measure(List<Point> points, CudaContext ctx, ReproduceContext rc, String experimentId) {
        return LadderPointLoop.run(points, rc, experimentId, "conv", () -> new Conv(ctx, rc.seed(), experimentId));
    }

    private static final class Conv implements LadderPointLoop.Family<Point> {
        private final CudaContext ctx;
        private final long seed;
        private final String experimentId;
        private final ConvRunner runner;

        Conv(CudaContext ctx, long seed, String experimentId) {
            this.ctx = ctx;
            this.seed = seed;
            this.experimentId = experimentId;
            this.runner = new ConvRunner(ctx, KernelCache.defaultCache());
        }

        @Override
        public void prepare(List<Point> todo) {
            runner.buildAll(todo.stream().flatMap(p -> ConvKernels.candidates(p.format(), p.shape(), runner.arch()).stream()).toList());
        }

        @Override
        public Measurement measure(Point p) {
            ConvRunner.Tuned t = runner.tune(p.format(), p.shape(), seed);
            if (t.best().isEmpty()) {
                String why = t.firstFailure().map(c -> String.format("%s failed its correctness check at %s (error %.2e, tolerance %.0e, all written: %s)",
                        c.config().label(), c.config().shape().dims(), c.error(), c.tolerance(), c.allWritten())).orElse("no candidate tile");
                return Measurement.failed(SYSTEM, p.series(), p.workload(), p.setting(), why + ": not timed");
            }
            ConvRunner.Candidate best = t.best().get();
            ConvRunner.Timing timing = best.timing();
            LOG.info("{} {} {}: {} ms, {} TFLOP/s ({})", experimentId, p.setting(), p.series().label(),
                    String.format("%.4f", timing.stats().medianMs()), String.format("%.1f", timing.tflops()), best.config().label());
            Map<String, Double> extras = new LinkedHashMap<>();
            extras.put("tflops", timing.tflops());
            extras.put("gb_per_s", timing.gbPerSecond());
            extras.put("check_error", best.check().error());
            NumberFormat compute = p.format().integer() ? NumberFormat.INT8 : NumberFormat.FP16;
            GpuPeaks.forDevice(ctx.device().name()).ifPresent(pk -> pk.peak(compute).ifPresent(peak -> extras.put("fraction_of_peak", timing.tflops() / peak)));
            Map<String, String> notes = new LinkedHashMap<>();
            notes.put("kernel", best.config().label());
            StringBuilder cands = new StringBuilder();
            for (ConvRunner.Candidate c : t.candidates())
                cands.append(cands.length() == 0 ? "" : "; ").append(c.config().kernelName()).append(c.timing() == null ? " FAILED"
                        : String.format(" %.4f ms", c.timing().stats().medianMs()));
            notes.put("kernel_source", "fastest of " + t.candidates().size() + " candidate tiles timed on this GPU (ConvKernels.candidates): " + cands);
            notes.put("formats", switch (p.format()) {
                case W_FP16A_FP16 -> "FP16 NHWC input, KRSC weights, FP32 accumulation";
                case W_FP8A_FP16 -> "E5M2 weights in the FP8 fragment order, decoded in registers; FP16 activations";
                case W_MXFP8A_MXFP8 -> "E5M2 elements with E8M0 exponents per 32 channels (activations per pixel, weights per filter), exact decode";
                case W_INT4A_INT4 -> "unsigned INT4 weights x signed INT4 activations, unpacked to INT8 (s8 IMMA, INT32 accumulation, FP16 output)";
                case W_INT1A_INT4 -> "1-bit weights (+-1) x signed INT4 activations, expanded to INT4 tiles, unpacked to INT8 (s8 IMMA, INT32 accumulation, FP16 output)";
            });
            return new Measurement(SYSTEM, p.series(), p.workload(), p.setting(), Measurement.Status.OK, timing.stats(), null, ctx.device().name(),
                    notes, extras);
        }

        @Override
        public void close() { runner.close(); }
    }
}
