package org.ladderae.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.ladderae.gpu.CudaContext;
import org.ladderae.gpu.GpuTestSupport;

/**
 * Every GEMV format pair and Figure 13 stage against the double-precision CPU reference on fresh
 * random data, outputs poisoned, at odd shapes (N = 1000, K = 11008 where the kernel's K unit allows,
 * M = 1, 3, 16). Runs on the GPU machine only.
 */
@Tag("gpu")
class GemvGpuTest {
    private static CudaContext context;
    private static GemvRunner runner;

    /** Figure 13's formats get all four stages; every pair gets the holistic (fastest) stage at M = 1, 3 and 16. */
    static Stream<Arguments> configs() {
        List<Arguments> out = new ArrayList<>();
        for (GemvConfig.FormatPair p : GemvConfig.supportedPairs()) {
            WeightFormat w = p.weights();
            ActFormat a = p.acts();
            boolean figure13 = (w == WeightFormat.FP16 || w == WeightFormat.INT4 || w == WeightFormat.MXFP8) && a == ActFormat.FP16
                    || w == WeightFormat.INT1 && a == ActFormat.INT8;
            if (figure13) {
                for (GemvStage s : List.of(GemvStage.BASELINE, GemvStage.TRANSFORM, GemvStage.PTX)) out.add(Arguments.of(GemvConfig.of(w, a, 1, s)));
            }
            for (int m : new int[] {1, 3, 16}) out.add(Arguments.of(GemvKernels.holistic(w, a, m, 1000, 11008)));
        }
        // per-group scales and zero points (quantised checkpoints): group 128 and whole-row, M = 1 and 3
        for (WeightFormat w : List.of(WeightFormat.INT8, WeightFormat.INT4, WeightFormat.INT2, WeightFormat.INT1, WeightFormat.NF4))
            for (int m : new int[] {1, 3}) {
                out.add(Arguments.of(GemvKernels.holisticGrouped(w, ActFormat.FP16, m, 1000, 11008, 128)));
                if (w == WeightFormat.INT4 || w == WeightFormat.NF4) out.add(Arguments.of(GemvKernels.holisticGrouped(w, ActFormat.FP16, m, 1000, 11008, GemvConfig.WHOLE_ROW)));
            }
        out.add(Arguments.of(GemvKernels.holisticGrouped(WeightFormat.INT4, ActFormat.FP16, 1, 1000, 11008, 32)));
        // the tensor-core GEMV with group scales (groups of whole K blocks): M = 8 and 16, N not a multiple of 8
        for (WeightFormat w : List.of(WeightFormat.INT8, WeightFormat.INT4, WeightFormat.NF4))
            for (int m : new int[] {8, 16}) {
                GemvConfig c = GemvKernels.holisticGrouped(w, ActFormat.FP16, m, 1000, 11008 / 128 * 128, 128);
                if (!c.launch().tensorCores()) throw new IllegalStateException("expected the tensor-core kernel: " + c);
                out.add(Arguments.of(c));
            }
        out.add(Arguments.of(GemvKernels.holisticGrouped(WeightFormat.INT4, ActFormat.FP16, 8, 1000, 11008 / 128 * 128, GemvConfig.WHOLE_ROW)));
        return out.stream();
    }

    @BeforeAll
    static void buildAllInParallel() throws Exception {
        context = GpuTestSupport.context();
        KernelCache cache = KernelCache.defaultCache();
        runner = new GemvRunner(context, cache);
        runner.buildAll(configs().map(args -> (GemvConfig) args.get()[0]).toList());
    }

    @AfterAll
    static void close() {
        if (runner != null) runner.close();
    }

    /** 11008 when the kernel's K unit divides it, else the next multiple of the unit. */
    static int oddK(GemvConfig c) {
        for (int k = 11008; ; k++) {
            try {
                c.validateShape(1000, k);
                return k;
            } catch (IllegalArgumentException notAMultiple) {
                // keep looking
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void matchesTheDoublePrecisionReference(GemvConfig config) {
        int k = oddK(config);
        GemvRunner.Check c = runner.check(config, 1000, k, System.nanoTime());
        System.out.printf("%-70s N=1000 K=%d error %.2e (tolerance %.0e)%s%n", GemvKernels.spec(config).kernelName(), k, c.error(),
                c.tolerance(), c.allWritten() ? "" : " UNWRITTEN OUTPUTS");
        assertThat(c.allWritten()).as("every output written").isTrue();
        assertThat(c.error()).as("error vs reference").isLessThanOrEqualTo(c.tolerance());
    }
}
