package org.ladderae.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GemvFormatPairsTest {
    @Test
    void theKernelsTakeSixteenPairsAsTheIssueLists() {
        // FP16 activations with all 9 weight formats; INT8 with INT8/4/2/1; INT4 with INT4/2/1.
        assertThat(GemvConfig.supportedPairs()).hasSize(16)
                .contains(new GemvConfig.FormatPair(WeightFormat.MXFP8, ActFormat.FP16),
                        new GemvConfig.FormatPair(WeightFormat.INT1, ActFormat.INT4))
                .doesNotContain(new GemvConfig.FormatPair(WeightFormat.NF4, ActFormat.INT8));
    }

    @Test
    void theFigureSuiteCoversEveryPairAtEveryShape() {
        assertThat(GemvBenchSuite.figures()).hasSize(16 * GemvBenchSuite.SHAPES.size() + 3);
    }
}
