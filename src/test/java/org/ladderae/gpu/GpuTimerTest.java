package org.ladderae.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GpuTimerTest {
    private static final GpuTimer.Options OPTS = new GpuTimer.Options(25, 300, 20, 2000, GpuTimer.Cache.NONE);

    @Test
    void repetitionsFillTheTargetTimeWithinBounds() {
        assertThat(GpuTimer.repetitions(0.05, OPTS)).isEqualTo(2000); // 6000 would fit: capped
        assertThat(GpuTimer.repetitions(1.0, OPTS)).isEqualTo(300);
        assertThat(GpuTimer.repetitions(100.0, OPTS)).isEqualTo(20);   // 3 would fit: floor
        assertThat(GpuTimer.repetitions(0.0, OPTS)).isEqualTo(2000);
    }

    @Test
    void smallWorkingSetsAreFlushedLargeOnesAreNot() {
        Device h100 = new Device(0, "H100", 9, 0, 132, 80L << 30, 50 << 20, 1980, 2619, 5120, 13000);
        assertThat(GpuTimer.cacheFor(16L << 20, h100)).isEqualTo(GpuTimer.Cache.FLUSH_L2);
        assertThat(GpuTimer.cacheFor(128L << 20, h100)).isEqualTo(GpuTimer.Cache.NONE);
    }

    @Test
    void rejectsNonsenseOptions() {
        assertThatThrownBy(() -> new GpuTimer.Options(25, 300, 0, 10, GpuTimer.Cache.NONE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GpuTimer.Options(25, 300, 20, 10, GpuTimer.Cache.NONE)).isInstanceOf(IllegalArgumentException.class);
    }
}
