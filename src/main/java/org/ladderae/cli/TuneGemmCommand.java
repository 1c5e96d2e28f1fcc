package org.ladderae.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.ladderae.checkpoints.Checkpoint;
import org.ladderae.checkpoints.CheckpointException;
import org.ladderae.checkpoints.CheckpointStore;
import org.ladderae.env.ProgressBar;
import org.ladderae.experiments.FigureGemmShapes;
import org.ladderae.gpu.CudaContext;
import org.ladderae.kernels.GemmConfig;
import org.ladderae.kernels.GemmConfig.Format;
import org.ladderae.kernels.GemmRunner;
import org.ladderae.kernels.KernelCache;
import org.ladderae.kernels.TargetArch;
import org.ladderae.results.RunDirectory;
import org.ladderae.tuning.GemmCheckpoints;
import org.ladderae.tuning.GemmSpace;
import org.ladderae.tuning.GemmTuningPlan;
import org.ladderae.tuning.GemmTuningProblem;
import org.ladderae.tuning.Tuner;
import org.ladderae.tuning.TuningEnvironment;
import org.ladderae.tuning.TuningReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ladder-ae tune gemm}: tunes GEMM problems on this GPU ({@code --figures}: every one Figures 12 and 14 and
 * Table 1 measure) within a wall-clock budget, writing one checkpoint per problem into a directory that
 * {@code checkpoints pack --dir} packs. A problem whose estimate no longer fits the budget is skipped and named;
 * one already tuned in the directory is kept (so a second run continues a cut one) unless {@code --force}.
 */
@Command(name = "gemm", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Tune GEMM kernels (tiles, warps, stages, split-K, mma/wgmma) for one shape or, with --figures, every GEMM point "
                + "of Figures 12 and 14 and Table 1; each winner is checked against the CPU reference and written as a checkpoint.")
final class TuneGemmCommand implements Callable<Integer> {
    @Option(names = "--figures", description = "Tune every GEMM problem of Figure 12 (M1, M2, M4, M5), Figure 14 (M = 4096) and Table 1.")
    boolean figures;

    @Option(names = "--weights", defaultValue = "fp16", description = "One shape: fp16, int8, int4, int2, int1, nf4, fp8_e5m2, fp8_e4m3, mxfp8.")
    String weights;

    @Option(names = "--acts", defaultValue = "fp16", description = "One shape: fp16, int8, int4, fp8_e5m2, fp8_e4m3, mxfp8.")
    String acts;

    @Option(names = "-m", defaultValue = "4096") int m;

    @Option(names = "-n", defaultValue = "8192") int n;

    @Option(names = "-k", defaultValue = "8192") int k;

    @Option(names = "--budget-s", defaultValue = "600", description = "Wall-clock budget in seconds; problems that no longer fit are skipped (default ${DEFAULT-VALUE}).")
    double budgetS;

    @Option(names = "--dry-run", description = "Print the plan (candidates, pruned, estimated time) and exit; no GPU needed.")
    boolean dryRun;

    @Option(names = "--list-candidates", description = "With --dry-run: every candidate and every pruned configuration with its reason.")
    boolean listCandidates;

    @Option(names = "--arch", description = "Plan for this arch (with --dry-run; default sm_90a). A real run tunes for the GPU it runs on.")
    String arch;

    @Option(names = "--checkpoints", paramLabel = "DIR", description = "Write checkpoints here (default: <out>/tune/<run-id>/checkpoints).")
    Path checkpoints;

    @Option(names = "--out", defaultValue = "results", description = "Run output root when --checkpoints is not given.")
    Path out;

    @Option(names = "--force", description = "Re-tune problems that already have a checkpoint in the directory, replacing it.")
    boolean force;

