package org.ladderae.experiments;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.ladderae.baselines.BaselineWorkload;
import org.ladderae.kernels.GemvStage;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.paperdata.Panel;
import org.ladderae.paperdata.Series;
import org.ladderae.results.Measurement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the end-to-end reproductions (Figures 9, 11, 13) share: which model settings a run measures
 * ({@code --quick}: the first setting of each panel only), the baselines that run them (PyTorch eager
 * and Inductor live through the torch runner; the paper's other systems n/a with the detector's reason),
 * and Ladder's points through the {@link LadderModelRunner}, reusing what a resumed run holds as OK.
 */
final class EndToEndPoints {
    private static final Logger LOG = LoggerFactory.getLogger(EndToEndPoints.class);
    static final String QUICK_SKIPPED = "not measured: --quick measures only the first setting of each panel";
    static final String NOT_MEASURED = "not measured by this build";
    /** The eager series the paper does not draw; measured here beside Inductor, inserted before it. */
    static final String EAGER = org.ladderae.baselines.TorchRunner.SYSTEM;

    private EndToEndPoints() {}

    /** The model workloads of {@code panels} (panel id = model, x = setting); with {@code quick} only each panel's first setting. */
    static List<BaselineWorkload> workloads(List<Panel> panels, boolean quick) {
        List<BaselineWorkload> out = new ArrayList<>();
        for (Panel p : panels) {
            List<String> settings = p.xPlainLabels();
            for (String x : quick ? settings.subList(0, 1) : settings) out.add(workload(p.id(), x));
        }
        return out;
    }

    /** The workload the baselines know for a figure's model and setting label ("llama", "BS32 SEQ1"). */
    static BaselineWorkload workload(String model, String setting) {
        return BaselineWorkload.figure9Models().stream().filter(w -> w.workload().equals(model) && w.setting().equals(setting))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no end-to-end workload " + model + " " + setting));
    }

    /** Every baseline family's runner for {@code workloads}: torch measures, the others report n/a with their reasons. */
    static List<BaselinePoints.Step> baselines(String python, List<BaselineWorkload> workloads) {
        return BaselinePoints.select(python, null, workloads::contains);
    }

    /**
     * Plan rows of the baselines that measure (torch); the other families only report n/a, which costs
     * a detector call, so they are named in {@code notes} instead of being priced as model runs.
     */
    static List<ReproducePlan.PlannedPoint> planBaselines(List<BaselineWorkload> workloads, boolean quick, List<String> notes) {
        List<BaselinePoints.Step> steps = baselines("python3", workloads);
        List<BaselinePoints.Step> measuring = steps.stream().filter(s -> s.runner() instanceof org.ladderae.baselines.TorchRunner).toList();
        List<String> others = steps.stream().filter(s -> !measuring.contains(s)).map(s -> s.runner().system()).distinct().toList();
        if (!others.isEmpty()) notes.add(String.join(", ", others) + ": looked for at run time; n/a with the detector's reason where missing");
        return BaselinePoints.plan(measuring, quick);
    }

    /** Ladder's point for a model setting: seq is 1 for the models without a sequence axis, as {@link LadderModelRunner.ModelPoint} says. */
    static LadderModelRunner.ModelPoint ladderPoint(BaselineWorkload w, FormatPair formats, GemvStage stage) {
        return new LadderModelRunner.ModelPoint(w.workload(), w.batch(), Math.max(1, w.seq()), formats, stage);
    }

    /** Ladder's HOLISTIC points: one per Ladder series of each panel, at the settings of {@code workloads}. */
    static List<LadderModelRunner.ModelPoint> ladderPoints(List<Panel> panels, List<BaselineWorkload> workloads) {
        List<LadderModelRunner.ModelPoint> out = new ArrayList<>();
        for (Panel p : panels) {
            for (Series s : p.series()) {
                if (!s.isLadder() || s.formats() == null) continue;
                for (BaselineWorkload w : workloads) {
                    if (w.workload().equals(p.id())) out.add(ladderPoint(w, s.formats(), GemvStage.HOLISTIC));
                }
            }
        }
        return out;
    }

