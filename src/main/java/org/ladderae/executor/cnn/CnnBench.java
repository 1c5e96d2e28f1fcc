package org.ladderae.executor.cnn;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.ladderae.executor.LayerBench;
import org.ladderae.executor.LayerExecutor;
import org.ladderae.gpu.CudaContext;
import org.ladderae.kernels.ConvFormat;
import org.ladderae.kernels.KernelCache;
import org.ladderae.models.CnnModels;
import org.ladderae.models.reference.CnnWeights;
import org.ladderae.models.reference.DenseTensor;
import org.ladderae.models.reference.LayerComparison;
import org.ladderae.models.reference.ReferenceExecutor;
import org.ladderae.results.TimingStats;

/**
 * One CNN point (FP16, or a low-bit format of {@link CnnQuantization}): the model (ResNet-50 or ShuffleNet v2 x1.0) at 224x224 and the point's batch, seeded weights with the
 * batch norms folded in. It is first checked on the same model at {@link #CHECK_IMAGE}x{@link #CHECK_IMAGE} and batch
 * min(batch, 2) (same structure, same kernel families; the double reference of the full model would take minutes)
 * against the double-precision CPU reference on the very folded weights the GPU multiplies, then, only if that
 * passed, timed at full size with its memory sampled. The full model's conv kernels may differ from the small model's
 * (tiles are picked per shape), so before timing each of them is checked on its own ({@link ConvLauncher#checkPrepared}).
 * A low-bit point's check is per conv ({@link CnnExecutor#runCheckingConvs}: every conv against the reference conv on the
 * GPU's own input, {@link #CONV_TOLERANCE}) plus its logits against the whole-model reference with the same weights and
 * activation quantisation ({@link #modelBound}).
 */
public final class CnnBench {
    /** Image side of the check model: every stage keeps a spatial extent > 1 (ResNet's last stage is 2x2). */
    public static final int CHECK_IMAGE = 64;

    /**
     * Relative Frobenius error the whole FP16 network may show against the double reference. ResNet-50 stores ~60 FP16
     * intermediates (unit roundoff 4.9e-4 each); rounding every stored tensor of the seeded check models to FP16 in the
     * reference itself moves the logits by 5e-4 (ResNet-50) to 7e-4 (ShuffleNet) (CnnModelsTest prints it), and
     * FP32-accumulating kernels add less than that. 1e-2 leaves an order of magnitude of room and still fails a wrong
     * layout, shuffle, stride or fold (those give errors of order 1).
     */
    public static final double FP16_MODEL_TOLERANCE = 1e-2;
    /** E5M2 weights keep 2 mantissa bits: the check's reference uses the same rounded weights, so the FP16 bound holds. */
    public static final double FP8_MODEL_TOLERANCE = FP16_MODEL_TOLERANCE;

    /**
     * Relative Frobenius error of one conv's output against the reference conv on the GPU's own (stored FP16) input,
     * quantised as the device quantises it: the codes are the same bit for bit, so what is left is the output's FP16
     * rounding (unit roundoff 4.9e-4, ~2e-4 in the Frobenius norm, as the conv kernels' own checks measure) and FP32
     * accumulation; twice {@link org.ladderae.kernels.ConvRunner#FP16_TOLERANCE}. A wrong decode, layout, scale or
     * quantiser gives errors of order 1.
     */
    public static final double CONV_TOLERANCE = 2e-3;

    /**
     * Bound on the logits of a model whose activations are quantised (MXFP8, INT4) against the whole-model reference with
     * the same quantisation. Not a precision bound: one FP16 ulp of difference in an earlier tensor flips a quantisation
     * step (E5M2: 25% of a value; INT4: 1/7 of the tensor's range) and the flips compound over ~50 convs. Rounding the
     * reference's own intermediates to FP16 moves its logits by 5.8e-2 to 6.6e-2 (MXFP8) and 0.19 to 0.23 (INT1 x INT4) on
     * the seeded ResNet-50 check models (seeds 3, 5, 7, batch 1-3; CnnQuantizationTest prints one), so these bounds are
     * about 4x / 2.2x that: a sanity check of the
     * wiring (a wrong buffer, shuffle or layout gives errors of order 1); the per-conv check ({@link #CONV_TOLERANCE}) is
     * the precise one.
     */
    public static final double MXFP8_MODEL_BOUND = 0.25, INT4_ACT_MODEL_BOUND = 0.5;

