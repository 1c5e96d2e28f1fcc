package org.ladderae.experiments;

import java.util.ArrayList;
import java.util.List;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.results.Measurement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop every family of Ladder kernels (GEMV, GEMM) measures its points with: reuse what the run
 * being resumed holds as OK, prepare the rest at once (build all kernels in parallel), then measure and
 * record each point as it finishes, so an interrupted run loses at most one point. A point whose
 * measuring throws is recorded as failed with the message.
 */
final class LadderPointLoop {
    private static final Logger LOG = LoggerFactory.getLogger(LadderPointLoop.class);
    static final String SYSTEM = "Ladder";

    private LadderPointLoop() {}

    /** Where a point's measurement goes: the paper series, the panel (workload) and the x category (setting). */
    interface Located {
        FormatPair series();
        String workload();
        String setting();
    }

    /** A located end-to-end model point: series, workload and setting are the point's own. */
    interface LocatedModel extends Located {
        LadderModelRunner.ModelPoint point();
        @Override default FormatPair series() { return point().formats(); }
        @Override default String workload() { return point().workload(); }
        @Override default String setting() { return point().setting(); }
    }

    /** One kernel family's build-check-time steps; closed after the loop. */
    interface Family<P> extends AutoCloseable {
        /** Builds (or resolves) everything the points need, before the first is measured. */
        void prepare(List<P> todo);

        /** Checks the point against the CPU reference and, if it passed, times it. */
        Measurement measure(P point) throws Exception;

        @Override
        void close();
    }

    /**
     * The model runners' loop (layer, CNN, encoder): a point {@code whyNot} rejects is recorded n/a with that reason at
     * once; the rest, located by {@code locate}, go through {@link #run}. Results come back in the points' order.
     */
    static <P extends Located> List<Measurement> runModelPoints(List<LadderModelRunner.ModelPoint> points, ReproduceContext rc,
                                                                java.util.function.Function<LadderModelRunner.ModelPoint, String> whyNot,
                                                                java.util.function.Function<LadderModelRunner.ModelPoint, P> locate,
                                                                String experimentId, String kind, java.util.function.Supplier<Family<P>> family) {
        Measurement[] out = new Measurement[points.size()];
        List<P> runnable = new ArrayList<>();
        List<Integer> where = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            LadderModelRunner.ModelPoint p = points.get(i);
            String why = whyNot.apply(p);
            if (why != null) {
                out[i] = Measurement.notAvailable(SYSTEM, p.formats(), p.workload(), p.setting(), why);
                rc.measurements().record(List.of(out[i]));
            } else {
                runnable.add(locate.apply(p));
                where.add(i);
            }
        }
        if (!runnable.isEmpty()) {
            List<Measurement> ms = run(runnable, rc, experimentId, kind, family);
            for (int j = 0; j < ms.size(); j++) out[where.get(j)] = ms.get(j);
        }
        return List.of(out);
    }

    /**
     * A model point's record, the same for the layer, CNN and encoder benches: the check line printed; FAILED when the
     * small model's check or the full-size run's finiteness failed (not timed); else OK with the timing and the memory
     * extras ({@code peak_driver_mib}, {@code peak_alloc_mib}, {@code weights_mib}, {@code check_relative_error}) plus
     * the caller's {@code more}.
     */
    static Measurement modelRecord(LadderModelRunner.ModelPoint p, ReproduceContext rc, String device, org.ladderae.executor.LayerBench.Check check,
                                   boolean fullOutputFinite, org.ladderae.results.TimingStats timing, org.ladderae.executor.LayerExecutor.Memory memory,
                                   long weightBytes, java.util.Map<String, Double> more) {
        return modelRecord(p, rc, device, check, fullOutputFinite, timing, memory, weightBytes, more, java.util.Map.of());
    }

    /** As above, with {@code notes} on the record (and on its failure reason). */
    static Measurement modelRecord(LadderModelRunner.ModelPoint p, ReproduceContext rc, String device, org.ladderae.executor.LayerBench.Check check,
                                   boolean fullOutputFinite, org.ladderae.results.TimingStats timing, org.ladderae.executor.LayerExecutor.Memory memory,
                                   long weightBytes, java.util.Map<String, Double> more, java.util.Map<String, String> notes) {
        rc.out().printf(java.util.Locale.ROOT, "%s %s %s: %s%s%n", p.workload(), p.setting(), p.formats().label(), check.describe(),
                timing == null ? "" : String.format(java.util.Locale.ROOT, "; %.4f ms, peak %.0f MiB", timing.medianMs(), memory.peakMib()));
        rc.out().flush();
        if (!check.passed()) return Measurement.failed(SYSTEM, p.formats(), p.workload(), p.setting(), check.describe() + "; not timed");
        if (!fullOutputFinite) return Measurement.failed(SYSTEM, p.formats(), p.workload(), p.setting(), "the full-size model's output is not finite");
        java.util.Map<String, Double> extras = new java.util.LinkedHashMap<>();
        extras.put("peak_driver_mib", memory.peakMib());
        extras.put("peak_alloc_mib", memory.ownMib());
        extras.put("weights_mib", weightBytes / 1048576.0);
        extras.put("check_relative_error", check.error());
        extras.putAll(more);
        return new Measurement(SYSTEM, p.formats(), p.workload(), p.setting(), Measurement.Status.OK, timing, null, device, notes, extras);
    }

    /** Measures {@code points} in order; {@code family} is only opened when some point is not reused. */
    static <P extends Located> List<Measurement> run(List<P> points, ReproduceContext rc, String experimentId, String kind,
                                                     java.util.function.Supplier<Family<P>> family) {
        Measurement[] out = new Measurement[points.size()];
        List<Integer> todo = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            P p = points.get(i);
            out[i] = rc.measurements().reuse(SYSTEM, p.series(), p.workload(), p.setting());
            if (out[i] == null) todo.add(i);
        }
        LOG.info("{}: {} Ladder {} points to measure, {} reused from the resumed run", experimentId, todo.size(), kind, points.size() - todo.size());
        if (todo.isEmpty()) return List.of(out);
        try (Family<P> f = family.get()) {
            f.prepare(todo.stream().map(points::get).toList());
            for (int i : todo) {
                P p = points.get(i);
                try {
                    out[i] = f.measure(p);
                } catch (Exception e) {
                    out[i] = Measurement.failed(SYSTEM, p.series(), p.workload(), p.setting(), String.valueOf(e.getMessage()));
                }
                rc.measurements().record(List.of(out[i]));
            }
        }
        return List.of(out);
    }
}
