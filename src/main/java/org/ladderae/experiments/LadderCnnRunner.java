package org.ladderae.experiments;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.ladderae.executor.cnn.CnnBench;
import org.ladderae.gpu.CudaContext;
import org.ladderae.kernels.ConvFormat;
import org.ladderae.kernels.GemvStage;
import org.ladderae.kernels.KernelCache;
import org.ladderae.models.CnnModels;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.paperdata.NumberFormat;
import org.ladderae.results.Measurement;

/**
 * {@link LadderModelRunner} on the CNN executor ({@link CnnBench}): "resnet" is torchvision's ResNet-50 and
 * "shufflenet" ShuffleNet v2 x1.0, 3x224x224 at the point's batch, seeded weights with the batch norms folded. Each
 * point is checked on the same model at 64x64 against the double-precision reference, then timed at full size; memory
 * goes into the extras as {@link LadderLayerRunner} records it. Low-bit points (W_FP8A_FP8 = E5M2 weights with FP16
 * activations, W_MXFP8A_MXFP8, W_INT1A_INT4) are checked conv by conv on the GPU's own inputs and on their logits
 * ({@link CnnBench#check}); their notes say which convs ran low-bit and which stayed FP16 (depthwise convs, a stem the
 * format cannot take, pooling, the classifier) and how weights and activations were quantised. Formats the executor
 * has no conv kernel for are n/a with the reason.
 */
final class LadderCnnRunner implements LadderModelRunner {
    private record Located(ModelPoint point, ConvFormat format) implements LadderPointLoop.LocatedModel {}

    @Override
    public List<Measurement> measure(List<ModelPoint> points, ReproduceContext rc) {
        return LadderPointLoop.runModelPoints(points, rc, LadderCnnRunner::notRunnable,
                p -> new Located(p, convFormat(p.formats())), "cnn models", "CNN", () -> new Cnns(rc));
    }

    /** Why the CNN executor cannot run a point, or null. */
    static String notRunnable(ModelPoint p) {
        if (!CnnModels.isCnn(p.workload())) return "the Ladder CNN executor runs ResNet-50 and ShuffleNet, not " + p.workload();
        if (p.stage() != GemvStage.HOLISTIC) return "the CNN executor has no kernel stages (Figure 13 is LLaMA only)";
        ConvFormat f = convFormat(p.formats());
        if (f == null) return "no Ladder conv kernel computes " + p.formats().label();
        return CnnBench.whyNoKernels(f);
    }

    /**
     * The conv format pair of a paper series: FP16; the artifact's W_FP8A_FP8 is E5M2 weights beside FP16 activations
     * (EXPERIMENTS.md 2.2), Ladder's W_FP8A_FP16 conv; MXFP8 both sides; W_INT1A_INT4 (conv fake-quant {@code --bits 1
     * --format int4b}); null for the rest.
     */
    static ConvFormat convFormat(FormatPair f) {
        if (f.weights() == NumberFormat.FP16 && f.activations() == NumberFormat.FP16) return ConvFormat.W_FP16A_FP16;
        if (f.weights() == NumberFormat.FP8 && (f.activations() == NumberFormat.FP8 || f.activations() == NumberFormat.FP16)) return ConvFormat.W_FP8A_FP16;
        if (f.weights() == NumberFormat.MXFP8 && f.activations() == NumberFormat.MXFP8) return ConvFormat.W_MXFP8A_MXFP8;
        if (f.weights() == NumberFormat.INT1 && f.activations() == NumberFormat.INT4) return ConvFormat.W_INT1A_INT4;
        return null;
    }

    /** How each low-bit point stores its weights and activations (CnnQuantization), for the record's notes. */
    static final Map<ConvFormat, String> QUANTISATION = Map.of(
            ConvFormat.W_FP8A_FP16, "E5M2 weights (RNE, offline), FP16 activations: the artifact's W_FP8A_FP8 (fp_e5m2 weights, FP16 x E5M2 operator)",
            ConvFormat.W_MXFP8A_MXFP8, "MXFP8 weights per filter (32 along R*S*C, offline) and activations per pixel (32 channels, on the device before each conv), E5M2 elements + E8M0 exponents",
            ConvFormat.W_INT1A_INT4, "1-bit weight codes (+-1 x FP32 mean |w| per filter, offline), INT4 activations with one FP32 scale per tensor (amax/7, on the device), INT32 sums dequantised in the conv epilogue");

    /** The GPU side, opened only when some point is measured. */
    private static final class Cnns implements LadderPointLoop.Family<Located> {
        private final ReproduceContext rc;
        private final CudaContext ctx = CudaContext.forDevice(0);
        private final KernelCache cache = KernelCache.defaultCache();

        Cnns(ReproduceContext rc) { this.rc = rc; }

        /** Builds every Ladder conv kernel the points' check and full models take, on all cores (else one nvcc run at a time). */
        @Override
        public void prepare(List<Located> todo) {
            if (cache.nvcc().isEmpty()) return;   // prebuilt cubins load as the executor needs them
            org.ladderae.kernels.TargetArch arch = org.ladderae.kernels.TargetArch.forComputeCapability(ctx.device().ccMajor(), ctx.device().ccMinor());
            List<org.ladderae.kernels.ConvConfig> configs = new java.util.ArrayList<>();
            for (Located l : todo) {
                ModelPoint p = l.point();
                configs.addAll(org.ladderae.executor.cnn.CnnExecutor.ladderConvConfigs(CnnModels.of(p.workload(), Math.min(p.batch(), 2), CnnBench.CHECK_IMAGE), l.format(), arch));
                configs.addAll(org.ladderae.executor.cnn.CnnExecutor.ladderConvConfigs(CnnModels.of(p.workload(), p.batch(), CnnModels.IMAGE), l.format(), arch));
            }
            org.ladderae.kernels.ConvRunner.buildAll(cache, configs, arch);
        }

        @Override
        public Measurement measure(Located l) {
            ModelPoint p = l.point();
            CnnBench.Result r = CnnBench.measure(ctx, cache, p.workload(), p.batch(), l.format(), CnnBench.installedConvs(), rc.seed());
            Map<String, Double> more = new LinkedHashMap<>();
            Map<String, Integer> kernels = new TreeMap<>();
            for (String k : r.convKernels().values()) kernels.merge(k, 1, Integer::sum);
            kernels.forEach((k, n) -> more.put("convs_on_" + k, n.doubleValue()));
            Map<String, String> notes = new LinkedHashMap<>();
            notes.put("precision", r.precision());
            notes.put("check", r.check().describe());
            if (l.format() != ConvFormat.W_FP16A_FP16) notes.put("quantisation", QUANTISATION.get(l.format()));
            // The timing is the CUDA graph replay of the model; the kernel-by-kernel time of the same launches beside it.
            more.put("cuda_graph", r.graphTiming() != null ? 1.0 : 0.0);
            if (r.launchTiming() != null) more.put("launched_median_ms", r.launchTiming().medianMs());
            if (r.graphNote() != null) notes.put("cuda_graph", r.graphNote());
            return LadderPointLoop.modelRecord(p, rc, ctx.device().name(), r.check(), r.fullOutputFinite(), r.timing(), r.memory(),
                    r.weightBytes(), more, notes);
        }

        @Override
        public void close() {}
    }
}
