package org.ladderae.executor;

import java.util.List;
import java.util.Map;
import org.ladderae.formats.ActivationFormat;
import org.ladderae.formats.GroupQuantizer;
import org.ladderae.gpu.CudaContext;
import org.ladderae.kernels.GemmConfig;
import org.ladderae.kernels.GemmRunner;
import org.ladderae.kernels.GemvConfig;
import org.ladderae.kernels.GemvRunner;
import org.ladderae.kernels.GemvStage;
import org.ladderae.kernels.KernelCache;
import org.ladderae.kernels.KernelSource;
import org.ladderae.kernels.TargetArch;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.models.EncoderModels;
import org.ladderae.models.ModelGraph;

/**
 * One end-to-end encoder point (ViT-S/32 or the Conformer, whole model) as {@link LayerBench} does it for the LLM layers:
 * the check model of the same structure and format ({@link EncoderModels#VIT_CHECK}, {@link EncoderModels#CONFORMER_CHECK})
 * runs with the full model's kernel configurations against the double-precision reference on the same decoded weights,
 * then, only if that passed, the full model is timed on device-random weights with its memory sampled.
 * <p>The check model keeps every linear on the kernel family the full model uses at this batch: ViT's check image (160 px,
 * 26 tokens) gives M > 16 for the token linears even at batch 1, and its head runs at M = check batch on the same kernel family; the
 * Conformer's check runs 130 frames (flash attention, a partial tile of the attention, conv and GEMM).
 */
public final class EncoderBench {
    private EncoderBench() {}

    /**
     * Check batch: the double reference's cost grows with it. ViT's head runs at M = batch, so a batch over 16 (the GEMM)
     * is checked at 17 images (M = 17, a partial GEMM tile); the Conformer's linears are at M >= 130 with 1 or 2 sequences.
     */
    static int checkBatch(String workload, int batch) {
        return workload.equals("vit") ? (batch <= GemvConfig.MAX_M ? batch : GemvConfig.MAX_M + 1) : Math.min(batch, 2);
    }

    public static final int CONFORMER_CHECK_FRAMES = 130;

    /** The model graph of a workload, full size or the check model, linears in {@code w} (whole-row scales) reading activations in {@code a}. */
    public static ModelGraph graph(String workload, boolean full, int batch, WeightFormat w, ActivationFormat a) {
        ModelGraph g = full ? EncoderModels.graph(workload, true, batch, EncoderModels.CONFORMER_FRAMES)
                : switch (workload) {
                    case "vit" -> EncoderModels.vit(EncoderModels.VIT_CHECK, checkBatch(workload, batch));
                    case "conformer" -> EncoderModels.conformer(EncoderModels.CONFORMER_CHECK, checkBatch(workload, batch), CONFORMER_CHECK_FRAMES);
                    default -> throw new IllegalArgumentException("the encoder models are vit and conformer, not '" + workload + "'");
                };
        return g.withLinearFormat(w, GroupQuantizer.WHOLE_ROW).withActivationFormat(a);
    }

    /** Checks the small model, then times the full one (see the class comment). */
    public static LayerBench.Result measure(CudaContext ctx, KernelCache cache, GemvRunner gemv, GemmRunner gemm, String workload, int batch,
                                            WeightFormat w, ActivationFormat a, long seed) {
        ModelGraph full = graph(workload, true, batch, w, a);
        int seq = LayerPlan.lower(full).seq();
        try (LayerExecutor ex = new LayerExecutor(ctx, cache, gemv, gemm, full, GemvStage.HOLISTIC, new LayerExecutor.Weights.DeviceRandom(seed), Map.of())) {
            LayerBench.Check check = LayerBench.check(ctx, cache, gemv, gemm, graph(workload, false, batch, w, a), GemvStage.HOLISTIC, ex.choices(), seed);
            // Timed as the LLM layers are: replayed as one CUDA graph (the per-launch CPU cost gone, as in a serving engine),
            // beside the same launches queued one by one.
            return LayerBench.timed(ctx, ex, workload, batch, seq, w, a, GemvStage.HOLISTIC, check);
        }
    }

    /** The full model's per-op profile ({@link LayerExecutor#timePerOp}) on device-random weights, {@code runs} runs. */
    public static List<LayerExecutor.OpTime> profile(CudaContext ctx, KernelCache cache, GemvRunner gemv, GemmRunner gemm, String workload, int batch,
                                                     WeightFormat w, ActivationFormat a, long seed, int runs) {
        try (LayerExecutor ex = new LayerExecutor(ctx, cache, gemv, gemm, graph(workload, true, batch, w, a), GemvStage.HOLISTIC,
                new LayerExecutor.Weights.DeviceRandom(seed), Map.of())) {
            return ex.timePerOp(runs);
        }
    }

    /** Compiles (no GPU) the LLM and encoder ops and every GEMV/GEMM configuration {@link #measure} loads; IllegalArgumentException when a linear has no kernel. */
    public static int build(KernelCache cache, TargetArch arch, String workload, int batch, WeightFormat w, ActivationFormat a) {
        ModelGraph full = graph(workload, true, batch, w, a);
        return buildKernels(cache, arch, full, graph(workload, false, batch, w, a));
    }

    /**
     * Compiles, in parallel, the ops and the GEMV/GEMM configurations that running {@code full} and then {@code check}
     * (with the full graph's choices, and without) loads; {@code check} may be null. Returns the number of kernels.
     */
    public static int buildKernels(KernelCache cache, TargetArch arch, ModelGraph full, ModelGraph check) {
        cache.cubin(KernelSource.fromClasspath(LayerExecutor.OPS_SOURCE), arch, LayerExecutor.OPS_FLAGS);
        cache.cubin(KernelSource.fromClasspath(EncoderSteps.SOURCE), arch, LayerExecutor.OPS_FLAGS);
        Map<String, LinearChoice> fullChoices = choices(full, arch, Map.of());
        java.util.Set<Object> configs = new java.util.LinkedHashSet<>();
        for (LinearChoice c : fullChoices.values()) configs.add(c.usesGemm() ? c.gemm() : c.gemv());
        if (check != null)
            for (Map<String, LinearChoice> like : List.of(fullChoices, Map.<String, LinearChoice>of()))
                for (LinearChoice c : choices(check, arch, like).values()) configs.add(c.usesGemm() ? c.gemm() : c.gemv());
        KernelCache.buildInParallel(List.copyOf(configs), c -> {
            if (c instanceof GemmConfig g) GemmRunner.build(cache, g, arch);
            else GemvRunner.build(cache, (GemvConfig) c, arch);
        });
        return configs.size() + 2;
    }

    /** Why the full model has no kernel for some linear in this format (the message {@link #measure} would fail with), or null. CPU only. */
    public static String whyNoKernel(String workload, int batch, WeightFormat w, ActivationFormat a) {
        try {
            choices(graph(workload, true, batch, w, a), TargetArch.forComputeCapability(9, 0), Map.of());
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** The kernel of every (fused) linear of {@code g}, as {@link LayerExecutor} selects them. */
    static Map<String, LinearChoice> choices(ModelGraph g, TargetArch arch, Map<String, LinearChoice> like) {
        LayerPlan p = LayerPlan.lower(g);
        Map<String, LinearChoice> out = new java.util.LinkedHashMap<>();
        for (LayerPlan.Linear l : p.linears()) out.put(l.name(), LinearChoice.select(l, p.rows(l), GemvStage.HOLISTIC, arch, like.get(l.name())));
        return out;
    }
}
