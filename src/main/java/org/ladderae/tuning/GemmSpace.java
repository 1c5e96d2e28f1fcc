package org.ladderae.tuning;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ladderae.kernels.GemmConfig;
import org.ladderae.kernels.GemmConfig.Format;
import org.ladderae.kernels.GemmConfig.Path;
import org.ladderae.kernels.GemmKernels;
import org.ladderae.kernels.TargetArch;

/**
 * The GEMM tuning space of one (formats, M, N, K, arch): every tile, warp layout, pipeline depth and split-K
 * the kernels take, built through {@link GemmConfig}'s factories, minus what cannot run there. Pruned before
 * compiling: paths the arch lacks (wgmma needs sm_90a, FP8 mma needs sm_89), N not a multiple of BN, K not a
 * multiple of BK x split-K, shared memory over the arch's per-block limit, split-K at large M. Spilling
 * candidates are only known after ptxas and are dropped by {@link GemmTuningProblem#compile} ({@link CubinResources}).
 *
 * <p>The space is small on purpose (about 16 candidates at M = 32 and 20 at M = 4096 on sm_90a): compiling is cheap
 * (~1 s per variant, and one binary serves every shape), but each candidate costs GPU time, and the figures'
 * 40-odd GEMM points must tune in about five minutes on one H100. Order is fixed (heuristic's pick first,
 * then the enumeration order), so the same inputs always give the same list.
 */
public final class GemmSpace {
    /** Small-M tiles: 32 rows, 4 warps along N. */
    static final int[] SMALL_BN = {128, 256};
    static final int[] SMALL_STAGES = {4, 6};
    /** Split-K 8 won for the sub-8-bit weights at Figure 12 M1/M4 on the H100 (16 never did; GEMM-NOTES.md "Skinny M"). */
    static final int[] SPLIT_K = {1, 2, 4, 8};
    /** Large-M mma tiles {bm, bn, warpsM, warpsN}: the measured winners' shapes and their transposes; 64x128 has 32x32 warp tiles (FP8). */
    static final int[][] LARGE_MMA_TILES = {{128, 128, 2, 2}, {128, 256, 2, 4}, {256, 128, 4, 2}, {64, 128, 2, 4}};
    static final int[] LARGE_MMA_STAGES = {3, 4};
    static final int[] WGMMA_WARPGROUPS = {1, 2};
    static final int[] WGMMA_BN = {128, 256};
    static final int[] WGMMA_STAGES = {3, 4, 5};
    /** Skinny-M TMA kernel (sm_90a, 17 <= M <= 64): weight rows per CTA and split-K (its stages fill shared memory). */
    static final int[] SKINNY_TMA_BN = {128, 256, 512};
    static final int[] SKINNY_TMA_SPLIT_K = {1, 2, 4, 8};
    /** TMA kernel stages: 4 fits the 128x256 shared-operand tile (48 KiB a stage), 4-6 the register-decoded ones (34-40 KiB). */
    static final int[] TMA_STAGES = {4, 5, 6};

    private GemmSpace() {}

    /** A candidate left out before compiling, and the rule that left it out. */
    public record Pruned(String candidate, String reason) {}

    /** The candidates to compile and time, and what was pruned. */
    public record Plan(List<GemmConfig> candidates, List<Pruned> pruned) {
        /** Distinct binaries: the kernel does not depend on the shape or split-K, so these are what nvcc builds. */
        public int distinctKernels() { return (int) candidates.stream().map(GemmConfig::defineFlags).distinct().count(); }
    }

    /**
     * Largest dynamic shared memory per block (opt-in) on {@code arch}; IllegalArgumentException naming the known
     * arches for any other, so a typo never tunes against a guessed limit.
     */
    public static int maxSharedBytesPerBlock(TargetArch arch) {
        Integer limit = SHARED_LIMITS.get(arch.major() * 10 + arch.minor());
        if (limit == null) {
            throw new IllegalArgumentException("unknown GPU arch " + arch.smName() + " for GEMM tuning (known: sm_80, sm_86, sm_87, sm_89, sm_90a, sm_100, sm_120)");
        }
        return limit;
    }

    /** CUDA programming guide, compute capabilities table: shared memory per block, opt-in. */
    private static final Map<Integer, Integer> SHARED_LIMITS = Map.of(80, 166_912, 87, 166_912, 86, 101_376, 89, 101_376,
            90, GemmConfig.MAX_SMEM_PER_BLOCK, 100, 232_448, 120, 101_376);

    public static List<GemmConfig> candidates(Format w, Format a, int m, int n, int k, TargetArch arch) {
        return plan(w, a, m, n, k, arch).candidates();
    }

