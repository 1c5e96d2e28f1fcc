package org.ladderae.executor.cnn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.ladderae.kernels.ConvFormat;
import org.ladderae.models.CnnModels;
import org.ladderae.models.reference.CnnWeights;
import org.ladderae.models.reference.DenseTensor;
import org.ladderae.models.reference.LayerComparison;
import org.ladderae.models.reference.ReferenceExecutor;

class CnnQuantizationTest {
    @org.junit.jupiter.api.Test
    void encodingsDecodeToWhatTheyStoreAndReEncodeToTheSameCodes() {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
        double[] w = new double[4 * 64 * 9];
        for (int i = 0; i < w.length; i++) w[i] = rnd.nextDouble(-0.2, 0.2);
        for (ConvFormat f : java.util.List.of(ConvFormat.W_FP8A_FP16, ConvFormat.W_MXFP8A_MXFP8, ConvFormat.W_INT1A_INT4)) {
            CnnQuantization.StoredConv a = CnnQuantization.encode(f, w, 4), b = CnnQuantization.encode(f, a.decoded(), 4);
            assertThat(b.codes()).as(f.label()).isEqualTo(a.codes());
            assertThat(b.decoded()).as(f.label()).isEqualTo(a.decoded());
            assertThat(LayerComparison.relativeFrobeniusError(DenseTensor.of(w, w.length), DenseTensor.of(a.decoded(), w.length))).as(f.label()).isLessThan(0.9);
        }
        CnnQuantization.StoredConv one = CnnQuantization.encode(ConvFormat.W_INT1A_INT4, w, 4);
        assertThat(one.codes()).containsOnly(0, 1);
        int row = w.length / 4;
        for (int k = 0; k < 4; k++) {
            double l1 = 0;
            for (int i = 0; i < row; i++) l1 += Math.abs(w[k * row + i]);
            assertThat((double) one.scales()[k]).isCloseTo(l1 / row, org.assertj.core.data.Offset.offset(1e-7));
            for (int i = 0; i < row; i++) assertThat(one.decoded()[k * row + i]).isEqualTo(Math.signum(w[k * row + i]) * one.scales()[k]);
        }
    }

    @org.junit.jupiter.api.Test
    void int4ActivationsShareOneScalePerTensor() {
        double[] x = {0.5, -1.75, 3.5, 0.24, 0, 7.0 / 3};
        float s = CnnQuantization.int4TensorScale(x);
        assertThat(s).isEqualTo(3.5f / 7f);
        double[] q = CnnQuantization.quantizeActivations(ConvFormat.W_INT1A_INT4, x, 2);
        assertThat(q).containsExactly(1 * (double) s, -4 * (double) s, 7 * (double) s, 0, 0, 5 * (double) s);   // RNE: 0.48 -> 0, 4.67 -> 5
        assertThat(CnnQuantization.quantizeActivations(ConvFormat.W_INT1A_INT4, new double[4], 2)).containsOnly(0.0);
        assertThat(CnnQuantization.quantizeActivations(ConvFormat.W_FP8A_FP16, x, 2)).isSameAs(x);
    }

    @org.junit.jupiter.api.Test
    void whatRunsLowBitIsSaid() {
        CnnModels.CnnModel resnet = CnnModels.of("resnet", 1, CnnModels.IMAGE), shuffle = CnnModels.of("shufflenet", 1, CnnModels.IMAGE);
        assertThat(CnnQuantization.convFormats(resnet.graph(), ConvFormat.W_FP8A_FP16).values()).containsOnly(ConvFormat.W_FP8A_FP16);   // the stem too
        Map<String, ConvFormat> mx = CnnQuantization.convFormats(resnet.graph(), ConvFormat.W_MXFP8A_MXFP8);
        assertThat(mx.get("conv1")).isEqualTo(ConvFormat.W_FP16A_FP16);
        assertThat(mx.values().stream().filter(f -> f == ConvFormat.W_MXFP8A_MXFP8)).hasSize(52);
        assertThat(CnnQuantization.summary(resnet, ConvFormat.W_INT1A_INT4)).startsWith("52 convs in W_INT1A_INT4; 1 FP16 (C=3").contains("FC classifier FP16");
        assertThat(CnnQuantization.summary(shuffle, ConvFormat.W_FP8A_FP16)).startsWith("37 convs in W_FP8A_FP16; 19 FP16 (grouped/depthwise");
        assertThat(CnnQuantization.convFormats(shuffle.graph(), ConvFormat.W_MXFP8A_MXFP8).values()).containsOnly(ConvFormat.W_FP16A_FP16);   // C % 64 != 0 everywhere
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"resnet,W_FP8A_FP16", "resnet,W_MXFP8A_MXFP8", "resnet,W_INT1A_INT4", "shufflenet,W_FP8A_FP16"})
    void fp16StorageMovesTheQuantisedReferenceLittle(String workload, ConvFormat f) {
        CnnModels.CnnModel m = CnnModels.of(workload, 2, CnnBench.CHECK_IMAGE);
        Map<String, DenseTensor> w = CnnBench.storedWeights(m, f, 5);
        DenseTensor image = CnnWeights.image(m, 5);
        DenseTensor exact = CnnBench.reference(m, f, image, w, java.util.function.UnaryOperator.identity());
        DenseTensor stored = CnnBench.reference(m, f, image, w, ReferenceExecutor::roundToFp16);
        DenseTensor fp16 = CnnBench.reference(m, ConvFormat.W_FP16A_FP16, image, CnnBench.storedWeights(m, ConvFormat.W_FP16A_FP16, 5),
                java.util.function.UnaryOperator.identity());
        double e = LayerComparison.relativeFrobeniusError(exact, stored);
        System.out.printf("%s %s: FP16 storage moves the quantised logits by %.2e; quantisation vs FP16 model %.2e; %s%n", workload, f, e,
                LayerComparison.relativeFrobeniusError(fp16, exact), CnnQuantization.summary(m, f));
        assertThat(e).isLessThan(1);
    }
}
