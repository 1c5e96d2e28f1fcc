package org.ladderae.tuning;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.ladderae.checkpoints.Checkpoint;
import org.ladderae.checkpoints.CheckpointKey;
import org.ladderae.checkpoints.CheckpointManifest;
import org.ladderae.checkpoints.CheckpointStore;
import org.ladderae.checkpoints.KernelShape;
import org.ladderae.checkpoints.LaunchConfig;
import org.ladderae.kernels.ActFormat;
import org.ladderae.kernels.GemvConfig;
import org.ladderae.kernels.GemvKernelSpec;
import org.ladderae.kernels.GemvKernels;
import org.ladderae.kernels.GemvLaunch;
import org.ladderae.kernels.GemvStage;
import org.ladderae.kernels.WeightFormat;

/**
 * GEMV tuning results as checkpoints: the launch configuration goes into the manifest's params and
 * the tuned cubin beside it, so a later run loads the kernel with the driver alone (no nvcc).
 */
public final class GemvCheckpoints {
    public static final String OPERATOR = "gemv";

    private GemvCheckpoints() {}

    public static CheckpointKey key(WeightFormat w, ActFormat a, int m, int n, int k) {
        return new CheckpointKey(OPERATOR, new KernelShape(m, n, k), w.name(), a.name(), GemvStage.HOLISTIC.token());
    }

    /** What a GEMV launch configuration looks like in a manifest. */
    public static Map<String, Integer> params(GemvLaunch l) {
        Map<String, Integer> p = new LinkedHashMap<>();
        p.put("threads", l.threads());
        p.put("rows_per_warp", l.rowsPerWarp());
        p.put("split_k", l.splitK());
        p.put("unroll", l.unroll());
        p.put("blocks_per_sm", l.blocksPerSm());
        p.put("tensor_cores", l.tensorCores() ? 1 : 0);
        return p;
    }

    public static GemvLaunch launch(Map<String, Integer> p) {
        return new GemvLaunch(p.get("threads"), p.get("rows_per_warp"), p.get("split_k"), p.get("unroll"), p.get("blocks_per_sm"),
                p.get("tensor_cores") == 1);
    }

    /** The manifest for a tuning report of {@code problem} on a GPU with {@code smCount} multiprocessors. */
    public static CheckpointManifest manifest(GemvTuningProblem problem, TuningReport<GemvLaunch> report, String arch,
                                              String gpuName, String driverVersion, String nvccVersion, int smCount) {
        GemvConfig c = problem.config(report.best());
        GemvKernelSpec spec = GemvKernels.spec(c);
        int n = problem.n();
        int k = problem.k();
        int[] g = spec.grid(n, smCount);
        int[] b = spec.block();
        CheckpointKey key = key(c.weights(), c.acts(), c.m(), n, k);
        return new CheckpointManifest(CheckpointManifest.SCHEMA_VERSION, spec.kernelName() + "_n" + n + "_k" + k, OPERATOR,
                key.shape(), key.weightFormat(), key.activationFormat(), key.stage(),
                new LaunchConfig(new LaunchConfig.Dim3(g[0], g[1], g[2]), new LaunchConfig.Dim3(b[0], b[1], b[2]),
                        spec.dynamicSharedBytes(), params(report.best())),
                spec.kernelName(), arch, gpuName, driverVersion, nvccVersion,
                report.summary(),
                "kernel.cubin", null, null);
    }

    public static Checkpoint save(CheckpointStore store, CheckpointManifest manifest, byte[] cubin, boolean force) throws IOException {
        return store.save(manifest, cubin, force);
    }

    /** A tuned configuration and its verified binary, when the store has one for this shape and GPU architecture. */
    public record Tuned(GemvConfig config, byte[] cubin, Checkpoint checkpoint) {}

    public static Optional<Tuned> find(CheckpointStore store, String arch, WeightFormat w, ActFormat a, int m, int n, int k) {
        return store.find(arch, key(w, a, m, n, k)).map(cp -> new Tuned(
                new GemvConfig(w, a, m, GemvStage.HOLISTIC, launch(cp.manifest().launch().params())), cp.readVerifiedBinary(), cp));
    }
}
