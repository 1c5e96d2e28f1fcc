package org.ladderae.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.ladderae.gpu.CopyBandwidth;
import org.ladderae.gpu.CudaContext;
import org.ladderae.gpu.GpuUnavailableException;
import org.ladderae.kernels.ActFormat;
import org.ladderae.kernels.GemvBenchSuite;
import org.ladderae.kernels.GemvConfig;
import org.ladderae.kernels.GemvKernels;
import org.ladderae.kernels.GemvRunner;
import org.ladderae.kernels.GemvStage;
import org.ladderae.kernels.KernelBuildException;
import org.ladderae.kernels.KernelCache;
import org.ladderae.kernels.TargetArch;
import org.ladderae.kernels.WeightFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ladder-ae bench gemv}: check, then time, Ladder GEMV kernels; ratios to our FP16 kernel and to the copy bandwidth. */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Benchmark Ladder kernels on this GPU (each is checked against the CPU reference first).",
        subcommands = BenchCommand.Gemv.class)
public final class BenchCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing operator: choose gemv");
    }

    @Command(name = "gemv", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "GEMV C[M,N] = A[M,K] x W[N,K]^T with low-bit weights (M = 1..16).")
    static final class Gemv implements Callable<Integer> {
        @picocli.CommandLine.Mixin GemvShapeOptions shape;

        @Option(names = "--stage", defaultValue = "holistic", description = "baseline, transform, ptx or holistic (Figure 13's stages).")
        String stage;

        @Option(names = "--figures", description = "Run the Figure 12 (M0, M3) and Figure 14 (M0-M3) GEMV points for every format instead.")
        boolean figures;

        @Option(names = "--device", defaultValue = "0") int device;

        @Option(names = "--seed", defaultValue = "20261125") long seed;

        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            List<GemvBenchSuite.Point> points = new ArrayList<>();
            GemvStage st = parseStage(stage);
            if (figures) points.addAll(GemvBenchSuite.figures());
            else points.add(new GemvBenchSuite.Point("", shape.weightFormat(), shape.actFormat(), shape.m, shape.n, shape.k));
            List<GemvConfig> configs = new ArrayList<>();
            for (GemvBenchSuite.Point p : points) {
                try {
                    GemvConfig c = st == GemvStage.HOLISTIC ? GemvKernels.holistic(p.weights(), p.acts(), p.m(), p.n(), p.k())
                            : GemvConfig.of(p.weights(), p.acts(), p.m(), st);
                    c.validateShape(p.n(), p.k());
                    configs.add(c);
                } catch (IllegalArgumentException e) {
                    throw new UserError(UserError.USAGE, e.getMessage());
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            CudaContext ctx;
            try {
                ctx = CudaContext.forDevice(device);
            } catch (GpuUnavailableException e) {
                throw new UserError(UserError.RUN_FAILURE, e.getMessage());
            }
            KernelCache cache = KernelCache.defaultCache();
            try {
                GemvRunner.buildAll(cache, configs, TargetArch.forComputeCapability(ctx.device().ccMajor(), ctx.device().ccMinor()));
            } catch (KernelBuildException e) {
                throw new UserError(UserError.RUN_FAILURE, e.getMessage());
            }
            CopyBandwidth.Result copy = CopyBandwidth.of(ctx);
            out.println("GEMV on " + ctx.device().describe());
            out.println("copy bandwidth: " + copy.describe());
            out.printf(Locale.ROOT, "%-20s %-16s %-9s %-22s %9s %8s %8s %9s %8s %9s  %s%n", "point", "formats", "stage", "M x N x K",
                    "median ms", "cv %", "GB/s", "% copy", "vs FP16", "rel err", "check");
            GemvRunner runner = new GemvRunner(ctx, cache);
            Map<String, Double> fp16Ms = new HashMap<>();
            boolean allPassed = true;
            try {
                for (int i = 0; i < points.size(); i++) {
                    GemvBenchSuite.Point p = points.get(i);
                    GemvConfig c = configs.get(i);
                    GemvRunner.Check check = runner.check(c, Math.min(p.n(), 1000), 4096, seed + i);
                    String shape = p.m() + "x" + p.n() + "x" + p.k();
                    String fmt = "W_" + p.weights() + "A_" + p.acts();
                    if (!check.passed()) {
                        allPassed = false;
                        out.printf(Locale.ROOT, "%-20s %-16s %-9s %-22s %9s %8s %8s %9s %8s %9.2e  FAILED (not timed)%n",
                                p.label(), fmt, c.stage().token(), shape, "-", "-", "-", "-", "-", check.error());
                        continue;
                    }
                    GemvRunner.Timing t = runner.time(c, p.n(), p.k(), seed + i);
                    double ms = t.stats().medianMs();
                    if (p.weights() == WeightFormat.FP16) fp16Ms.put(shape, ms);
                    Double base = fp16Ms.get(shape);
                    out.printf(Locale.ROOT, "%-20s %-16s %-9s %-22s %9.4f %8.1f %8.0f %8.1f%% %8s %9.2e  pass%n",
                            p.label(), fmt, c.stage().token(), shape, ms, 100 * t.stats().cv(), t.gbPerSecond(),
                            100 * t.gbPerSecond() / copy.gbPerSecond(), base == null ? "n/a" : String.format(Locale.ROOT, "%.2fx", base / ms),
                            check.error());
                    out.flush();
                }
            } catch (KernelBuildException e) {
                throw new UserError(UserError.RUN_FAILURE, e.getMessage());
            } finally {
                runner.close();
            }
            out.println("GB/s counts weight bytes (and MX exponents), activations and output once; % copy is of the measured device copy.");
            return allPassed ? 0 : UserError.RUN_FAILURE;
        }

        private static GemvStage parseStage(String s) {
            for (GemvStage g : GemvStage.values()) if (g.token().equalsIgnoreCase(s) || g.name().equalsIgnoreCase(s)) return g;
            throw new UserError(UserError.USAGE, "unknown stage '" + s + "': use baseline, transform, ptx or holistic");
        }
    }
}
