package org.ladderae.tuning;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.ladderae.checkpoints.Checkpoint;
import org.ladderae.checkpoints.CheckpointException;
import org.ladderae.checkpoints.CheckpointKey;
import org.ladderae.checkpoints.CheckpointManifest;
import org.ladderae.checkpoints.CheckpointStore;
import org.ladderae.checkpoints.KernelShape;
import org.ladderae.checkpoints.LaunchConfig;
import org.ladderae.kernels.GemmConfig;
import org.ladderae.kernels.GemmConfig.Format;

/**
 * GEMM tuning results as checkpoints. The manifest's params hold the winner's tile, warps, stages, split-K and
 * path, from which {@link #config} rebuilds the {@link GemmConfig} through its factories; the rebuilt kernel name
 * must equal the manifest's entry name, so a checkpoint whose parameters no longer describe its binary (written
 * by a ladder-ae whose GemmConfig differed) is refused rather than launched with the wrong grid.
 */
public final class GemmCheckpoints {
    public static final String OPERATOR = "gemm";
    /** Only the full design (stage HOLISTIC) is tuned; the Figure 13 stages below it run fixed tiles (GemmKernels.forStage). */
    public static final String STAGE = "ladder";

    private GemmCheckpoints() {}

    public static CheckpointKey key(Format w, Format a, int m, int n, int k) {
        return new CheckpointKey(OPERATOR, new KernelShape(m, n, k), w.name(), a.name(), STAGE);
    }

    public static CheckpointKey key(GemmConfig c) { return key(c.weight(), c.activation(), c.m(), c.n(), c.k()); }

    /** What a GEMM configuration looks like in a manifest (the formats and shape are the key's). */
    public static Map<String, Integer> params(GemmConfig c) {
        Map<String, Integer> p = new LinkedHashMap<>();
        // 0 mma.sync, 1 wgmma (cp.async), 2 wgmma with TMA and warp specialisation (its tile follows from the formats)
        // (3: the skinny-M TMA kernel, bm x bn and split_k its own)
        p.put("wgmma", switch (c.path()) { case WGMMA -> 1; case WGMMA_TMA -> c.tmaSkinny() ? 3 : 2; default -> 0; });
        p.put("bm", c.bm());
        p.put("bn", c.bn());
        p.put("warps_m", c.warpsM());
        p.put("warps_n", c.warpsN());
        p.put("stages", c.stages());
        p.put("split_k", c.splitK());
        return p;
    }

    /** The configuration a GEMM manifest describes; CheckpointException (one line) when it does not describe its own kernel. */
    public static GemmConfig config(CheckpointManifest m) {
        if (!m.operator().equals(OPERATOR)) throw new CheckpointException("checkpoint " + m.arch() + "/" + m.name() + " is a " + m.operator() + " kernel, not gemm");
        Map<String, Integer> p = m.launch().params();
        GemmConfig c;
        try {
            Format w = Format.valueOf(m.weightFormat());
            Format a = Format.valueOf(m.activationFormat());
            int rows = m.shape().m(), n = m.shape().n(), k = m.shape().k();
            c = switch (required(p, "wgmma")) {
                case 1 -> GemmConfig.wgmma(w, rows, n, k, required(p, "warps_m") / 4, required(p, "bn"), required(p, "stages"));
                case 2 -> GemmConfig.wgmmaTma(w, a, rows, n, k, required(p, "stages"));
                case 3 -> GemmConfig.wgmmaTmaSkinny(w, a, rows, n, k, required(p, "bm"), required(p, "bn"), required(p, "split_k"));
                default -> GemmConfig.mma(w, a, rows, n, k, required(p, "bm"), required(p, "bn"), required(p, "warps_m"), required(p, "warps_n"),
                        required(p, "stages"), required(p, "split_k"));
            };
        } catch (IllegalArgumentException e) {
            throw new CheckpointException("checkpoint " + m.arch() + "/" + m.name() + " has launch params this ladder-ae cannot build: " + e.getMessage());
        }
        if (!c.kernelName().equals(m.entryName())) {
            throw new CheckpointException("checkpoint " + m.arch() + "/" + m.name() + ": its params build kernel " + c.kernelName() + " but its entry is "
                    + m.entryName() + " (written by another ladder-ae version; re-tune with --force-tune-ladder)");
        }
        return c;
    }

    private static int required(Map<String, Integer> p, String name) {
        Integer v = p.get(name);
        if (v == null) throw new IllegalArgumentException("params has no " + name);
        return v;
    }

    /** The checkpoint directory name: the kernel, the shape it was tuned at and split-K (a launch choice the kernel name leaves out). */
    public static String name(GemmConfig c) {
        return c.kernelName() + "_m" + c.m() + "_n" + c.n() + "_k" + c.k() + (c.splitK() > 1 ? "_splitk" + c.splitK() : "");
    }

    /** The manifest for a tuning report whose best configuration is {@code report.best()}. */
    public static CheckpointManifest manifest(TuningReport<GemmConfig> report, TuningEnvironment env) {
        GemmConfig c = report.best();
        CheckpointKey key = key(c);
        int[] g = c.grid(), b = c.block();
        return new CheckpointManifest(CheckpointManifest.SCHEMA_VERSION, name(c), OPERATOR, key.shape(), key.weightFormat(), key.activationFormat(),
                key.stage(), new LaunchConfig(new LaunchConfig.Dim3(g[0], g[1], g[2]), new LaunchConfig.Dim3(b[0], b[1], b[2]), c.sharedMemoryBytes(),
                params(c)), c.kernelName(), env.arch(), env.gpuName(), env.driverVersion(), env.nvccVersion(), report.summary(), "kernel.cubin",
                null, null);
    }

    public static Checkpoint save(CheckpointStore store, TuningReport<GemmConfig> report, TuningEnvironment env, boolean force) throws IOException {
        return store.save(manifest(report, env), report.bestBinary(), force);
    }

    /** A tuned configuration and its verified binary. */
    public record Tuned(GemmConfig config, byte[] cubin, Checkpoint checkpoint) {}

    /**
     * The checkpoint for these formats and shape on {@code arch}, or why there is none in one line (nothing tuned
     * for it, or only for another arch, which is never used). A binary that fails its SHA-256 throws: a corrupted
     * kernel is an error to fix, not a reason to fall back quietly.
     */
    public record Lookup(Optional<Tuned> tuned, String missing) {}

    public static Lookup lookup(CheckpointStore store, String arch, Format w, Format a, int m, int n, int k) {
        CheckpointKey key = key(w, a, m, n, k);
        Optional<Checkpoint> found = store.find(arch, key);
        if (found.isPresent()) {
            Checkpoint cp = found.get();
            return new Lookup(Optional.of(new Tuned(config(cp.manifest()), cp.readVerifiedBinary(), cp)), null);
        }
        try {
            store.require(arch, key);
            throw new IllegalStateException("find and require disagree for " + key.describe());
        } catch (CheckpointException none) {
            return new Lookup(Optional.empty(), none.getMessage());
        }
    }
}
