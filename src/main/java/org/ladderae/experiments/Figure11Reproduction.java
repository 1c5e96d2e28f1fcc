package org.ladderae.experiments;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.ladderae.baselines.BaselineWorkload;
import org.ladderae.paperdata.Dataset;
import org.ladderae.paperdata.Panel;
import org.ladderae.results.Measurement;

/**
 * Figure 11 measured here: peak GPU memory while one LLaMA-2-70B layer / BLOOM-176B block runs, per
 * system and format, at the paper's three settings. Two views of the same runs: driver-level memory in
 * use, sampled while the model runs (what the artifact's nvidia-smi poll read, CUDA context included;
 * the chart's panels {@code llama}/{@code bloom}), and the framework's own allocator peak
 * ({@code llama_allocator}/{@code bloom_allocator}). Values in MiB, as nvidia-smi prints them.
 */
final class Figure11Reproduction {
    static final List<String> PANELS = List.of("llama", "bloom");
    static final String ALLOCATOR_SUFFIX = "_allocator";
    /** Extras keys of the two memory views: the torch runner's, then the Ladder model runner's (LadderModelRunner's contract). */
    static final List<String> DRIVER_KEYS = List.of("driver_used_peak_mb", "peak_driver_mib");
    static final List<String> ALLOCATOR_KEYS = List.of("torch_peak_allocated_mb", "peak_alloc_mib");

    private Figure11Reproduction() {}

    private static List<Panel> panels(Dataset paper) { return FigureSupport.panels(paper, PANELS.toArray(String[]::new)); }

    static ReproducePlan plan(Dataset paper, boolean quick) {
        List<BaselineWorkload> workloads = EndToEndPoints.workloads(panels(paper), quick);
        List<ReproducePlan.PlannedPoint> points = new ArrayList<>(EndToEndPoints.planLadder(EndToEndPoints.ladderPoints(panels(paper), workloads)));
        List<String> notes = new ArrayList<>(List.of(
                "each record carries both memory views: driver-level memory in use (NVML, else cudaMemGetInfo, polled every 10 ms "
                        + "while the timed calls run) and the allocator's peak (torch.cuda.max_memory_allocated; the executor's own for Ladder)"));
        points.addAll(EndToEndPoints.planBaselines(workloads, quick, notes));
        if (quick) notes.add("--quick: " + EndToEndPoints.QUICK_SKIPPED.replace("not measured: --quick ", ""));
        return new ReproducePlan(points, List.of(), notes);
    }

    static Reproduction run(Dataset paper, ReproduceContext rc, LadderModelRunner ladder) {
        List<Panel> panels = panels(paper);
        List<Measurement> ms = EndToEndPoints.measureAll(panels, rc, ladder, "figure11");
        String gpu = EndToEndPoints.deviceName(ms);
        String provenance = "ladder-ae --reproduce on " + gpu + ": peak GPU memory (MiB) while the layer runs its timed calls. Panels "
                + String.join("/", PANELS) + ": driver-level memory in use (whole GPU, CUDA context included, as the artifact's "
                + "nvidia-smi poll); *" + ALLOCATOR_SUFFIX + ": the framework allocator's peak."
                + (rc.quick() ? " --quick: first setting of each panel only." : "");
        return new Reproduction(MeasuredPanels.dataset(gpu, rc.version(), provenance, measuredPanels(panels, ms, rc.quick())), ms);
    }

    /** Driver-level panels in the paper's ids, then the allocator-peak panels. */
    static List<Panel> measuredPanels(List<Panel> paperPanels, List<Measurement> ms, boolean quick) {
        List<Panel> out = new ArrayList<>();
        for (Panel p : paperPanels) out.add(fill(EndToEndPoints.withEagerSeries(p), ms, DRIVER_KEYS, "driver-level", quick));
        for (Panel p : paperPanels) {
            Panel eager = EndToEndPoints.withEagerSeries(p);
            Panel renamed = new Panel(p.id() + ALLOCATOR_SUFFIX, p.title() + " (allocator peak)", p.workload(), p.device(), p.x(),
                    p.plottedX(), p.peakTflops(), eager.series());
            out.add(fill(renamed, relabel(ms, p.id(), renamed.id()), ALLOCATOR_KEYS, "allocator", quick));
        }
        return out;
    }

    private static Panel fill(Panel template, List<Measurement> ms, List<String> keys, String view, boolean quick) {
        Function<Measurement, Double> memory = m -> firstExtra(m.extras(), keys);
        return MeasuredPanels.fill(template, ms, memory, "its record has no " + view + " peak memory (" + String.join(" / ", keys) + ")",
                (s, x) -> EndToEndPoints.notMeasured(template, x, quick));
    }

    static Double firstExtra(Map<String, Double> extras, List<String> keys) {
        for (String k : keys) if (extras.containsKey(k)) return extras.get(k);
        return null;
    }

    /** The records of {@code from} relabelled to panel {@code to}, since panels match records by workload. */
    private static List<Measurement> relabel(List<Measurement> ms, String from, String to) {
        return ms.stream().filter(m -> m.workload().equals(from)).map(m -> new Measurement(m.system(), m.formats(), to, m.setting(),
                m.status(), m.timing(), m.reason(), m.device(), m.versions(), m.extras())).toList();
    }
}
