package org.ladderae.kernels;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The candidate configurations of Ladder's conv kernels for one problem, and the heuristic pick among them
 * (the first candidate). The conv tuner ({@code tuning/ConvTuningProblem}) and {@link ConvRunner#tune} time
 * every candidate that passes its check and keep the fastest.
 *
 * <p>FP16 on Hopper (sm_90a) gets the persistent pointwise TMA conv first for 1x1 layers ({@link #pointwiseHeuristic}:
 * stride 1, no padding, C % 64 == 0, a wave of tiles: Figure 12's C1 and C3), then the persistent halo conv where it
 * applies ({@link #haloHeuristic}: stride 1, C % 64 == 0, K <= 64: batch-128 ResNet layers such as C0), then the
 * persistent im2col-TMA conv ({@link #im2colTmaHeuristic}: C % 64 == 0, any filter and stride: C2), and warpgroup-MMA tiles (64 rows per warpgroup, N = 64/128/256) besides the
 * mma.sync ones; small problems (batch 1) get small mma.sync tiles so that a launch fills the SMs. The byte
 * formats keep their mma.sync tiles (C % 64 == 0).
 */
public final class ConvKernels {
    /** The H100's (and H200's) SMs: below about one wave of blocks, smaller tiles win (batch 1). */
    public static final int SMS = 132;

    private ConvKernels() {}

    /** Candidates for the project's GPU (H100, sm_90a). */
    public static List<ConvConfig> candidates(ConvFormat f, ConvShape s) { return candidates(f, s, TargetArch.parse("sm_90a")); }

    /**
     * Candidates in the order tried; the first is the heuristic default. Empty when the shape cannot run
     * ({@link #unsupportedReason}).
     */
    public static List<ConvConfig> candidates(ConvFormat f, ConvShape s, TargetArch arch) {
        Map<String, ConvConfig> out = new LinkedHashMap<>();
        if (f == ConvFormat.W_FP16A_FP16) {
            boolean hopper = arch.hasWgmma();
            ConvConfig h = heuristic(s, arch);
            if (h != null) out.put(h.label(), h);
            if (hopper) for (ConvConfig c : pointwiseCandidates(s)) add(out, c);
            if (hopper) for (ConvConfig c : im2colTmaCandidates(s)) add(out, c);
            if (hopper) for (ConvConfig c : haloCandidates(s)) add(out, c);
            if (hopper) {
                add(out, wgmma(s, 128, 64, 4, 2));
                add(out, wgmma(s, 128, 128, 3, 1));
                add(out, wgmma(s, 128, 128, 4, 1));
                add(out, wgmma(s, 256, 64, 4, 1));
                add(out, wgmma(s, 64, 64, 4, 3));
                add(out, wgmma(s, 64, 128, 4, 2));
                if (s.k() >= 256) add(out, wgmma(s, 128, 256, 3, 1));
                add(out, wgmmaPixelsN(s, 256, 1, 1, 4, 1));
                add(out, wgmmaPixelsN(s, 128, 1, 1, 4, 2));
                add(out, wgmmaPixelsN(s, 128, 2, 1, 4, 1));
                add(out, wgmmaPixelsN(s, 128, 2, 1, 3, 1));
                if (s.k() > 64) {
                    add(out, wgmmaPixelsN(s, 128, 1, 2, 3, 2));
                    add(out, wgmmaPixelsN(s, 128, 1, 2, 4, 1));
                    add(out, wgmmaPixelsN(s, 256, 1, 2, 3, 1));
                }
                // Warp-specialised (a producer warpgroup gathers into an mbarrier ring): the same tiles, all stages in flight.
                add(out, ws(wgmma(s, 128, 64, 4, 2)));
                add(out, ws(wgmma(s, 128, 64, 6, 1)));
                add(out, ws(wgmma(s, 128, 128, 4, 1)));
                add(out, ws(wgmmaPixelsN(s, 256, 1, 1, 4, 1)));
                add(out, ws(wgmmaPixelsN(s, 128, 2, 1, 4, 1)));
                if (s.k() > 64) {
                    add(out, ws(wgmmaPixelsN(s, 128, 1, 2, 4, 1)));
                    add(out, ws(wgmmaPixelsN(s, 256, 1, 2, 3, 1)));
                }
                if (s.k() >= 256) add(out, ws(wgmma(s, 128, 256, 3, 1)));
            }
            add(out, mma(f, s, 128, 64, 2, 2, 4, 2));
            if (s.k() > 64) add(out, mma(f, s, 128, 128, 2, 4, 3, 1));
            add(out, mma(f, s, 64, 64, 2, 2, 4, 4));
            add(out, mma(f, s, 32, 64, 2, 2, 4, 4));
            add(out, mma(f, s, 64, 32, 2, 2, 4, 4));
            // Split-K for launches far below a wave (batch 1): the heuristic split and half / twice it.
            for (ConvConfig base : new ConvConfig[] {mma(f, s, 32, 64, 2, 2, 4, 4), mma(f, s, 64, 64, 2, 2, 4, 4)}) {
                if (base == null) continue;
                int sk = splitFor(base);
                if (sk > 1) for (int v : new int[] {sk, sk / 2, 2 * sk}) if (v > 1) add(out, base.withSplitK(v));
            }
            return new ArrayList<>(out.values());
        }
        int deep = f.integer() ? 6 : 4;
        // 128 x 64, 4 warps of 64 x 32, two blocks per SM: the workhorse for K = 64 layers.
        add(out, mma(f, s, 128, 64, 2, 2, deep, 2));
        if (s.k() % 128 == 0) add(out, mma(f, s, 128, 128, 2, 4, deep - 1, 1));   // 8 warps of 64 x 32
        add(out, mma(f, s, 256, 64, 4, 2, 3, 1));                                  // 8 warps, more reuse of each weight tile
        add(out, mma(f, s, 64, 64, 2, 2, deep, 4));                                // small tiles: more blocks for batch 1
        if (f.actBits() < 16) out.values().removeIf(c -> s.k() % c.bn() != 0);   // byte activations: whole N tiles, as shipped
        return new ArrayList<>(out.values());
    }

    /**
     * The FP16 configuration picked without tuning: on sm_90a the im2col-TMA conv for layers with C >=
     * {@value #IM2COL_TMA_FIRST_FROM_C} and a wave of tiles, then the pointwise TMA conv ({@link #pointwiseHeuristic}) for
     * 1x1 layers with a wave of tiles, then the halo conv ({@link #haloHeuristic}) for layers with
     * K <= {@value #HALO_MAX_K} where it applies (H100 session 7: C0 0.068 ms against 0.082 on the im2col-TMA conv), then
     * the im2col-TMA conv ({@link #im2colTmaHeuristic}) with a wave of tiles (H100 session 7: C2 0.0517 ms against 0.0718
     * on the halo conv); otherwise ({@link #im2colHeuristic}) from the H100 tuning of every ResNet-50 / ShuffleNet-v2 conv
     * (scripts/dev/conv_check.py, 2026-11-26, second run: epilogue through shared memory, split-K): on sm_90a with
     * about a wave of 128-pixel tiles, wgmma with pixels as M (two warpgroups of 64 pixels) and N = 64 for
     * K <= 64, N = 128 otherwise; with half a wave of 64-pixel tiles, 64-pixel wgmma tiles; smaller problems
     * (batch 1) and C = 3 stems (one-channel gathers) small mma.sync tiles (32 x 64, or 64 x 32 for K <= 32),
     * split over K ({@link #splitFor}) when their tiles are under half a wave. Null when the shape has no FP16 kernel.
     */
    public static ConvConfig heuristic(ConvShape s, TargetArch arch) {
        boolean hopper = arch.hasWgmma();
        if (hopper && s.c() >= IM2COL_TMA_FIRST_FROM_C) {
            ConvConfig t = im2colTmaHeuristic(s);
            if (t != null) return t;
        }
        if (hopper) {
            ConvConfig pw = pointwiseHeuristic(s);
            if (pw != null) return pw;
        }
        if (hopper && s.k() <= HALO_MAX_K) {
            ConvConfig h = haloHeuristic(s);
            if (h != null) return h;
        }
        if (hopper) {
            ConvConfig t = im2colTmaHeuristic(s);
            if (t != null) return t;
        }
        return im2colHeuristic(s, arch);
    }

    /** {@link #heuristic} among the im2col kernels of {@code ladder_conv.cu} only. */
    public static ConvConfig im2colHeuristic(ConvShape s, TargetArch arch) {
        boolean hopper = arch.hasWgmma();
        int bn = s.k() <= 64 ? 64 : 128;
        long m = s.gemmM(), nTiles = (s.k() + bn - 1) / bn;
        ConvFormat f = ConvFormat.W_FP16A_FP16;
        ConvConfig c;
        if (ConvConfig.widestGather(s.c()) == 1) c = s.k() <= 32 ? mma(f, s, 64, 32, 2, 2, 4, 4) : mma(f, s, 32, 64, 2, 2, 4, 4);
        else if (hopper && ((m + 127) / 128) * nTiles >= SMS) c = bn == 64 ? wgmma(s, 128, 64, 4, 2) : wgmma(s, 128, 128, 3, 1);
        else if (hopper && ((m + 63) / 64) * nTiles >= SMS / 2) c = wgmma(s, 64, bn, 4, bn == 64 ? 3 : 2);
        else if (((m + 63) / 64) * ((s.k() + 63) / 64) >= SMS) c = mma(f, s, 64, 64, 2, 2, 4, 4);
        else {
            c = mma(f, s, 32, 64, 2, 2, 4, 4);
            if (c != null && splitFor(c) > 1) c = c.withSplitK(splitFor(c));
        }
        return c != null ? c : mma(f, s, 128, 64, 2, 2, 4, 2);
    }

    /**
     * The heuristic takes the halo conv up to this many output channels (one 64-channel block gathers the halo once).
     * At K = 128 two blocks gather it twice, and the im2col-TMA conv was faster (C2, H100, session 7); the tuner's
     * candidates still include the halo conv there.
     */
    static final int HALO_MAX_K = 64;

    /** Most halo stages worth their shared memory (more did not help the memory-bound 1x1 convs on the H100). */
    static final int HALO_MAX_STAGES = 4;

    /**
     * The halo conv ({@link ConvMma#HALO}) for {@code s}, or null when it does not apply: stride 1, C % 64 == 0,
     * K % 8 == 0, and at least a wave of persistent blocks' worth of tiles (batch-1 layers keep the im2col kernels).
     * Two consumer warpgroups and the tallest tile (output rows, wgmma N <= 256) whose stages still make a pipeline:
     * one shared ring of >= 3 stages (>= C/64 + 1), or two rings of >= 2 stages each.
     */
    public static ConvConfig haloHeuristic(ConvShape s) {
        if (ConvConfig.haloUnsupportedReason(s) != null) return null;
        if (s.r() * s.s() == 1 && s.c() > 64) return null;   // 1x1 with several input-channel chunks: no reuse, and 2-3x slower than im2col at C3 (H100)
        int wp = s.w() + 2 * s.pad(), kc = s.c() / 64, cb = (s.k() + 63) / 64;
        for (int tp = Math.min(256 / wp, s.p()); tp >= 1; tp--) {
            if ((long) s.n() * ((s.p() + tp - 1) / tp) * cb < SMS) return null;
            int st = haloStagesThatFit(s, tp);
            if (st >= Math.max(3, kc + 1)) return halo(s, tp, 2, Math.min(st, Math.max(HALO_MAX_STAGES, kc + 1)));
            if (st >= 4) return halo(s, tp, 2, Math.min(st, 2 * HALO_MAX_STAGES) / 2 * 2);
        }
        return null;
    }

    /**
     * Halo candidates besides the heuristic's: the next shorter tile, and one consumer warpgroup with the heuristic's
     * tile. None where the heuristic takes no halo tile: 1x1 convs with C > 64 ran 2-3x slower than the im2col kernel
     * at C3, and two blocks per SM of one consumer each (minBlocks 2) 5% slower than one block at C1 (H100, session 5),
     * so neither is worth the tuner's time.
     */
    static List<ConvConfig> haloCandidates(ConvShape s) {
        List<ConvConfig> out = new ArrayList<>();
        ConvConfig h = haloHeuristic(s);
        if (h == null) return out;
        out.add(h);
        int tp = h.bm();
        if (tp > 1) {
            int st = haloStagesThatFit(s, tp - 1), kc = s.c() / 64;
            if (st >= kc + 1) add(out, halo(s, tp - 1, 2, Math.min(st, Math.max(HALO_MAX_STAGES, kc + 1))));
            else if (st >= 4) add(out, halo(s, tp - 1, 2, Math.min(st, 2 * HALO_MAX_STAGES) / 2 * 2));
        }
        add(out, halo(s, tp, 1, Math.min(haloStagesThatFit(s, tp), HALO_MAX_STAGES)));
        return out;
    }

    private static void add(List<ConvConfig> out, ConvConfig c) { if (c != null && !out.contains(c)) out.add(c); }

    /**
     * From this many input channels the heuristic takes the im2col-TMA conv before the pointwise and halo convs. The H100
     * tuning of ResNet-50 at batch 128 (table2 --reproduce, session 7) picked the im2col-TMA conv for every 1x1 layer with
     * C >= 512 (C3 512 -> 128: 0.0495 ms against the pointwise heuristic's 0.0520; 1024 -> 512 at 14x14: 0.0476 against
     * 0.0796) and the pointwise conv for every one with C <= 256 (the resident weights are small there, and its output
     * tiles overlap the other consumer's loads).
     */
    static final int IM2COL_TMA_FIRST_FROM_C = 512;

    /** Most stages of the im2col-TMA conv (C2 on the H100, session 7: 6 stages 0.0517 ms, 4 stages 0.0541). */
    static final int IM2COL_TMA_MAX_STAGES = 6;

    /**
     * The im2col-TMA conv ({@link ConvMma#IM2COL_TMA}) for {@code s}, or null when it does not apply (C % 64 == 0, K % 8
     * == 0) or its 128-pixel tiles fall short of a wave (batch-1 layers keep the im2col kernels, split over K). The first
     * of {@link #im2colTmaCandidates}: two consumer warpgroups of 64 pixels x 128 output channels, 6 stages (H100,
     * session 7, against cuDNN channels-last in one process: C2 0.0517 against 0.0535 ms; ResNet's 3x3 stride-2 layer
     * 128 -> 128 at 56x56, 0.0577 against 0.0589).
     */
    public static ConvConfig im2colTmaHeuristic(ConvShape s) {
        if (ConvConfig.im2colTmaUnsupportedReason(s) != null) return null;
        if (((long) s.gemmM() + 127) / 128 * ((s.k() + 127) / 128) < SMS) return null;
        List<ConvConfig> cs = im2colTmaCandidates(s);
        return cs.isEmpty() ? null : cs.get(0);
    }

    /**
     * Im2col-TMA candidates in order of preference: 128 output channels a tile (64 for K <= 64); tiles of 128 pixels over
     * two consumer warpgroups, 256 pixels over two, 128 pixels on one; each with as many stages as fit, up to
     * {@value #IM2COL_TMA_MAX_STAGES}. Empty where the kernel does not apply.
     */
    static List<ConvConfig> im2colTmaCandidates(ConvShape s) {
        List<ConvConfig> out = new ArrayList<>();
        if (ConvConfig.im2colTmaUnsupportedReason(s) != null) return out;
        int bn = s.k() <= 64 ? 64 : 128;
        add(out, im2colTma(s, 128, bn, 2));
        add(out, im2colTma(s, 256, bn, 2));
        add(out, im2colTma(s, 128, bn, 1));
        return out;
    }

    /** The im2col-TMA conv with the most stages (>= 2, at most {@value #IM2COL_TMA_MAX_STAGES}) that fit; null when none does. */
    static ConvConfig im2colTma(ConvShape s, int tilePixels, int bn, int consumers) {
        return withMostStages(IM2COL_TMA_MAX_STAGES, st -> new ConvConfig(ConvFormat.W_FP16A_FP16, s, tilePixels, bn, 4 * consumers, 1, st, 1, ConvMma.IM2COL_TMA, 8));
    }

    /** {@code make(stages)} for the most stages from {@code max} down to 2 that it accepts (the shared memory fits); null when none. */
    private static ConvConfig withMostStages(int max, java.util.function.IntFunction<ConvConfig> make) {
        for (int st = max; st >= 2; st--) {
            try {
                return make.apply(st);
            } catch (IllegalArgumentException doesNotFit) {
                // fewer stages
            }
        }
        return null;
    }

    /** Most stages per consumer of the pointwise conv (the H200 run of session 6 found no gain past 4-5 at C1). */
    static final int POINTWISE_MAX_STAGES = 4;

    /**
     * The pointwise conv ({@link ConvMma#POINTWISE}) for {@code s}, or null when it does not apply (1x1, stride 1, no
     * padding, C % 64 == 0, K % 8 == 0) or its 64-pixel tiles fall short of a wave (batch-1 layers keep the im2col
     * kernels). The first of {@link #pointwiseCandidates} that fits: for K <= 64, two blocks per SM of 64 x 64 tiles
     * (C1 on an H200, session 6: 0.0302 ms against cuDNN channels-last's 0.0318); for wider layers one consumer
     * warpgroup of 128 pixels x 128 channels (C3: 0.0431 against 0.0398 ms).
     */
    public static ConvConfig pointwiseHeuristic(ConvShape s) {
        if (ConvConfig.pointwiseUnsupportedReason(s) != null) return null;
        if (((long) s.gemmM() + 63) / 64 * ((s.k() + 127) / 128) < SMS) return null;
        List<ConvConfig> cs = pointwiseCandidates(s);
        return cs.isEmpty() ? null : cs.get(0);
    }

    /**
     * Pointwise candidates in order of preference: tiles of 64 or 128 pixels x 64, 128 or 256 output channels (no wider
     * than K rounded up to 64), two consumer warpgroups, or one with 128-pixel tiles; for K <= 64 first two blocks per
     * SM of 64 x 64 tiles; each with as many stages as fit, up to {@value #POINTWISE_MAX_STAGES}. Empty where the kernel
     * does not apply.
     */
    static List<ConvConfig> pointwiseCandidates(ConvShape s) {
        List<ConvConfig> out = new ArrayList<>();
        if (ConvConfig.pointwiseUnsupportedReason(s) != null) return out;
        int widest = (s.k() + 63) / 64 * 64;
        if (s.k() <= 64) add(out, pointwise(s, 64, 64, 2, 2));
        int[] bns = s.k() <= 64 ? new int[] {64} : new int[] {128, 256, 64};
        for (int bn : bns) {
            if (bn > widest) continue;
            add(out, pointwise(s, 128, bn, 1, 1));
            add(out, pointwise(s, 64, bn, 2, 1));
            add(out, pointwise(s, 128, bn, 2, 1));
        }
        return out;
    }

    /** The pointwise conv with the most stages (>= 2, at most {@value #POINTWISE_MAX_STAGES}) that fit; null when none does. */
    static ConvConfig pointwise(ConvShape s, int tilePixels, int bn, int consumers, int blocksPerSm) {
        return withMostStages(POINTWISE_MAX_STAGES,
                st -> new ConvConfig(ConvFormat.W_FP16A_FP16, s, tilePixels, bn, 4 * consumers, 1, st, blocksPerSm, ConvMma.POINTWISE, 8));
    }

    /** Stages of the halo conv with {@code tileRows} output rows that fit next to the resident weights. */
    static int haloStagesThatFit(ConvShape s, int tileRows) {
        int fixed = ConvConfig.haloSharedMemoryBytes(s, tileRows, 0), per = ConvConfig.haloSharedMemoryBytes(s, tileRows, 1) - fixed;
        return Math.max(0, (GemmConfig.MAX_SMEM_PER_BLOCK - 1024 - fixed) / per);
    }

    /** The halo conv with {@code tileRows} output rows per tile, {@code consumers} MMA warpgroups and {@code stages} halo stages; null when it cannot. */
    public static ConvConfig halo(ConvShape s, int tileRows, int consumers, int stages) { return halo(s, tileRows, consumers, stages, 1); }

    /** {@link #halo(ConvShape, int, int, int)} with {@code blocksPerSm} persistent blocks per SM (1 or 2). */
    public static ConvConfig halo(ConvShape s, int tileRows, int consumers, int stages, int blocksPerSm) {
        try {
            return new ConvConfig(ConvFormat.W_FP16A_FP16, s, tileRows, 64, 4 * consumers, 1, stages, blocksPerSm, ConvMma.HALO, 8);
        } catch (IllegalArgumentException notForThisShape) {
            return null;
        }
    }

    /** The heuristic FP16 configuration for the project's GPU (sm_90a). */
    public static ConvConfig heuristic(ConvShape s) { return heuristic(s, TargetArch.parse("sm_90a")); }

    /**
     * {@code c} with the widest gather that also divides the input's pixel stride and element offset (a channel
     * slice of a wider NHWC tensor); {@code c} itself when its gather already does.
     */
    public static ConvConfig gatherFor(ConvConfig c, int inputPixelStride, long inputOffsetElements) {
        if (c.mma().persistent() && (inputPixelStride % 8 != 0 || inputOffsetElements % 8 != 0)) {   // 16-byte copies or TMA rows: an im2col tile instead
            ConvConfig alt = im2colHeuristic(c.shape(), TargetArch.parse("sm_90a"));
            return alt == null ? null : gatherFor(alt, inputPixelStride, inputOffsetElements);
        }
        int v = c.aVec();
        while (v > 1 && (inputPixelStride % v != 0 || inputOffsetElements % v != 0)) v /= 2;
        return v == c.aVec() ? c : c.withGather(v);
    }

    private static ConvConfig wgmma(ConvShape s, int bm, int bn, int stages, int minBlocks) {
        try {
            return new ConvConfig(ConvFormat.W_FP16A_FP16, s, bm, bn, bm / 16, 1, stages, minBlocks, ConvMma.WGMMA, ConvConfig.widestGather(s.c()));
        } catch (IllegalArgumentException notForThisShape) {
            return null;
        }
    }

    /** Pixel-N wgmma: {@code wgPixels} warpgroups along pixels of {@code px} each, {@code wgChannels} along channels of 64. */
    private static ConvConfig wgmmaPixelsN(ConvShape s, int px, int wgPixels, int wgChannels, int stages, int minBlocks) {
        try {
            return new ConvConfig(ConvFormat.W_FP16A_FP16, s, px * wgPixels, 64 * wgChannels, 4 * wgPixels, wgChannels, stages, minBlocks,
                    ConvMma.WGMMA_PIXELS_N, ConvConfig.widestGather(s.c()));
        } catch (IllegalArgumentException notForThisShape) {
            return null;
        }
    }

    private static ConvConfig mma(ConvFormat f, ConvShape s, int bm, int bn, int wm, int wn, int stages, int minBlocks) {
        try {
            return new ConvConfig(f, s, bm, bn, wm, wn, stages, minBlocks);
        } catch (IllegalArgumentException shapeNotSupported) {
            return null;   // the caller reports the empty list with the shape's reason
        }
    }

    private static void add(Map<String, ConvConfig> out, ConvConfig c) {
        if (c != null) out.putIfAbsent(c.label(), c);
    }

    /** {@code c} on the warp-specialised path of its wgmma kind (null when c is null or cannot). */
    private static ConvConfig ws(ConvConfig c) {
        if (c == null) return null;
        try {
            return new ConvConfig(c.format(), c.shape(), c.bm(), c.bn(), c.warpsM(), c.warpsN(), c.stages(), c.minBlocks(),
                    c.mma().pixelsM() ? ConvMma.WGMMA_WS : ConvMma.WGMMA_PIXELS_N_WS, c.aVec());
        } catch (IllegalArgumentException notForThisShape) {
            return null;
        }
    }

    /**
     * K splits for {@code c} (FP16): when its output tiles are under half a wave and the K loop is at least 8
     * tiles, enough splits for one wave of blocks (two waves for K loops of >= 32 tiles), each range at least
     * 4 K tiles; else 1. Fitted to the H100's batch-1 winners (2026-11-26 run 2: 32 x 64 tiles, the 3 x 3
     * stage-3/4 convs with 36-72 K tiles fastest at 9-15 splits, the 1 x 1 ones with 8-16 K tiles at 2-4).
     */
    public static int splitFor(ConvConfig c) {
        long tiles = c.grid()[0];
        int kt = ConvConfig.kTiles(c.shape().gemmK());
        if (c.format() != ConvFormat.W_FP16A_FP16 || tiles * 2 > SMS || kt < 8) return 1;
        long waves = kt >= 32 ? 2 : 1;
        return (int) Math.max(1, Math.min(kt / 4, (waves * SMS + tiles - 1) / tiles));
    }

    /** Why {@code s} has no conv kernel in format {@code f}, or null when it has one. */
    public static String unsupportedReason(ConvFormat f, ConvShape s) {
        try {
            new ConvConfig(f, s, 64, 64, 2, 2, 2, 1);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }
}
