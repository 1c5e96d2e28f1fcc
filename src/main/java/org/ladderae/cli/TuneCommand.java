package org.ladderae.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.ladderae.checkpoints.Checkpoint;
import org.ladderae.checkpoints.CheckpointManifest;
import org.ladderae.checkpoints.CheckpointStore;
import org.ladderae.env.ProgressBar;
import org.ladderae.gpu.CudaContext;
import org.ladderae.gpu.CudaDriver;
import org.ladderae.gpu.GpuUnavailableException;
import org.ladderae.kernels.ActFormat;
import org.ladderae.kernels.GemvLaunch;
import org.ladderae.kernels.GemvRunner;
import org.ladderae.kernels.KernelBuildException;
import org.ladderae.kernels.KernelCache;
import org.ladderae.kernels.TargetArch;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.results.RunDirectory;
import org.ladderae.tuning.GemvCheckpoints;
import org.ladderae.tuning.GemvTuningProblem;
import org.ladderae.tuning.Tuner;
import org.ladderae.tuning.TuningReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ladder-ae tune gemv}: tunes one GEMV shape on this GPU and writes a checkpoint, into the
 * run's output by default and over the shipped checkpoints only with {@code --into-shipped}.
 * {@code ladder-ae tune gemm} ({@link TuneGemmCommand}) tunes GEMM shapes, the figures' set among them.
 */
@Command(name = "tune", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Tune Ladder kernels on this GPU and write checkpoints.", subcommands = {TuneCommand.Gemv.class, TuneGemmCommand.class})
public final class TuneCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing operator: choose gemv or gemm");
    }

    /** The kernel cache to tune with, after checking what tuning needs: a GPU and nvcc (one line each, exit 1). */
    static KernelCache tuningCache(String hint) {
        CudaDriver.Availability availability = CudaDriver.availability();
        if (!availability.available()) throw new UserError(UserError.RUN_FAILURE, "tuning needs a GPU: " + availability.reason() + hint);
        KernelCache cache = KernelCache.defaultCache();
        if (cache.nvcc().isEmpty()) throw new UserError(UserError.RUN_FAILURE, "tuning needs nvcc on PATH (loading checkpoints does not)");
        return cache;
    }

    @Command(name = "gemv", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "Tune the holistic GEMV stage for one shape and formats.")
    static final class Gemv implements Callable<Integer> {
        @picocli.CommandLine.Mixin GemvShapeOptions shape;
        @Option(names = "--out", defaultValue = "results", description = "Run output root; the checkpoint goes to <out>/tune/<run-id>/checkpoints.")
        Path out;
        @Option(names = "--into-shipped", description = "Write into the installed checkpoints/ instead, replacing an existing one.")
        boolean intoShipped;
        @Option(names = "--seed", defaultValue = "20261125") long seed;

        @Spec CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            WeightFormat w = shape.weightFormat();
            ActFormat a = shape.actFormat();
            int m = shape.m, n = shape.n, k = shape.k;
            KernelCache cache = tuningCache("");
            PrintWriter console = spec.commandLine().getOut();
            try {
                CudaContext ctx = CudaContext.forDevice(0);
                TargetArch arch = TargetArch.forComputeCapability(ctx.device().ccMajor(), ctx.device().ccMinor());
                GemvRunner runner = new GemvRunner(ctx, cache);
                try {
                    GemvTuningProblem problem = new GemvTuningProblem(w, a, m, n, k, runner, cache, arch, seed);
                    if (problem.candidates().isEmpty()) throw new UserError(UserError.USAGE, problem.describe() + ": no launch configuration fits this shape");
                    TuningReport<GemvLaunch> report = new Tuner(Runtime.getRuntime().availableProcessors(), console, ProgressBar.isTerminal())
                            .tune(problem);
                    CheckpointManifest manifest = GemvCheckpoints.manifest(problem, report, arch.smName(), ctx.device().name(),
                            CudaDriver.versionString(ctx.device().driverVersion()), cache.nvcc().get().version(), ctx.device().smCount());
                    CheckpointStore store = intoShipped ? CheckpointStore.installed()
                            : new CheckpointStore(RunDirectory.create(out, "tune").path().resolve(CheckpointStore.DIRECTORY));
                    Checkpoint saved = GemvCheckpoints.save(store, manifest, report.bestBinary(), intoShipped);
                    console.printf(Locale.ROOT, "%s: best %s at %.4f ms (median of candidates %.4f ms), %d candidates; tuning %.1f s "
                                    + "(compile %.1f s, measure %.1f s)%ncheckpoint: %s%n", problem.describe(), report.best().token(), report.bestMs(),
                            report.medianMs(), report.candidatesTried(), report.total().toMillis() / 1e3, report.compileTime().toMillis() / 1e3,
                            report.measureTime().toMillis() / 1e3, saved.directory());
                    return 0;
                } finally {
                    runner.close();
                }
            } catch (GpuUnavailableException | KernelBuildException | Tuner.TuningException e) {
                throw new UserError(UserError.RUN_FAILURE, e.getMessage());
            }
        }
    }
}
