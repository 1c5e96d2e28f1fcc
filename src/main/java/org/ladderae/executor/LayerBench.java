package org.ladderae.executor;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.ladderae.formats.ActivationFormat;
import org.ladderae.formats.GroupQuantizer;
import org.ladderae.gpu.CudaContext;
import org.ladderae.kernels.GemmRunner;
import org.ladderae.kernels.GemvRunner;
import org.ladderae.kernels.GemvStage;
import org.ladderae.kernels.KernelCache;
import org.ladderae.kernels.KernelSource;
import org.ladderae.kernels.TargetArch;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.models.LlmLayers;
import org.ladderae.models.ModelGraph;
import org.ladderae.models.Op;
import org.ladderae.models.reference.DenseTensor;
import org.ladderae.models.reference.LayerComparison;
import org.ladderae.models.reference.ReferenceExecutor;
import org.ladderae.models.reference.SeededWeights;
import org.ladderae.results.TimingStats;

/**
 * One end-to-end layer point: the full-size layer (LLaMA-2-70B decoder layer or BLOOM-176B block) in one weight format,
 * checked first on the small layer of the same structure and format with the very kernel configurations the full layer
 * uses ({@link LinearChoice#select}'s {@code like}) against the double-precision reference on the same decoded weights,
 * then, only if that passed, timed at full size on device-random weights, with its memory sampled.
 */
public final class LayerBench {
    /** Longest sequence of the check layer: the double reference's attention grows with S^2; from 128 up the flash kernel runs either way. */
    public static final int MAX_CHECK_SEQ = 512;

    private LayerBench() {}

    /** Outcome of the small layer's check. */
    /**
     * @param fp16StorageSpread quantised activations: the distance of the FP16-storage reference run from the double one
     *                          that sized the tolerance ({@link LayerComparison#QUANTISED_ACTIVATION_SPREAD_FACTOR}); else NaN
     */
    public record Check(String graph, double error, double tolerance, boolean finite, double fp16StorageSpread) {
        public Check(String graph, double error, double tolerance, boolean finite) { this(graph, error, tolerance, finite, Double.NaN); }

        public boolean passed() { return finite && error <= tolerance; }

        public String describe() {
            String tol = Double.isNaN(fp16StorageSpread) ? String.format(Locale.ROOT, "tolerance %.0e", tolerance)
                    : String.format(Locale.ROOT, "tolerance %.2e = max(fixed, %.0f x FP16-storage spread %.2e)", tolerance,
                            LayerComparison.QUANTISED_ACTIVATION_SPREAD_FACTOR, fp16StorageSpread);
            return String.format(Locale.ROOT, "check %s: relative error %.2e (%s) %s", graph, error, tol,
                    passed() ? "PASS" : finite ? "FAIL" : "FAIL (non-finite or unwritten output)");
        }
    }

    /**
     * A measured point; timings and memory are null when the check failed (the layer is not timed).
     *
     * @param graphTiming   the layer replayed as one CUDA graph launch (what an inference engine's decode step does); null
     *                      when the capture failed ({@code graphFailure} says why)
     * @param launchTiming  the same layer launched kernel by kernel (cuLaunchKernel per op), for comparison
     */
    public record Result(String model, int batch, int seq, WeightFormat weights, ActivationFormat acts, GemvStage stage, Check check,
                         TimingStats graphTiming, TimingStats launchTiming, String graphFailure, LayerExecutor.Memory memory, long weightBytes,
                         boolean fullOutputFinite, List<String> launches) {
        /** The layer's time: the CUDA graph replay, or kernel by kernel where the capture failed. */
        public TimingStats timing() { return graphTiming != null ? graphTiming : launchTiming; }

        public boolean ok() { return check.passed() && timing() != null && fullOutputFinite; }

        /** What a results record adds to the timing: whether it is the CUDA graph replay (1) or not (0), and the launched time. */
        public Map<String, Double> timingExtras() {
            Map<String, Double> more = new java.util.LinkedHashMap<>();
            more.put("cuda_graph", graphTiming != null ? 1.0 : 0.0);
            if (launchTiming != null) more.put("launched_median_ms", launchTiming.medianMs());
            return more;
        }
    }

    /** The layer graph of a model name ("llama" or "bloom"), full size or small, with linears in {@code w} (whole-row scales where the format has scales). */
    public static ModelGraph graph(String model, boolean full, int batch, int seq, WeightFormat w) {
        return graph(model, full, batch, seq, w, ActivationFormat.FP16);
    }

    /** {@link #graph(String, boolean, int, int, WeightFormat)} with every linear's activations quantised to {@code a} (a W_xA_y layer). */
    public static ModelGraph graph(String model, boolean full, int batch, int seq, WeightFormat w, ActivationFormat a) {
        ModelGraph g = switch (model) {
            case "llama" -> full ? LlmLayers.llama2_70b(batch, seq) : LlmLayers.llamaSmall(batch, seq);
            case "bloom" -> full ? LlmLayers.bloom176b(batch, seq) : LlmLayers.bloomSmall(batch, seq);
            default -> throw new IllegalArgumentException("the layer executor runs llama or bloom, not '" + model + "'");
        };
        return g.withLinearFormat(w, GroupQuantizer.WHOLE_ROW).withActivationFormat(a);
    }

