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
