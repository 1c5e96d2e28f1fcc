package org.ladderae.experiments;

import java.util.ArrayList;
import java.util.List;
import org.ladderae.baselines.BaselineWorkload;
import org.ladderae.paperdata.Dataset;
import org.ladderae.paperdata.Panel;
import org.ladderae.results.Measurement;

/**
 * Figure 9 measured here: every panel's models at the paper's settings (LLaMA/BLOOM layers at BS1 SEQ1,
 * BS32 SEQ1, BS1 SEQ4096; ResNet, ShuffleNet, Conformer, ViT at BS1 and BS128), FP16, with PyTorch
 * eager and Inductor run live, the paper's other baselines n/a with their detectors' reasons, and
 * Ladder's series from the {@link LadderModelRunner}. Welder, the paper's normalisation baseline, is
 * n/a here, so the chart normalises to PyTorch-Inductor ({@link Figure9#normalisedTo}).
 */
final class Figure9Reproduction {
    static final List<String> PANELS = List.of("llama", "bloom", "resnet", "shufflenet", "conformer", "vit");

    private Figure9Reproduction() {}

    private static List<Panel> panels(Dataset paper) { return FigureSupport.panels(paper, PANELS.toArray(String[]::new)); }

    static ReproducePlan plan(Dataset paper, boolean quick) {
        List<BaselineWorkload> workloads = EndToEndPoints.workloads(panels(paper), quick);
        List<ReproducePlan.PlannedPoint> points = new ArrayList<>(EndToEndPoints.planLadder(EndToEndPoints.ladderPoints(panels(paper), workloads)));
        List<String> notes = new ArrayList<>();
        notes.add("PyTorch eager and PyTorch-Inductor (torch.compile, default mode) run live, FP16, one process per model and setting (eager, then Inductor); "
                + "Inductor's compile time is part of each process");
        points.addAll(EndToEndPoints.planBaselines(workloads, quick, notes));
        notes.add("normalised to PyTorch-Inductor (Welder is not available here); absolute latency drawn beside it");
        if (quick) notes.add("--quick: " + EndToEndPoints.QUICK_SKIPPED.replace("not measured: --quick ", "") + "; few repetitions");
        return new ReproducePlan(points, List.of(), notes);
    }

    static Reproduction run(Dataset paper, ReproduceContext rc, LadderModelRunner ladder) {
        List<Panel> panels = panels(paper);
        List<Measurement> ms = EndToEndPoints.measureAll(panels, rc, ladder, "figure9");
        String gpu = EndToEndPoints.deviceName(ms);
        String provenance = "ladder-ae --reproduce on " + gpu + ": end-to-end latency (ms) of one forward pass, FP16 models with random "
                + "weights as the artifact. PyTorch eager and PyTorch-Inductor timed with CUDA events around each call after warm-up "
                + "(median); Ladder series from the Ladder model executor. Welder is not available here, so speedups are over "
                + "PyTorch-Inductor." + (rc.quick() ? " --quick: first setting of each panel, few repetitions (a smoke run)." : "");
        return new Reproduction(MeasuredPanels.dataset(gpu, rc.version(), provenance, measuredPanels(panels, ms, rc.quick())), ms);
    }

    /** The paper's panels with the eager series added, filled from {@code ms}. */
    static List<Panel> measuredPanels(List<Panel> paperPanels, List<Measurement> ms, boolean quick) {
        return paperPanels.stream().map(EndToEndPoints::withEagerSeries)
                .map(p -> MeasuredPanels.fill(p, ms, (s, x) -> EndToEndPoints.notMeasured(p, x, quick))).toList();
    }
}
