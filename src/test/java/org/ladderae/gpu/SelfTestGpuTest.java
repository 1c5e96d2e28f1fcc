package org.ladderae.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.ladderae.kernels.KernelCache;

@Tag("gpu")
class SelfTestGpuTest {
    @Test
    void vectorAddAndGemvAreCorrectAndGemvNearsCopyBandwidth() {
        SelfTest.Report r = new SelfTest(GpuTestSupport.context(), KernelCache.defaultCache(), System.nanoTime()).run(0.8);
        for (SelfTest.Row row : r.rows()) System.out.printf("[gpu] %s %s: %.1f us, %.0f GB/s, %.1f %% of copy, rel err %.2e%n",
                row.kernel(), row.shape(), 1e3 * row.timing().medianMs(), row.gbPerSecond(), 100 * row.fractionOfCopy(), row.relError());
        assertThat(r.rows()).hasSize(2).allMatch(SelfTest.Row::correct, "correct");
        assertThat(r.rows().get(1).fractionOfCopy()).isGreaterThanOrEqualTo(0.8);
        assertThat(r.passed()).isTrue();
    }
}
