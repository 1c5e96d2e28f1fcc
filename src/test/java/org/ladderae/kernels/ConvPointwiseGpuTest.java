package org.ladderae.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
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
import org.ladderae.gpu.CudaContext;
import org.ladderae.gpu.GpuTestSupport;

/**
 * The pointwise TMA conv ({@link ConvMma#POINTWISE}, {@code ladder_conv_pw.cu}) on sm_90a: every pointwise candidate of
 * Figure 12's 1x1 layers C1 and C3 and of ResNet-50's other batch-128 1x1 shapes against the double-precision CPU
 * reference (fresh random data, NaN-poisoned outputs) at its check shapes (same cubin: partial last pixel tile,
 * partial and extra output-channel blocks, the fused bias + residual + ReLU epilogue), and the executor's entry point
 * on channel slices (the TMA map's pitch and start offset).
 */
@Tag("gpu")
class ConvPointwiseGpuTest {
    private static CudaContext context;
    private static ConvRunner runner;

    static Stream<Arguments> configs() {
        Map<String, ConvConfig> distinct = new LinkedHashMap<>();
        List<ConvShape> shapes = List.of(ConvShape.FIGURE12.get("C1"), ConvShape.FIGURE12.get("C3"), ConvShape.parse("128,256,56,56,64,1,1,1,0"),
                ConvShape.parse("128,64,56,56,256,1,1,1,0"), ConvShape.parse("128,1024,14,14,256,1,1,1,0"));
        for (ConvShape s : shapes)
            for (ConvConfig c : ConvKernels.candidates(ConvFormat.W_FP16A_FP16, s)) if (c.mma().pointwise()) distinct.putIfAbsent(c.label(), c);
        return distinct.values().stream().map(Arguments::of);
    }

    @BeforeAll
    static void buildAllInParallel() {
        context = GpuTestSupport.context();
        runner = new ConvRunner(context, KernelCache.defaultCache());
        org.junit.jupiter.api.Assumptions.assumeTrue(runner.arch().hasWgmma(), "the pointwise conv needs sm_90a");
        runner.buildAll(configs().map(a -> (ConvConfig) a.get()[0]).toList());
    }

    @AfterAll
    static void close() {
        if (runner != null) runner.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void matchesTheDoublePrecisionReference(ConvConfig config) {
        assertThat(ConvRunner.checkShapes(config)).hasSizeGreaterThanOrEqualTo(2);
        ConvChecks.assertCheckShapesMatch(runner, config);
    }

    /** Input channels [C, 2C) of a 2C-wide tensor, output and residual channels [K, 2K) of 2K-wide ones; the other half untouched. */
    @Test
    void layerReadsAndWritesChannelSlicesWithTheFusedEpilogue() {
        for (String layer : List.of("C1", "C3")) {
            ConvConfig pw = ConvKernels.pointwiseHeuristic(ConvShape.FIGURE12.get(layer));
            assertThat(pw.mma()).as(layer).isEqualTo(ConvMma.POINTWISE);
            ConvShape s = new ConvShape(2, pw.shape().c(), 7, 23, pw.shape().k() - 16, 1, 1, 1, 0);
            ConvLayer l = runner.layer(ConvKernels.gatherFor(pw.withShape(s), 2 * s.c(), s.c()));
            assertThat(l.config().mma()).isEqualTo(ConvMma.POINTWISE);
            ConvChecks.assertSlicesMatch(context, l, 23);
        }
    }
}
