package org.ladderae.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.ladderae.formats.ActivationFormat;
import org.ladderae.formats.ActivationQuantizer;
import org.ladderae.formats.Fp16;
import org.ladderae.gpu.CudaContext;
import org.ladderae.gpu.GpuTestSupport;
import org.ladderae.kernels.GemmRunner;
import org.ladderae.kernels.GemvConfig;
import org.ladderae.kernels.GemvRunner;
import org.ladderae.kernels.GemvStage;
import org.ladderae.kernels.KernelCache;
import org.ladderae.kernels.TargetArch;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.models.ModelGraph;
import org.ladderae.models.Op;
import org.ladderae.models.reference.DenseTensor;
import org.ladderae.models.reference.SeededWeights;

/**
 * Every integer-activation linear of the small LLaMA/BLOOM layers, checked on the GPU against its own operands: the
 * executor runs the layer launch by launch and hands back each linear's quantised input as the quantiser wrote it
 * (codes, FP32 row scales, INT32 code sums) and its FP16 output; the codes must lie in [-qmax, qmax] and sum to the
 * code sums exactly, and the output must equal sum(code x decoded weight) x row scale (+ bias, GeLU) in double on the
 * reference's decoded weights to FP16 rounding; where quantize_rows wrote the input (attention outputs, BLOOM's GeLU
 * outputs), its codes and scales must be bit-exact with ActivationQuantizer on the FP16 values it read. Unlike the
 * whole-layer check (whose tolerance grows with how far FP16 rounding moves a quantised graph, see LayerComparison),
 * this pins the GEMV/GEMM, the quantiser and the dequantising epilogue down at every M: a wrong layout, scale, zero
 * point or row gives errors of order 0.1 to 1 here.
 */
@Tag("gpu")
class IntegerLinearGpuTest {
    /** FP16 output rounding (unit roundoff 4.9e-4 per element, ~3e-4 relative over a tensor) and FP32 epilogue arithmetic. */
    static final double TOLERANCE = 2e-3;
    private static final long SEED = 13;
    private static CudaContext context;
    private static KernelCache cache;
    private static GemvRunner gemv;
    private static GemmRunner gemm;

    static Stream<Arguments> layers() {
        List<Arguments> out = new ArrayList<>();
        int[][] settings = {{2, 1}, {32, 1}, {1, 64}, {3, 17}};   // GEMV; GEMM at M = 32, 64 and 51 (a partial tile)
        Object[][] pairs = {{WeightFormat.INT4, ActivationFormat.INT4}, {WeightFormat.INT2, ActivationFormat.INT4}, {WeightFormat.INT1, ActivationFormat.INT4},
                {WeightFormat.INT4, ActivationFormat.INT8}, {WeightFormat.INT1, ActivationFormat.INT8}, {WeightFormat.INT8, ActivationFormat.INT8}};
        for (String model : List.of("llama", "bloom"))
            for (int[] bs : settings)
                for (Object[] p : pairs) out.add(Arguments.of(model, bs[0], bs[1], p[0], p[1]));
        return out.stream();
    }

    @BeforeAll
    @org.junit.jupiter.api.Timeout(600)
    static void open() {
        context = GpuTestSupport.context();
        cache = KernelCache.defaultCache();
        gemv = new GemvRunner(context, cache);
        gemm = new GemmRunner(context, cache);
        if (cache.nvcc().isEmpty()) return;
        TargetArch arch = TargetArch.forComputeCapability(context.device().ccMajor(), context.device().ccMinor());
        java.util.Set<Object> configs = new java.util.LinkedHashSet<>();
        Stream.concat(layers().map(a -> graph(a.get())), encoders().map(a -> encoderGraph(a.get()))).forEach(g -> {
            LayerPlan p = LayerPlan.lower(g);
            for (LayerPlan.Linear l : p.linears()) {
                LinearChoice c = LinearChoice.select(l, p.rows(l), GemvStage.HOLISTIC, arch, null);
                configs.add(c.usesGemm() ? c.gemm() : c.gemv());
            }
        });
        KernelCache.buildInParallel(List.copyOf(configs), c -> {
            if (c instanceof org.ladderae.kernels.GemmConfig g) GemmRunner.build(cache, g, arch);
            else GemvRunner.build(cache, (GemvConfig) c, arch);
        });
    }

