package org.ladderae.tuning;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.ladderae.kernels.ActFormat;
import org.ladderae.kernels.GemvConfig;
import org.ladderae.kernels.GemvKernels;
import org.ladderae.kernels.GemvLaunch;
import org.ladderae.kernels.GemvRunner;
import org.ladderae.kernels.GemvStage;
import org.ladderae.kernels.KernelCache;
import org.ladderae.kernels.TargetArch;
import org.ladderae.kernels.WeightFormat;

/**
 * The holistic stage of one GEMV shape as a search over launch configurations (threads, rows per
 * warp, split-K, unroll, tensor cores for M > 1). The heuristic's pick is always a candidate, so a
 * tuned kernel is never slower than the untuned default on the machine that tuned it.
 */
public final class GemvTuningProblem implements TuningProblem<GemvLaunch> {
    private final WeightFormat weights;
    private final ActFormat acts;
    private final int m, n, k;
    private final GemvRunner runner;
    private final KernelCache cache;
    private final TargetArch arch;
    private final long seed;

    public GemvTuningProblem(WeightFormat weights, ActFormat acts, int m, int n, int k, GemvRunner runner, KernelCache cache,
                             TargetArch arch, long seed) {
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

    public int n() { return n; }

    public int k() { return k; }

    public GemvConfig config(GemvLaunch launch) {
        return new GemvConfig(weights, acts, m, GemvStage.HOLISTIC, launch);
    }

    @Override
    public String describe() {
        return "gemv W_" + weights + "A_" + acts + " " + m + "x" + n + "x" + k;
    }

    /** The search space: the kernels' holistic candidates and the heuristic's choice, minus those this shape cannot run. */
    @Override
    public List<GemvLaunch> candidates() {
        Set<GemvLaunch> all = new LinkedHashSet<>(GemvKernels.holisticCandidates(weights, m));
        all.add(GemvKernels.holistic(weights, acts, m, n, k).launch());
        List<GemvLaunch> valid = new ArrayList<>();
        for (GemvLaunch l : all) {
            try {
                config(l).validateShape(n, k);
                config(l).validateShape(Math.min(n, 1000), 4096);   // the correctness check's shape
                valid.add(l);
            } catch (IllegalArgumentException cannotRunThisShape) {
                // pruned: this launch's K unit or pairing does not fit the shape
            }
        }
        return valid;
    }

    @Override
    public byte[] compile(GemvLaunch candidate) {
        return GemvRunner.build(cache, config(candidate), arch);
    }

    @Override
    public double measureMs(GemvLaunch candidate, byte[] binary) {
        runner.useBinary(config(candidate), binary);
        return runner.time(config(candidate), n, k, seed).stats().medianMs();
    }

    @Override
    public boolean verify(GemvLaunch candidate, byte[] binary) {
        runner.useBinary(config(candidate), binary);
        return runner.check(config(candidate), Math.min(n, 1000), 4096, seed ^ 0x9e3779b97f4a7c15L).passed();
    }
}
