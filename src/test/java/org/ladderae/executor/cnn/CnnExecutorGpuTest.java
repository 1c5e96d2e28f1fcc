package org.ladderae.executor.cnn;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Assumptions;
import org.ladderae.gpu.CudaContext;
import org.ladderae.gpu.GpuTestSupport;
import org.ladderae.kernels.ConvFormat;
import org.ladderae.kernels.KernelCache;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.models.CnnModels;
import org.ladderae.models.DType;
import org.ladderae.models.ModelGraph;
import org.ladderae.models.Op;
import org.ladderae.models.Tensor;
import org.ladderae.models.reference.CnnWeights;
import org.ladderae.models.reference.DenseTensor;
import org.ladderae.models.reference.LayerComparison;
import org.ladderae.results.TimingStats;

/**
 * The CNN executor on the GPU: the seeded ResNet-50 and ShuffleNet v2 at 64x64 against the double-precision reference
 * on the same folded weights (with the tensor-core convs, and with the direct kernels alone), a graph of odd shapes
 * that takes every non-fused kernel path, and the full models at 224x224, batch 1 and 128, against torchvision's own
 * model in FP16 on the same (unfolded) parameters, timed beside PyTorch eager in the same run. Activations are
 * NaN-poisoned before each run.
 */
@Tag("gpu")
class CnnExecutorGpuTest {
    private static CudaContext context;
    private static KernelCache cache;

    @BeforeAll
    static void open() {
        context = GpuTestSupport.context();
        cache = KernelCache.defaultCache();
        if (cache.nvcc().isEmpty()) return;
        // every conv kernel the tests below load, built on all cores first (the executor would build them one by one)
        org.ladderae.kernels.TargetArch arch = org.ladderae.kernels.TargetArch.forComputeCapability(context.device().ccMajor(), context.device().ccMinor());
        List<org.ladderae.kernels.ConvConfig> configs = new java.util.ArrayList<>();
        for (String workload : List.of("resnet", "shufflenet"))
            for (int batch : new int[] {1, 2, 3, 128})
                for (int image : new int[] {32, 64, CnnModels.IMAGE})
                    for (ConvFormat f : List.of(ConvFormat.W_FP16A_FP16, ConvFormat.W_FP8A_FP16, ConvFormat.W_MXFP8A_MXFP8, ConvFormat.W_INT1A_INT4))
                        configs.addAll(CnnExecutor.ladderConvConfigs(CnnModels.of(workload, batch, image), f, arch));
        org.ladderae.kernels.ConvRunner.buildAll(cache, configs, arch);
    }

    private static String kernelCounts(Map<String, String> convKernels) {
        Map<String, Integer> n = new TreeMap<>();
        for (String k : convKernels.values()) n.merge(k, 1, Integer::sum);
        return n.toString();
    }

    @ParameterizedTest(name = "{0} BS{1} 64x64")
    @CsvSource({"resnet,1", "resnet,3", "shufflenet,1", "shufflenet,3"})
    void smallModelsMatchTheReference(String workload, int batch) {
        org.ladderae.executor.LayerBench.Check c = CnnBench.check(context, cache, CnnModels.of(workload, batch, 64), ConvFormat.W_FP16A_FP16, CnnBench.installedConvs(), 5);
        System.out.println(c.describe());
        assertThat(c.passed()).as(c.describe()).isTrue();
    }

    /**
     * The low-bit points of Figure 9 on the check models: every conv's output against the reference conv on the GPU's own
     * input (same stored weights, same activation quantisation), and the logits against the whole-model reference with
     * the same quantisation ({@link CnnBench#check}); the record says which convs ran low-bit.
     */
    @ParameterizedTest(name = "{0} BS{1} 64x64 {2}")
    @CsvSource({"resnet,2,W_FP8A_FP16", "resnet,2,W_MXFP8A_MXFP8", "resnet,1,W_INT1A_INT4", "resnet,3,W_INT1A_INT4", "shufflenet,2,W_FP8A_FP16",
            "shufflenet,1,W_FP8A_FP16"})
    void lowBitModelsMatchTheQuantisedReference(String workload, int batch, ConvFormat format) {
        CnnModels.CnnModel m = CnnModels.of(workload, batch, 64);
        org.ladderae.executor.LayerBench.Check c = CnnBench.check(context, cache, m, format, CnnBench.installedConvs(), 7);
        System.out.println(c.describe() + "; " + CnnQuantization.summary(m, format));
        assertThat(c.passed()).as(c.describe()).isTrue();
    }