    @AfterAll
    static void close() {
        if (gemv != null) gemv.close();
        if (gemm != null) gemm.close();
    }

    private static ModelGraph graph(Object[] a) {
        return LayerBench.graph((String) a[0], false, (int) a[1], (int) a[2], (WeightFormat) a[3], (ActivationFormat) a[4]);
    }

    @ParameterizedTest(name = "{0} BS{1} SEQ{2} W_{3}A_{4}")
    @MethodSource("layers")
    void everyIntegerLinearEqualsItsOwnOperandsTimesTheDecodedWeights(String model, int batch, int seq, WeightFormat w, ActivationFormat a) {
        checkIntegerLinears(graph(new Object[] {model, batch, seq, w, a}), w, a);
    }

    /** The encoder check models of Figure 9's quantised points (ViT at M = 26 / 442, the Conformer at 130 frames). */
    static Stream<Arguments> encoders() {
        return Stream.of(Arguments.of("vit", 1, WeightFormat.INT4, ActivationFormat.INT4), Arguments.of("vit", 128, WeightFormat.INT4, ActivationFormat.INT4),
                Arguments.of("conformer", 1, WeightFormat.INT4, ActivationFormat.INT4), Arguments.of("conformer", 1, WeightFormat.INT4, ActivationFormat.INT8));
    }

    private static ModelGraph encoderGraph(Object[] a) {
        return EncoderBench.graph((String) a[0], false, (int) a[1], (WeightFormat) a[2], (ActivationFormat) a[3]);
    }

    /** Every integer linear of the encoder check model as above; then the whole model's check as Figure 9 runs it (its tolerance printed). */
    @ParameterizedTest(name = "{0} BS{1} W_{2}A_{3}")
    @MethodSource("encoders")
    void encoderIntegerLinearsAndTheModelCheck(String model, int batch, WeightFormat w, ActivationFormat a) {
        ModelGraph g = encoderGraph(new Object[] {model, batch, w, a});
        checkIntegerLinears(g, w, a);
        LayerBench.Check c = LayerBench.check(context, cache, gemv, gemm, g, GemvStage.HOLISTIC, Map.of(), SEED);
        System.out.println(c.describe());
        assertThat(c.passed()).as(c.describe()).isTrue();
    }

    private static void checkIntegerLinears(ModelGraph g, WeightFormat w, ActivationFormat a) {
        List<LayerExecutor.IntegerLinearIo> ios;
        Map<String, LinearChoice> choices;
        try (LayerExecutor ex = new LayerExecutor(context, cache, gemv, gemm, g, GemvStage.HOLISTIC, new LayerExecutor.Weights.Seeded(SEED), Map.of())) {
            ios = ex.runCapturingIntegerLinears(SeededWeights.inputs(g, SEED));
            choices = ex.choices();
        }
        assertThat(ios).hasSize(LayerPlan.lower(g).linears().size());
        for (LayerExecutor.IntegerLinearIo io : ios) {
            LayerPlan.Linear l = io.linear();
            double err = error(g, SEED, io);
            LinearChoice c = choices.get(l.name());
            System.out.printf(Locale.ROOT, "%s %s W_%sA_%s M=%d (%s): relative error %.2e (tolerance %.0e)%n", g.name(), l.name(), w, a,
                    io.rows(), c.usesGemm() ? c.gemm().kernelName() : "GEMV", err, TOLERANCE);
            assertThat(err).as(g.name() + " " + l.name()).isLessThanOrEqualTo(TOLERANCE);
        }
    }

