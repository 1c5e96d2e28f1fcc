package org.ladderae.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.ladderae.formats.ActivationFormat;
import org.ladderae.gpu.CudaContext;
import org.ladderae.gpu.GpuTestSupport;
import org.ladderae.kernels.GemmRunner;
import org.ladderae.kernels.GemvConfig;
import org.ladderae.kernels.GemvRunner;
import org.ladderae.kernels.GemvStage;
import org.ladderae.kernels.KernelCache;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.models.DType;
import org.ladderae.models.ModelGraph;
import org.ladderae.models.Op;
import org.ladderae.models.Tensor;
import org.ladderae.models.reference.DenseTensor;
import org.ladderae.models.reference.LayerComparison;
import org.ladderae.models.reference.ReferenceExecutor;
import org.ladderae.models.reference.SeededWeights;

/**
 * The small LLaMA and BLOOM layers on the GPU against the double-precision reference on the same decoded weights: decode
 * (1,1), batched decode on the GEMV (2,1) and on the GEMM (32,1), prefill on the short attention kernel (1,64) and on the
 * flash kernel (1,128), in FP16, INT4, NF4 and FP8 (and MXFP8 / INT1 where the GEMV runs them); plus attention alone at
 * S = 1024 (GQA, d = 128) and S = 1000 (ALiBi, d = 64, a partial tile). Activations are NaN-poisoned before each run.
 */
@Tag("gpu")
class LayerExecutorGpuTest {
    private static CudaContext context;
    private static KernelCache cache;
    private static GemvRunner gemv;
    private static GemmRunner gemm;

    @BeforeAll
    static void open() {
        context = GpuTestSupport.context();
        cache = KernelCache.defaultCache();
        gemv = new GemvRunner(context, cache);
        gemm = new GemmRunner(context, cache);
    }

    @AfterAll
    static void close() {
        if (gemv != null) gemv.close();
        if (gemm != null) gemm.close();
    }

    static Stream<Arguments> layers() {
        List<Arguments> out = new ArrayList<>();
        int[][] settings = {{1, 1}, {2, 1}, {32, 1}, {1, 64}, {1, 128}};
        for (String model : List.of("llama", "bloom"))
            for (int[] bs : settings)
                for (WeightFormat w : List.of(WeightFormat.FP16, WeightFormat.INT4, WeightFormat.NF4, WeightFormat.FP8_E5M2, WeightFormat.MXFP8,
                        WeightFormat.INT2, WeightFormat.INT1)) {
                    boolean gemvOnly = w == WeightFormat.MXFP8;
                    if (gemvOnly && bs[0] * bs[1] > GemvConfig.MAX_M) continue;   // no GEMM with FP16 activations for these
                    out.add(Arguments.of(model, bs[0], bs[1], w));
                }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} BS{1} SEQ{2} W_{3}")
    @MethodSource("layers")
    void smallLayerMatchesTheReference(String model, int batch, int seq, WeightFormat w) {
        ModelGraph g = LayerBench.graph(model, false, batch, seq, w);
        LayerBench.Check c = LayerBench.check(context, cache, gemv, gemm, g, GemvStage.HOLISTIC, Map.of(), 11);
        System.out.println(c.describe());
        assertThat(c.passed()).as(c.describe()).isTrue();
    }

    /**
     * Layers with quantised activations (quantisers fused into the norms and the SiLU gate, the integer GEMV's INT32 sums
     * dequantised per token and row, the INT8 x INT1 and MXFP8 x MXFP8 GEMMs) against the reference with the same
     * quantisation steps; activation buffers, scales and code sums poisoned before each run.
     */
    static Stream<Arguments> quantizedLayers() {
        List<Arguments> out = new ArrayList<>();
        int[][] settings = {{1, 1}, {2, 1}, {32, 1}, {1, 64}, {1, 128}};
        for (String model : List.of("llama", "bloom"))
            for (int[] bs : settings)
                for (Object[] f : new Object[][] {{WeightFormat.INT1, ActivationFormat.INT8}, {WeightFormat.INT4, ActivationFormat.INT4},
                        {WeightFormat.MXFP8, ActivationFormat.MXFP8}, {WeightFormat.INT8, ActivationFormat.INT8}}) {
                    boolean gemvOnly = f[1] == ActivationFormat.INT4 || f[0] == WeightFormat.INT8;   // no GEMM kernel for these (see LinearChoice)
                    if (gemvOnly && bs[0] * bs[1] > GemvConfig.MAX_M) continue;
                    out.add(Arguments.of(model, bs[0], bs[1], f[0], f[1]));
                }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} BS{1} SEQ{2} W_{3}A_{4}")
    @MethodSource("quantizedLayers")
    void quantizedActivationLayerMatchesTheReference(String model, int batch, int seq, WeightFormat w, ActivationFormat a) {
        ModelGraph g = LayerBench.graph(model, false, batch, seq, w, a);
        LayerBench.Check c = LayerBench.check(context, cache, gemv, gemm, g, GemvStage.HOLISTIC, Map.of(), 13);
        System.out.println(c.describe());
        assertThat(c.passed()).as(c.describe()).isTrue();
    }

    @Test
    void figure13StagesRunTheSameLayer() {
        for (GemvStage st : GemvStage.values()) {
            ModelGraph g = LayerBench.graph("llama", false, 1, 1, WeightFormat.FP16);
            LayerBench.Check c = LayerBench.check(context, cache, gemv, gemm, g, st, Map.of(), 5);
            System.out.println(st + ": " + c.describe());
            assertThat(c.passed()).as(st + " " + c.describe()).isTrue();
        }
    }

    static Stream<Arguments> attentions() {
        return Stream.of(Arguments.of(1024, 4, 2, 128, false), Arguments.of(1000, 3, 3, 64, true), Arguments.of(300, 2, 1, 32, false));
    }

    @ParameterizedTest(name = "S={0} heads={1} kv={2} d={3} alibi={4}")
    @MethodSource("attentions")
    void flashAttentionMatchesTheReference(int seq, int heads, int kvHeads, int d, boolean alibi) {
        var b = ModelGraph.builder("attention_s" + seq)
                .input(Tensor.of("q", DType.FP16, 1, seq, heads * d))
                .input(Tensor.of("k", DType.FP16, 1, seq, kvHeads * d))
                .input(Tensor.of("v", DType.FP16, 1, seq, kvHeads * d));
        if (alibi) b.input(Tensor.of("mask", DType.BOOL, 1, seq)).op(new Op.Alibi("alibi", "mask", "bias", heads));
        ModelGraph g = b.op(new Op.Attention("attn", "q", "k", "v", alibi ? "bias" : null, "out", heads, kvHeads, d, true)).output("out").build();
        Map<String, DenseTensor> inputs = SeededWeights.inputs(g, 3);
        DenseTensor gpu;
        try (LayerExecutor ex = new LayerExecutor(context, cache, gemv, gemm, g, GemvStage.HOLISTIC, new LayerExecutor.Weights.Seeded(3), Map.of())) {
            assertThat(ex.launchNames()).anyMatch(n -> n.contains("flash d" + d));
            gpu = ex.run(inputs);
        }
        DenseTensor ref = ReferenceExecutor.run(g, inputs, Map.of()).get("out");
        double err = LayerComparison.relativeFrobeniusError(ref, gpu);
        System.out.printf("attention S=%d heads=%d/%d d=%d alibi=%s: relative error %.2e%n", seq, heads, kvHeads, d, alibi, err);
        assertThat(gpu.allFinite()).isTrue();
        assertThat(err).isLessThan(LayerComparison.FP16_LAYER_TOLERANCE);
    }
}
