package org.ladderae.executor;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.ladderae.formats.ActivationFormat;
import org.ladderae.formats.ActivationQuantizer;
import org.ladderae.formats.E8M0;
import org.ladderae.models.ModelGraph;
import org.ladderae.models.Op;
import org.ladderae.models.reference.DenseTensor;

/**
 * Runs a {@link LayerPlan} on the CPU in double with the same buffer views, offsets, strides, head mapping and
 * epilogue algebra as llm_ops.cu and the GEMV/GEMM launches use, so the lowering (fusions, views, stacked weights,
 * the GEMM's row-scale epilogue) is tested without a GPU: it must agree with the reference executor.
 */
final class PlanEmulator {
    private final LayerPlan plan;
    private final Map<String, double[]> buf = new HashMap<>();
    private final Map<String, DenseTensor> master;
    private final boolean gemmEpilogue;
    private final Map<String, org.ladderae.models.reference.StoredLinearWeight> stored;
    /** Integer-quantised buffers: each row's codes, scale and code sum, as the quantising kernels write them. */
    private final Map<String, ActivationQuantizer.IntRow[]> intRows = new HashMap<>();

    /** {@code gemmEpilogue}: compute linears as the GEMM path does (raw codes, then (G - zero * rowsum) * scale). */
    PlanEmulator(ModelGraph g, Map<String, DenseTensor> master, boolean gemmEpilogue) {
        this(g, master, null, gemmEpilogue);
    }

    /** With {@code stored}: linear weights as a compiled model stores them (stacked as they are, as the executor's Weights.Stored). */
    PlanEmulator(ModelGraph g, Map<String, DenseTensor> master, Map<String, org.ladderae.models.reference.StoredLinearWeight> stored, boolean gemmEpilogue) {
        this.stored = stored;
        this.plan = LayerPlan.lower(g);
        this.master = master;
        this.gemmEpilogue = gemmEpilogue;
        for (LayerPlan.BufferSpec b : plan.buffers().values()) buf.put(b.name(), new double[b.rows() * b.width()]);
    }

    DenseTensor run(Map<String, DenseTensor> inputs) {
        for (String in : plan.inputs()) System.arraycopy(inputs.get(in).values(), 0, buf.get(in), 0, buf.get(in).length);
        int rows = plan.rows();
        for (LayerPlan.Step s : plan.steps()) {
            if (s instanceof LayerPlan.Norm n) {
                norm(n, rows);
                quantize(n.out(), rows);
            } else if (s instanceof LayerPlan.Quantize q) {
                int qRows = plan.buffers().get(q.out()).rows();
                double[] o = buf.get(q.out());
                for (int r = 0; r < qRows; r++) for (int j = 0; j < q.width(); j++) o[r * q.width() + j] = at(q.x(), r, j);
                quantize(q.out(), qRows);
            }
            else if (s instanceof LayerPlan.Linear l) linear(l, plan.rows(l));
            else if (EncoderSteps.isEncoderStep(s)) EncoderStepEmulator.run(s, plan, buf, master);
            else if (s instanceof LayerPlan.Rotary r) rotary(r, rows);
            else if (s instanceof LayerPlan.Attention a) attention(a);
            else if (s instanceof LayerPlan.SiluGate sg) {
                double[] o = buf.get(sg.out());
                for (int r = 0; r < rows; r++)
                    for (int j = 0; j < sg.width(); j++) {
                        double g = at(sg.gate(), r, j), u = at(sg.up(), r, j);
                        o[r * sg.width() + j] = g / (1 + Math.exp(-g)) * u;
                    }
                quantize(sg.out(), rows);
            } else if (s instanceof LayerPlan.Gelu ge) {
                double[] o = buf.get(ge.out());
                for (int r = 0; r < rows; r++) for (int j = 0; j < ge.width(); j++) o[r * ge.width() + j] = gelu(at(ge.x(), r, j));
            } else if (s instanceof LayerPlan.Add ad) {
                double[] o = buf.get(ad.out());
                for (int r = 0; r < rows; r++) for (int j = 0; j < ad.width(); j++) o[r * ad.width() + j] = at(ad.a(), r, j) + at(ad.b(), r, j);
            }
        }
        LayerPlan.BufferSpec out = plan.buffers().get(plan.output());
        return new DenseTensor(List.of(plan.batch(), out.rows() / plan.batch(), out.width()), buf.get(out.name()));
    }

