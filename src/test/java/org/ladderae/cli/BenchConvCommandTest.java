package org.ladderae.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** bench conv's argument handling (no GPU needed: bad input fails before the device is opened). */
class BenchConvCommandTest {
    @Test
    void shapesParseFromLabelsTheFigureAndDimensions() {
        assertThat(BenchConvCommand.parseShapes(List.of("figure12")).keySet()).containsExactly("C0", "C1", "C2", "C3", "C4", "C5", "C6", "C7");
        assertThat(BenchConvCommand.parseShapes(List.of("c3", "2,64,13,11,64,3,3,2,1")).keySet()).containsExactly("C3", "shape0");
    }

    @Test
    void badInputIsOneClearLineAndAUsageExit() {
        CliTest.Run r = CliTest.run("bench", "conv", "--weights", "int4", "--acts", "fp16");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("no conv kernel for --weights int4 --acts fp16");
        r = CliTest.run("bench", "conv", "--weights", "mxfp8", "--acts", "mxfp8", "--shape", "1,3,224,224,64,7,7,2,3");   // FP16 and FP8 weights run C = 3; MXFP8 does not
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("C=3 is not a multiple of 64");
        r = CliTest.run("bench", "conv", "--shape", "C9");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("C0..C7");
    }
}