    /** A figure's live points: the PyTorch baselines of its workloads, then Ladder's through the model runner. */
    static List<Measurement> measureAll(List<Panel> panels, ReproduceContext rc, LadderModelRunner ladder, String experimentId) {
        List<BaselineWorkload> workloads = workloads(panels, rc.quick());
        List<Measurement> ms = new ArrayList<>(BaselinePoints.run(baselines(rc.python(), workloads), rc, experimentId));
        ms.addAll(measureLadder(ladder, ladderPoints(panels, workloads), rc, experimentId));
        return ms;
    }

    /**
     * Measures Ladder's points: those the resumed run holds as OK are reused, the rest go to
     * {@code runner} in one call; every record it returns is recorded (again: recording is idempotent
     * per point). A runner that throws fails its points with the message rather than the whole run.
     */
    static List<Measurement> measureLadder(LadderModelRunner runner, List<LadderModelRunner.ModelPoint> points, ReproduceContext rc,
                                           String experimentId) {
        List<Measurement> out = new ArrayList<>();
        List<LadderModelRunner.ModelPoint> todo = new ArrayList<>();
        for (LadderModelRunner.ModelPoint p : points) {
            Measurement reused = rc.measurements().reuse(LadderPointLoop.SYSTEM, p.formats(), p.workload(), p.setting());
            if (reused != null) out.add(reused);
            else todo.add(p);
        }
        LOG.info("{}: {} Ladder end-to-end points to measure, {} reused (resumed run, or measured earlier in this process)", experimentId, todo.size(), out.size());
        if (todo.isEmpty()) return out;
        List<Measurement> measured;
        try {
            measured = runner.measure(todo, rc);
        } catch (RuntimeException e) {
            measured = todo.stream().map(p -> Measurement.failed(LadderPointLoop.SYSTEM, p.formats(), p.workload(), p.setting(),
                    "the model executor threw " + e.getClass().getSimpleName() + ": " + e.getMessage())).toList();
        }
        rc.measurements().record(measured);
        out.addAll(measured);
        return out;
    }

    /**
     * {@code template} with an eager PyTorch series (FP16) inserted before PyTorch-Inductor: the paper
     * draws only Inductor, while the torch runner measures both in the same run.
     */
    static Panel withEagerSeries(Panel template) {
        List<Series> series = new ArrayList<>();
        for (Series s : template.series()) {
            if (s.system().equals(org.ladderae.baselines.TorchRunner.INDUCTOR)) {
                List<Double> none = new ArrayList<>();
                template.x().forEach(x -> none.add(null));
                series.add(new Series(EAGER + " (eager)", EAGER, EAGER, FormatPair.FP16, null, none, null, null));
            }
            series.add(s);
        }
        return new Panel(template.id(), template.title(), template.workload(), template.device(), template.x(), template.plottedX(),
                template.peakTflops(), series);
    }

    /** Why a point no record covers is empty: skipped by --quick, or not part of this build. */
    static String notMeasured(Panel panel, String x, boolean quick) {
        return quick && panel.xIndex(x) > 0 ? QUICK_SKIPPED : NOT_MEASURED;
    }

    /** The GPU the records name (the baselines' processes report it); null when none ran. */
    static String device(List<Measurement> ms) {
        return ms.stream().map(Measurement::device).filter(Objects::nonNull).findFirst().orElse(null);
    }

    /** The device to name in the data set: what the records say, else this machine's first CUDA device, else a placeholder. */
    static String deviceName(List<Measurement> ms) {
        String d = device(ms);
        if (d != null) return d;
        Optional<String> cuda = Optional.empty();
        try {
            if (org.ladderae.gpu.CudaDriver.availability().available()) {
                cuda = Optional.of(org.ladderae.gpu.CudaContext.forDevice(0).device().name());
            }
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("no device name from CUDA: {}", e.toString());
        }
        return cuda.orElse("unknown GPU (nothing measured)");
    }

    /** Plan rows of Ladder's points; the executor's cost per point is a guess until it reports its own. */
    static List<ReproducePlan.PlannedPoint> planLadder(List<LadderModelRunner.ModelPoint> points) {
        return points.stream().map(p -> new ReproducePlan.PlannedPoint(LadderPointLoop.SYSTEM, p.formats().label(), p.workload(),
                p.setting(), p.workload() + " " + p.setting() + (p.stage() == GemvStage.HOLISTIC ? "" : " " + p.stage().token()),
                Estimates.LADDER_MODEL_S)).toList();
    }
}
