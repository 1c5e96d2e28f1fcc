package org.ladderae.experiments;

import java.util.List;
import org.ladderae.executor.LayerBench;
import org.ladderae.formats.ActivationFormat;
import org.ladderae.gpu.CudaContext;
import org.ladderae.kernels.GemmRunner;
import org.ladderae.kernels.GemvRunner;
import org.ladderae.kernels.KernelCache;
import org.ladderae.kernels.TargetArch;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.paperdata.NumberFormat;
import org.ladderae.results.Measurement;

/**
 * {@link LadderModelRunner} on the layer executor ({@link LayerBench}): "llama" is one LLaMA-2-70B decoder layer and
 * "bloom" one BLOOM-176B block, at the point's batch and sequence length. Each point is first checked on the small
 * layer of the same structure and format (same kernel configurations) against the double-precision reference, then
 * the full layer is timed; memory goes into the extras. What the executor cannot run is n/a with its reason:
 * other workloads, activation formats the executor does not quantise to (it has FP16, per-token INT8/INT4 and MXFP8;
 * the artifact's W_FP8A_FP8 is E5M2 weights with FP16 activations), and formats without a kernel at the point's M
 * (the executor's IllegalArgumentException names the missing kernel, e.g. no INT4-activation GEMM).
 */
final class LadderLayerRunner implements LadderModelRunner {
    private record Located(ModelPoint point, WeightFormat weights, ActivationFormat acts) implements LadderPointLoop.LocatedModel {}

    @Override
    public List<Measurement> measure(List<ModelPoint> points, ReproduceContext rc) {
        return LadderPointLoop.runModelPoints(points, rc, LadderLayerRunner::notRunnable,
                p -> new Located(p, weightFormat(p.formats().weights()), activationFormat(p.formats())), "model layers", "layer", () -> new Layers(rc));
    }

    /** Why the executor cannot run a point, or null. */
    static String notRunnable(ModelPoint p) {
        if (!p.workload().equals("llama") && !p.workload().equals("bloom"))
            return "the Ladder layer executor runs the LLaMA and BLOOM layers, not " + p.workload();
        NumberFormat w = p.formats().weights(), a = p.formats().activations();
        if (weightFormat(w) == null) return "no Ladder kernel stores weights as " + w.label();
        ActivationFormat acts = activationFormat(p.formats());
        if (acts == null)
            return "the layer executor quantises activations to INT8, INT4 or MXFP8 only, not " + a.label() + " (" + p.formats().label() + ")";
        return LayerBench.whyNoKernel(p.workload(), p.batch(), p.seq(), weightFormat(w), acts, p.stage());
    }

    /**
     * The activations of a paper format pair as the executor stores them: FP16, the artifact's W_FP8A_FP8 (E5M2 weights,
     * FP16 activations: EXPERIMENTS.md 2.2), per-token INT8/INT4, MXFP8; null for any other.
     */
    static ActivationFormat activationFormat(FormatPair f) {
        if (f.activations() == NumberFormat.FP16 || (f.weights() == NumberFormat.FP8 && f.activations() == NumberFormat.FP8)) return ActivationFormat.FP16;
        return switch (f.activations()) {
            case INT8 -> ActivationFormat.INT8;
            case INT4 -> ActivationFormat.INT4;
            case MXFP8 -> ActivationFormat.MXFP8;
            default -> null;
        };
    }

    static WeightFormat weightFormat(NumberFormat f) { return LadderGemvPoints.weightFormat(f); }

    /** The GPU side, opened only when some point is measured. */
    private static final class Layers implements LadderPointLoop.Family<Located> {
        private final ReproduceContext rc;
        private final CudaContext ctx = CudaContext.forDevice(0);
        private final KernelCache cache = KernelCache.defaultCache();
        private final GemvRunner gemv = new GemvRunner(ctx, cache);
        private final GemmRunner gemm = new GemmRunner(ctx, cache);
        private final TargetArch arch = TargetArch.forComputeCapability(ctx.device().ccMajor(), ctx.device().ccMinor());

        Layers(ReproduceContext rc) { this.rc = rc; }

        @Override
        public void prepare(List<Located> todo) {
            if (cache.nvcc().isEmpty()) return;   // prebuilt kernels only: each point loads what it finds
            KernelCache.buildInParallel(todo, p -> {
                try {
                    LayerBench.build(cache, arch, p.point().workload(), p.point().batch(), p.point().seq(), p.weights(), p.acts(), p.point().stage());
                } catch (IllegalArgumentException e) {
                    // no kernel at this M: measure() reports it n/a
                }
            });
        }

        @Override
        public Measurement measure(Located l) {
            ModelPoint p = l.point();
            LayerBench.Result r;
            try {
                r = LayerBench.measure(ctx, cache, gemv, gemm, p.workload(), p.batch(), p.seq(), l.weights(), l.acts(), p.stage(), rc.seed());
            } catch (IllegalArgumentException e) {
                return Measurement.notAvailable(LadderPointLoop.SYSTEM, p.formats(), p.workload(), p.setting(), e.getMessage());
            }
            // The timing is the CUDA graph replay of the layer; the kernel-by-kernel time of the same launches beside it.
            return LadderPointLoop.modelRecord(p, rc, ctx.device().name(), r.check(), r.fullOutputFinite(), r.timing(), r.memory(),
                    r.weightBytes(), r.timingExtras());
        }

        @Override
        public void close() {
            gemv.close();
            gemm.close();
        }
    }
}
