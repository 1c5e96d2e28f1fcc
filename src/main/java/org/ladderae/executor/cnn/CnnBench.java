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
 * One CNN point: the model (ResNet-50 or ShuffleNet v2 x1.0) at 224x224 and the point's batch, seeded weights with the
 * batch norms folded in. It is first checked on the same model at {@link #CHECK_IMAGE}x{@link #CHECK_IMAGE} and batch
 * min(batch, 2) (same structure, same kernel families; the double reference of the full model would take minutes)
 * against the double-precision CPU reference on the very folded weights the GPU multiplies, then, only if that
 * passed, timed at full size with its memory sampled. The full model's conv kernels may differ from the small model's
 * (tiles are picked per shape), so before timing each of them is checked on its own ({@link ConvLauncher#checkPrepared}).
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

    private CnnBench() {}

    /** The tensor-core conv launchers tried before the direct kernels, in order. */
    public static List<CnnExecutor.ConvLauncherFactory> installedConvs() {
        return List.of(LadderConvLauncher::new);
    }


    public record Result(String workload, int batch, ConvFormat format, LayerBench.Check check, TimingStats timing, LayerExecutor.Memory memory,
                         long weightBytes, boolean fullOutputFinite, Map<String, String> convKernels) {
        public boolean ok() { return check.passed() && timing != null && fullOutputFinite; }
    }

    /** Why the executor has no conv kernels for {@code format} (the reproductions' n/a reason), or null when it has. */
    public static String whyNoKernels(ConvFormat format) {
        return format == ConvFormat.W_FP16A_FP16 ? null
                : "the CNN executor's convs run FP16 weights only (Ladder's conv layer API launches the FP16 kernels), not " + format.label();
    }

    /**
     * The weights the GPU stores, as values: the folded FP16 weights, with each conv weight rounded to what {@code format}
     * stores where its launcher converts it (E5M2 for FP8). The reference of a check multiplies exactly these.
     */
    public static Map<String, DenseTensor> storedWeights(CnnModels.CnnModel m, ConvFormat format, long seed) {
        Map<String, DenseTensor> w = CnnWeights.foldedWeights(m, seed);
        if (format == ConvFormat.W_FP16A_FP16) return w;
        throw new IllegalArgumentException("the CNN check knows how " + format.label() + " stores weights only once its conv launcher does");
    }

    /** Runs {@code m} on the GPU with seeded weights and compares its logits with the reference on the same weights. */
    public static LayerBench.Check check(CudaContext ctx, KernelCache cache, CnnModels.CnnModel m, ConvFormat format,
                              List<? extends CnnExecutor.ConvLauncherFactory> convs, long seed) {
        Map<String, DenseTensor> w = storedWeights(m, format, seed);
        DenseTensor image = CnnWeights.image(m, seed);
        DenseTensor gpu;
        try (CnnExecutor ex = new CnnExecutor(ctx, cache, m, format, w, convs)) {
            gpu = ex.run(image);
        }
        DenseTensor ref = ReferenceExecutor.run(m.graph(), Map.of("image", image), w).values().iterator().next();
        return new LayerBench.Check(m.graph().name() + " " + format.label(), LayerComparison.relativeFrobeniusError(ref, gpu),
                format == ConvFormat.W_FP16A_FP16 ? FP16_MODEL_TOLERANCE : FP8_MODEL_TOLERANCE, gpu.allFinite());
    }

    /** Checks the small model, then times the full one (see the class comment). */
    public static Result measure(CudaContext ctx, KernelCache cache, String workload, int batch, ConvFormat format,
                                 List<? extends CnnExecutor.ConvLauncherFactory> convs, long seed) {
        LayerBench.Check check = check(ctx, cache, CnnModels.of(workload, Math.min(batch, 2), CHECK_IMAGE), format, convs, seed);
        CnnModels.CnnModel full = CnnModels.of(workload, batch, CnnModels.IMAGE);
        if (!check.passed()) return new Result(workload, batch, format, check, null, null, 0, false, Map.of());
        try (CnnExecutor ex = new CnnExecutor(ctx, cache, full, format, storedWeights(full, format, seed), convs)) {
            ConvLauncher.KernelCheck bad = ex.checkConvKernels(seed);
            if (bad != null) return new Result(workload, batch, format, new LayerBench.Check(full.graph().name() + " conv kernel " + bad.kernel(), bad.error(), bad.tolerance(), true),
                    null, null, ex.weightBytes(), false, ex.convKernels());
            DenseTensor out = ex.run(CnnWeights.image(full, seed));
            TimingStats t = ex.time();
            LayerExecutor.Memory mem = ex.memory();
            return new Result(workload, batch, format, check, t, mem, ex.weightBytes(), out.allFinite(), ex.convKernels());
        }
    }
}