    /** A quantised buffer's values become what its linear multiplies (code x scale); integer codes are kept for the epilogue. */
    private void quantize(String buffer, int rows) {
        LayerPlan.BufferSpec b = plan.buffers().get(buffer);
        if (b.layout() == ActivationLayout.FP16) return;
        double[] x = buf.get(buffer);
        int d = b.width();
        if (b.layout().hasRowScales()) {
            ActivationQuantizer.IntRow[] q = new ActivationQuantizer.IntRow[rows];
            int qmax = b.layout() == ActivationLayout.INT8 ? 127 : 7;
            for (int r = 0; r < rows; r++) {
                q[r] = ActivationQuantizer.quantizeInt(x, r * d, d, qmax);
                for (int i = 0; i < d; i++) x[r * d + i] = q[r].value(i);
            }
            intRows.put(buffer, q);
        } else {
            System.arraycopy(ActivationQuantizer.fakeQuantize(ActivationFormat.MXFP8, x, d), 0, x, 0, x.length);
        }
    }

    private double at(LayerPlan.View v, int row, int col) { return buf.get(v.buffer())[row * v.ld() + v.colOffset() + col]; }

    private void norm(LayerPlan.Norm n, int rows) {
        double[] w = master.get(n.weight()).values(), b = n.bias() == null ? null : master.get(n.bias()).values();
        double[] y = buf.get(n.out());
        int d = n.width();
        for (int r = 0; r < rows; r++) {
            double[] x = new double[d];
            for (int i = 0; i < d; i++) x[i] = at(n.x(), r, i) + (n.residual() == null ? 0 : at(n.residual(), r, i));
            if (n.sumOut() != null) System.arraycopy(x, 0, buf.get(n.sumOut()), r * d, d);
            double mean = 0, var = 0;
            if (!n.rms()) { for (double v : x) mean += v; mean /= d; }
            for (double v : x) var += (v - mean) * (v - mean);
            double inv = 1 / Math.sqrt(var / d + n.eps());
            for (int i = 0; i < d; i++) y[r * d + i] = (x[i] - mean) * inv * w[i] + (b == null ? 0 : b[i]);
        }
    }

