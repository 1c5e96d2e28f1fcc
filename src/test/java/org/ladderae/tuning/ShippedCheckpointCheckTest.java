package org.ladderae.tuning;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.ladderae.checkpoints.Checkpoint;
import org.ladderae.checkpoints.CheckpointStore;
import org.ladderae.kernels.ConvConfig;
import org.ladderae.kernels.ConvRunner;

/** Every checkpoint shipped in checkpoints/ has a checker in `ladder-ae checkpoints check`, and its conv manifests decode. */
class ShippedCheckpointCheckTest {
    private static final CheckpointStore SHIPPED = new CheckpointStore(Path.of("checkpoints"));

    @Test
    void everyShippedOperatorHasAChecker() throws Exception {
        var all = SHIPPED.list("sm_90a");
        assertThat(all).isNotEmpty();
        for (Checkpoint cp : all) assertThat(ShippedCheckpointCheck.CHECKED_OPERATORS).as(cp.id()).contains(cp.manifest().operator());
    }

    @Test
    void convCheckpointsDecodeAndTheirCheckShapesShareTheShippedBinary() throws Exception {
        int convs = 0;
        for (Checkpoint cp : SHIPPED.list("sm_90a")) {
            if (!cp.manifest().operator().equals(ConvCheckpoints.OPERATOR)) continue;
            ConvConfig c = ShippedCheckpointCheck.convConfig(cp.manifest());
            assertThat(c.kernelName()).isEqualTo(cp.manifest().entryName());
            // Without a compiler the check can only launch the shipped cubin: every check shape must build the same flags.
            for (ConvConfig at : ConvRunner.checkShapes(c)) assertThat(at.defineFlags()).as(cp.id() + " at " + at.shape().dims()).isEqualTo(c.defineFlags());
            convs++;
        }
        assertThat(convs).isPositive();
    }
}
