package org.ladderae.kernels;

import java.util.ArrayList;
import java.util.List;

/** Entry point for the runtime: kernel specs per configuration, and the holistic stage's candidates and choice. */
public final class GemvKernels {
    private GemvKernels() {}

    public static GemvKernelSpec spec(GemvConfig config) { return new GemvKernelSpec(config); }

    /** Launch configurations the holistic stage searches for M (what a tuner enumerates). */
    public static List<GemvLaunch> holisticCandidates(WeightFormat w, int m) {
        int bps = w == WeightFormat.NF4 ? 4 : 0; // NF4 fills a 32 KiB LUT per block: keep blocks resident
        List<GemvLaunch> out = new ArrayList<>();
        if (m == 1) {
            out.add(new GemvLaunch(128, 1, 1, 2, bps));
            out.add(new GemvLaunch(128, 2, 1, 2, bps));
            out.add(new GemvLaunch(256, 4, 1, 1, bps));
            out.add(new GemvLaunch(256, 2, 1, 4, bps));
            out.add(new GemvLaunch(256, 1, 4, 2, bps));
        } else {
            out.add(new GemvLaunch(128, 1, 1, 1, bps));
            out.add(new GemvLaunch(128, 2, 1, 1, bps));
            out.add(new GemvLaunch(256, 1, 2, 1, bps));
        }
        return out;
    }

    /**
     * The holistic stage's choice for a shape when no tuning record exists: a heuristic distilled from
     * the H100 measurements in docs/kernels/GEMV-NOTES.md (split-K when N gives too few row tiles to fill
     * the machine, more rows per warp for the narrowest formats whose activation traffic dominates).
     */
    public static GemvConfig holistic(WeightFormat w, ActFormat a, int m, int n, int k) {
        int bps = w == WeightFormat.NF4 ? 4 : 0;
        GemvLaunch l;
        if (m > 1) l = new GemvLaunch(128, 2, 1, 1, bps);
        else if (n <= 2048) l = new GemvLaunch(256, 1, 4, 2, bps);
        else if (w.bits() <= 2) l = new GemvLaunch(256, 4, 1, 1, bps);
        else l = new GemvLaunch(128, 2, 1, 2, bps);
        GemvConfig c = new GemvConfig(w, a, m, GemvStage.HOLISTIC, l);
        c.validateShape(n, k);
        return c;
    }
}
