package org.ladderae.tuning;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.ladderae.checkpoints.Checkpoint;
import org.ladderae.checkpoints.CheckpointException;
import org.ladderae.checkpoints.CheckpointKey;
import org.ladderae.checkpoints.CheckpointManifest;
import org.ladderae.checkpoints.CheckpointStore;
import org.ladderae.checkpoints.KernelShape;
import org.ladderae.checkpoints.LaunchConfig;
import org.ladderae.checkpoints.TuningSummary;
import org.ladderae.kernels.ConvConfig;
import org.ladderae.kernels.ConvFormat;
import org.ladderae.kernels.ConvKernels;
import org.ladderae.kernels.TargetArch;
import org.ladderae.kernels.ConvMma;
import org.ladderae.kernels.ConvShape;

/**
 * Conv tuning results as checkpoints. The key's shape is the implicit GEMM (N*P*Q x K x R*S*C) and its stage
 * names the conv geometry ({@code conv_n128_c64_h56_w56_k64_r3_s3_u1_p1}), since different convs share GEMM
 * dimensions; the manifest's params hold the winner's tile, warps, stages, blocks per SM, instruction path and
 * gather width, from which {@link #config} rebuilds the {@link ConvConfig}. The rebuilt kernel name must equal
 * the manifest's entry name, so a checkpoint written by a ladder-ae whose ConvConfig differed is refused.
 */
public final class ConvCheckpoints {
    public static final String OPERATOR = "conv";

    private ConvCheckpoints() {}

    /** The stage string of a conv shape: its full geometry (the GEMM shape alone is ambiguous). */
    public static String stage(ConvShape s) {
        return String.format(Locale.ROOT, "conv_n%d_c%d_h%d_w%d_k%d_r%d_s%d_u%d_p%d", s.n(), s.c(), s.h(), s.w(), s.k(), s.r(), s.s(), s.stride(), s.pad());
    }

    public static CheckpointKey key(ConvFormat f, ConvShape s) {
        return new CheckpointKey(OPERATOR, new KernelShape(s.gemmM(), s.k(), s.gemmK()), "W_" + weightToken(f), "A_" + actToken(f), stage(s));
    }

    private static String weightToken(ConvFormat f) { return f.label().substring(2, f.label().indexOf('A')); }

    private static String actToken(ConvFormat f) { return f.label().substring(f.label().indexOf('A') + 2); }

    /** What a conv configuration looks like in a manifest (the format and shape are the key's). */
    public static Map<String, Integer> params(ConvConfig c) {
        Map<String, Integer> p = new LinkedHashMap<>();
        p.put("mma", c.mma().code());   // 0 mma.sync, 1 wgmma (pixels as M), 2 wgmma (pixels as N), 3 halo, 4 pointwise, 5 im2col-TMA
        p.put("bm", c.bm());
        p.put("bn", c.bn());
        p.put("warps_m", c.warpsM());
        p.put("warps_n", c.warpsN());
        p.put("stages", c.stages());
        p.put("min_blocks", c.minBlocks());
        p.put("a_vec", c.aVec());
        if (c.mma().warpSpecialized()) p.put("warp_specialized", 1);   // absent in older manifests: 0
        if (c.splitK() > 1) p.put("split_k", c.splitK());               // absent: 1
        return p;
    }