    /** Runs {@code g} (small) on the GPU with seeded weights and compares with the reference on the same decoded weights. */
    public static Check check(CudaContext ctx, KernelCache cache, GemvRunner gemv, GemmRunner gemm, ModelGraph g, GemvStage stage,
                              Map<String, LinearChoice> like, long seed) {
        Map<String, DenseTensor> inputs = SeededWeights.inputs(g, seed);
        DenseTensor launched, replayed = null;
        try (LayerExecutor ex = new LayerExecutor(ctx, cache, gemv, gemm, g, stage, new LayerExecutor.Weights.Seeded(seed), like)) {
            launched = ex.run(inputs, false);
            // The timed path is the CUDA graph replay: check that one too. A capture
            // failure is reported by measure(), which then times kernel by kernel, the path checked above.
            try {
                replayed = ex.run(inputs, true);
            } catch (org.ladderae.gpu.CudaException e) {
                replayed = null;
                ctx.synchronize();
            }
        }
        Map<String, DenseTensor> decoded = SeededWeights.decodedWeights(g, seed);
        DenseTensor ref = ReferenceExecutor.run(g, inputs, decoded).values().iterator().next();
        double error = LayerComparison.relativeFrobeniusError(ref, launched);
        boolean finite = launched.allFinite();
        if (replayed != null) {
            error = Math.max(error, LayerComparison.relativeFrobeniusError(ref, replayed));
            finite &= replayed.allFinite();
        }
        if (activations(g) == ActivationFormat.FP16) return new Check(g.name() + " " + formatLabel(g), error, tolerance(g), finite);
        // Quantised activations: the quantisers turn FP16 rounding into whole code steps (LayerComparison explains why
        // and what was measured), so the tolerance grows with how far FP16 storage alone moves this graph's output.
        double spread = LayerComparison.fp16StorageSpread(g, inputs, decoded, ref);
        return new Check(g.name() + " " + formatLabel(g), error, LayerComparison.quantisedActivationTolerance(tolerance(g), spread),
                finite, spread);
    }

    /** Checks the small layer, then times the full-size one (see the class comment). */
    public static Result measure(CudaContext ctx, KernelCache cache, GemvRunner gemv, GemmRunner gemm, String model, int batch, int seq,
                                 WeightFormat w, GemvStage stage, long seed) {
        return measure(ctx, cache, gemv, gemm, model, batch, seq, w, ActivationFormat.FP16, stage, seed);
    }

    /** {@link #measure} of the W_{@code w}A_{@code a} layer. */
    public static Result measure(CudaContext ctx, KernelCache cache, GemvRunner gemv, GemmRunner gemm, String model, int batch, int seq,
                                 WeightFormat w, ActivationFormat a, GemvStage stage, long seed) {
        ModelGraph full = graph(model, true, batch, seq, w, a);
        try (LayerExecutor ex = new LayerExecutor(ctx, cache, gemv, gemm, full, stage, new LayerExecutor.Weights.DeviceRandom(seed), Map.of())) {
            ModelGraph small = graph(model, false, batch, Math.min(seq, MAX_CHECK_SEQ), w, a);
            Check check = check(ctx, cache, gemv, gemm, small, stage, ex.choices(), seed);
            return timed(ctx, ex, model, batch, seq, w, a, stage, check);
        }
    }

    /**
     * The result of a checked point: {@code ex} (full size) timed launched kernel by kernel and replayed as one CUDA graph
     * (graph timing null with the reason when the capture fails), its memory sampled; untimed when the check failed.
     */
    static Result timed(CudaContext ctx, LayerExecutor ex, String model, int batch, int seq, WeightFormat w, ActivationFormat a, GemvStage stage,
                        Check check) {
        if (!check.passed())
            return new Result(model, batch, seq, w, a, stage, check, null, null, null, null, ex.weightBytes(), false, ex.launchNames());
        TimingStats launched = ex.time(false);
        boolean finite = ex.output().allFinite();
        TimingStats graphed = null;
        String graphFailure = null;
        try {
            graphed = ex.time(true);
            finite &= ex.output().allFinite();   // the graph's own output
        } catch (org.ladderae.gpu.CudaException e) {
            graphFailure = "CUDA graph capture or replay failed: " + e.getMessage();
            ctx.synchronize();
        }
        LayerExecutor.Memory mem = ex.memory();
        return new Result(model, batch, seq, w, a, stage, check, graphed, launched, graphFailure, mem, ex.weightBytes(), finite, ex.launchNames());
    }

