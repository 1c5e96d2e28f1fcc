package org.ladderae.models.reference;

import java.util.ArrayList;
import java.util.List;
import org.ladderae.models.Op;

/**
 * The convolutional-network ops on NHWC tensors, straight from their definitions (torch.nn.Conv2d, MaxPool2d,
 * AdaptiveAvgPool2d(1) + flatten, torch.chunk / torch.cat on channels, torchvision's channel_shuffle), in double.
 */
final class ConvOps {
    private ConvOps() {}

    /** y = act(conv(x, w) + bias + residual); x NHWC, w OHWI [K, R, S, C/groups]. */
    static DenseTensor conv2d(Op.Conv2d op, DenseTensor x, DenseTensor w, DenseTensor bias, DenseTensor residual) {
        if (x.rank() != 4) throw new IllegalArgumentException(op.name() + ": input " + x.shape() + " is not NHWC");
        int n = x.dim(0), h = x.dim(1), wd = x.dim(2), c = x.dim(3);
        int k = op.outChannels(), r = op.kernelH(), s = op.kernelW(), g = op.groups(), cg = c / g, kg = k / g;
        if (!w.shape().equals(List.of(k, r, s, cg))) throw new IllegalArgumentException(op.name() + ": weight " + w.shape() + " is not OHWI");
        int p = op.outHeight(h), q = op.outWidth(wd);
        double[] xv = x.values(), wv = w.values(), y = new double[n * p * q * k];
        for (int b = 0; b < n; b++)
            for (int oh = 0; oh < p; oh++)
                for (int ow = 0; ow < q; ow++) {
                    int out = ((b * p + oh) * q + ow) * k;
                    for (int ko = 0; ko < k; ko++) {
                        int c0 = (ko / kg) * cg;
                        double acc = bias == null ? 0 : bias.values()[ko];
                        for (int rr = 0; rr < r; rr++) {
                            int ih = oh * op.stride() - op.pad() + rr;
                            if (ih < 0 || ih >= h) continue;
                            for (int ss = 0; ss < s; ss++) {
                                int iw = ow * op.stride() - op.pad() + ss;
                                if (iw < 0 || iw >= wd) continue;
                                int xb = ((b * h + ih) * wd + iw) * c + c0, wb = ((ko * r + rr) * s + ss) * cg;
                                for (int ci = 0; ci < cg; ci++) acc += xv[xb + ci] * wv[wb + ci];
                            }
                        }
                        if (residual != null) acc += residual.values()[out + ko];
                        y[out + ko] = op.relu() ? Math.max(0, acc) : acc;
                    }
                }
        return new DenseTensor(List.of(n, p, q, k), y);
    }

    static DenseTensor maxPool(Op.MaxPool2d op, DenseTensor x) {
        int n = x.dim(0), h = x.dim(1), wd = x.dim(2), c = x.dim(3);
        int p = (h + 2 * op.pad() - op.kernel()) / op.stride() + 1, q = (wd + 2 * op.pad() - op.kernel()) / op.stride() + 1;
        double[] y = new double[n * p * q * c];
        for (int b = 0; b < n; b++)
            for (int oh = 0; oh < p; oh++)
                for (int ow = 0; ow < q; ow++)
                    for (int ch = 0; ch < c; ch++) {
                        double m = Double.NEGATIVE_INFINITY;
                        for (int rr = 0; rr < op.kernel(); rr++) {
                            int ih = oh * op.stride() - op.pad() + rr;
                            if (ih < 0 || ih >= h) continue;
                            for (int ss = 0; ss < op.kernel(); ss++) {
                                int iw = ow * op.stride() - op.pad() + ss;
                                if (iw >= 0 && iw < wd) m = Math.max(m, x.values()[((b * h + ih) * wd + iw) * c + ch]);
                            }
                        }
                        y[((b * p + oh) * q + ow) * c + ch] = m;
                    }
        return new DenseTensor(List.of(n, p, q, c), y);
    }

    static DenseTensor globalAvgPool(DenseTensor x) {
        int n = x.dim(0), hw = x.dim(1) * x.dim(2), c = x.dim(3);
        double[] y = new double[n * c];
        for (int b = 0; b < n; b++)
            for (int i = 0; i < hw; i++)
                for (int ch = 0; ch < c; ch++) y[b * c + ch] += x.values()[(b * hw + i) * c + ch];
        for (int i = 0; i < y.length; i++) y[i] /= hw;
        return new DenseTensor(List.of(n, c), y);
    }

    static List<DenseTensor> channelSplit(DenseTensor x) {
        int c = x.dim(-1), half = c / 2, rows = x.rows();
        double[] a = new double[rows * half], b = new double[rows * half];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(x.values(), i * c, a, i * half, half);
            System.arraycopy(x.values(), i * c + half, b, i * half, half);
        }
        List<Integer> shape = new ArrayList<>(x.shape());
        shape.set(shape.size() - 1, half);
        return List.of(new DenseTensor(shape, a), new DenseTensor(shape, b));
    }

    static DenseTensor channelConcat(DenseTensor a, DenseTensor b) {
        int ca = a.dim(-1), cb = b.dim(-1), rows = a.rows();
        if (b.rows() != rows) throw new IllegalArgumentException("concat: " + a.shape() + " and " + b.shape() + " differ in rows");
        double[] y = new double[rows * (ca + cb)];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(a.values(), i * ca, y, i * (ca + cb), ca);
            System.arraycopy(b.values(), i * cb, y, i * (ca + cb) + ca, cb);
        }
        List<Integer> shape = new ArrayList<>(a.shape());
        shape.set(shape.size() - 1, ca + cb);
        return new DenseTensor(shape, y);
    }

    static DenseTensor channelShuffle(Op.ChannelShuffle op, DenseTensor x) {
        int c = x.dim(-1), g = op.groups(), m = c / g, rows = x.rows();
        double[] y = new double[x.size()];
        for (int r = 0; r < rows; r++)
            for (int gi = 0; gi < g; gi++)
                for (int i = 0; i < m; i++) y[r * c + i * g + gi] = x.values()[r * c + gi * m + i];
        return new DenseTensor(x.shape(), y);
    }
}