    private void linear(LayerPlan.Linear l, int rows) {
        StackedWeights sw = stored != null ? StackedWeights.ofStored(l, stored, master) : StackedWeights.of(l, master);
        int n = l.nTotal(), k = l.k();
        double[] o = buf.get(l.out());
        org.ladderae.formats.ScalarCodec codec = l.format().elementCodec();
        // The GEMM path's code shift (LinearChoice.zeroShift): centred unsigned codes with FP16 activations, signed storage
        // of INT8 codes beside integer activations; the kernels sum shifted codes and the epilogues shift the zero point back.
        boolean intActs = intRows.containsKey(l.input().buffer());
        double shift = !gemmEpilogue || !l.format().isUnsignedInt() ? 0
                : intActs ? (l.format() == org.ladderae.kernels.WeightFormat.INT8 ? 128 : 0) : 1 << (l.format().bits() - 1);
        for (int r = 0; r < rows; r++) {
            double rowSum = 0;
            for (int c = 0; c < k; c++) rowSum += at(l.input(), r, c);
            for (int j = 0; j < n; j++) {
                double acc = 0, raw = 0;
                for (int c = 0; c < k; c++) {
                    double code = codec.decode(sw.codes()[j * k + c]), a = at(l.input(), r, c);
                    raw += a * (code - shift);
                    double wv = code;
                    if (sw.scales() != null) {
                        int g = j * sw.groups() + c / (k / sw.groups());
                        wv = (code - sw.zeros()[g]) * sw.scales()[g];
                    } else if (sw.mxExponents() != null) {
                        wv *= E8M0.decode(sw.mxExponents()[j * (k / 32) + c / 32]);
                    }
                    acc += a * wv;
                }
                double v = acc;
                ActivationQuantizer.IntRow[] q = intRows.get(l.input().buffer());
                if (q != null) {
                    // dequant_epilogue: INT32 sum of codes, minus the zero point times the code sum, times both scales
                    long exact = 0;
                    for (int c = 0; c < k; c++) exact += (long) q[r].codes()[c] * (sw.codes()[j * k + c] - (long) shift);
                    v = (exact - (sw.zeros()[j] - shift) * q[r].codeSum()) * sw.scales()[j] * q[r].scale();
                } else if (gemmEpilogue && sw.scales() != null) v = (raw - (sw.zeros()[j] - shift) * rowSum) * sw.scales()[j];   // linear_epilogue
                if (sw.bias() != null) v += sw.bias()[j];
                if (l.gelu()) v = gelu(v);
                o[r * n + j] = v;
            }
        }
    }

    private void rotary(LayerPlan.Rotary rot, int rows) {
        double[] x = buf.get(rot.x().buffer());
        int d = rot.headDim(), half = d / 2;
        for (int r = 0; r < rows; r++) {
            int pos = r % plan.seq();
            for (int h = 0; h < rot.heads(); h++)
                for (int i = 0; i < half; i++) {
                    double ang = pos * Math.pow(rot.theta(), -2.0 * i / d);
                    int base = r * rot.x().ld() + rot.x().colOffset() + h * d;
                    double lo = x[base + i], hi = x[base + i + half];
                    x[base + i] = lo * Math.cos(ang) - hi * Math.sin(ang);
                    x[base + i + half] = hi * Math.cos(ang) + lo * Math.sin(ang);
                }
        }
    }

    private void attention(LayerPlan.Attention a) {
        int d = a.headDim(), seq = plan.seq(), group = a.heads() / a.kvHeads();
        double[] o = buf.get(a.out());
        for (int b = 0; b < plan.batch(); b++)
            for (int h = 0; h < a.heads(); h++) {
                int kvh = h / group;
                for (int i = 0; i < seq; i++) {
                    int last = a.causal() ? i : seq - 1;
                    double[] s = new double[last + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= last; j++) {
                        double dot = 0;
                        for (int e = 0; e < d; e++) dot += head(a.q(), b * seq + i, h, d, e) * head(a.k(), b * seq + j, kvh, d, e);
                        s[j] = dot / Math.sqrt(d) + (a.alibiSlopes() == null ? 0 : a.alibiSlopes()[h] * j);
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j <= last; j++) { s[j] = Math.exp(s[j] - max); sum += s[j]; }
                    for (int e = 0; e < d; e++) {
                        double acc = 0;
                        for (int j = 0; j <= last; j++) acc += s[j] * head(a.v(), b * seq + j, kvh, d, e);
                        o[(b * seq + i) * a.heads() * d + h * d + e] = acc / sum;
                    }
                }
            }
    }

    private double head(LayerPlan.View v, int row, int h, int d, int e) {
        int hs = v.headStride() == 0 ? d : v.headStride();
        return buf.get(v.buffer())[row * v.ld() + v.colOffset() + h * hs + e];
    }

    private static double gelu(double x) { return x * 0.5 * (1 + Math.tanh(0.79788456 * x * (1 + 0.044715 * x * x))); }

    static Op.Linear firstLinear(ModelGraph g) { return g.linears().get(0); }
}
