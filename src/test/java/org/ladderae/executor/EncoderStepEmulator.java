package org.ladderae.executor;

import java.util.Map;
import org.ladderae.gpu.DeviceBuffer;
import org.ladderae.gpu.Kernel;
import org.ladderae.gpu.KernelArgs;
import org.ladderae.gpu.LaunchConfig;
import org.ladderae.models.reference.DenseTensor;

/**
 * The encoder steps for {@link PlanEmulator}, in double, with encoder_ops.cu's indexing: the buffers' row layouts,
 * the views' strides, the GLU read inside the depthwise conv, and the BatchNorm fold of {@link EncoderSteps#convWeights}.
 */
final class EncoderStepEmulator {
    private EncoderStepEmulator() {}

    static void run(LayerPlan.Step step, LayerPlan plan, Map<String, double[]> buf, Map<String, DenseTensor> master) {
        int batch = plan.batch();
        if (step instanceof LayerPlan.Patchify p) {
            double[] img = buf.get(p.x().buffer()), out = buf.get(p.out());
            int c = p.channels(), h = p.height(), w = p.width(), ps = p.patch(), ph = h / ps, pw = w / ps, width = c * ps * ps;
            for (int row = 0; row < batch * ph * pw; row++)
                for (int e = 0; e < width; e++) {
                    int n = row / (ph * pw), pr = row % (ph * pw), py = pr / pw, px = pr % pw, ch = e / (ps * ps), i = e % (ps * ps) / ps, j = e % ps;
                    out[row * width + e] = img[((n * c + ch) * h + py * ps + i) * w + px * ps + j];
                }
        } else if (step instanceof LayerPlan.ClassToken ct) {
            double[] x = buf.get(ct.x().buffer()), out = buf.get(ct.out()), tok = master.get(ct.token()).values(), pos = master.get(ct.position()).values();
            int n = ct.patches(), d = ct.width();
            for (int b = 0; b < batch; b++)
                for (int t = 0; t <= n; t++)
                    for (int e = 0; e < d; e++)
                        out[(b * (n + 1) + t) * d + e] = (t == 0 ? tok[e] : x[(b * n + t - 1) * d + e]) + pos[t * d + e];
        } else if (step instanceof LayerPlan.TakeToken tt) {
            double[] x = buf.get(tt.x().buffer()), out = buf.get(tt.out());
            for (int b = 0; b < batch; b++) System.arraycopy(x, (b * tt.seq() + tt.index()) * tt.width(), out, b * tt.width(), tt.width());
        } else if (step instanceof LayerPlan.ScaledAdd a) {
            double[] x = buf.get(a.a().buffer()), y = buf.get(a.b().buffer()), out = buf.get(a.out());
            for (int i = 0; i < out.length; i++) out[i] = x[i] + a.scale() * y[i];
        } else if (step instanceof LayerPlan.Activation a) {
            double[] x = buf.get(a.x().buffer()), out = buf.get(a.out());
            for (int i = 0; i < out.length; i++) {
                double v = x[i];
                out[i] = a.gelu() ? org.ladderae.models.reference.EncoderOps.geluErf(v) : v / (1 + Math.exp(-v));
            }
        } else if (step instanceof LayerPlan.Glu g) {
            double[] x = buf.get(g.x().buffer()), out = buf.get(g.out());
            int c = g.width(), rows = out.length / c;
            for (int r = 0; r < rows; r++) for (int i = 0; i < c; i++) out[r * c + i] = x[r * 2 * c + i] / (1 + Math.exp(-x[r * 2 * c + c + i]));
        } else if (step instanceof LayerPlan.DepthwiseConv dw) {
            float[][] wb = EncoderSteps.convWeights(dw, host(master));
            double[] x = buf.get(dw.x().buffer()), out = buf.get(dw.out());
            int c = dw.channels(), k = dw.kernel(), pad = (k - 1) / 2, ld = dw.x().ld(), seq = plan.buffers().get(dw.out()).rows() / batch;
            for (int b = 0; b < batch; b++)
                for (int t = 0; t < seq; t++)
                    for (int ch = 0; ch < c; ch++) {
                        double acc = wb[1][ch];
                        for (int j = 0; j < k; j++) {
                            int src = t + j - pad;
                            if (src < 0 || src >= seq) continue;
                            int row = b * seq + src;
                            double v = x[row * ld + ch];
                            if (dw.glu()) v /= 1 + Math.exp(-x[row * ld + c + ch]);
                            acc += wb[0][ch * k + j] * v;
                        }
                        if (dw.silu()) acc /= 1 + Math.exp(-acc);
                        out[(b * seq + t) * c + ch] = acc;
                    }
        } else {
            throw new IllegalStateException("not an encoder step: " + step);
        }
    }

    /** The part of {@link EncoderSteps.Host} the weight fold reads. */
    private static EncoderSteps.Host host(Map<String, DenseTensor> master) {
        return new EncoderSteps.Host() {
            @Override public DeviceBuffer act(LayerPlan.View v) { throw new UnsupportedOperationException(); }
            @Override public DeviceBuffer buffer(String name) { throw new UnsupportedOperationException(); }
            @Override public DeviceBuffer param(String name, int n, double center, double amp) { throw new UnsupportedOperationException(); }
            @Override public DeviceBuffer upload(float[] values) { throw new UnsupportedOperationException(); }
            @Override public Map<String, DenseTensor> master() { return master; }
            @Override public long seed() { return 0; }
            @Override public Kernel kernel(String name) { throw new UnsupportedOperationException(); }
            @Override public void add(String name, Kernel k, LaunchConfig lc, KernelArgs args) { throw new UnsupportedOperationException(); }
        };
    }
}