    private CnnBench() {}

    /** The tensor-core conv launchers tried before the direct kernels, in order. */
    public static List<CnnExecutor.ConvLauncherFactory> installedConvs() {
        return List.of(LadderConvLauncher::new);
    }


    /**
     * @param precision which convs ran in {@code format} and which stayed FP16, and why ({@link CnnQuantization#summary})
     */
    /**
     * A measured point; timings and memory are null when the check failed.
     *
     * @param graphTiming  the model replayed as one CUDA graph launch; null when the capture failed or its output differed
     *                     from the launched run's ({@code graphNote} says which)
     * @param launchTiming the same launches queued one by one
     */
    public record Result(String workload, int batch, ConvFormat format, LayerBench.Check check, TimingStats graphTiming, TimingStats launchTiming,
                         String graphNote, LayerExecutor.Memory memory, long weightBytes, boolean fullOutputFinite, Map<String, String> convKernels,
                         String precision) {
        /** The model's time: the CUDA graph replay, or kernel by kernel where the graph was not usable. */
        public TimingStats timing() { return graphTiming != null ? graphTiming : launchTiming; }

        public boolean ok() { return check.passed() && timing() != null && fullOutputFinite; }
    }

    /**
     * How far the graph replay's logits may be from the launched run's (relative Frobenius): the same kernels on the same
     * data give the same bits; the slack only absorbs an atomic reduction order, and a replay that skipped a kernel leaves
     * NaN poison.
     */
    static final double GRAPH_REPLAY_TOLERANCE = 1e-3;

    /** Why the executor has no conv kernels for {@code format} (the reproductions' n/a reason), or null when it has. */
    public static String whyNoKernels(ConvFormat format) {
        return format == ConvFormat.W_INT4A_INT4
                ? "the CNN executor has no W_INT4A_INT4 weight encoding (the conv kernel's unsigned INT4 codes without a zero point)" : null;
    }

    /** The sanity bound on a low-bit model's logits against the quantised whole-model reference (see the constants). */
    public static double modelBound(ConvFormat format) {
        return switch (format) {
            case W_FP16A_FP16 -> FP16_MODEL_TOLERANCE;
            case W_FP8A_FP16 -> FP8_MODEL_TOLERANCE;
            case W_MXFP8A_MXFP8 -> MXFP8_MODEL_BOUND;
            case W_INT1A_INT4, W_INT4A_INT4 -> INT4_ACT_MODEL_BOUND;
        };
    }

    /**
     * The weights the GPU stores, as values: the folded FP16 weights, with each conv weight rounded to what {@code format}
     * stores where its launcher converts it (E5M2 for FP8). The reference of a check multiplies exactly these.
     */
    public static Map<String, DenseTensor> storedWeights(CnnModels.CnnModel m, ConvFormat format, long seed) {
        return CnnQuantization.storedWeights(m, CnnWeights.foldedWeights(m, seed), format);
    }

    /**
     * The double-precision reference of {@code m} in {@code format}: the stored (decoded) weights {@code w}, and each
     * low-bit conv reading its input quantised as the device quantises it ({@link CnnQuantization}); {@code storeOutput}
     * models how the GPU stores intermediates (identity: exact).
     */
    public static DenseTensor reference(CnnModels.CnnModel m, ConvFormat format, DenseTensor image, Map<String, DenseTensor> w,
                                        java.util.function.UnaryOperator<DenseTensor> storeOutput) {
        Map<String, DenseTensor> all = ReferenceExecutor.runAll(m.graph(), Map.of("image", image), w, storeOutput,
                format == ConvFormat.W_FP16A_FP16 ? null : CnnQuantization.activationQuantizer(m.graph(), format));
        return all.get(m.graph().outputs().get(0));
    }

