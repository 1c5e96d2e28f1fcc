package org.ladderae.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
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
 * The two TMA conv kernels of sm_90a against the double-precision CPU reference (fresh random data, NaN-poisoned outputs)
 * at their check shapes, and the executor's entry point on channel slices (the tensor maps' pixel stride and start):
 * <ul>
 * <li>the pointwise conv ({@link ConvMma#POINTWISE}, {@code ladder_conv_pw.cu}): every candidate of Figure 12's 1x1
 *     layers C1 and C3 and of ResNet-50's other batch-128 1x1 shapes (C compiled in: partial last pixel tile, partial and
 *     extra output-channel blocks, the fused bias + residual + ReLU epilogue);</li>
 * <li>the im2col-TMA conv ({@link ConvMma#IM2COL_TMA}, {@code ladder_conv_i2c.cu}): every candidate of C0, C2 and the
 *     ResNet-50 batch-128 shapes it serves (3x3 stride 1 and 2, a 1x1 stride-2 downsample, the 14x14 and 7x7 stages);
 *     one cubin checked at odd images with partial pixel and channel blocks, strides 1 and 2, 1x1 to 7x7 filters.</li>
 * </ul>
 */
@Tag("gpu")
class ConvTmaGpuTest {
    private static CudaContext context;
    private static ConvRunner runner;

    static Stream<Arguments> configs() {
        List<ConvShape> oneByOne = List.of(ConvShape.FIGURE12.get("C1"), ConvShape.FIGURE12.get("C3"), ConvShape.parse("128,256,56,56,64,1,1,1,0"),
                ConvShape.parse("128,64,56,56,256,1,1,1,0"), ConvShape.parse("128,1024,14,14,256,1,1,1,0"));
        List<ConvShape> im2col = List.of(ConvShape.FIGURE12.get("C0"), ConvShape.FIGURE12.get("C2"), ConvShape.parse("128,128,56,56,128,3,3,2,1"),
                ConvShape.parse("128,256,56,56,512,1,1,2,0"), ConvShape.parse("128,256,14,14,256,3,3,1,1"), ConvShape.parse("128,512,7,7,512,3,3,1,1"));
        return Stream.concat(ConvChecks.distinctCandidates(oneByOne, ConvMma::pointwise), ConvChecks.distinctCandidates(im2col, ConvMma::im2colTma));
    }

    @BeforeAll
    static void buildAllInParallel() {
        context = GpuTestSupport.context();
        runner = new ConvRunner(context, KernelCache.defaultCache());
        org.junit.jupiter.api.Assumptions.assumeTrue(runner.arch().hasWgmma(), "the TMA conv kernels need sm_90a");
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
    void layersReadAndWriteChannelSlicesWithTheFusedEpilogue() {
        for (String layer : List.of("C1", "C3")) {
            ConvConfig pw = ConvKernels.pointwiseHeuristic(ConvShape.FIGURE12.get(layer));
            assertThat(pw.mma()).as(layer).isEqualTo(ConvMma.POINTWISE);
            ConvShape s = new ConvShape(2, pw.shape().c(), 7, 23, pw.shape().k() - 16, 1, 1, 1, 0);
            assertSliceMatches(pw.withShape(s), ConvMma.POINTWISE, 23);
        }
        ConvConfig c2 = ConvKernels.heuristic(ConvShape.FIGURE12.get("C2"), runner.arch());
        assertThat(c2.mma()).isEqualTo(ConvMma.IM2COL_TMA);
        for (ConvShape s : List.of(new ConvShape(2, 128, 9, 13, 112, 3, 3, 1, 1), new ConvShape(2, 64, 15, 14, 136, 3, 3, 2, 1)))
            assertSliceMatches(c2.withShape(s), ConvMma.IM2COL_TMA, 29);
    }

    private static void assertSliceMatches(ConvConfig config, ConvMma kind, long seed) {
        ConvShape s = config.shape();
        ConvLayer l = runner.layer(ConvKernels.gatherFor(config, 2 * s.c(), s.c()));
        assertThat(l.config().mma()).isEqualTo(kind);
        ConvChecks.assertSlicesMatch(context, l, seed);
    }
}
