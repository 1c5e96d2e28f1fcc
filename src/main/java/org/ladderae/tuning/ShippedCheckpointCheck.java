package org.ladderae.tuning;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.ladderae.checkpoints.Checkpoint;
import org.ladderae.checkpoints.CheckpointStore;
import org.ladderae.gpu.CudaContext;
import org.ladderae.kernels.ActFormat;
import org.ladderae.kernels.GemmConfig;
import org.ladderae.kernels.GemmRunner;
import org.ladderae.kernels.GemvConfig;
import org.ladderae.kernels.GemvRunner;
import org.ladderae.kernels.GemvStage;
import org.ladderae.kernels.KernelCache;
import org.ladderae.kernels.TargetArch;
import org.ladderae.kernels.WeightFormat;

/**
 * Runs every checkpoint of this GPU's architecture from its stored binary alone and checks it against
 * the double-precision CPU reference: the kernels are loaded through a kernel cache that has no compiler,
 * so a checkpoint that would need nvcc fails instead of being rebuilt quietly.
 */
public final class ShippedCheckpointCheck {
    private ShippedCheckpointCheck() {}

    /** One checkpoint's outcome; {@code error} and {@code tolerance} as the operator's runner defines them. */
    public record Result(String id, String operator, String shape, String formats, double error, double tolerance, boolean passed, String problem) {}

    public static List<Result> run(CudaContext ctx, CheckpointStore store, long seed) throws java.io.IOException {
        String arch = TargetArch.forComputeCapability(ctx.device().ccMajor(), ctx.device().ccMinor()).smName();
        Path emptyCache = Files.createTempDirectory("ladder-ae-no-compiler");
        KernelCache noCompiler = new KernelCache(emptyCache, List.of(), Optional.empty());
        GemvRunner gemv = new GemvRunner(ctx, noCompiler);
        GemmRunner gemm = new GemmRunner(ctx, noCompiler);
        org.ladderae.kernels.ConvRunner conv = new org.ladderae.kernels.ConvRunner(ctx, noCompiler);
        List<Result> out = new ArrayList<>();
        try {
            for (Checkpoint cp : store.list(arch)) {
                var m = cp.manifest();
                String shape = m.shape().m() + "x" + m.shape().n() + "x" + m.shape().k();
                // GEMV/GEMM manifests name formats bare ("INT4"), conv manifests with their prefix ("W_FP16")
                String formats = prefixed("W_", m.weightFormat()) + prefixed("A_", m.activationFormat());
                try {
                    out.add(switch (m.operator()) {
                        case GemvCheckpoints.OPERATOR -> checkGemv(gemv, cp, shape, formats, seed);
                        case GemmCheckpoints.OPERATOR -> checkGemm(gemm, cp, shape, formats, seed);
                        case ConvCheckpoints.OPERATOR -> checkConv(conv, cp, shape, formats, seed);
                        default -> new Result(cp.id(), m.operator(), shape, formats, Double.NaN, Double.NaN, false, "no checker for operator '" + m.operator() + "'");
                    });
                } catch (RuntimeException e) {
                    out.add(new Result(cp.id(), m.operator(), shape, formats, Double.NaN, Double.NaN, false, e.getMessage()));
                }
            }
        } finally {
            gemv.close();
            gemm.close();
            conv.close();
        }
        return out;
    }

    private static Result checkGemv(GemvRunner gemv, Checkpoint cp, String shape, String formats, long seed) {
        var m = cp.manifest();
        GemvConfig c = new GemvConfig(WeightFormat.valueOf(m.weightFormat()), ActFormat.valueOf(m.activationFormat()), m.shape().m(),
                GemvStage.HOLISTIC, GemvCheckpoints.launch(m.launch().params()));
        gemv.useBinary(c, cp.readVerifiedBinary());
        int n = Math.min(m.shape().n(), 1000);
        GemvRunner.Check check = gemv.check(c, n, m.shape().k(), seed);
        return new Result(cp.id(), m.operator(), shape, formats, check.error(), check.tolerance(), check.passed(),
                check.allWritten() ? null : "outputs left unwritten");
    }

    /**
     * The conv binary at {@link org.ladderae.kernels.ConvRunner#checkShapes} (small shapes that compile to the same flags, the
     * fused epilogue, partial tiles; the tuned shape itself when its CPU reference is cheap).
     */
    private static Result checkConv(org.ladderae.kernels.ConvRunner conv, Checkpoint cp, String shape, String formats, long seed) {
        org.ladderae.kernels.ConvConfig c = convConfig(cp.manifest());
        conv.useBinary(c, cp.readVerifiedBinary());
        org.ladderae.kernels.ConvRunner.Check check = conv.checkAll(c, seed);
        var at = check.config().shape();
        return new Result(cp.id(), ConvCheckpoints.OPERATOR, ConvCheckpoints.stage(c.shape()), formats, check.error(), check.tolerance(), check.passed(),
                check.passed() ? null : "at " + ConvCheckpoints.stage(at) + (check.allWritten() ? "" : ": outputs left unwritten"));
    }

    private static String prefixed(String prefix, String format) { return format.startsWith(prefix) ? format : prefix + format; }

    /** The conv configuration a shipped manifest describes (its formats as "W_FP16" + "A_FP16"). */
    static org.ladderae.kernels.ConvConfig convConfig(org.ladderae.checkpoints.CheckpointManifest m) {
        return ConvCheckpoints.config(m, org.ladderae.kernels.ConvFormat.valueOf(m.weightFormat() + m.activationFormat()));
    }

    /** The operators this check has a checker for. */
    static final java.util.Set<String> CHECKED_OPERATORS = java.util.Set.of(GemvCheckpoints.OPERATOR, GemmCheckpoints.OPERATOR, ConvCheckpoints.OPERATOR);

    /** The GEMM binary at {@link #gemmCheckShapes}: the tuned kernel and split-K on small data. */
    private static Result checkGemm(GemmRunner gemm, Checkpoint cp, String shape, String formats, long seed) {
        GemmConfig c = GemmCheckpoints.config(cp.manifest());
        gemm.useBinary(c, cp.readVerifiedBinary());
        GemmRunner.Check check = gemm.checkAll(gemmCheckShapes(c), seed);
        GemmConfig at = check.config();
        return new Result(cp.id(), GemmCheckpoints.OPERATOR, shape, formats, check.error(), check.tolerance(), check.passed(),
                check.passed() ? null : "at " + at.m() + "x" + at.n() + "x" + at.k() + (check.allWritten() ? "" : ": outputs left unwritten"));
    }

    /**
     * The runner's check shapes with the large-M one cut from 4095 rows to {@code 9 * BM - 1}: still more tile rows
     * than the grouped order's 8 (so it wraps) with the last one partial, at a quarter of the CPU reference's time
     * (~3 s per checkpoint at 4095 rows), so the 40-odd shipped GEMM checkpoints stay within the GPU suite's limits.
     */
    static List<GemmConfig> gemmCheckShapes(GemmConfig tuned) {
        return GemmRunner.checkShapes(tuned).stream().map(s -> s.m() == 4095 ? s.withShape(9 * tuned.bm() - 1, s.n(), s.k()) : s).toList();
    }
}