    /** The shape a manifest's stage names; CheckpointException when the stage is no conv geometry. */
    static ConvShape shapeOf(CheckpointManifest m) {
        String st = m.stage();
        String[] parts = st.split("_");
        if (parts.length != 10 || !parts[0].equals("conv")) throw new CheckpointException("checkpoint " + m.name() + ": stage '" + st + "' is no conv geometry");
        int[] v = new int[9];
        for (int i = 0; i < 9; i++) v[i] = Integer.parseInt(parts[i + 1].substring(1));
        return new ConvShape(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
    }

    /** The configuration a conv manifest describes; CheckpointException (one line) when it does not describe its own kernel. */
    public static ConvConfig config(CheckpointManifest m, ConvFormat f) {
        if (!m.operator().equals(OPERATOR)) throw new CheckpointException("checkpoint " + m.arch() + "/" + m.name() + " is a " + m.operator() + " kernel, not conv");
        Map<String, Integer> p = m.launch().params();
        ConvConfig c;
        try {
            int code = required(p, "mma");
            boolean ws = p.getOrDefault("warp_specialized", 0) != 0;
            ConvMma mma = java.util.Arrays.stream(ConvMma.values()).filter(x -> x.code() == code && x.warpSpecialized() == ws).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no conv MMA path " + code + (ws ? " (warp-specialised)" : "")));
            c = new ConvConfig(f, shapeOf(m), required(p, "bm"), required(p, "bn"), required(p, "warps_m"), required(p, "warps_n"), required(p, "stages"),
                    required(p, "min_blocks"), mma, required(p, "a_vec"), p.getOrDefault("split_k", 1));
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            throw new CheckpointException("checkpoint " + m.arch() + "/" + m.name() + " has launch params this ladder-ae cannot build: " + e.getMessage());
        }
        if (!c.kernelName().equals(m.entryName())) {
            throw new CheckpointException("checkpoint " + m.arch() + "/" + m.name() + ": its params build kernel " + c.kernelName() + " but its entry is "
                    + m.entryName() + " (written by another ladder-ae version; re-tune)");
        }
        return c;
    }

    private static int required(Map<String, Integer> p, String name) {
        Integer v = p.get(name);
        if (v == null) throw new IllegalArgumentException("params has no " + name);
        return v;
    }

    /** The checkpoint directory name: the kernel and the conv it was tuned at. */
    public static String name(ConvConfig c) { return c.kernelName() + "_" + stage(c.shape()); }

    /** The manifest of one tuned conv shape. */
    public static CheckpointManifest manifest(ConvConfig c, TuningSummary summary, TuningEnvironment env) {
        CheckpointKey key = key(c.format(), c.shape());
        int[] g = c.grid(), b = c.block();
        return new CheckpointManifest(CheckpointManifest.SCHEMA_VERSION, name(c), OPERATOR, key.shape(), key.weightFormat(), key.activationFormat(),
                key.stage(), new LaunchConfig(new LaunchConfig.Dim3(g[0], g[1], g[2]), new LaunchConfig.Dim3(b[0], b[1], b[2]), c.sharedMemoryBytes(),
                params(c)), c.kernelName(), env.arch(), env.gpuName(), env.driverVersion(), env.nvccVersion(), summary, "kernel.cubin", null, null);
    }

    public static Checkpoint save(CheckpointStore store, ConvConfig c, byte[] cubin, TuningSummary summary, TuningEnvironment env, boolean force)
            throws IOException {
        return store.save(manifest(c, summary, env), cubin, force);
    }

    /** The tuned configuration for {@code f} at {@code s} on {@code arch}, if one was saved (its binary's SHA-256 verified). */
    public static Optional<ConvConfig> lookup(CheckpointStore store, String arch, ConvFormat f, ConvShape s) {
        Optional<Checkpoint> found = store.find(arch, key(f, s));
        if (found.isEmpty()) return Optional.empty();
        Checkpoint cp = found.get();
        cp.readVerifiedBinary();
        return Optional.of(config(cp.manifest(), f));
    }

    /**
     * The configuration the CNN executor launches for {@code s} (FP16) on {@code arch}: the tuned one when
     * {@code store} has a checkpoint for it, else {@link ConvKernels#heuristic}.
     */
    public static ConvConfig configFor(CheckpointStore store, TargetArch arch, ConvShape s) {
        return lookup(store, arch.smName(), ConvFormat.W_FP16A_FP16, s).orElseGet(() -> ConvKernels.heuristic(s, arch));
    }
}
