package org.ladderae.baselines;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BaselineDevicesTest {
    private static final String H100 = "NVIDIA H100 80GB HBM3";

    @Test
    void spreadsOverTheGpusOfTheFirstGpusModelOnly() {
        assertThat(BaselineDevices.select(List.of(H100, H100, "NVIDIA A100-SXM4-40GB", H100), null, null)).containsExactly("0", "1", "3");
    }

    @Test
    void mapsOrdinalsThroughThisProcesssVisibleDevices() {
        assertThat(BaselineDevices.select(List.of(H100, H100), "4, 6", null)).containsExactly("4", "6");
    }

    @Test
    void oneGpuOrACapOfOneInheritsThisProcesssGpu() {
        assertThat(BaselineDevices.select(List.of(H100), null, null)).containsExactly((String) null);
        assertThat(BaselineDevices.select(List.of(H100, H100, H100), null, "1")).containsExactly((String) null);
        assertThat(BaselineDevices.select(List.of(H100, H100, H100), null, "2")).containsExactly("0", "1");
        assertThat(BaselineDevices.select(List.of(H100, "NVIDIA A100-SXM4-40GB"), null, null)).containsExactly((String) null);
        assertThat(BaselineDevices.select(List.of(H100, H100), null, "many")).containsExactly("0", "1");
    }
}