    @Option(names = "--seed", defaultValue = "20261125") long seed;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!(budgetS > 0)) throw new UserError(UserError.USAGE, "--budget-s must be positive, got " + budgetS);
        if (figures) {
            for (String shapeOption : List.of("--weights", "--acts", "-m", "-n", "-k")) {
                if (spec.commandLine().getParseResult().hasMatchedOption(shapeOption))
                    throw new UserError(UserError.USAGE, "--figures tunes the figures' own shapes: drop " + shapeOption);
            }
        }
        List<FigureGemmShapes.Shape> shapes = figures ? FigureGemmShapes.all() : List.of(single());
        PrintWriter console = spec.commandLine().getOut();
        if (dryRun) {
            TargetArch planArch = parseArch(arch == null ? "sm_90a" : arch);
            printPlan(console, plan(shapes, planArch), planArch);
            return 0;
        }
        KernelCache cache = TuneCommand.tuningCache(" (--dry-run prints the plan without one)");
        CudaContext ctx = BenchCommand.openDevice(0);
        TargetArch gpuArch = TargetArch.forComputeCapability(ctx.device().ccMajor(), ctx.device().ccMinor());
        if (arch != null && !parseArch(arch).equals(gpuArch)) {
            throw new UserError(UserError.USAGE, "--arch " + arch + " does not match this GPU (" + gpuArch.smName() + "): a run tunes for the GPU it runs on");
        }
        parseArch(gpuArch.smName());   // an arch the space does not know fails here, in one line
        List<GemmTuningPlan.Item> items = plan(shapes, gpuArch);
        Path dir = checkpoints != null ? checkpoints : RunDirectory.create(out, "tune").path().resolve(CheckpointStore.DIRECTORY);
        CheckpointStore store = new CheckpointStore(dir);
        TuningEnvironment env = TuningEnvironment.of(ctx, cache);
        Tuner tuner = new Tuner(Runtime.getRuntime().availableProcessors(), console, ProgressBar.isTerminal());
        console.printf(Locale.ROOT, "tuning %d GEMM problems on %s within %.0f s; checkpoints into %s%n", items.size(), ctx.device().describe(), budgetS, dir);

        long start = System.nanoTime();
        int tuned = 0, kept = 0;
        List<String> skipped = new ArrayList<>(), failed = new ArrayList<>();
        for (int index = 0; index < items.size(); index++) {
            GemmTuningPlan.Item item = items.get(index);
            double elapsed = (System.nanoTime() - start) / 1e9;
            // Position and elapsed time lead each line: the whole run's progress, beside the tuner's per-problem bars.
            String label = String.format(Locale.ROOT, "[%d/%d, %s] %s (%s)", index + 1, items.size(),
                    ProgressBar.format(java.time.Duration.ofSeconds((long) elapsed)), item.describe(), item.points());
            try {
                if (!force && store.find(gpuArch.smName(), GemmCheckpoints.key(item.weights(), item.acts(), item.m(), item.n(), item.k())).isPresent()) {
                    kept++;
                    console.println("kept    " + label + ": already tuned in " + dir);
                    continue;
                }
            } catch (CheckpointException e) {
                throw new UserError(UserError.RUN_FAILURE, e.getMessage());
            }
            if (item.space().candidates().isEmpty()) {
                failed.add(label + ": no candidate configuration fits this shape on " + gpuArch.smName());
                console.println("FAILED  " + failed.get(failed.size() - 1));
                continue;
            }
            if (elapsed + item.estimateS() > budgetS) {
                skipped.add(String.format(Locale.ROOT, "%s: needs ~%.0f s, %.0f s of the budget left", label, item.estimateS(), budgetS - elapsed));
                console.println("skipped " + skipped.get(skipped.size() - 1));
                continue;
            }
            try (GemmRunner runner = new GemmRunner(ctx, cache);
                 GemmTuningProblem problem = new GemmTuningProblem(item.weights(), item.acts(), item.m(), item.n(), item.k(), runner, cache, gpuArch, seed)) {
                TuningReport<GemmConfig> report = tuner.tune(problem);
                Checkpoint saved = GemmCheckpoints.save(store, report, env, force);
                tuned++;
                GemmConfig best = report.best();
                console.printf(Locale.ROOT, "tuned   %s: %s%s at %.4f ms (median of candidates %.4f ms), %d candidates, %.1f s (compile %.1f, measure %.1f) -> %s%n",
                        label, best.kernelName(), best.splitK() > 1 ? " split-K " + best.splitK() : "", report.bestMs(), report.medianMs(),
                        report.candidatesTried(), report.total().toMillis() / 1e3, report.compileTime().toMillis() / 1e3,
                        report.measureTime().toMillis() / 1e3, saved.id());
            } catch (Tuner.TuningException | RuntimeException e) {
                failed.add(label + ": " + e.getMessage());
                console.println("FAILED  " + failed.get(failed.size() - 1));
            }
        }
        console.printf(Locale.ROOT, "%d tuned, %d kept, %d skipped for the budget, %d failed in %.0f s; checkpoints in %s%n", tuned, kept, skipped.size(),
                failed.size(), (System.nanoTime() - start) / 1e9, dir);
        if (!skipped.isEmpty()) console.println("run the same command again (with a budget) to tune the skipped problems: tuned ones are kept");
        if (tuned + kept > 0) console.println("pack them with: ladder-ae checkpoints pack --dir " + dir + " gemm-checkpoints.tar.gz");
        if (!failed.isEmpty()) throw new UserError(UserError.RUN_FAILURE, failed.size() + " of " + items.size() + " GEMM problems failed to tune (first: " + failed.get(0) + ")");
        return 0;
    }

    private FigureGemmShapes.Shape single() {
        Format w = BenchCommand.Gemm.parseFormat(weights, "weight"), a = BenchCommand.Gemm.parseFormat(acts, "activation");
        if (m < 1 || n < 1 || k < 1) throw new UserError(UserError.USAGE, "shape must be positive: " + m + "x" + n + "x" + k);
        return new FigureGemmShapes.Shape(w, a, m, n, k, "-m " + m + " -n " + n + " -k " + k);
    }

    /** The arch, or a usage error naming what is known: a typo must not plan against a guessed shared-memory limit. */
    static TargetArch parseArch(String text) {
        try {
            TargetArch a = TargetArch.parse(text);
            GemmSpace.maxSharedBytesPerBlock(a);
            return a;
        } catch (IllegalArgumentException e) {
            throw new UserError(UserError.USAGE, e.getMessage());
        }
    }

    private static List<GemmTuningPlan.Item> plan(List<FigureGemmShapes.Shape> shapes, TargetArch arch) {
        List<GemmTuningPlan.Item> items = new ArrayList<>();
        for (FigureGemmShapes.Shape s : shapes) items.add(GemmTuningPlan.item(s.points(), s.weights(), s.acts(), s.m(), s.n(), s.k(), arch));
        return items;
    }

    private void printPlan(PrintWriter out, List<GemmTuningPlan.Item> items, TargetArch planArch) {
        int cores = Runtime.getRuntime().availableProcessors();
        out.printf(Locale.ROOT, "GEMM tuning plan for %s: %d problems (dry run: nothing compiled or run)%n", planArch.smName(), items.size());
        String row = "%-34s %-28s %-20s %10s %7s %7s%n";
        out.printf(row, "points", "formats", "M x N x K", "candidates", "pruned", "est s");
        double total = 0;
        int candidates = 0;
        List<String> overBudget = new ArrayList<>();
        for (GemmTuningPlan.Item i : items) {
            out.printf(Locale.ROOT, row, i.points(), "W_" + i.weights() + "A_" + i.acts(), i.m() + "x" + i.n() + "x" + i.k(), i.space().candidates().size(),
                    i.space().pruned().size(), String.format(Locale.ROOT, "%.1f", i.estimateS()));
            if (listCandidates) {
                for (GemmConfig c : i.space().candidates()) out.println("    candidate " + c.kernelName() + (c.splitK() > 1 ? " split-K " + c.splitK() : ""));
                for (GemmSpace.Pruned p : i.space().pruned()) out.println("    pruned    " + p.candidate() + ": " + p.reason());
            }
            if (i.space().candidates().isEmpty()) out.println("    no candidate fits: this problem would fail");
            if (total + i.estimateS() > budgetS) overBudget.add(i.describe());
            else total += i.estimateS();
            candidates += i.space().candidates().size();
        }
        int kernels = GemmTuningPlan.distinctKernels(items);
        double compile = GemmTuningPlan.compileSeconds(kernels, cores);
        out.printf(Locale.ROOT, "%d candidates in all, %d distinct kernels to compile (~%.0f s on %d cores with a cold kernel cache; ~%.0f s on 16)%n",
                candidates, kernels, compile, cores, GemmTuningPlan.compileSeconds(kernels, 16));
        out.printf(Locale.ROOT, "estimated GPU-side time ~%.0f s (operand fill, timing every candidate, checking each winner), plus the compiles%n", total);
        out.println("candidates that ptxas makes spill are dropped after compiling, before timing");
        if (overBudget.isEmpty()) out.printf(Locale.ROOT, "fits the %.0f s budget%n", budgetS);
        else out.printf(Locale.ROOT, "over the %.0f s budget, these would be skipped: %s%n", budgetS, String.join("; ", overBudget));
    }
}