    /** Runs {@code m} on the GPU with seeded weights and compares its logits with the reference on the same weights. */
    public static LayerBench.Check check(CudaContext ctx, KernelCache cache, CnnModels.CnnModel m, ConvFormat format,
                              List<? extends CnnExecutor.ConvLauncherFactory> convs, long seed) {
        Map<String, DenseTensor> w = storedWeights(m, format, seed);
        DenseTensor image = CnnWeights.image(m, seed);
        DenseTensor gpu;
        List<CnnExecutor.ConvCheck> convChecks = null;
        try (CnnExecutor ex = new CnnExecutor(ctx, cache, m, format, w, convs)) {
            if (format == ConvFormat.W_FP16A_FP16) {
                gpu = ex.run(image);
            } else {
                convChecks = ex.runCheckingConvs(image, w);
                gpu = ex.output();
            }
        }
        DenseTensor ref = reference(m, format, image, w, java.util.function.UnaryOperator.identity());
        String name = m.graph().name() + " " + format.label();
        double logits = LayerComparison.relativeFrobeniusError(ref, gpu);
        LayerBench.Check model = new LayerBench.Check(name + " logits vs the quantised reference", logits, modelBound(format), gpu.allFinite());
        if (convChecks == null) return new LayerBench.Check(name, logits, FP16_MODEL_TOLERANCE, gpu.allFinite());
        CnnExecutor.ConvCheck worst = null;
        for (CnnExecutor.ConvCheck c : convChecks) {
            if (!c.finite() || !(c.error() <= CONV_TOLERANCE))
                return new LayerBench.Check(name + " conv " + c.conv() + " (" + c.format().label() + ") on the GPU's input", c.error(), CONV_TOLERANCE, c.finite());
            if (worst == null || c.error() > worst.error()) worst = c;
        }
        if (!model.passed()) return model;
        return new LayerBench.Check(String.format(Locale.ROOT, "%s: worst of %d convs on the GPU's own inputs (%s), logits vs the quantised reference %.2e (bound %.2g)",
                name, convChecks.size(), worst == null ? "none" : worst.conv(), logits, modelBound(format)), worst == null ? 0 : worst.error(), CONV_TOLERANCE, gpu.allFinite());
    }

    /** Checks the small model, then times the full one (see the class comment). */
    public static Result measure(CudaContext ctx, KernelCache cache, String workload, int batch, ConvFormat format,
                                 List<? extends CnnExecutor.ConvLauncherFactory> convs, long seed) {
        LayerBench.Check check = check(ctx, cache, CnnModels.of(workload, Math.min(batch, 2), CHECK_IMAGE), format, convs, seed);
        CnnModels.CnnModel full = CnnModels.of(workload, batch, CnnModels.IMAGE);
        String precision = CnnQuantization.summary(full, format);
        if (!check.passed()) return new Result(workload, batch, format, check, null, null, null, null, 0, false, Map.of(), precision);
        try (CnnExecutor ex = new CnnExecutor(ctx, cache, full, format, storedWeights(full, format, seed), convs)) {
            ConvLauncher.KernelCheck bad = ex.checkConvKernels(seed);
            if (bad != null) return new Result(workload, batch, format, new LayerBench.Check(full.graph().name() + " conv kernel " + bad.kernel(), bad.error(), bad.tolerance(), true),
                    null, null, null, null, ex.weightBytes(), false, ex.convKernels(), precision);
            DenseTensor image = CnnWeights.image(full, seed);
            DenseTensor out = ex.run(image);
            TimingStats launched = ex.time(false);
            TimingStats graphed = null;
            String graphNote = null;
            try {
                DenseTensor replayed = ex.runGraph(image);
                double diff = LayerComparison.relativeFrobeniusError(out, replayed);
                if (diff <= GRAPH_REPLAY_TOLERANCE) graphed = ex.time(true);
                else graphNote = String.format(Locale.ROOT, "CUDA graph replay's logits differ from the launched run's (relative %.2e): timed kernel by kernel", diff);
            } catch (org.ladderae.gpu.CudaException e) {
                graphNote = "CUDA graph capture or replay failed, timed kernel by kernel: " + e.getMessage();
                ctx.synchronize();
            }
            LayerExecutor.Memory mem = ex.memory();
            return new Result(workload, batch, format, check, graphed, launched, graphNote, mem, ex.weightBytes(), out.allFinite(), ex.convKernels(), precision);
        }
    }
}
