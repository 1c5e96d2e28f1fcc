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
import java.util.OptionalDouble;
import org.ladderae.gpu.GpuPeaks;
import org.ladderae.kernels.ActFormat;
import org.ladderae.kernels.GemmConfig;
import org.ladderae.kernels.GemmKernels;
import org.ladderae.kernels.GemmRunner;
import org.ladderae.paperdata.NumberFormat;
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

/**
 * {@code ladder-ae bench gemv}: check, then time, Ladder GEMV kernels; ratios to our FP16 kernel and to the copy bandwidth.
 * {@code ladder-ae bench gemm}: the same for one tensor-core GEMM: ms, TFLOP/s and percent of the GPU's dense peak.
 * {@code ladder-ae bench conv}: Ladder's implicit-GEMM conv2d beside cuDNN through torch ({@link BenchConvCommand}).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Benchmark Ladder kernels on this GPU (each is checked against the CPU reference first).",
        subcommands = {BenchCommand.Gemv.class, BenchCommand.Gemm.class, BenchConvCommand.class})
public final class BenchCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing operator: choose gemv, gemm or conv");
    }

    /** The device's context, or the run-failure exit with the reason there is no usable GPU. */
    static CudaContext openDevice(int ordinal) {
        try {
            return CudaContext.forDevice(ordinal);
        } catch (GpuUnavailableException e) {
            throw new UserError(UserError.RUN_FAILURE, e.getMessage());
        }
    }

    @Command(name = "gemv", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "GEMV C[M,N] = A[M,K] x W[N,K]^T with low-bit weights (M = 1..16).")
    static final class Gemv implements Callable<Integer> {
        @picocli.CommandLine.Mixin GemvShapeOptions shape;

        @Option(names = "--stage", defaultValue = "holistic", description = "baseline, transform, ptx or holistic (Figure 13's stages).")
        String stage;

        @Option(names = "--figures", description = "Run the Figure 12 (M0, M3) and Figure 14 (M0-M3) GEMV points for every format instead.")
        boolean figures;

        @Option(names = "--group-size", defaultValue = "0",
                description = "Per-group scales and zero points for INTx/NF4 weights with FP16 activations: 32, 64, 128 (a multiple of the elements in 16 bytes), -1 for one per row; 0 (default) none, as the artifact.")
        int groupSize;

        @Option(names = "--device", defaultValue = "0") int device;

        @Option(names = "--seed", defaultValue = "20261125") long seed;

        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            List<GemvBenchSuite.Point> points = new ArrayList<>();
            GemvStage st = parseStage(stage);
            if (figures) points.addAll(GemvBenchSuite.figures());
            else {
                // our FP16 kernel on the same shape first: the "vs FP16" column is always measured in this run
                if (shape.weightFormat() != WeightFormat.FP16) points.add(new GemvBenchSuite.Point("FP16 reference", WeightFormat.FP16, ActFormat.FP16, shape.m, shape.n, shape.k));
                points.add(new GemvBenchSuite.Point("", shape.weightFormat(), shape.actFormat(), shape.m, shape.n, shape.k));
            }
            List<GemvConfig> configs = new ArrayList<>();
            for (GemvBenchSuite.Point p : points) {
                try {
                    boolean grouped = groupSize != 0 && p.weights() != WeightFormat.FP16;
                    if (grouped && st != GemvStage.HOLISTIC && st != GemvStage.PTX)
                        throw new IllegalArgumentException("--group-size runs on the ptx and holistic stages only");
                    GemvConfig c = st == GemvStage.HOLISTIC
                            ? (grouped ? GemvKernels.holisticGrouped(p.weights(), p.acts(), p.m(), p.n(), p.k(), groupSize) : GemvKernels.holistic(p.weights(), p.acts(), p.m(), p.n(), p.k()))
                            : GemvConfig.of(p.weights(), p.acts(), p.m(), st).withGroups(grouped ? groupSize : 0);
                    c.validateShape(p.n(), p.k());
                    configs.add(c);
                } catch (IllegalArgumentException e) {
                    throw new UserError(UserError.USAGE, e.getMessage());
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            CudaContext ctx = openDevice(device);
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
                    String fmt = "W_" + p.weights() + "A_" + p.acts() + (c.grouped() ? " g" + (c.groupSize() == GemvConfig.WHOLE_ROW ? "row" : c.groupSize()) : "");
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
            out.println("GB/s counts weight bytes (and MX exponents or group scales/zeros), activations and output once; % copy is of the measured device copy.");
            return allPassed ? 0 : UserError.RUN_FAILURE;
        }

        private static GemvStage parseStage(String s) {
            for (GemvStage g : GemvStage.values()) if (g.token().equalsIgnoreCase(s) || g.name().equalsIgnoreCase(s)) return g;
            throw new UserError(UserError.USAGE, "unknown stage '" + s + "': use baseline, transform, ptx or holistic");
        }
    }

    @Command(name = "gemm", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "Tensor-core GEMM C[M,N] = A[M,K] x W[N,K]^T (W_FP16A_FP16, W_INT4A_FP16, W_INT8A_INT8), "
                    + "checked against the CPU reference at M = 33 and 4095 first.")
    static final class Gemm implements Callable<Integer> {
        @Option(names = "--weights", defaultValue = "int4", description = "fp16, int4 (unsigned codes, Ladder layout) or int8 (signed).")
        String weights;

        @Option(names = "--acts", defaultValue = "fp16", description = "fp16 (fp16 or int4 weights) or int8 (int8 weights).")
        String acts;

        @Option(names = "-m", defaultValue = "4096") int m;

        @Option(names = "-n", defaultValue = "28672", description = "Multiple of 128.") int n;

        @Option(names = "-k", defaultValue = "8192", description = "Multiple of 64 (fp16 acts) or 128 (int8 acts).") int k;

        @Option(names = "--device", defaultValue = "0") int device;

        @Option(names = "--seed", defaultValue = "20261125") long seed;

        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            GemmConfig.Format w = parseFormat(weights, "weight"), a = parseFormat(acts, "activation");
            PrintWriter out = spec.commandLine().getOut();
            CudaContext ctx = openDevice(device);
            TargetArch arch = TargetArch.forComputeCapability(ctx.device().ccMajor(), ctx.device().ccMinor());
            GemmConfig config;
            try {
                config = GemmKernels.forShape(w, a, m, n, k, arch);
            } catch (IllegalArgumentException e) {
                throw new UserError(UserError.USAGE, e.getMessage());
            }
            KernelCache cache = KernelCache.defaultCache();
            out.println("GEMM on " + ctx.device().describe());
            out.println("kernel: " + config.kernelName() + (config.splitK() > 1 ? " split-K " + config.splitK() : ""));
            try (GemmRunner runner = new GemmRunner(ctx, cache)) {
                GemmRunner.Check check = runner.checkAll(config, seed);
                GemmConfig at = check.config();
                out.printf(Locale.ROOT, "check %dx%dx%d: error %.2e (tolerance %.0e)%s%n", at.m(), at.n(), at.k(), check.error(),
                        check.tolerance(), check.allWritten() ? "" : ", UNWRITTEN OUTPUTS");
                if (!check.passed()) {
                    out.println("FAILED its correctness check: not timed");
                    return UserError.RUN_FAILURE;
                }
                GemmRunner.Timing t = runner.time(config, seed);
                OptionalDouble peak = GpuPeaks.forDevice(ctx.device().name())
                        .map(p -> p.peak(a == GemmConfig.Format.INT8 ? NumberFormat.INT8 : NumberFormat.FP16)).orElse(OptionalDouble.empty());
                out.printf(Locale.ROOT, "%-14s %-20s %10s %8s %10s %10s%n", "formats", "M x N x K", "median ms", "cv %",
                        a == GemmConfig.Format.INT8 ? "TOP/s" : "TFLOP/s", "% of peak");
                out.printf(Locale.ROOT, "%-14s %-20s %10.4f %8.1f %10.1f %10s%n", config.formatLabel(), m + "x" + n + "x" + k,
                        t.stats().medianMs(), 100 * t.stats().cv(), t.tflops(),
                        peak.isPresent() ? String.format(Locale.ROOT, "%.1f%%", 100 * t.tflops() / peak.getAsDouble()) : "n/a");
                if (peak.isEmpty()) out.println(GpuPeaks.unknownMessage(ctx.device().name()));
                else out.println("% of peak: of the datasheet dense " + (a == GemmConfig.Format.INT8 ? "INT8" : "FP16") + " tensor peak"
                        + (w == GemmConfig.Format.INT4 ? " (INT4 weights are decoded to FP16 and run FP16 MMA)." : "."));
                return 0;
            } catch (KernelBuildException e) {
                throw new UserError(UserError.RUN_FAILURE, e.getMessage());
            }
        }

        static GemmConfig.Format parseFormat(String s, String what) {
            try {
                return GemmConfig.Format.valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new UserError(UserError.USAGE, "unknown " + what + " format '" + s + "': use fp16, int4 or int8");
            }
        }
    }
}
