package org.ladderae.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.ladderae.baselines.BaselineRunner;
import org.ladderae.baselines.BaselineWorkload;
import org.ladderae.baselines.TorchRunner;
import org.ladderae.gpu.CudaContext;
import org.ladderae.kernels.ConvConfig;
import org.ladderae.kernels.ConvFormat;
import org.ladderae.kernels.ConvKernels;
import org.ladderae.kernels.ConvRunner;
import org.ladderae.kernels.ConvShape;
import org.ladderae.kernels.KernelBuildException;
import org.ladderae.kernels.KernelCache;
import org.ladderae.results.Measurement;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ladder-ae bench conv}: Ladder's implicit-GEMM conv2d (NHWC) for one or more shapes and format
 * pairs. Every candidate tile is checked against the double-precision CPU reference and the ones that
 * pass are timed; the fastest is reported with TFLOP/s and its ratio to cuDNN FP16 (through torch,
 * channels-last and NCHW), measured in the same run.
 */
@Command(name = "conv", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Conv2d NHWC as implicit GEMM on tensor cores (W_FP16A_FP16, W_FP8A_FP16, W_MXFP8A_MXFP8, W_INT4A_INT4, W_INT1A_INT4) "
                + "beside cuDNN through torch; each kernel is checked against the CPU reference first.")
final class BenchConvCommand implements Callable<Integer> {
    @Option(names = "--weights", defaultValue = "fp16", description = "fp16, fp8 (E5M2), mxfp8, int4 (unsigned) or int1 (+-1 codes).") String weights;

    @Option(names = "--acts", defaultValue = "fp16", description = "fp16 (fp16/fp8 weights), mxfp8 (mxfp8 weights) or int4 (signed; int4/int1 weights).")
    String acts;

    @Option(names = "--all-formats", description = "Every format pair instead of --weights/--acts.") boolean allFormats;

    @Option(names = "--shape", split = ";", defaultValue = "C0",
            description = "C0..C7 (Figure 12), 'figure12' for all eight, or N,C,H,W,K,R,S,stride,pad; repeat or separate with ';'.")
    List<String> shapes;

    @Option(names = "--python", defaultValue = "python3", description = "Interpreter with torch for the cuDNN baseline.") String python;

    @Option(names = "--no-baseline", description = "Skip cuDNN (ratios are then n/a).") boolean noBaseline;

    @Option(names = "--candidates", description = "Print every candidate tile's check and time, not only the fastest.") boolean candidates;

    @Option(names = "--device", defaultValue = "0") int device;