    public static Plan plan(Format w, Format a, int m, int n, int k, TargetArch arch) {
        int smemLimit = maxSharedBytesPerBlock(arch);
        Map<String, String> pruned = new LinkedHashMap<>();
        Set<GemmConfig> kept = new LinkedHashSet<>();
        // where the skinny TMA kernel runs, the 6-stage mma.sync tiles make room for its 12 candidates (it beat every
        // mma.sync point at Figure 12 M1/M4 by 1.2-1.6x, GEMM-NOTES.md "wgmma skinny M"), so the space stays at 20
        boolean skinnyTma = m <= GemmKernels.SMALL_M && m >= GemmKernels.SKINNY_TMA_MIN_M && arch.hasWgmma()
                && GemmConfig.tmaSkinnySupports(w, a);
        for (Tile t : tiles(m)) {
            String why = skinnyTma && t.path == Path.MMA16816 && t.stages == 6 ? "6-stage mma.sync tiles give way to the skinny TMA kernel"
                    : rule(t, w, a, m, n, k, arch);
            GemmConfig c = null;
            if (why == null) {
                try {
                    c = t.build(w, a, m, n, k);
                } catch (IllegalArgumentException notAKernel) {
                    why = notAKernel.getMessage();   // GemmConfig's own checks (its 227 KiB cap among them)
                }
            }
            if (why == null && c.sharedMemoryBytes() > smemLimit) {
                why = "shared memory " + c.sharedMemoryBytes() + " B over " + arch.smName() + "'s " + smemLimit + " B per block";
            }
            if (why == null) kept.add(c);
            else pruned.putIfAbsent(t.toString(), why);
        }
        List<GemmConfig> ordered = new ArrayList<>();
        GemmConfig heuristic = heuristic(w, a, m, n, k, arch, smemLimit);
        if (heuristic != null) ordered.add(heuristic);   // the tuned kernel can then never lose to the untuned default
        for (GemmConfig c : kept) if (!c.equals(heuristic)) ordered.add(c);
        return new Plan(List.copyOf(ordered), pruned.entrySet().stream().map(e -> new Pruned(e.getKey(), e.getValue())).toList());
    }

    /** The untuned default where it runs on this arch and shape, else null. */
    private static GemmConfig heuristic(Format w, Format a, int m, int n, int k, TargetArch arch, int smemLimit) {
        try {
            GemmConfig c = GemmKernels.forShape(w, a, m, n, k, arch);
            return rule(Tile.of(c), w, a, m, n, k, arch) == null && c.sharedMemoryBytes() <= smemLimit ? c : null;
        } catch (IllegalArgumentException doesNotFit) {
            return null;
        }
    }

    /** The pruning rules that need no compiler; null when the tile may run. */
    static String rule(Tile t, Format w, Format a, int m, int n, int k, TargetArch arch) {
        boolean tensorCoreAsync = t.path == Path.WGMMA || t.path == Path.WGMMA_TMA;
        Path path = tensorCoreAsync ? t.path : a == Format.FP16 ? Path.MMA16816 : Path.MMA16832;
        if (!GemmConfig.supports(w, a, path)) return "no " + path + " kernel for W_" + w + "A_" + a;
        if (tensorCoreAsync && !arch.hasWgmma()) return "wgmma needs sm_90a, not " + arch.smName();
        if (!tensorCoreAsync && arch.major() < 8) return "the mma.sync kernels need sm_80 or newer (cp.async), not " + arch.smName();
        boolean fp8 = a == Format.FP8_E4M3 || a == Format.FP8_E5M2 || a == Format.MXFP8;
        if (fp8 && !tensorCoreAsync && arch.major() * 10 + arch.minor() < 89) return "FP8 mma.sync needs sm_89 or newer, not " + arch.smName();
        int bk = a == Format.FP16 ? 64 : 128;
        if (t.path == Path.WGMMA_TMA && t.bm > 0) {
            if (!GemmConfig.tmaSkinnySupports(w, a)) return "no skinny TMA kernel for W_" + w + "A_" + a;
            if (m < GemmKernels.SKINNY_TMA_MIN_M) return "the skinny TMA kernel runs at M >= " + GemmKernels.SKINNY_TMA_MIN_M;
            if (n % t.bn != 0) return "N=" + n + " is not a multiple of BN=" + t.bn;
            if (k % (2 * bk) != 0) return "K=" + k + " is not a multiple of " + 2 * bk + " (TMA kernel)";
            if (k / bk < 2 * t.splitK) return "split-K " + t.splitK + " leaves slices without k tiles";
            return null;
        }
        if (t.path == Path.WGMMA_TMA) {
            // the TMA tile follows from the formats; weights decoded in registers take two k tiles per loop round
            boolean shared = GemmConfig.tmaSharedOperands(w, a);
            int bn = shared ? 256 : 128, kUnit = shared ? bk : 2 * bk;
            if (n % bn != 0) return "N=" + n + " is not a multiple of BN=" + bn;
            if (k % kUnit != 0) return "K=" + k + " is not a multiple of " + kUnit + " (TMA kernel)";
            return null;
        }
        if (n % t.bn != 0) return "N=" + n + " is not a multiple of BN=" + t.bn;
        if (k % (bk * t.splitK) != 0) return "K=" + k + " is not a multiple of BK*splitK=" + bk * t.splitK;
        if (t.splitK > 1 && m > GemmKernels.SMALL_M) return "split-K only at M <= " + GemmKernels.SMALL_M + " (larger M has tiles for every SM)";
        return null;
    }

