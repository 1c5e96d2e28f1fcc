package org.ladderae.charts;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LabelsTest {
    @Test
    void latexSubscriptsBecomeReadableText() {
        assertThat(LatexText.plain("W$_{INT4}$A$_{FP16}$")).isEqualTo("W_INT4 A_FP16");
        assertThat(LatexText.plain("Speedup Vs. Bitter-W$_{FP16}$A$_{FP16}$")).isEqualTo("Speedup Vs. Ladder-W_FP16 A_FP16");
        assertThat(LatexText.plain("BS1 SEQ4096")).isEqualTo("BS1 SEQ4096");
    }

    @Test
    void marksUseThePapersLabelElseOneInItsStyle() {
        assertThat(Mark.forNull("failed: plot label 'ONNX Fail'", "ONNXRuntime")).isEqualTo(new Mark("ONNX Fail", true));
        assertThat(Mark.forNull("not supported: AWQ", "vLLM")).isEqualTo(new Mark("vLLM Not Support", true));
        assertThat(Mark.forNull("out of memory on 16 GB", "TensorRT")).isEqualTo(new Mark("TensorRT OOM", true));
        assertThat(Mark.forNull("not run in the V100 reproduction", "AMOS")).isEqualTo(new Mark("no data", false));
    }
}
