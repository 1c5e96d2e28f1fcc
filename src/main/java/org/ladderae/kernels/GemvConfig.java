package org.ladderae.kernels;

/**
 * One GEMV operator instance as compiled: C[M][N] = A[M][K] * W[N][K]^T (NT layout, output FP16).
 * M is compiled in (1..16) so the accumulators live in registers; N and K are run-time arguments.
 */
public record GemvConfig(WeightFormat weights, ActFormat acts, int m, GemvStage stage, GemvLaunch launch) {
    public static final int MAX_M = 16;

    public GemvConfig {
        if (!acts.accepts(weights)) throw new IllegalArgumentException("W_" + weights + " with A_" + acts + " is not a supported pair");
        if (m < 1 || m > MAX_M) throw new IllegalArgumentException("GEMV kernels take M = 1.." + MAX_M + ", not " + m);
        if (stage != GemvStage.HOLISTIC && !launch.equals(GemvLaunch.DEFAULT)) throw new IllegalArgumentException("stages (a)-(c) use the default launch configuration; tuning is the holistic stage");
        if (launch.tensorCores() && (acts != ActFormat.FP16 || weights == WeightFormat.MXFP8)) throw new IllegalArgumentException("the tensor-core GEMV takes FP16 activations and non-MX weights");
    }

    /** A weight/activation format pair the GEMV kernels take. */
    public record FormatPair(WeightFormat weights, ActFormat acts) {}

    /** Every pair the kernels take (derived from {@link ActFormat#accepts}), weights varying fastest within an activation format. */
    public static java.util.List<FormatPair> supportedPairs() {
        java.util.List<FormatPair> out = new java.util.ArrayList<>();
        for (ActFormat a : ActFormat.values()) for (WeightFormat w : WeightFormat.values()) if (a.accepts(w)) out.add(new FormatPair(w, a));
        return java.util.List.copyOf(out);
    }

    public static GemvConfig of(WeightFormat w, ActFormat a, int m, GemvStage stage) {
        return new GemvConfig(w, a, m, stage, GemvLaunch.DEFAULT);
    }

    /**
     * Checks a run-time shape; the single error for a bad K names the unit. N is any positive number.
     * @throws IllegalArgumentException if N or K cannot run with this kernel
     */
    public void validateShape(int n, int k) {
        if (n < 1) throw new IllegalArgumentException("N must be positive: " + n);
        int unit = launch.tensorCores() ? WeightLayout.mmaKBlock(weights) : weights.kUnit();
        if (k < unit || k % unit != 0) {
            throw new IllegalArgumentException("K = " + k + " is not a positive multiple of " + unit + ", the K unit of W_" + weights
                    + " (one 16-byte load of " + weights.bits() + "-bit elements" + (weights == WeightFormat.MXFP8 ? ", and one 32-element MX block" : "")
                    + (launch.tensorCores() ? ", times four k16 steps per lane for the tensor-core tile" : "") + ")");
        }
        if ((long) n * k * weights.bits() / 8 > Integer.MAX_VALUE) throw new IllegalArgumentException("weight matrix over 2 GiB: " + n + "x" + k);
    }
}
