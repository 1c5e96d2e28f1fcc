package org.ladderae.env;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.ladderae.gpu.CudaDriver;

/** Runs everywhere: without a GPU (CI) the probe must report missing cleanly instead of crashing the JVM. */
class GpuChecksTest {
    @Test
    void reportsTheGpuOrExplainsWhyNot() {
        List<Check.Outcome> lines = GpuChecks.all().stream().map(Check::run).toList();
        if (!CudaDriver.availability().available()) {
            assertThat(lines).hasSize(1);
            Check.Outcome o = lines.get(0);
            assertThat(o.status()).isEqualTo(Check.Status.MISSING);
            assertThat(o.component()).isEqualTo("GPU");
            assertThat(o.detail()).isNotBlank();
            assertThat(o.fix()).contains("NVIDIA");
        } else {
            assertThat(lines).extracting(Check.Outcome::component).contains("CUDA driver", "GPU 0", "copy bandwidth");
            assertThat(lines).filteredOn(o -> o.component().equals("GPU 0")).allMatch(o -> o.status() == Check.Status.OK);
        }
    }

    @Test
    void headlessChartRenders() {
        Check.Outcome o = ChartCheck.headlessRendering().run();
        assertThat(o.status()).as(o.detail()).isEqualTo(Check.Status.OK);
    }
}
