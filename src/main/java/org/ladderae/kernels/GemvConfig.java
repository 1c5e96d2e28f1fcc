package org.ladderae.kernels;

/**
 * One GEMV operator instance as compiled: C[M][N] = A[M][K] * W[N][K]^T (NT layout, output FP16).
 * M is compiled in (1..16) so the accumulators live in registers; N and K are run-time arguments.
 * {@code groupSize} adds per-group scales and zero points (weight = (decode(code) - zero) * scale):
 * {@link #NO_GROUPS}, a group of G elements along K, or {@link #WHOLE_ROW} — what quantised checkpoints
 * (GPTQ/AWQ-style INT4, QLoRA NF4) carry; the artifact itself used none. {@code int32Output}: integer activations
 * only, C holds the exact INT32 sums (see {@link #withInt32Output}).
 */
public record GemvConfig(WeightFormat weights, ActFormat acts, int m, GemvStage stage, GemvLaunch launch, int groupSize, boolean int32Output) {
    public static final int MAX_M = 16;
    public static final int NO_GROUPS = 0;
    public static final int WHOLE_ROW = -1;

    public GemvConfig(WeightFormat weights, ActFormat acts, int m, GemvStage stage, GemvLaunch launch) {
        this(weights, acts, m, stage, launch, NO_GROUPS);
    }

    public GemvConfig(WeightFormat weights, ActFormat acts, int m, GemvStage stage, GemvLaunch launch, int groupSize) {
        this(weights, acts, m, stage, launch, groupSize, false);
    }

    public GemvConfig {
        if (groupSize != NO_GROUPS) {
            if (acts != ActFormat.FP16 || !(weights.isUnsignedInt() || weights == WeightFormat.NF4))
                throw new IllegalArgumentException("group scales take FP16 activations and INTx or NF4 weights, not W_" + weights + "A_" + acts);
            if (stage.ordinal() < GemvStage.PTX.ordinal())
                throw new IllegalArgumentException("group scales run on the +PTX/holistic kernels, not stage " + stage.token());
            if (launch.tensorCores() && !tensorCoreGroupsFit(weights, groupSize))
                throw new IllegalArgumentException("the tensor-core GEMV takes groups of whole K blocks (" + WeightLayout.mmaKBlock(weights)
                        + " elements of W_" + weights + ") or whole rows, not " + groupSize);
            if (groupSize != WHOLE_ROW && (groupSize <= 0 || groupSize % weights.kUnit() != 0))
                throw new IllegalArgumentException("group size " + groupSize + " is not a positive multiple of " + weights.kUnit()
                        + " (the elements of W_" + weights + " in one 16-byte load), nor whole row");
        }
        if (!acts.accepts(weights)) throw new IllegalArgumentException("W_" + weights + " with A_" + acts + " is not a supported pair");
        if (m < 1 || m > MAX_M) throw new IllegalArgumentException("GEMV kernels take M = 1.." + MAX_M + ", not " + m);
        if (stage != GemvStage.HOLISTIC && !launch.equals(GemvLaunch.DEFAULT)) throw new IllegalArgumentException("stages (a)-(c) use the default launch configuration; tuning is the holistic stage");
        if (launch.tensorCores() && (acts != ActFormat.FP16 || weights == WeightFormat.MXFP8)) throw new IllegalArgumentException("the tensor-core GEMV takes FP16 activations and non-MX weights");
        if (int32Output && acts == ActFormat.FP16) throw new IllegalArgumentException("INT32 output needs integer activations, not A_" + acts);
    }

    /** A weight/activation format pair the GEMV kernels take. */
    public record FormatPair(WeightFormat weights, ActFormat acts) {}

    /** Every pair the kernels take (derived from {@link ActFormat#accepts}), weights varying fastest within an activation format. */
    public static java.util.List<FormatPair> supportedPairs() {
        java.util.List<FormatPair> out = new java.util.ArrayList<>();
        for (ActFormat a : ActFormat.values()) for (WeightFormat w : WeightFormat.values()) if (a.accepts(w)) out.add(new FormatPair(w, a));
        return java.util.List.copyOf(out);
    }

    /** Whether the tensor-core GEMV takes groups of {@code groupSize}: whole rows, or whole K blocks of its tile. */
    public static boolean tensorCoreGroupsFit(WeightFormat weights, int groupSize) {
        return groupSize == WHOLE_ROW || (groupSize > 0 && groupSize % WeightLayout.mmaKBlock(weights) == 0);
    }

    /** This configuration with per-group scales and zero points ({@link #NO_GROUPS} removes them). */
    public GemvConfig withGroups(int size) { return new GemvConfig(weights, acts, m, stage, launch, size, int32Output); }

    /**
     * This configuration writing the exact INT32 sums (C is int32 [M][N]) instead of their FP16 rounding: what a layer
     * with quantised activations dequantises afterwards (the kernel's INT_OUT). Integer activations only.
     */
    public GemvConfig withInt32Output() { return new GemvConfig(weights, acts, m, stage, launch, groupSize, true); }

    /** Bytes of one output element: 4 with {@link #int32Output}, else FP16's 2. */
    public int outputElementBytes() { return int32Output ? 4 : 2; }

    public boolean grouped() { return groupSize != NO_GROUPS; }

    /** Groups per row at this K (1 for whole-row scales, 0 without groups). */
    public int groups(int k) { return !grouped() ? 0 : groupSize == WHOLE_ROW ? 1 : k / groupSize; }

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
        if (groupSize > 0 && k % groupSize != 0) throw new IllegalArgumentException("K = " + k + " is not a multiple of the group size " + groupSize);
        if ((long) n * k * weights.bits() / 8 > Integer.MAX_VALUE) throw new IllegalArgumentException("weight matrix over 2 GiB: " + n + "x" + k);
    }
}