    /**
     * Checks a captured linear's codes (range, exact code sums, finite positive scales) and returns the relative
     * Frobenius error of its output against sum(code x decoded weight) x row scale (+ FP16 bias, GeLU) in double.
     */
    static double error(ModelGraph g, long seed, LayerExecutor.IntegerLinearIo io) {
        Map<String, DenseTensor> decoded = SeededWeights.decodedWeights(g, seed), master = SeededWeights.masterWeights(g, seed);
        LayerPlan.Linear l = io.linear();
        int rows = io.rows(), n = l.nTotal(), k = l.k(), qmax = io.layout() == ActivationLayout.INT4 ? 7 : 127;
        int[] codes = decodeCodes(io, k);
        for (int r = 0; r < rows; r++) {
            long sum = 0;
            for (int e = 0; e < k; e++) {
                int c = codes[r * k + e];
                assertThat(Math.abs(c)).as("%s row %d code %d", l.name(), r, e).isLessThanOrEqualTo(qmax);
                sum += c;
            }
            assertThat((long) io.codeSums()[r]).as("%s code sum of row %d", l.name(), r).isEqualTo(sum);
            assertThat(io.actScales()[r]).as("%s scale of row %d", l.name(), r).isPositive().isFinite();
        }
        if (io.quantizerInput() != null) {
            // quantize_rows against the CPU definition on the very FP16 values it read: codes, scale and sum bit-exact
            double[] x = new double[rows * k];
            for (int i = 0; i < x.length; i++) x[i] = Fp16.INSTANCE.decode(io.quantizerInput()[i] & 0xffff);
            for (int r = 0; r < rows; r++) {
                ActivationQuantizer.IntRow q = ActivationQuantizer.quantizeInt(x, r * k, k, qmax);
                assertThat(java.util.Arrays.copyOfRange(codes, r * k, r * k + k)).as("%s quantiser codes of row %d", l.name(), r).containsExactly(q.codes());
                assertThat(io.actScales()[r]).as("%s quantiser scale of row %d", l.name(), r).isEqualTo(q.scale());
            }
        }
        double diff = 0, norm = 0;
        for (int j = 0; j < n; j++) {
            int m = l.members().size() - 1;
            while (l.offsetOf(m) > j) m--;
            Op.Linear op = l.members().get(m);
            double[] wv = decoded.get(op.weight()).values();
            int wr = j - l.offsetOf(m);
            double bias = op.bias() == null ? 0 : Fp16.round(master.get(op.bias()).values()[wr]);
            for (int r = 0; r < rows; r++) {
                double acc = 0;
                for (int e = 0; e < k; e++) acc += codes[r * k + e] * wv[wr * k + e];
                double v = acc * io.actScales()[r] + bias;
                if (l.gelu()) v = gelu(v);
                double got = Fp16.INSTANCE.decode(io.output()[r * n + j] & 0xffff);
                diff += (got - v) * (got - v);
                norm += v * v;
            }
        }
        return Math.sqrt(diff / norm);
    }

    /** llm_ops.cu's gelu_tanh (BLOOM's bloom_gelu_forward). */
    static double gelu(double v) { return 0.5 * v * (1 + Math.tanh(0.7978845608028654 * (v + 0.044715 * v * v * v))); }

    /** The signed codes of a captured input: INT8 bytes, or INT4 two's-complement nibbles (element 0 in the low one). */
    static int[] decodeCodes(LayerExecutor.IntegerLinearIo io, int k) {
        int[] c = new int[io.rows() * k];
        for (int i = 0; i < c.length; i++) {
            if (io.layout() == ActivationLayout.INT8) c[i] = io.codes()[i];
            else {
                int nib = (io.codes()[i >> 1] >> (4 * (i & 1))) & 15;
                c[i] = nib >= 8 ? nib - 16 : nib;
            }
        }
        return c;
    }
}
