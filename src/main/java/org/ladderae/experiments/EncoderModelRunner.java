package org.ladderae.experiments;

import java.util.List;
import org.ladderae.executor.EncoderBench;
import org.ladderae.executor.LayerBench;
import org.ladderae.formats.ActivationFormat;
import org.ladderae.gpu.CudaContext;
import org.ladderae.kernels.GemmRunner;
import org.ladderae.kernels.GemvRunner;
import org.ladderae.kernels.GemvStage;
import org.ladderae.kernels.KernelCache;
import org.ladderae.kernels.TargetArch;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.results.Measurement;

/**
 * {@link LadderModelRunner} for the encoder workloads on the layer executor ({@link EncoderBench}): "vit" is timm's
 * vit_small_patch32_224 and "conformer" torchaudio's Conformer(512, 8, 512, 12, 31) on 512 frames, whole models at the
 * point's batch. As {@link LadderLayerRunner}: each point is checked on the small model of the same structure and format
 * against the double-precision reference, then the full model is timed (CUDA events, median) with its memory in the
 * extras; formats the executor has no kernel for at the point's M are n/a with the executor's reason.
 */
final class EncoderModelRunner implements LadderModelRunner {
    private record Located(ModelPoint point, WeightFormat weights, ActivationFormat acts) implements LadderPointLoop.LocatedModel {}

    @Override
    public List<Measurement> measure(List<ModelPoint> points, ReproduceContext rc) {
        return LadderPointLoop.runModelPoints(points, rc, EncoderModelRunner::notRunnable,
                p -> new Located(p, LadderLayerRunner.weightFormat(p.formats().weights()), LadderLayerRunner.activationFormat(p.formats())), "encoder models", "model", () -> new Models(rc));
    }

    /** Why the executor cannot run a point, or null. */
    static String notRunnable(ModelPoint p) {
        if (!p.workload().equals("vit") && !p.workload().equals("conformer")) return "the encoder runner runs vit and conformer, not " + p.workload();
        if (p.stage() != GemvStage.HOLISTIC) return "the encoder models run the holistic kernels only (Figure 13 stages are for the LLM layers)";
        WeightFormat w = LadderLayerRunner.weightFormat(p.formats().weights());
        if (w == null) return "no Ladder kernel stores weights as " + p.formats().weights().label();
        ActivationFormat a = LadderLayerRunner.activationFormat(p.formats());
        if (a == null) return "the layer executor quantises activations to INT8, INT4 or MXFP8 only, not " + p.formats().activations().label()
                + " (" + p.formats().label() + ")";
        return EncoderBench.whyNoKernel(p.workload(), p.batch(), w, a);
    }

    /** The GPU side, opened only when some point is measured. */
    private static final class Models implements LadderPointLoop.Family<Located> {
        private final ReproduceContext rc;
        private final CudaContext ctx = CudaContext.forDevice(0);
        private final KernelCache cache = KernelCache.defaultCache();
        private final GemvRunner gemv = new GemvRunner(ctx, cache);
        private final GemmRunner gemm = new GemmRunner(ctx, cache);
        private final TargetArch arch = TargetArch.forComputeCapability(ctx.device().ccMajor(), ctx.device().ccMinor());

        Models(ReproduceContext rc) { this.rc = rc; }

        @Override
        public void prepare(List<Located> todo) {
            if (cache.nvcc().isEmpty()) return;   // prebuilt kernels only
            KernelCache.buildInParallel(todo, p -> {
                try {
                    EncoderBench.build(cache, arch, p.point().workload(), p.point().batch(), p.weights(), p.acts());
                } catch (IllegalArgumentException e) {
                    // no kernel: measure() reports it n/a
                }
            });
        }

        @Override
        public Measurement measure(Located l) {
            ModelPoint p = l.point();
            LayerBench.Result r;
            try {
                r = EncoderBench.measure(ctx, cache, gemv, gemm, p.workload(), p.batch(), l.weights(), l.acts(), rc.seed());
            } catch (IllegalArgumentException e) {
                return Measurement.notAvailable(LadderPointLoop.SYSTEM, p.formats(), p.workload(), p.setting(), e.getMessage());
            }
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
