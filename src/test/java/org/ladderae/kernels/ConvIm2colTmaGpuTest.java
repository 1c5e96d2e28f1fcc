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
 * The im2col-TMA conv ({@link ConvMma#IM2COL_TMA}, {@code ladder_conv_i2c.cu}) on sm_90a: every im2col-TMA candidate of
 * Figure 12's C0 and C2 and of ResNet-50's other batch-128 shapes it serves (3x3 stride 1 and 2, a 1x1 stride-2
 * downsample, the 14x14 and 7x7 stages) against the double-precision CPU reference (fresh random data, NaN-poisoned
 * outputs) at its check shapes (one cubin: partial pixel and channel blocks, strides 1 and 2, 1x1 to 7x7 filters, the
 * fused bias + residual + ReLU epilogue), and the executor's entry point on channel slices (the tensor map's pixel
 * stride and start).
 */
@Tag("gpu")
class ConvIm2colTmaGpuTest {
    private static CudaContext context;
    private static ConvRunner runner;

    static Stream<Arguments> configs() {
        Map<String, ConvConfig> distinct = new LinkedHashMap<>();
        List<ConvShape> shapes = List.of(ConvShape.FIGURE12.get("C0"), ConvShape.FIGURE12.get("C2"), ConvShape.parse("128,128,56,56,128,3,3,2,1"),
                ConvShape.parse("128,256,56,56,512,1,1,2,0"), ConvShape.parse("128,256,14,14,256,3,3,1,1"), ConvShape.parse("128,512,7,7,512,3,3,1,1"));
        for (ConvShape s : shapes)
            for (ConvConfig c : ConvKernels.candidates(ConvFormat.W_FP16A_FP16, s)) if (c.mma().im2colTma()) distinct.putIfAbsent(c.label(), c);
        return distinct.values().stream().map(Arguments::of);
    }

    @BeforeAll
    static void buildAllInParallel() {
        context = GpuTestSupport.context();
        runner = new ConvRunner(context, KernelCache.defaultCache());
        org.junit.jupiter.api.Assumptions.assumeTrue(runner.arch().hasWgmma(), "the im2col-TMA conv needs sm_90a");
        runner.buildAll(configs().map(a -> (ConvConfig) a.get()[0]).toList());
    }

    @AfterAll
    static void close() {
        if (runner != null) runner.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void matchesTheDoublePrecisionReference(ConvConfig config) {
        assertThat(ConvRunner.checkShapes(config)).hasSizeGreaterThanOrEqualTo(4);
        ConvChecks.assertCheckShapesMatch(runner, config);
    }

    /** Input channels [C, 2C) of a 2C-wide tensor, output and residual channels [K, 2K) of 2K-wide ones; the other half untouched. */
    @Test
    void layerReadsAndWritesChannelSlicesWithTheFusedEpilogue() {
        ConvConfig c2 = ConvKernels.heuristic(ConvShape.FIGURE12.get("C2"), runner.arch());
        assertThat(c2.mma()).isEqualTo(ConvMma.IM2COL_TMA);
        for (ConvShape s : List.of(new ConvShape(2, 128, 9, 13, 112, 3, 3, 1, 1), new ConvShape(2, 64, 15, 14, 136, 3, 3, 2, 1))) {
            ConvLayer l = runner.layer(ConvKernels.gatherFor(c2.withShape(s), 2 * s.c(), s.c()));
            assertThat(l.config().mma()).isEqualTo(ConvMma.IM2COL_TMA);
            ConvChecks.assertSlicesMatch(context, l, 29);
        }
    }
}