    @Option(names = "--seed", defaultValue = "20261125") long seed;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        Map<String, ConvShape> todo = parseShapes(shapes);
        List<ConvFormat> formats;
        try {
            formats = allFormats ? List.of(ConvFormat.values()) : List.of(ConvFormat.of(weights, acts));
        } catch (IllegalArgumentException e) {
            throw new UserError(UserError.USAGE, e.getMessage());
        }
        List<ConvConfig> configs = new ArrayList<>();
        for (ConvShape s : todo.values())
            for (ConvFormat f : formats) {
                String why = ConvKernels.unsupportedReason(f, s);
                if (why != null) throw new UserError(UserError.USAGE, "conv " + s.dims() + ": " + why);
                configs.addAll(ConvKernels.candidates(f, s));
            }
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Measurement> cudnn = noBaseline ? Map.of() : cudnn(todo, out);
        CudaContext ctx = BenchCommand.openDevice(device);
        out.println("conv on " + ctx.device().describe());
        boolean allPassed = true;
        try (ConvRunner runner = new ConvRunner(ctx, KernelCache.defaultCache())) {
            runner.buildAll(configs.stream().filter(c -> c.runsOn(runner.arch())).toList());   // no wgmma tiles below sm_90a
            for (Map.Entry<String, ConvShape> e : todo.entrySet()) {
                ConvShape s = e.getValue();
                Double nhwc = medianOf(cudnn.get("cuDNN-NHWC|" + e.getKey())), nchw = medianOf(cudnn.get("cuDNN|" + e.getKey()));
                out.printf(Locale.ROOT, "%n%s = N,C,H,W,K,R,S,stride,pad %s: implicit GEMM M=%d N=%d K=%d, %.2f GFLOP%n", e.getKey(), s.dims(),
                        s.gemmM(), s.k(), s.gemmK(), s.flops() / 1e9);
                out.printf(Locale.ROOT, "%-16s %-66s %9s %6s %8s %7s %10s %10s %9s%n", "formats", "kernel", "median ms", "cv %", "TFLOP/s",
                        "GB/s", "vs cuDNN-NHWC", "vs NCHW", "check err");
                out.printf(Locale.ROOT, "%-16s %-66s %9s%n", "cuDNN NHWC", "torch conv2d channels-last FP16", describe(cudnn.get("cuDNN-NHWC|" + e.getKey())));
                out.printf(Locale.ROOT, "%-16s %-66s %9s%n", "cuDNN NCHW", "torch conv2d FP16", describe(cudnn.get("cuDNN|" + e.getKey())));
                for (ConvFormat f : formats) {
                    ConvRunner.Tuned t = runner.tune(f, s, seed);
                    if (candidates) {
                        for (ConvRunner.Candidate c : t.candidates()) print(out, "  candidate", c.config(), c.check(), c.timing(), nhwc, nchw);
                    }
                    if (t.best().isEmpty()) {
                        allPassed = false;
                        ConvRunner.Check failed = t.firstFailure().orElseThrow();
                        out.printf(Locale.ROOT, "%-16s %-66s FAILED its check at %s (error %.2e, tolerance %.0e%s): not timed%n", f.label(),
                                failed.config().label(), failed.config().shape().dims(), failed.error(), failed.tolerance(),
                                failed.allWritten() ? "" : ", unwritten outputs");
                        continue;
                    }
                    ConvRunner.Candidate best = t.best().get();
                    print(out, f.label(), best.config(), best.check(), best.timing(), nhwc, nchw);
                    long failedCandidates = t.candidates().stream().filter(c -> !c.check().passed()).count();
                    if (failedCandidates > 0) {
                        allPassed = false;
                        out.printf(Locale.ROOT, "  %d of %d candidate tiles FAILED their check (run with --candidates)%n", failedCandidates, t.candidates().size());
                    }
                    out.flush();
                }
            }
        } catch (KernelBuildException e) {
            throw new UserError(UserError.RUN_FAILURE, e.getMessage());
        }
        out.println();
        out.println("Fastest of " + "the candidate tiles that passed the check (ConvKernels.candidates); ratios = cuDNN ms / Ladder ms (> 1: Ladder faster).");
        out.println("TFLOP/s counts 2*N*P*Q*K*R*S*C (TOP/s for INT4); GB/s counts input, weights, MX exponents and FP16 output once.");
        return allPassed ? 0 : UserError.RUN_FAILURE;
    }

    private static void print(PrintWriter out, String label, ConvConfig c, ConvRunner.Check check, ConvRunner.Timing t, Double nhwc, Double nchw) {
        if (t == null) {
            out.printf(Locale.ROOT, "%-16s %-66s %9s %6s %8s %7s %10s %10s %9.2e FAILED%n", label, c.label(), "-", "-", "-", "-", "-", "-", check.error());
            return;
        }
        double ms = t.stats().medianMs();
        out.printf(Locale.ROOT, "%-16s %-66s %9.4f %6.1f %8.1f %7.0f %10s %10s %9.2e%n", label, c.label(), ms, 100 * t.stats().cv(), t.tflops(),
                t.gbPerSecond(), ratio(nhwc, ms), ratio(nchw, ms), check.error());
    }

    private static String ratio(Double base, double ms) { return base == null ? "n/a" : String.format(Locale.ROOT, "%.2fx", base / ms); }

    private static Double medianOf(Measurement m) { return m == null || m.status() != Measurement.Status.OK ? null : m.medianMs(); }

    private static String describe(Measurement m) {
        if (m == null) return "not run";
        if (m.status() != Measurement.Status.OK) return m.status() + ": " + m.reason();
        return String.format(Locale.ROOT, "%.4f", m.medianMs());
    }

    /** cuDNN FP16 through torch for every shape, NCHW and channels-last, keyed "system|label"; n/a lines say why. */
    private Map<String, Measurement> cudnn(Map<String, ConvShape> todo, PrintWriter out) {
        List<BaselineWorkload> ws = new ArrayList<>();
        for (Map.Entry<String, ConvShape> e : todo.entrySet()) {
            ConvShape s = e.getValue();
            ws.add(BaselineWorkload.conv(e.getKey(), s.n(), s.c(), s.h(), s.w(), s.k(), s.r(), s.s(), s.stride(), s.pad()));
        }
        Path cache = BaselineRunner.Options.defaultCacheDir();
        TorchRunner torch = new TorchRunner(python, cache);
        Map<String, Measurement> byKey = new LinkedHashMap<>();
        for (Measurement m : torch.run(ws, new BaselineRunner.Options(python, false, Duration.ofMinutes(10), cache)))
            byKey.put(m.system() + "|" + m.setting(), m);
        return byKey;
    }

    static Map<String, ConvShape> parseShapes(List<String> specs) {
        Map<String, ConvShape> out = new LinkedHashMap<>();
        int custom = 0;
        for (String spec : specs) {
            String t = spec.trim();
            if (t.equalsIgnoreCase("figure12")) {
                out.putAll(ConvShape.FIGURE12);
                continue;
            }
            try {
                ConvShape s = ConvShape.parse(t);
                String label = ConvShape.FIGURE12.containsKey(t.toUpperCase(Locale.ROOT)) ? t.toUpperCase(Locale.ROOT) : "shape" + custom++;
                out.put(label, s);
            } catch (IllegalArgumentException e) {
                throw new UserError(UserError.USAGE, e.getMessage());
            }
        }
        return out;
    }
}
