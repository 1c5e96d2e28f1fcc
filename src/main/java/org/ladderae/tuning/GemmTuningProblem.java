package org.ladderae.tuning;

import java.util.List;
import java.util.Locale;
import org.ladderae.gpu.GpuTimer;
import org.ladderae.kernels.GemmConfig;
import org.ladderae.kernels.GemmConfig.Format;
import org.ladderae.kernels.GemmRunner;
import org.ladderae.kernels.KernelCache;
import org.ladderae.kernels.TargetArch;

/**
 * One GEMM (formats, M, N, K) on one GPU as a search over {@link GemmSpace}. Candidates are compiled in parallel
 * (one cubin per kernel variant, shared by every shape through the kernel cache) and those ptxas made spill are
 * dropped; the rest are timed one by one on one set of random operands (filled once: the largest shapes take
 * seconds to fill on the host); the fastest is checked against the double-precision CPU reference at the runner's
 * check shapes before it is kept. Close it to free the operands.
 */
public final class GemmTuningProblem implements TuningProblem<GemmConfig>, AutoCloseable {
    /**
     * Shorter than the measuring timer (25 ms warm-up, 300 ms, at least 20 runs): candidates are only ranked here, and
     * the winner is timed again with the full timer when an experiment measures it. 5 runs of the slowest candidates
     * (~30 ms at 16384^3) keep a candidate under a quarter second.
     */
    static final GpuTimer.Options TIMER = new GpuTimer.Options(10, 60, 5, 500, GpuTimer.Cache.FLUSH_L2);

    /** Launches and seconds {@link #TIMER} spends on a kernel of {@code launchS} seconds (GpuTimer's warm-up runs in batches of 3). */
    record TimerCost(int launches, double seconds) {}

    static TimerCost timerCost(double launchS) {
        double ms = Math.max(launchS * 1e3, 1e-3);
        int warm = (int) Math.min(200, 3 * Math.max(1, Math.ceil(TIMER.warmupMs() / (3 * ms))));
        int reps = (int) Math.max(TIMER.minReps(), Math.min(TIMER.maxReps(), Math.ceil(TIMER.targetMs() / ms)));
        return new TimerCost(warm + reps, (warm + reps) * ms / 1e3);
    }

    private final Format weights, acts;
    private final int m, n, k;
    private final GemmRunner runner;
    private final KernelCache cache;
    private final TargetArch arch;
    private final long seed;
    private GemmRunner.Operands operands;

    public GemmTuningProblem(Format weights, Format acts, int m, int n, int k, GemmRunner runner, KernelCache cache, TargetArch arch, long seed) {
        this.weights = weights;
        this.acts = acts;
        this.m = m;
        this.n = n;
        this.k = k;
        this.runner = runner;
        this.cache = cache;
        this.arch = arch;
        this.seed = seed;
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "gemm W_%sA_%s %dx%dx%d", weights, acts, m, n, k);
    }

    @Override
    public List<GemmConfig> candidates() { return GemmSpace.candidates(weights, acts, m, n, k, arch); }

    /** The cubin, unless ptxas spilled registers to the stack (the resource check ptxas' own -v output would show). */
    @Override
    public byte[] compile(GemmConfig candidate) {
        byte[] cubin = GemmRunner.build(cache, candidate, arch);
        CubinResources r = CubinResources.of(cubin, candidate.kernelName());
        if (r.spills()) {
            throw new IllegalStateException("pruned: ptxas spills " + candidate.kernelName() + " (" + r.registers() + " registers, "
                    + r.frameBytes() + " B stack frame per thread)");
        }
        return cubin;
    }

    @Override
    public double measureMs(GemmConfig candidate, byte[] binary) {
        runner.useBinary(candidate, binary);
        if (operands == null) operands = runner.operands(candidate, seed);
        return runner.time(candidate, operands, TIMER).stats().medianMs();
    }

    @Override
    public boolean verify(GemmConfig candidate, byte[] binary) {
        runner.useBinary(candidate, binary);
        return runner.checkAll(candidate, seed ^ 0x9e3779b97f4a7c15L).passed();
    }

    @Override
    public void close() {
        if (operands != null) operands.close();
        operands = null;
    }
}
