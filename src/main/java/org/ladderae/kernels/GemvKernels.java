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
     * The holistic stage's choice for a shape when no tuning record exists: the winners of the H100
     * search in docs/kernels/GEMV-NOTES.md. 8/16-bit weights stream best with 4-way split-K and two
     * loads in flight; narrow weights with FP16 activations need four rows per warp (activation reuse);
     * few rows (N <= 2048) need split-K to fill 132 SMs; M > 1 with FP16 activations goes to tensor cores.
     */
    public static GemvConfig holistic(WeightFormat w, ActFormat a, int m, int n, int k) {
        int bps = w == WeightFormat.NF4 ? 4 : 0;
        boolean mmaOk = a == ActFormat.FP16 && w != WeightFormat.MXFP8 && w != WeightFormat.INT1 && k % WeightLayout.mmaKBlock(w) == 0;
        GemvLaunch l;
        if (m > 1) {
            if (mmaOk) l = w == WeightFormat.FP16 ? new GemvLaunch(256, 2, 2, 2, 0, true) : new GemvLaunch(128, 4, 1, 1, bps, true);
            else l = new GemvLaunch(128, 2, 1, 1, bps);
        } else if (n <= 2048) {
            l = w == WeightFormat.INT1 ? new GemvLaunch(128, 2, 1, 2, bps) : new GemvLaunch(256, 1, 4, 2, bps);
        } else if (w.bits() <= 2 || (a == ActFormat.FP16 && w.bits() == 4)) {
            l = new GemvLaunch(256, 4, 1, w == WeightFormat.NF4 ? 1 : 2, bps);
        } else {
            l = new GemvLaunch(256, 1, 4, 2, bps);
        }
        GemvConfig c = new GemvConfig(w, a, m, GemvStage.HOLISTIC, l);
        c.validateShape(n, k);
        return c;
    }

    /**
     * The holistic choice with per-group scales and zero points ({@link GemvConfig#groupSize}): the same
     * launch; M > 1 keeps the tensor-core kernel where the groups hold whole K blocks of its tile (INT4/NF4/INT8
     * with groups of 128), else runs the CUDA-core kernel.
     */
    public static GemvConfig holisticGrouped(WeightFormat w, ActFormat a, int m, int n, int k, int groupSize) {
        GemvConfig c = holistic(w, a, m, n, k);
        GemvLaunch l = c.launch().tensorCores() && !GemvConfig.tensorCoreGroupsFit(w, groupSize)
                ? new GemvLaunch(128, 2, 1, 1, w == WeightFormat.NF4 ? 4 : 0) : c.launch();
        GemvConfig g = new GemvConfig(w, a, m, GemvStage.HOLISTIC, l, groupSize);
        g.validateShape(n, k);
        return g;
    }
}
