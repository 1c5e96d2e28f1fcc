package org.ladderae.models.reference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.ladderae.models.Op;

class ConvOpsTest {
    @Test
    void convWithPaddingStrideBiasResidualAndRelu() {
        // 1 image 3x3, 1 channel = 1..9; 2 filters of 3x3 ones and minus ones, stride 2, pad 1: output 2x2.
        DenseTensor x = DenseTensor.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 3, 3, 1);
        double[] w = new double[18];
        for (int i = 0; i < 9; i++) { w[i] = 1; w[9 + i] = -1; }
        Op.Conv2d op = new Op.Conv2d("c", "x", "w", "b", "r", "y", 2, 3, 3, 2, 1, 1, true);
        DenseTensor res = DenseTensor.of(new double[] {100, 0, 0, 0, 0, 0, 0, 0}, 1, 2, 2, 2);
        DenseTensor y = ConvOps.conv2d(op, x, DenseTensor.of(w, 2, 3, 3, 1), DenseTensor.of(new double[] {0.5, 50}, 2), res);
        // windows: (0,0): 1+2+4+5=12, (0,2): 2+3+5+6=16, (2,0): 4+5+7+8=24, (2,2): 5+6+8+9=28.
        assertThat(y.shape()).containsExactly(1, 2, 2, 2);
        assertThat(y.values()).containsExactly(112.5, 38, 16.5, 34, 24.5, 26, 28.5, 22);
    }

    @Test
    void depthwiseConvUsesOneInputChannelPerFilter() {
        DenseTensor x = DenseTensor.of(new double[] {1, 10, 2, 20}, 1, 1, 2, 2);   // 1x2 image, channels (1,10), (2,20)
        Op.Conv2d op = new Op.Conv2d("dw", "x", "w", null, null, "y", 2, 1, 2, 1, 0, 2, false);
        DenseTensor y = ConvOps.conv2d(op, x, DenseTensor.of(new double[] {1, 1, 2, 3}, 2, 1, 2, 1), null, null);
        assertThat(y.values()).containsExactly(3, 80);   // 1 + 2; 2*10 + 3*20
    }

    @Test
    void maxPoolSkipsPaddingAndAvgPoolAveragesPixels() {
        DenseTensor x = DenseTensor.of(new double[] {-1, -2, -3, -4}, 1, 2, 2, 1);
        DenseTensor y = ConvOps.maxPool(new Op.MaxPool2d("p", "x", "y", 3, 2, 1), x);
        assertThat(y.shape()).containsExactly(1, 1, 1, 1);
        assertThat(y.values()).containsExactly(-1);   // padding is never the max, even of negatives
        assertThat(ConvOps.globalAvgPool(DenseTensor.of(new double[] {1, 10, 3, 30}, 1, 1, 2, 2)).values()).containsExactly(2, 20);
    }

    @Test
    void splitConcatAndShuffleFollowTorchvision() {
        DenseTensor x = DenseTensor.of(new double[] {0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15}, 2, 6);
        List<DenseTensor> halves = ConvOps.channelSplit(x);
        assertThat(halves.get(0).values()).containsExactly(0, 1, 2, 10, 11, 12);
        assertThat(halves.get(1).values()).containsExactly(3, 4, 5, 13, 14, 15);
        assertThat(ConvOps.channelConcat(halves.get(0), halves.get(1))).isEqualTo(x);
        // view(N, 2, 3).transpose(1, 2): channels (0,3,1,4,2,5).
        assertThat(ConvOps.channelShuffle(new Op.ChannelShuffle("s", "x", "y", 2), x).values()).containsExactly(0, 3, 1, 4, 2, 5, 10, 13, 11, 14, 12, 15);
        assertThat(ConvOps.channelShuffle(new Op.ChannelShuffle("s", "x", "y", 3), x).values()).containsExactly(0, 2, 4, 1, 3, 5, 10, 12, 14, 11, 13, 15);
    }
}