    /**
     * One point of the space before formats and shape are applied. {@code path} is MMA16816 for every mma.sync tile (the
     * formats pick m16n8k16 or m16n8k32); a WGMMA_TMA tile's bm x bn follow from the formats (0 x 0 here).
     */
    record Tile(Path path, int bm, int bn, int warpsM, int warpsN, int stages, int splitK) {
        static Tile of(GemmConfig c) {
            Path p = c.path() == Path.MMA16832 ? Path.MMA16816 : c.path();
            if (c.tmaSkinny()) return skinnyTma(c.bm(), c.bn(), c.splitK());
            return p == Path.WGMMA_TMA ? tma(c.stages()) : new Tile(p, c.bm(), c.bn(), c.warpsM(), c.warpsN(), c.stages(), c.splitK());
        }

        static Tile tma(int stages) { return new Tile(Path.WGMMA_TMA, 0, 0, GemmConfig.TMA_THREADS / 32, 1, stages, 1); }

        /** The skinny TMA kernel: bm activation rows, bn weight rows, split-K (stages follow from the tile: 0 here). */
        static Tile skinnyTma(int bm, int bn, int splitK) { return new Tile(Path.WGMMA_TMA, bm, bn, GemmConfig.TMA_THREADS / 32, 1, 0, splitK); }

        GemmConfig build(Format w, Format a, int m, int n, int k) {
            return switch (path) {
                case WGMMA -> GemmConfig.wgmma(w, m, n, k, warpsM / 4, bn, stages);
                case WGMMA_TMA -> bm > 0 ? GemmConfig.wgmmaTmaSkinny(w, a, m, n, k, bm, bn, splitK) : GemmConfig.wgmmaTma(w, a, m, n, k, stages);
                default -> GemmConfig.mma(w, a, m, n, k, bm, bn, warpsM, warpsN, stages, splitK);
            };
        }

        @Override
        public String toString() {
            if (path == Path.WGMMA_TMA && bm > 0) return "tma skinny " + bm + "x" + bn + (splitK > 1 ? " sk" + splitK : "");
            if (path == Path.WGMMA_TMA) return "tma " + stages + "st";
            return (path == Path.WGMMA ? "wgmma " : "mma ") + bm + "x" + bn + " w" + warpsM + "x" + warpsN + " " + stages + "st" + (splitK > 1 ? " sk" + splitK : "");
        }
    }

    /** The enumeration for M's regime, in a fixed order. */
    static List<Tile> tiles(int m) {
        List<Tile> tiles = new ArrayList<>();
        if (m <= GemmKernels.SMALL_M) {
            // Memory-bound: 32-row tiles stream W; split-K puts more blocks on the SMs when N / BN is small.
            for (int bn : SMALL_BN) for (int st : SMALL_STAGES) for (int sk : SPLIT_K) tiles.add(new Tile(Path.MMA16816, 32, bn, 1, 4, st, sk));
            // the skinny TMA wgmma kernel (sm_90a, five pairs; rule() prunes the rest): 32 activation rows up to M = 32,
            // else 64 (with at most 256 weight rows: 64 x 512 has not run on a GPU)
            int bm = m <= 32 ? 32 : 64;
            for (int bn : SKINNY_TMA_BN) for (int sk : SKINNY_TMA_SPLIT_K) if (bm == 32 || bn <= 256) tiles.add(Tile.skinnyTma(bm, bn, sk));
            return tiles;
        }
        for (int[] t : LARGE_MMA_TILES) for (int st : LARGE_MMA_STAGES) tiles.add(new Tile(Path.MMA16816, t[0], t[1], t[2], t[3], st, 1));
        for (int wg : WGMMA_WARPGROUPS) for (int bn : WGMMA_BN) for (int st : WGMMA_STAGES) tiles.add(new Tile(Path.WGMMA, 64 * wg, bn, 4 * wg, 1, st, 1));
        for (int st : TMA_STAGES) tiles.add(Tile.tma(st));
        return tiles;
    }
}
