package org.ladderae.executor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.ladderae.gpu.LaunchConfig;

/** The FP16 norms' launch shape: warp rows for the encoders' widths, a block per row for the LLM widths. */
class NormLaunchTest {
    @Test
    void shortRowsGetAWarpEachEightToABlock() {
        LaunchConfig c = LayerExecutor.normLaunch(6401, 384);
        assertThat(c.blockX()).isEqualTo(32);
        assertThat(c.blockY()).isEqualTo(8);
        assertThat(c.gridX()).isEqualTo(801);   // ceil(6401 / 8): the last block's extra warps return at once
        assertThat(LayerExecutor.normLaunch(1, 1024).blockY()).isEqualTo(8);
    }

    @Test
    void longOrOddRowsGetABlockEach() {
        for (int width : new int[] {8192, 14336, 1032, 388}) {
            LaunchConfig c = LayerExecutor.normLaunch(7, width);
            assertThat(c.gridX()).as("width %d", width).isEqualTo(7);
            assertThat(c.blockX()).isEqualTo(512);
            assertThat(c.blockY()).isEqualTo(1);
        }
    }
}
