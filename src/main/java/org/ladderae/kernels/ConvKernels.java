package org.ladderae.kernels;

import java.util.ArrayList;
import java.util.List;

/**
 * The candidate configurations of Ladder's conv kernels for one problem: a handful of block tiles that
 * the runner times on the GPU, keeping the fastest that passed its check (Ladder's "tune a few schedules
 * per shape", at its smallest). Every candidate of every format has the same warp-level constraints, so
 * the list differs by format only in pipeline depth (INT4 stages are a quarter of FP16's size).
 */
public final class ConvKernels {
    private ConvKernels() {}

    /** Candidates in the order tried; the first is the heuristic default. Empty when the shape cannot run (C % 64 != 0 or K % 64 != 0). */
    public static List<ConvConfig> candidates(ConvFormat f, ConvShape s) {
        int deep = f == ConvFormat.W_INT4A_INT4 ? 6 : 4;
        List<ConvConfig> out = new ArrayList<>();
        // 128 x 64, 4 warps of 64 x 32, two blocks per SM: the workhorse for K = 64 layers.
        add(out, f, s, 128, 64, 2, 2, deep, 2);
        if (s.k() % 128 == 0) add(out, f, s, 128, 128, 2, 4, deep - 1, 1);   // 8 warps of 64 x 32
        add(out, f, s, 256, 64, 4, 2, 3, 1);                                  // 8 warps, more reuse of each weight tile
        add(out, f, s, 64, 64, 2, 2, deep, 4);                                // small tiles: more blocks for batch 1
        return out;
    }

    private static void add(List<ConvConfig> out, ConvFormat f, ConvShape s, int bm, int bn, int wm, int wn, int stages, int minBlocks) {
        try {
            out.add(new ConvConfig(f, s, bm, bn, wm, wn, stages, minBlocks));
        } catch (IllegalArgumentException shapeNotSupported) {
            // the caller reports the empty list with the shape's reason
        }
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
