package org.ladderae.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ladderae.kernels.ConvFormat;
import org.ladderae.kernels.ConvKernels;
import org.ladderae.kernels.ConvShape;
import org.ladderae.models.reference.CnnWeights;
import org.ladderae.models.reference.DenseTensor;
import org.ladderae.models.reference.LayerComparison;
import org.ladderae.models.reference.ReferenceExecutor;

class CnnModelsTest {
    /** torchvision's own parameter counts (docs: resnet50 25,557,032; shufflenet_v2_x1_0 2,278,604): conv, BN affine and fc. */
    private static long torchParameterCount(CnnModels.CnnModel m) {
        return CnnWeights.torchParameters(m, 1).entrySet().stream().filter(e -> !e.getKey().endsWith("running_mean") && !e.getKey().endsWith("running_var"))
                .mapToLong(e -> e.getValue().size()).sum();
    }

    @Test
    void resnet50HasTorchvisionsStructure() {
        CnnModels.CnnModel m = CnnModels.resnet50(1, 224);
        assertThat(m.graph().opCounts()).containsEntry("Conv2d", 53).containsEntry("MaxPool2d", 1).containsEntry("GlobalAvgPool", 1).containsEntry("Linear", 1);
        assertThat(m.graph().tensor("layer4.2.conv3.out").shape()).containsExactly(1, 7, 7, 2048);
        assertThat(m.graph().tensor("logits").shape()).containsExactly(1, 1000);
        assertThat(torchParameterCount(m)).isEqualTo(25_557_032L);
        // torchvision: 4.09 GFLOPS, counted as multiply-adds.
        assertThat(m.graph().flops() / 2e9).isCloseTo(4.09, within(0.03));
        assertThat(m.batchNorms()).containsEntry("layer2.0.downsample.0", "layer2.0.downsample.1").containsEntry("conv1", "bn1");
    }

    @Test
    void shufflenetHasTorchvisionsStructure() {
        CnnModels.CnnModel m = CnnModels.shufflenetV2x1(1, 224);
        assertThat(m.graph().opCounts()).containsEntry("Conv2d", 56).containsEntry("ChannelSplit", 13).containsEntry("ChannelShuffle", 16);
        assertThat(m.graph().tensor("stage4.3.out").shape()).containsExactly(1, 7, 7, 464);
        assertThat(torchParameterCount(m)).isEqualTo(2_278_604L);
        assertThat(m.graph().flops() / 2e9).isCloseTo(0.14, within(0.01));
    }

    /** The export's names are torchvision's state_dict keys (num_batches_tracked aside): 320 - 53 for resnet50, 338 - 56 for ShuffleNet. */
    @Test
    void exportedParametersCarryTorchvisionsStateDictNames(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        assertThat(CnnWeights.torchParameters(CnnModels.resnet50(1, 32), 1)).hasSize(267)
                .containsKeys("conv1.weight", "bn1.running_var", "layer1.0.downsample.0.weight", "layer1.0.downsample.1.bias", "layer4.2.bn3.weight", "fc.bias");
        Map<String, DenseTensor> sn = CnnWeights.torchParameters(CnnModels.shufflenetV2x1(1, 32), 1);
        assertThat(sn).hasSize(282).containsKeys("conv1.0.weight", "conv1.1.running_mean", "stage2.0.branch1.0.weight", "stage2.0.branch1.3.bias",
                "stage4.3.branch2.6.running_var", "conv5.1.weight", "fc.weight");
        assertThat(sn.get("stage2.0.branch1.0.weight").shape()).containsExactly(24, 3, 3, 1);   // depthwise, OHWI
        CnnModels.CnnModel m = CnnModels.shufflenetV2x1(2, 32);
        CnnWeights.export(m, 4, dir);
        org.ladderae.models.io.NpyArray w = org.ladderae.models.io.NpyArray.read(dir.resolve("stage3.1.branch2.5.weight.npy"));
        assertThat(w.shape()).containsExactly(116, 1, 1, 116);
        assertThat(w.values()).containsExactly(CnnWeights.torchParameters(m, 4).get("stage3.1.branch2.5.weight").values());
        assertThat(org.ladderae.models.io.NpyArray.read(dir.resolve("image.npy")).shape()).containsExactly(2, 32, 32, 3);
        assertThat(java.nio.file.Files.list(dir).count()).isEqualTo(283);
    }

    @Test
    void graphsRoundTripThroughJson() throws Exception {
        ObjectMapper json = new ObjectMapper();
        for (CnnModels.CnnModel m : new CnnModels.CnnModel[] {CnnModels.resnet50(2, 64), CnnModels.shufflenetV2x1(2, 64)}) {
            ModelGraph back = json.readValue(json.writeValueAsString(m.graph()), ModelGraph.class);
            assertThat(back).isEqualTo(m.graph());
        }
    }

