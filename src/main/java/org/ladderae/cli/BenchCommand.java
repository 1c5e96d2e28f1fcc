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
 * {@code ladder-ae bench gemm}: the same for one tensor-core GEMM: ms, TFLOP/s, percent of the GPU's dense peak and the
 * ratio to cuBLAS measured in the same run ({@link GemmBaselineRatios}).
 * {@code ladder-ae bench conv}: Ladder's implicit-GEMM conv2d beside cuDNN through torch ({@link BenchConvCommand}).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Benchmark Ladder kernels on this GPU (each is checked against the CPU reference first).",
        subcommands = {BenchCommand.Gemv.class, BenchCommand.Gemm.class, BenchConvCommand.class, BenchLayerCommand.class})
public final class BenchCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing operator: choose gemv, gemm, conv or layer");
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

        @Option(names = "--stage", defaultValue = "holistic", split = ",",
                description = "baseline, transform, ptx or holistic (Figure 13's stages); several, comma-separated, show each stage's gain.")
        List<String> stage;

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
            List<GemvBenchSuite.Point> requested = new ArrayList<>();
            List<GemvStage> stages = stage.stream().map(Gemv::parseStage).distinct().toList();
            if (figures) requested.addAll(GemvBenchSuite.figures());
            else {
                // our FP16 kernel on the same shape first: the "vs FP16" column is always measured in this run
                if (shape.weightFormat() != WeightFormat.FP16) requested.add(new GemvBenchSuite.Point("FP16 reference", WeightFormat.FP16, ActFormat.FP16, shape.m, shape.n, shape.k));
                requested.add(new GemvBenchSuite.Point("", shape.weightFormat(), shape.actFormat(), shape.m, shape.n, shape.k));
            }
            if (!figures) {
                // the requested shape first: a bad K must be reported for the formats asked for, not the FP16 reference
                try {
                    GemvConfig.of(shape.weightFormat(), shape.actFormat(), shape.m, stages.get(0)).validateShape(shape.n, shape.k);
                } catch (IllegalArgumentException e) {
                    throw new UserError(UserError.USAGE, e.getMessage());
                }
            }
            List<GemvBenchSuite.Point> points = new ArrayList<>();
            List<GemvStage> pointStages = new ArrayList<>();
            for (GemvBenchSuite.Point p : requested) {
                // the FP16 reference runs once, at the holistic stage; the requested formats at every stage asked for
                List<GemvStage> these = p.label().equals("FP16 reference") ? List.of(GemvStage.HOLISTIC) : stages;
                for (GemvStage st : these) { points.add(p); pointStages.add(st); }
            }
            List<GemvConfig> configs = new ArrayList<>();
            for (int pi = 0; pi < points.size(); pi++) {
                GemvBenchSuite.Point p = points.get(pi);
                GemvStage st = pointStages.get(pi);
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
                    if (p.weights() == WeightFormat.FP16 && c.stage() == GemvStage.HOLISTIC) fp16Ms.put(shape, ms);
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
            description = "Tensor-core GEMM C[M,N] = A[M,K] x W[N,K]^T for every format pair with a kernel, checked against the "
                    + "CPU reference at M = 33 and 4095 first, then timed beside cuBLAS (FP16, and INT8 / FP8 E4M3 for 8-bit "
                    + "activations) on the same shape in the same run.")
    static final class Gemm implements Callable<Integer> {
        @Option(names = "--weights", defaultValue = "int4",
                description = "fp16, int8 (signed with int8 activations, unsigned codes otherwise), int4, int2, int1 (unsigned codes), nf4, "
                        + "fp8_e5m2 (or fp8/e5m2), fp8_e4m3 (e4m3), mxfp8.")
        String weights;

        @Option(names = "--acts", defaultValue = "fp16",
                description = "fp16 (fp16/int8/int4/int2/int1/nf4/fp8_e5m2 weights), int8 (int8/int4/int2/int1 weights), "
                        + "int4 (int4/int2/int1 weights, stored two per byte), fp8_e4m3/fp8_e5m2/mxfp8 (the same weights).")
        String acts;

        @Option(names = "-m", defaultValue = "4096") int m;

        @Option(names = "-n", defaultValue = "28672", description = "Multiple of 128 (256 for wgmma).") int n;

        @Option(names = "-k", defaultValue = "8192", description = "Multiple of 64 (fp16 acts) or 128 (8-bit acts).") int k;

        @Option(names = "--path", defaultValue = "auto",
                description = "auto (GemmKernels' choice), mma (mma.sync), wgmma (sm_90a, cp.async; fp16, int8, fp8 pairs) or tma "
                        + "(sm_90a, TMA + warp-specialised wgmma; fp16 activations with fp16/int8/int4/int2/int1/nf4/fp8_e5m2 weights, "
                        + "fp8_e4m3 or fp8_e5m2 on both sides, int8 activations with int8/int4/int2/int1 weights).")
        String path;

        @Option(names = "--no-baseline", description = "Skip the cuBLAS measurement (no nvcc needed for it).")
        boolean noBaseline;

        @Option(names = "--device", defaultValue = "0") int device;

        @Option(names = "--seed", defaultValue = "20261125") long seed;

        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            GemmConfig.Format w = parseFormat(weights, "weight"), a = parseFormat(acts, "activation");
            // Usage errors first: a wrong option must not be reported as a missing GPU.
            String kernelPath = path.trim().toLowerCase(Locale.ROOT);
            if (!List.of("auto", "mma", "wgmma", "tma").contains(kernelPath))
                throw new UserError(UserError.USAGE, "unknown --path '" + path + "': use auto, mma, wgmma or tma");
            if (kernelPath.equals("tma") && !GemmConfig.supports(w, a, GemmConfig.Path.WGMMA_TMA))
                throw new UserError(UserError.USAGE, "the TMA kernel does not take W_" + w + "A_" + a + " (--path tma)");
            PrintWriter out = spec.commandLine().getOut();
            CudaContext ctx = openDevice(device);
            TargetArch arch = TargetArch.forComputeCapability(ctx.device().ccMajor(), ctx.device().ccMinor());
            GemmConfig config;
            try {
                config = switch (kernelPath) {
                    case "auto" -> GemmKernels.forShape(w, a, m, n, k, arch);
                    case "mma" -> GemmKernels.forShape(w, a, m, n, k, new TargetArch(arch.major(), arch.minor(), false));
                    case "wgmma" -> GemmConfig.wgmma(w, m, n, k, 2, n % 256 == 0 ? 256 : 128, 4);
                    case "tma" -> GemmConfig.wgmmaTma(w, a, m, n, k);
                    default -> throw new IllegalStateException("--path " + kernelPath + " passed the check above");
                };
                if (!config.activation().equals(a)) throw new IllegalArgumentException("no wgmma kernel for W_" + w + "A_" + a);
            } catch (IllegalArgumentException e) {
                throw new UserError(UserError.USAGE, e.getMessage());
            }
            KernelCache cache = KernelCache.defaultCache();
            out.println("GEMM on " + ctx.device().describe());
            out.println("kernel: " + config.kernelName() + (config.splitK() > 1 ? " split-K " + config.splitK() : ""));
            GemmRunner.Timing t;
            try (GemmRunner runner = new GemmRunner(ctx, cache)) {
                GemmRunner.Check check = runner.checkAll(config, seed);
                GemmConfig at = check.config();
                out.printf(Locale.ROOT, "check %dx%dx%d: error %.2e (tolerance %.0e)%s%n", at.m(), at.n(), at.k(), check.error(),
                        check.tolerance(), check.allWritten() ? "" : ", UNWRITTEN OUTPUTS");
                if (!check.passed()) {
                    out.println("FAILED its correctness check: not timed");
                    return UserError.RUN_FAILURE;
                }
                t = runner.time(config, seed);
            } catch (KernelBuildException e) {
                throw new UserError(UserError.RUN_FAILURE, e.getMessage());
            }
            NumberFormat compute = GemmBaselineRatios.computeFormat(a);
            OptionalDouble peak = GpuPeaks.forDevice(ctx.device().name()).map(p -> p.peak(compute)).orElse(OptionalDouble.empty());
            String unit = compute == NumberFormat.INT8 ? "TOP/s" : "TFLOP/s";
            out.printf(Locale.ROOT, "%-22s %-20s %10s %8s %10s %10s%n", "formats", "M x N x K", "median ms", "cv %", unit, "% of peak");
            out.printf(Locale.ROOT, "%-22s %-20s %10.4f %8.1f %10.1f %10s%n", config.formatLabel(), m + "x" + n + "x" + k,
                    t.stats().medianMs(), 100 * t.stats().cv(), t.tflops(),
                    peak.isPresent() ? String.format(Locale.ROOT, "%.1f%%", 100 * t.tflops() / peak.getAsDouble()) : "n/a");
            if (peak.isEmpty()) out.println(GpuPeaks.unknownMessage(ctx.device().name()));
            else out.println("% of peak: of the datasheet dense " + compute.label() + " tensor peak"
                    + (a == GemmConfig.Format.FP16 && w != GemmConfig.Format.FP16 ? " (the weights are decoded to FP16 and run FP16 MMA)." : "."));
            if (!noBaseline) GemmBaselineRatios.print(out, t, m, n, k, a);
            return 0;
        }

        static GemmConfig.Format parseFormat(String s, String what) {
            String t = s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            if (t.equals("FP8") || t.equals("E5M2")) t = "FP8_E5M2";
            if (t.equals("E4M3")) t = "FP8_E4M3";
            try {
                return GemmConfig.Format.valueOf(t);
            } catch (IllegalArgumentException e) {
                throw new UserError(UserError.USAGE, "unknown " + what + " format '" + s
                        + "': use fp16, int8, int4, int2, int1, nf4, fp8_e5m2, fp8_e4m3 or mxfp8");
            }
        }
    }
}
