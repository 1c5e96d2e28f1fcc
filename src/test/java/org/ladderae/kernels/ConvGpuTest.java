package org.ladderae.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
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
 * Every conv kernel (each candidate tile of W_FP16A_FP16, W_FP8A_FP16, W_MXFP8A_MXFP8, W_INT4A_INT4)
 * against the double-precision CPU reference on fresh random data with NaN-poisoned outputs, at the
 * check shapes (odd sizes, padding, stride 2, partial tiles) and at the batch-1 Figure 12 layers.
 */
@Tag("gpu")
class ConvGpuTest {
    private static CudaContext context;
    private static ConvRunner runner;

    static Stream<Arguments> configs() {
        Map<String, ConvConfig> distinct = new LinkedHashMap<>();
        for (ConvFormat f : ConvFormat.values())
            for (String layer : List.of("C4", "C6"))   // K = 64 and K = 128 layers: every candidate tile
                for (ConvConfig c : ConvKernels.candidates(f, ConvShape.FIGURE12.get(layer))) distinct.putIfAbsent(c.kernelName() + layer, c);
        List<Arguments> out = new ArrayList<>();
        for (ConvConfig c : distinct.values()) out.add(Arguments.of(c));
        return out.stream();
    }

    @BeforeAll
    static void buildAllInParallel() {
        context = GpuTestSupport.context();
        runner = new ConvRunner(context, KernelCache.defaultCache());
        runner.buildAll(configs().map(a -> (ConvConfig) a.get()[0]).toList());
    }

    @AfterAll
    static void close() {
        if (runner != null) runner.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void matchesTheDoublePrecisionReference(ConvConfig config) {
        for (ConvConfig at : ConvRunner.checkShapes(config)) {
            ConvRunner.Check c = runner.check(at, System.nanoTime());
            System.out.printf("%-72s %-26s error %.2e (tolerance %.0e)%s%n", config.kernelName(), at.shape().dims(), c.error(), c.tolerance(),
                    c.allWritten() ? "" : " UNWRITTEN OUTPUTS");
            assertThat(c.allWritten()).as("every output written at " + at.shape().dims()).isTrue();
            assertThat(c.error()).as("error vs reference at " + at.shape().dims()).isLessThanOrEqualTo(c.tolerance());
        }
    }

    @Test
    void timesTheFp16KernelAtC0() {
        ConvRunner.Tuned t = runner.tune(ConvFormat.W_FP16A_FP16, ConvShape.FIGURE12.get("C0"), 1);
        ConvRunner.Candidate best = t.best().orElseThrow(() -> new AssertionError("no candidate passed: " + t.firstFailure()));
        for (ConvRunner.Candidate c : t.candidates())
            System.out.printf("%-72s %s%n", c.config().kernelName(), c.timing() == null ? "FAILED" : String.format("%.4f ms %.1f TFLOP/s",
                    c.timing().stats().medianMs(), c.timing().tflops()));
        // 2.96e10 FLOP: far outside this range would mean the launch or the timing is wrong (the H100's dense FP16 peak is 989 TFLOP/s).
        assertThat(best.timing().tflops()).isBetween(20.0, 989.4);
    }
}