    /**
     * A low-bit reproduction point as LadderCnnRunner measures it (check model, each full-size conv kernel, then the full
     * model timed), and the same full model in FP16 timed in the same run (FP16 is checked by the tests above).
     */
    @ParameterizedTest(name = "bench {0} BS{1} {2}")
    @CsvSource({"resnet,128,W_FP8A_FP16", "resnet,1,W_INT1A_INT4", "resnet,128,W_MXFP8A_MXFP8", "shufflenet,1,W_FP8A_FP16", "resnet,128,W_INT1A_INT4"})
    @Timeout(300)
    void lowBitBenchPointChecksThenTimes(String workload, int batch, ConvFormat format) {
        CnnBench.Result r = CnnBench.measure(context, cache, workload, batch, format, CnnBench.installedConvs(), 3);
        CnnModels.CnnModel full = CnnModels.of(workload, batch, CnnModels.IMAGE);
        TimingStats fp16;
        long fp16Weights;
        try (CnnExecutor ex = new CnnExecutor(context, cache, full, ConvFormat.W_FP16A_FP16, CnnBench.storedWeights(full, ConvFormat.W_FP16A_FP16, 3),
                CnnBench.installedConvs())) {
            assertThat(ex.run(CnnWeights.image(full, 3)).allFinite()).isTrue();
            fp16 = ex.time(true);   // the graph replay, as the low-bit point's timing
            fp16Weights = ex.weightBytes();
        }
        System.out.printf(java.util.Locale.ROOT, "bench %s BS%d %s: %s; %s; FP16 same run %.3f ms, weights %.1f MiB; %s%n", workload, batch, format.label(),
                r.check().describe(), r.timing() == null ? "not timed" : String.format(java.util.Locale.ROOT, "%.3f ms (median of %d), weights %.1f MiB, peak %.0f MiB, convs %s",
                        r.timing().medianMs(), r.timing().samplesMs().size(), r.weightBytes() / 1048576.0, r.memory().peakMib(), kernelCounts(r.convKernels())),
                fp16.medianMs(), fp16Weights / 1048576.0, r.precision());
        assertThat(r.ok()).as(r.check().describe()).isTrue();
    }

    @ParameterizedTest(name = "{0} direct convs only")
    @CsvSource({"resnet", "shufflenet"})
    void directConvKernelsMatchTheReference(String workload) {
        org.ladderae.executor.LayerBench.Check c = CnnBench.check(context, cache, CnnModels.of(workload, 2, 32), ConvFormat.W_FP16A_FP16, List.of(), 6);
        System.out.println("direct only: " + c.describe());
        assertThat(c.passed()).as(c.describe()).isTrue();
    }

    /**
     * Odd sizes everywhere: a grouped (not depthwise) strided conv on a 9x7 image with 6 channels, a max pool of a
     * 5x4 map, a split whose halves are concatenated the other way round (no shuffle after: the unfused concat), a
     * 5-group shuffle, a conv with a residual, and a classifier of 70 classes over 3 images (tiles cut at both ends).
     */
    @Test
    void oddShapesTakeEveryKernelPath() {
        var g = ModelGraph.builder("odd").input(Tensor.of("image", DType.FP16, 3, 9, 7, 6));
        g.weight(Tensor.of("a.weight", DType.FP16, 10, 3, 3, 3)).weight(Tensor.of("a.bias", DType.FP16, 10));
        g.op(new Op.Conv2d("a", "image", "a.weight", "a.bias", null, "a.out", 10, 3, 3, 2, 1, 2, true));
        g.op(new Op.MaxPool2d("pool", "a.out", "pool.out", 3, 2, 1));
        g.op(new Op.ChannelSplit("split", "pool.out", "x1", "x2"));
        g.op(new Op.ChannelConcat("cat", "x2", "x1", "cat.out"));
        g.op(new Op.ChannelShuffle("shuffle", "cat.out", "shuffle.out", 5));
        g.weight(Tensor.of("b.weight", DType.FP16, 10, 1, 1, 10)).weight(Tensor.of("b.bias", DType.FP16, 10));
        g.op(new Op.Conv2d("b", "shuffle.out", "b.weight", "b.bias", "pool.out", "b.out", 10, 1, 1, 1, 0, 1, true));
        g.weight(Tensor.of("dw.weight", DType.FP16, 10, 3, 3, 1)).weight(Tensor.of("dw.bias", DType.FP16, 10));
        g.op(new Op.Conv2d("dw", "b.out", "dw.weight", "dw.bias", null, "dw.out", 10, 3, 3, 1, 1, 10, false));
        g.op(new Op.GlobalAvgPool("avgpool", "dw.out", "avgpool.out"));
        g.weight(Tensor.of("fc.weight", DType.FP16, 70, 10)).weight(Tensor.of("fc.bias", DType.FP16, 70));
        g.op(new Op.Linear("fc", "avgpool.out", "fc.weight", "fc.bias", "logits", 70, 10, WeightFormat.FP16, 0));
        CnnModels.CnnModel m = new CnnModels.CnnModel("shufflenet", g.output("logits").build(), Map.of("a", "a_bn", "b", "b_bn", "dw", "dw_bn"));
        org.ladderae.executor.LayerBench.Check c = CnnBench.check(context, cache, m, ConvFormat.W_FP16A_FP16, CnnBench.installedConvs(), 9);
        System.out.println(c.describe());
        assertThat(c.passed()).as(c.describe()).isTrue();
    }

