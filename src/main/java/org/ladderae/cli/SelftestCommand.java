package org.ladderae.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.ladderae.gpu.CudaContext;
import org.ladderae.gpu.GpuUnavailableException;
import org.ladderae.gpu.SelfTest;
import org.ladderae.kernels.KernelBuildException;
import org.ladderae.kernels.KernelCache;
import org.ladderae.kernels.KernelSource;
import org.ladderae.kernels.TargetArch;
import org.ladderae.results.TimingStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Builds, checks and times the self-test kernels on the GPU; prints one table. Exit 1 if any check fails. */
@Command(name = "selftest", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Check the GPU path end to end: a vector add and an fp16 GEMV 1x8192x8192, checked and timed.",
                "Both are checked against a double-precision CPU reference; prints median time, GB/s and % of the measured copy bandwidth."})
public final class SelftestCommand implements Callable<Integer> {
    @Option(names = "--device", paramLabel = "N", defaultValue = "0", description = "CUDA device ordinal (default: ${DEFAULT-VALUE}).")
    int device;

    @Option(names = "--seed", paramLabel = "N", description = "Random seed for the inputs (default: fresh each run).")
    Long seed;

    @Option(names = "--min-gemv-fraction", paramLabel = "F", defaultValue = "0.8",
            description = "Fail if the GEMV reaches less than this fraction of copy bandwidth (default: ${DEFAULT-VALUE}).")
    double minGemvFraction;

    @Option(names = "--build-only", paramLabel = "ARCH",
            description = "Only compile the self-test kernels for ARCH (e.g. sm_90a) into the kernel cache; needs nvcc, no GPU.")
    String buildOnlyArch;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (buildOnlyArch != null) return buildOnly(out);
        long s = seed != null ? seed : System.nanoTime();
        SelfTest.Report report;
        try {
            report = new SelfTest(CudaContext.forDevice(device), KernelCache.defaultCache(), s).run(minGemvFraction);
        } catch (GpuUnavailableException | KernelBuildException e) {
            throw new UserError(UserError.RUN_FAILURE, e.getMessage());
        }
        print(out, report, s);
        return report.passed() ? 0 : UserError.RUN_FAILURE;
    }

    private int buildOnly(PrintWriter out) {
        TargetArch arch;
        try {
            arch = TargetArch.parse(buildOnlyArch);
        } catch (IllegalArgumentException e) {
            throw new UserError(UserError.USAGE, e.getMessage());
        }
        KernelCache cache = KernelCache.defaultCache();
        if (cache.nvcc().isEmpty()) throw new UserError(UserError.RUN_FAILURE, "--build-only needs nvcc on PATH");
        try {
            for (String src : List.of(SelfTest.VECTOR_ADD, SelfTest.GEMV_FP16)) {
                byte[] cubin = cache.cubin(KernelSource.fromClasspath(src), arch, SelfTest.NVCC_FLAGS);
                out.printf(Locale.ROOT, "built %s for %s (%d bytes) into %s%n", src, arch.smName(), cubin.length, cache.root());
            }
        } catch (KernelBuildException e) {
            throw new UserError(UserError.RUN_FAILURE, e.getMessage());
        }
        return 0;
    }

    static void print(PrintWriter out, SelfTest.Report r, long seed) {
        out.println("selftest on " + r.device().describe());
        out.println("copy bandwidth: " + r.copy().describe());
        out.printf(Locale.ROOT, "%-15s %-15s %10s %10s %10s %6s %9s %7s %10s  %s%n",
                "kernel", "shape", "median us", "min us", "p90 us", "cv %", "GB/s", "% copy", "rel err", "result");
        for (SelfTest.Row row : r.rows()) {
            TimingStats t = row.timing();
            String verdict = !row.correct() ? "FAIL (wrong: rel err " + fmt(row.relError()) + " > " + fmt(row.tolerance()) + ")"
                    : !row.fastEnough() ? String.format(Locale.ROOT, "FAIL (slow: under %.0f %% of copy)", 100 * row.minFractionOfCopy())
                    : "pass";
            out.printf(Locale.ROOT, "%-15s %-15s %10.1f %10.1f %10.1f %6.1f %9.0f %7.1f %10s  %s%n",
                    row.kernel(), row.shape(), 1e3 * t.medianMs(), 1e3 * t.minMs(), 1e3 * t.p90Ms(), 100 * t.cv(),
                    row.gbPerSecond(), 100 * row.fractionOfCopy(), fmt(row.relError()), verdict);
        }
        out.printf(Locale.ROOT, "selftest %s (seed %d, %d timed launches per kernel at most)%n", r.passed() ? "PASSED" : "FAILED", seed,
                r.rows().stream().mapToInt(x -> x.timing().samplesMs().size()).max().orElse(0));
        out.flush();
    }

    private static String fmt(double v) { return Double.isNaN(v) ? "unwritten" : String.format(Locale.ROOT, "%.2e", v); }
}
