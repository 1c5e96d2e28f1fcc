package org.ladderae.models.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.models.Op;

/** The encoder ops' reference semantics against direct formulas (a strided Conv2d, a grouped Conv1d) and hand-worked values. */
class EncoderOpsTest {
    private static DenseTensor random(SplittableRandom r, Integer... shape) {
        DenseTensor t = DenseTensor.zeros(List.of(shape));
        for (int i = 0; i < t.size(); i++) t.values()[i] = r.nextDouble(-1, 1);
        return t;
    }

    @Test
    void patchifyThenLinearIsTheStridedConvolution() {
        SplittableRandom r = new SplittableRandom(1);
        int b = 2, c = 3, h = 16, w = 24, p = 8, e = 5;
        DenseTensor img = random(r, b, c, h, w), kernel = random(r, e, c * p * p);   // Conv2d weight [E, C, p, p] flattened
        DenseTensor patches = EncoderOps.patchify(new Op.Patchify("p", "x", "y", p), img);
        assertThat(patches.shape()).containsExactly(b, (h / p) * (w / p), c * p * p);
        DenseTensor y = LinearOps.linear(new Op.Linear("l", "y", "w", null, "z", e, c * p * p, WeightFormat.FP16, 0), patches, kernel, null);
        for (int n = 0; n < b; n++)
            for (int oy = 0; oy < h / p; oy++)
                for (int ox = 0; ox < w / p; ox++)
                    for (int o = 0; o < e; o++) {
                        double conv = 0;
                        for (int ch = 0; ch < c; ch++)
                            for (int i = 0; i < p; i++)
                                for (int j = 0; j < p; j++)
                                    conv += kernel.values()[((o * c + ch) * p + i) * p + j] * img.values()[((n * c + ch) * h + oy * p + i) * w + ox * p + j];
                        assertThat(y.values()[((n * (h / p) + oy) * (w / p) + ox) * e + o]).isCloseTo(conv, within(1e-12));
                    }
    }

    @Test
    void depthwiseConvPadsWithZerosAndKeepsChannelsApart() {
        // x[b=1][t=4][c=2], kernel 3: channel 0 weights (1, 2, 3), channel 1 (0, 1, 0) (identity), bias (10, 0).
        DenseTensor x = DenseTensor.of(new double[] {1, 5, 2, 6, 3, 7, 4, 8}, 1, 4, 2);
        DenseTensor w = DenseTensor.of(new double[] {1, 2, 3, 0, 1, 0}, 2, 3), bias = DenseTensor.of(new double[] {10, 0}, 2);
        DenseTensor y = EncoderOps.depthwiseConv1d(new Op.DepthwiseConv1d("dw", "x", "w", "b", "y", 2, 3), x, w, bias);
        // channel 0, t=0: 1*0 + 2*1 + 3*2 + 10 = 18; t=1: 1*1 + 2*2 + 3*3 + 10 = 24; t=2: 2 + 6 + 12 + 10 = 30; t=3: 3 + 8 + 0 + 10 = 21
        assertThat(y.values()).containsExactly(18, 5, 24, 6, 30, 7, 21, 8);
    }

    @Test
    void gluGatesTheFirstHalfByTheSecond() {
        DenseTensor x = DenseTensor.of(new double[] {2, -3, 0, Math.log(3)}, 1, 4);
        DenseTensor y = EncoderOps.glu(new Op.Glu("g", "x", "y"), x);
        assertThat(y.shape()).containsExactly(1, 2);
        assertThat(y.values()[0]).isCloseTo(1.0, within(1e-15));        // 2 * sigmoid(0)
        assertThat(y.values()[1]).isCloseTo(-3 * 0.75, within(1e-15));   // -3 * sigmoid(ln 3)
    }

    @Test
    void batchNormUsesTheRunningStatistics() {
        DenseTensor x = DenseTensor.of(new double[] {3, 1}, 1, 2);
        DenseTensor y = EncoderOps.batchNorm(new Op.BatchNorm("bn", "x", "w", "b", "m", "v", "y", 0), x,
                DenseTensor.of(new double[] {2, 1}, 2), DenseTensor.of(new double[] {1, 0}, 2), DenseTensor.of(new double[] {1, 1}, 2), DenseTensor.of(new double[] {4, 1}, 2));
        assertThat(y.values()).containsExactly((3 - 1) / 2.0 * 2 + 1, 0);
    }

    @Test
    void classTokenPrependsAndAddsPositionsAndTakeTokenPicksIt() {
        DenseTensor x = DenseTensor.of(new double[] {1, 2, 3, 4}, 2, 1, 2);   // 2 images, 1 patch, width 2
        DenseTensor y = EncoderOps.classToken(new Op.ClassToken("c", "x", "t", "p", "y"), x, DenseTensor.of(new double[] {9, 8}, 2),
                DenseTensor.of(new double[] {0.5, 0.25, 10, 20}, 2, 2));
        assertThat(y.shape()).containsExactly(2, 2, 2);
        assertThat(y.values()).containsExactly(9.5, 8.25, 11, 22, 9.5, 8.25, 13, 24);
        DenseTensor t = EncoderOps.takeToken(new Op.TakeToken("t", "y", "z", 1), y);
        assertThat(t.shape()).containsExactly(2, 1, 2);
        assertThat(t.values()).containsExactly(11, 22, 13, 24);
        assertThat(EncoderOps.scaledAdd(new Op.ScaledAdd("s", "a", "b", "c", 0.5), x, x).values()).containsExactly(1.5, 3, 4.5, 6);
    }
}