    /** A reproduction point as LadderCnnRunner measures it: checked at 64x64, then timed at 224x224 with its memory sampled. */
    @ParameterizedTest(name = "bench {0} BS{1}")
    @CsvSource({"resnet,128", "shufflenet,1"})
    @Timeout(300)
    void benchPointChecksThenTimes(String workload, int batch) {
        CnnBench.Result r = CnnBench.measure(context, cache, workload, batch, ConvFormat.W_FP16A_FP16, CnnBench.installedConvs(), 3);
        System.out.printf(java.util.Locale.ROOT, "bench %s BS%d: %s; %s%n", workload, batch, r.check().describe(), r.timing() == null ? "not timed"
                : String.format(java.util.Locale.ROOT, "%.3f ms (median of %d; launched one by one %.3f ms), peak %.0f MiB driver / %.0f MiB own, weights %.1f MiB, convs %s",
                        r.timing().medianMs(), r.timing().samplesMs().size(), r.launchTiming().medianMs(), r.memory().peakMib(), r.memory().ownMib(),
                        r.weightBytes() / 1048576.0, kernelCounts(r.convKernels())));
        assertThat(r.ok()).as(r.check().describe()).isTrue();
        // The CUDA graph replay must capture and reproduce the launched run's logits (else the point is timed kernel by kernel).
        assertThat(r.graphTiming()).as(String.valueOf(r.graphNote())).isNotNull();
    }

    @ParameterizedTest(name = "{0} BS{1} 224x224 vs PyTorch")
    @CsvSource({"resnet,1", "resnet,128", "shufflenet,1", "shufflenet,128"})
    @Timeout(300)
    void fullModelMatchesPyTorch(String workload, int batch, @TempDir Path dir) throws Exception {
        String python = System.getenv().getOrDefault("LADDER_AE_PYTHON", "python3");
        String why = TorchCnnReference.unavailable(python);
        if (why != null) System.out.println("[skip] " + why);
        Assumptions.assumeTrue(why == null, why);
        CnnModels.CnnModel m = CnnModels.of(workload, batch, CnnModels.IMAGE);
        long seed = 21;
        TorchCnnReference.Output torch = TorchCnnReference.run(python, m, seed, dir, 30);
        DenseTensor ours;
        TimingStats t;
        Map<String, String> kernels;
        try (CnnExecutor ex = new CnnExecutor(context, cache, m, ConvFormat.W_FP16A_FP16, CnnBench.storedWeights(m, ConvFormat.W_FP16A_FP16, seed),
                CnnBench.installedConvs())) {
            ours = ex.run(CnnWeights.image(m, seed));
            t = ex.time();
            kernels = ex.convKernels();
        }
        double err = LayerComparison.relativeFrobeniusError(torch.logits(), ours);
        System.out.printf(java.util.Locale.ROOT, "%s BS%d vs PyTorch FP16: relative error %.2e (tolerance %.0e); Ladder %.3f ms, PyTorch eager %.3f ms (same run); convs %s; %s%n",
                workload, batch, err, TorchCnnReference.TOLERANCE, t.medianMs(), torch.eagerMedianMs(), kernelCounts(kernels), torch.info());
        assertThat(ours.allFinite()).isTrue();
        assertThat(err).isLessThanOrEqualTo(TorchCnnReference.TOLERANCE);
    }
}
