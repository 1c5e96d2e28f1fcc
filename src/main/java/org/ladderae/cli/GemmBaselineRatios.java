package org.ladderae.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.ladderae.baselines.BaselineRunner;
import org.ladderae.baselines.BaselineWorkload;
import org.ladderae.baselines.CublasRunner;
import org.ladderae.kernels.GemmConfig.Format;
import org.ladderae.kernels.GemmRunner;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.paperdata.NumberFormat;
import org.ladderae.results.Measurement;

/**
 * {@code bench gemm}'s comparison: cuBLAS ({@link CublasRunner}, a subprocess) on the kernel's shape right after the
 * kernel was timed, and the ratio cuBLAS median ms / kernel median ms for the baselines that compute in the kernel's
 * precision or the FP16 one: FP16 (FP16 accumulation, the paper's cuBLAS series) and FP16 with FP32 accumulation
 * (as our kernels accumulate) always; INT8 for INT8 and INT4 activations (INT4 runs s8 MMA); FP8 E4M3 (cuBLASLt) for FP8 and MXFP8 activations.
 */
final class GemmBaselineRatios {
    private GemmBaselineRatios() {}

    /** The tensor precision a kernel with these activations computes in (its peak and its cuBLAS match). */
    static NumberFormat computeFormat(Format acts) { return org.ladderae.gpu.GpuPeaks.computeFormatOfGemm(acts.name()); }

    /** The cuBLAS series the kernel is compared with, as (system, formats). */
    static List<Object[]> comparedSeries(Format acts) {
        List<Object[]> series = new ArrayList<>();
        series.add(new Object[] {CublasRunner.SYSTEM, FormatPair.FP16});
        series.add(new Object[] {CublasRunner.SYSTEM_FP32_ACC, FormatPair.FP16});
        if (computeFormat(acts) == NumberFormat.INT8) series.add(new Object[] {CublasRunner.SYSTEM, new FormatPair(NumberFormat.INT8, NumberFormat.INT8)});
        if (computeFormat(acts) == NumberFormat.FP8 || computeFormat(acts) == NumberFormat.FP8_E4M3)
            series.add(new Object[] {CublasRunner.SYSTEM, new FormatPair(NumberFormat.FP8_E4M3, NumberFormat.FP8_E4M3)});
        return series;
    }

    static void print(PrintWriter out, GemmRunner.Timing ours, int m, int n, int k, Format acts) {
        BaselineWorkload shape = BaselineWorkload.gemm("bench", m + "x" + n + "x" + k, "bench", m, n, k);
        List<Measurement> ms = new CublasRunner().run(List.of(shape),
                new BaselineRunner.Options("python3", false, Duration.ofMinutes(5), BaselineRunner.Options.defaultCacheDir()));
        out.printf(Locale.ROOT, "%-34s %10s %10s %16s%n", "baseline (same shape, same run)", "median ms", "TFLOP/s", "ours / baseline");
        for (Object[] s : comparedSeries(acts)) {
            String system = (String) s[0];
            FormatPair formats = (FormatPair) s[1];
            Measurement b = ms.stream().filter(x -> x.system().equals(system) && x.formats().equals(formats)).findFirst().orElse(null);
            String label = system + " " + formats.label();
            if (b == null || b.medianMs() == null) {
                out.printf(Locale.ROOT, "%-34s n/a (%s)%n", label, b == null ? "not reported by the benchmark" : b.reason());
                continue;
            }
            double tflops = 2.0 * m * n * k / (b.medianMs() * 1e-3) / 1e12;
            out.printf(Locale.ROOT, "%-34s %10.4f %10.1f %15.3fx%n", label, b.medianMs(), tflops, b.medianMs() / ours.stats().medianMs());
        }
    }
}