    /** The full-size layer's per-op profile ({@link LayerExecutor#timePerOp}) on random weights, {@code runs} runs. */
    public static List<LayerExecutor.OpTime> profile(CudaContext ctx, KernelCache cache, GemvRunner gemv, GemmRunner gemm, String model, int batch,
                                                     int seq, WeightFormat w, ActivationFormat a, GemvStage stage, long seed, int runs) {
        try (LayerExecutor ex = new LayerExecutor(ctx, cache, gemv, gemm, graph(model, true, batch, seq, w, a), stage,
                new LayerExecutor.Weights.DeviceRandom(seed), Map.of())) {
            return ex.timePerOp(runs);
        }
    }

    /**
     * Compiles (into {@code cache}, no GPU needed) every kernel {@link #measure} would load for this point: the LLM ops,
     * the full layer's GEMV/GEMM configurations and the check layer's, with and without the full layer's choices.
     * Returns how many distinct kernels were built or found. IllegalArgumentException when the point has no kernel.
     */
    public static int build(KernelCache cache, TargetArch arch, String model, int batch, int seq, WeightFormat w, GemvStage stage) {
        return build(cache, arch, model, batch, seq, w, ActivationFormat.FP16, stage);
    }

    /** {@link #build} of the W_{@code w}A_{@code a} layer. */
    public static int build(KernelCache cache, TargetArch arch, String model, int batch, int seq, WeightFormat w, ActivationFormat a, GemvStage stage) {
        cache.cubin(KernelSource.fromClasspath(LayerExecutor.OPS_SOURCE), arch, LayerExecutor.OPS_FLAGS);
        Map<String, LinearChoice> full = new java.util.HashMap<>();
        LayerPlan fp = LayerPlan.lower(graph(model, true, batch, seq, w, a));
        for (LayerPlan.Linear l : fp.linears()) full.put(l.name(), LinearChoice.select(l, fp.rows(), stage, arch, null));
        java.util.Set<Object> configs = new java.util.LinkedHashSet<>();
        for (LinearChoice c : full.values()) configs.add(c.usesGemm() ? c.gemm().withShape(1, c.gemm().bn(), c.gemm().k()) : c.gemv());
        LayerPlan sp = LayerPlan.lower(graph(model, false, batch, Math.min(seq, MAX_CHECK_SEQ), w, a));
        for (LayerPlan.Linear l : sp.linears())
            for (LinearChoice like : java.util.Arrays.asList(full.get(l.name()), null)) {
                LinearChoice c = LinearChoice.select(l, sp.rows(), stage, arch, like);
                configs.add(c.usesGemm() ? c.gemm() : c.gemv());
            }
        KernelCache.buildInParallel(List.copyOf(configs), c -> {
            if (c instanceof org.ladderae.kernels.GemmConfig g) GemmRunner.build(cache, g, arch);
            else GemvRunner.build(cache, (org.ladderae.kernels.GemvConfig) c, arch);
        });
        return configs.size() + 1;
    }

    /**
     * Why the W_{@code w}A_{@code a} layer has no kernel for some linear at this batch and sequence (the message
     * {@link #measure} would fail with), or null when every linear has one. CPU only: lowers the full-size graph and
     * selects the kernels as on an H100 (whether a kernel exists does not depend on the card).
     */
    public static String whyNoKernel(String model, int batch, int seq, WeightFormat w, ActivationFormat a, GemvStage stage) {
        try {
            LayerPlan p = LayerPlan.lower(graph(model, true, batch, seq, w, a));
            for (LayerPlan.Linear l : p.linears()) LinearChoice.select(l, p.rows(), stage, TargetArch.forComputeCapability(9, 0), null);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** "W_INT4A_FP16" of a graph's linears (the activation format from its quantising ops, FP16 without). */
    /** "W_<first linear's format>A_<activations>"; a graph without linears (e.g. a lone conv module) is FP16 throughout. */
    static String formatLabel(ModelGraph g) {
        return "W_" + (g.linears().isEmpty() ? "FP16" : g.linears().get(0).format()) + "A_" + activations(g);
    }

    private static ActivationFormat activations(ModelGraph g) {
        return g.ops().stream().filter(op -> op instanceof Op.QuantizeActivations).map(op -> ((Op.QuantizeActivations) op).format())
                .findFirst().orElse(ActivationFormat.FP16);
    }

    /**
     * The check's fixed tolerance: the FP16 layer's, wider for MXFP8 activations (see {@link LayerComparison#MXFP8_ACTIVATION_LAYER_TOLERANCE});
     * {@link #check} widens it for quantised activations by the graph's FP16-storage spread.
     */
    static double tolerance(ModelGraph g) {
        return activations(g) == ActivationFormat.MXFP8 ? LayerComparison.MXFP8_ACTIVATION_LAYER_TOLERANCE : LayerComparison.FP16_LAYER_TOLERANCE;
    }
}