    /**
     * The seeded models stay numerically tame through every block (logits of order 1, not 0 or FP16 overflow), and
     * storing every intermediate in FP16 moves the output by the amount CnnBench's tolerance is sized from.
     */
    @Test
    void seededModelsAreTameAndFp16StorageErrorIsSmall() {
        for (CnnModels.CnnModel m : new CnnModels.CnnModel[] {CnnModels.resnet50(2, 64), CnnModels.shufflenetV2x1(2, 64)}) {
            Map<String, DenseTensor> w = CnnWeights.foldedWeights(m, 7);
            Map<String, DenseTensor> in = Map.of("image", CnnWeights.image(m, 7));
            Map<String, DenseTensor> exact = ReferenceExecutor.runAll(m.graph(), in, w);
            DenseTensor logits = exact.get("logits");
            double rms = Math.sqrt(java.util.Arrays.stream(logits.values()).map(v -> v * v).average().orElse(0));
            double maxAbs = exact.values().stream().flatMapToDouble(t -> java.util.Arrays.stream(t.values())).map(Math::abs).max().orElse(0);
            DenseTensor stored = ReferenceExecutor.runAll(m.graph(), in, w, ReferenceExecutor::roundToFp16).get("logits");
            double err = LayerComparison.relativeFrobeniusError(logits, stored);
            System.out.printf("%s: logits rms %.3g, largest |value| anywhere %.3g, FP16 storage error %.2e%n", m.graph().name(), rms, maxAbs, err);
            assertThat(rms).isBetween(0.05, 100.0);
            assertThat(maxAbs).isLessThan(1000.0);
            assertThat(err).isLessThan(org.ladderae.executor.cnn.CnnBench.FP16_MODEL_TOLERANCE / 4);
        }
    }

    @Test
    void foldingMatchesConvThenBatchNorm() {
        CnnModels.CnnModel m = CnnModels.shufflenetV2x1(1, 32);
        Map<String, DenseTensor> p = CnnWeights.torchParameters(m, 3);
        Map<String, DenseTensor> f = CnnWeights.fold(m, p);
        // conv1.0: K=24, OHWI [24,3,3,3]; output channel 5's folded weight and bias against gamma/sqrt(var+eps).
        double g = p.get("conv1.1.weight").values()[5], v = p.get("conv1.1.running_var").values()[5];
        double mu = p.get("conv1.1.running_mean").values()[5], beta = p.get("conv1.1.bias").values()[5];
        double s = g / Math.sqrt(v + CnnModels.BN_EPS);
        assertThat(f.get("conv1.0.weight").values()[5 * 27 + 4]).isCloseTo(p.get("conv1.0.weight").values()[5 * 27 + 4] * s, within(2e-3));
        assertThat(f.get("conv1.0.bias").values()[5]).isCloseTo(beta - mu * s, within(1e-3));
    }

    @Test
    void resnetDenseConvsAreItsStemBottlenecksAndDownsamples() {
        List<ConvShape> r = CnnModels.denseConvShapes("resnet", 128);
        assertThat(r).hasSize(23).doesNotHaveDuplicates();
        assertThat(r.get(0)).isEqualTo(ConvShape.parse("128,3,224,224,64,7,7,2,3"));
        for (String label : List.of("C0", "C1", "C2", "C3")) assertThat(r).contains(ConvShape.FIGURE12.get(label));
        assertThat(r).contains(ConvShape.parse("128,1024,14,14,2048,1,1,2,0"), ConvShape.parse("128,512,7,7,2048,1,1,1,0"),
                ConvShape.parse("128,256,28,28,256,3,3,2,1"));
        assertThat(r.stream().mapToInt(ConvShape::p).min().orElseThrow()).isEqualTo(7);
    }

    @Test
    void shufflenetDenseConvsHaveOddChannelCountsAndNoDepthwise() {
        List<ConvShape> s = CnnModels.denseConvShapes("shufflenet", 1);
        assertThat(s).hasSize(9).doesNotHaveDuplicates();
        assertThat(s.stream().map(ConvShape::c)).contains(3, 24, 58, 116, 232, 464);
        assertThat(s.stream().map(ConvShape::k)).contains(24, 58, 116, 232, 1024);
        assertThat(s).contains(ConvShape.parse("1,24,28,28,58,1,1,1,0"), ConvShape.parse("1,232,7,7,232,1,1,1,0"));
        for (ConvShape c : s) assertThat(ConvKernels.candidates(ConvFormat.W_FP16A_FP16, c)).as(c.dims()).isNotEmpty();
    }
}
