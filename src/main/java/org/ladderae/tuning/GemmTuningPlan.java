package org.ladderae.tuning;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.ladderae.kernels.GemmConfig;
import org.ladderae.kernels.GemmConfig.Format;
import org.ladderae.kernels.GemmKernels;
import org.ladderae.kernels.TargetArch;

/**
 * What tuning a list of GEMM problems will cost, before any GPU work: each problem's space and a rough time,
 * and the compile work they share. The estimates decide what a time budget skips and are printed by
 * {@code tune gemm --dry-run}; they are never reported as results.
 */
public final class GemmTuningPlan {
    /** GemvRunner.fillRandomValid fills operands on the host, about this fast (the H100 runs' figure). */
    static final double HOST_FILL_BYTES_PER_S = 1e9;
    /** Throughput of an average candidate, between the mma.sync (330 TFLOP/s FP16, 700 TOP/s INT8) and wgmma kernels. */
    static final double FP16_TFLOPS = 330, INT8_TOPS = 600;
    /** Copy bandwidth of an H100 (~3.0 TB/s measured); M = 32 GEMMs are bound by reading W. */
    static final double BYTES_PER_S = 2.5e12;
    /** Per candidate beside its launches: module load, workspace, events, the L2 flush. */
    static final double CANDIDATE_OVERHEAD_S = 0.05;
    /** The winner's check on the CPU reference: 4095 x 2BN x 512 in double precision (large M), or M = 33 and 32 only. */
    static final double CHECK_LARGE_S = 3, CHECK_SMALL_S = 0.5;
    /** nvcc 13.0 builds one GEMM variant in 0.8-1.7 s on one core (measured on the development machine); 1.5 s covers a slower host. */
    static final double COMPILE_S_PER_VARIANT = 1.5;

    private GemmTuningPlan() {}

    /** One problem to tune: the experiment points it serves, its space and an estimate of its GPU-side time. */
    public record Item(String points, Format weights, Format acts, int m, int n, int k, GemmSpace.Plan space, double estimateS) {
        public String describe() { return "W_" + weights + "A_" + acts + " " + m + "x" + n + "x" + k; }
    }

    public static Item item(String points, Format w, Format a, int m, int n, int k, TargetArch arch) {
        GemmSpace.Plan space = GemmSpace.plan(w, a, m, n, k, arch);
        return new Item(points, w, a, m, n, k, space, space.candidates().isEmpty() ? 0 : estimateSeconds(space.candidates().get(0), space.candidates().size()));
    }

    /**
     * Seconds to fill the operands, time {@code candidates} configurations of {@code shape}'s problem with the
     * tuning timer (at least 3 warm-up and 5 timed launches) and check the winner.
     */
    public static double estimateSeconds(GemmConfig shape, int candidates) {
        double fill = (shape.activationBytes() + shape.weightBytes()) / HOST_FILL_BYTES_PER_S;
        double rate = shape.activation() == Format.FP16 ? FP16_TFLOPS : INT8_TOPS;
        double launchS = Math.max(shape.flops() / (rate * 1e12), (shape.weightBytes() + shape.activationBytes()) / BYTES_PER_S);
        GemmTuningProblem.TimerCost t = GemmTuningProblem.timerCost(launchS);
        double check = shape.m() > GemmKernels.SMALL_M ? CHECK_LARGE_S : CHECK_SMALL_S;
        return fill + candidates * (t.seconds() + CANDIDATE_OVERHEAD_S) + check;
    }

    /** The distinct kernel binaries all {@code items} need: nvcc's work (one binary serves every shape and split-K). */
    public static int distinctKernels(List<Item> items) {
        Set<List<String>> kernels = new LinkedHashSet<>();
        for (Item i : items) for (GemmConfig c : i.space().candidates()) kernels.add(c.defineFlags());
        return kernels.size();
    }

    /** Wall seconds for nvcc to build {@code kernels} variants on {@code cores} cores, with a cold kernel cache. */
    public static double compileSeconds(int kernels, int cores) {
        return Math.ceil(kernels / (double) Math.max(1, cores)) * COMPILE_S_PER_VARIANT;
    }
}
