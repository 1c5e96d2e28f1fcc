package org.ladderae.experiments;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.ladderae.baselines.BaselineRunner;
import org.ladderae.baselines.BaselineWorkload;
import org.ladderae.baselines.Baselines;
import org.ladderae.baselines.JsonLines;
import org.ladderae.kernels.GemvStage;
import org.ladderae.paperdata.Dataset;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.paperdata.Panel;
import org.ladderae.paperdata.Series;
import org.ladderae.results.Measurement;

/**
 * Figure 13 measured here: one LLaMA-2-70B layer at BS1 SEQ1 and BS1 SEQ4096 in W_FP16A_FP16,
 * W_INT4A_FP16, W_MXFP8A_MXFP8 and W_INT1A_INT8, with Ladder's kernels at the stages +Transform, +PTX
 * and +Holistic Schedule, run by the {@link LadderModelRunner} (SEQ1 on the GEMV's stage switches, SEQ4096 on the GEMM's:
 * ladder_gemm.cu's LADDER_STAGE through {@code LinearChoice} and {@code GemmKernels.forStage}); the chart normalises to +Transform as
 * the paper. Welder-Roller is n/a with its detectors' reasons. The runner's records do not carry the
 * stage, so each stage gets its own {@link MeasurementLog#view} and its records are kept here as
 * system "Ladder" + the stage's series name (e.g. "Ladder+PTX").
 */
final class Figure13Reproduction {
    static final String MODEL = "llama";
    static final String WELDER_ROLLER = "Welder-Roller";
    /** The paper's stage series and the kernel stage each one runs. */
    static final Map<String, GemvStage> STAGES = stages();

    private Figure13Reproduction() {}

    private static Map<String, GemvStage> stages() {
        Map<String, GemvStage> m = new LinkedHashMap<>();
        m.put("+Transform", GemvStage.TRANSFORM);
        m.put("+PTX", GemvStage.PTX);
        m.put("+Holistic Schedule", GemvStage.HOLISTIC);
        return m;
    }

    /** A panel's setting ("BS1 SEQ4096") is its title. */
    private static BaselineWorkload workload(Panel p) { return EndToEndPoints.workload(MODEL, p.title()); }

    /** The format pair of an x category, from its plain label ("W_INT4A_FP16"). */
    static FormatPair formats(Panel p, int x) {
        String label = p.xPlainLabels().get(x);
        return JsonLines.parseFormats(label).orElseThrow(() -> new IllegalArgumentException("figure13 x '" + label + "' is not a format pair"));
    }

    /** Every stage's points of one panel, in x order. */
    static List<LadderModelRunner.ModelPoint> points(Panel p, GemvStage stage) {
        List<LadderModelRunner.ModelPoint> out = new ArrayList<>();
        for (int x = 0; x < p.x().size(); x++) out.add(EndToEndPoints.ladderPoint(workload(p), formats(p, x), stage));
        return out;
    }

    static String stageSystem(String stageSeries) { return LadderPointLoop.SYSTEM + stageSeries; }

    static ReproducePlan plan(Dataset paper) {
        List<ReproducePlan.PlannedPoint> points = new ArrayList<>();
        for (Panel p : paper.panels()) {
            for (GemvStage stage : STAGES.values()) points.addAll(EndToEndPoints.planLadder(points(p, stage)));
        }
        return new ReproducePlan(points, List.of(), List.of(WELDER_ROLLER + ": n/a (Welder and Roller are looked for at run time)",
                "normalised to +Transform, as the paper"));
    }

    static Reproduction run(Dataset paper, ReproduceContext rc, LadderModelRunner ladder) {
        List<Measurement> ms = new ArrayList<>();
        for (Map.Entry<String, GemvStage> stage : STAGES.entrySet()) {
            String system = stageSystem(stage.getKey());
            // The runner sees its own keys (system "Ladder"); this run's log keeps the stage in the system.
            MeasurementLog view = rc.measurements().view(m -> m.system().equals(system) ? withSystem(m, LadderPointLoop.SYSTEM) : null,
                    m -> withSystem(m, system));
            List<LadderModelRunner.ModelPoint> points = new ArrayList<>();
            for (Panel p : paper.panels()) points.addAll(points(p, stage.getValue()));
            EndToEndPoints.measureLadder(ladder, points, rc.withMeasurements(view), "figure13 " + stage.getKey())
                    .forEach(m -> ms.add(withSystem(m, system)));
        }
        String welderRoller = welderRollerReason(rc.python());
        List<Measurement> notAvailable = new ArrayList<>();
        for (Panel p : paper.panels()) {
            BaselineWorkload w = workload(p);
            for (int x = 0; x < p.x().size(); x++) {
                notAvailable.add(Measurement.notAvailable(WELDER_ROLLER, formats(p, x), w.workload(), w.setting(), welderRoller));
            }
        }
        rc.measurements().record(notAvailable);
        ms.addAll(notAvailable);
        String gpu = EndToEndPoints.deviceName(ms);
        String provenance = "ladder-ae --reproduce on " + gpu + ": one LLaMA-2-70B layer on the Ladder model executor with the kernels "
                + "at each stage (+Transform: transformed layout, generic conversion; +PTX: fast decode; +Holistic Schedule: per-shape "
                + "launch configuration); latency in ms, speedup over +Transform.";
        return new Reproduction(MeasuredPanels.dataset(gpu, rc.version(), provenance, measuredPanels(paper, ms)), ms);
    }

    private static String welderRollerReason(String python) {
        List<String> why = new ArrayList<>();
        for (BaselineRunner r : Baselines.all(python, BaselineRunner.Options.defaultCacheDir())) {
            if (r.system().equals("Welder") || r.system().equals("Roller")) why.add(r.detect().reason());
        }
        return "not available: " + String.join("; ", why);
    }

    private static Measurement withSystem(Measurement m, String system) {
        return new Measurement(system, m.formats(), m.workload(), m.setting(), m.status(), m.timing(), m.reason(), m.device(),
                m.versions(), m.extras());
    }

    /** The paper's panels (x = formats, series = stages) filled from the stage-labelled records. */
    static List<Panel> measuredPanels(Dataset paper, List<Measurement> ms) {
        List<Panel> out = new ArrayList<>();
        for (Panel p : paper.panels()) {
            BaselineWorkload w = workload(p);
            List<Series> series = new ArrayList<>();
            for (Series s : p.series()) {
                String system = s.plainName().equals(WELDER_ROLLER) ? WELDER_ROLLER : stageSystem(s.plainName());
                List<Double> values = new ArrayList<>();
                List<String> reasons = new ArrayList<>();
                for (int x = 0; x < p.x().size(); x++) {
                    FormatPair f = formats(p, x);
                    Measurement m = ms.stream().filter(r -> r.system().equals(system) && Objects.equals(r.formats(), f)
                            && r.workload().equals(w.workload()) && r.setting().equals(w.setting())).findFirst().orElse(null);
                    boolean ok = m != null && m.status() == Measurement.Status.OK;
                    values.add(ok ? m.medianMs() : null);
                    reasons.add(ok ? null : m == null ? EndToEndPoints.NOT_MEASURED : m.status().name().toLowerCase(java.util.Locale.ROOT) + ": " + m.reason());
                }
                series.add(new Series(s.name(), s.plainName(), s.system(), s.formats(), s.stage(), values, reasons, null));
            }
            out.add(new Panel(p.id(), p.title(), p.workload(), null, p.x(), p.plottedX(), p.peakTflops(), series));
        }
        return out;
    }
}
