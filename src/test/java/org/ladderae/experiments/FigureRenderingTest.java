package org.ladderae.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each figure renders from the paper numbers to a PNG of the expected size with content, and a PDF with real text. */
class FigureRenderingTest {
    @TempDir Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
            // experiment; file name; inches wide; inches high; text the PDF must contain
            "figure9;figure9_end2end_v100;16;5.0;Speedup vs. Welder",
            "figure11;figure11_memory_usage_v100;9;3.6;Memory Usage (MB)",
            "figure12;figure12_operator_performance_a100;8;4.2;Speedup Vs. Ladder-W_FP16 A_FP16",
            "figure13;figure13_optimization_breakdown;12;3.8;Normalized Speedup",
            "figure14;figure14_different_bits;8;4.8;Speedup Vs. Ladder-W_FP16 A_FP16"})
    void rendersPaperNumbers(String experiment, String name, double width, double height, String label) throws Exception {
        RenderedOutput out = RenderedOutput.render(experiment, "paper", dir);

        assertThat(out.files).extracting(p -> p.getFileName().toString()).containsExactlyInAnyOrder(name + ".png", name + ".pdf");
        BufferedImage png = out.png();
        assertThat(png.getWidth()).isEqualTo((int) Math.round(width * 255));
        assertThat(png.getHeight()).isEqualTo((int) Math.round(height * 255));
        int[] stats = RenderedOutput.colourStats(png);
        assertThat(stats[0]).as("distinct colours").isGreaterThan(20);
        assertThat(stats[1]).as("non-white pixels per mille").isBetween(30, 700);
        assertThat(out.pdfText()).as("horizontal text is extractable").contains("paper numbers");
        assertThat(out.pdfGlyphs()).as("the vertical axis label is text too").contains(label);
    }

    @Test
    void figure9MarksUnsupportedSystemsAndTheOutOfMemoryPanel() throws Exception {
        RenderedOutput out = RenderedOutput.render("figure9", "paper", dir);
        assertThat(out.pdfText()).contains("(a) LLAMA", "(f) ViT", "Welder (= 1)", "Ladder-W_INT1A_INT8");
        assertThat(out.pdfGlyphs()).contains("vLLM-4b Not Support", "ONNX Fail", "vLLM OOM", "AMOS Not Support", "TIR Not Support",
                "Out of memory");
    }

    @Test
    void figure13MarksWelderRollerWhereItCannotRun() throws Exception {
        RenderedOutput out = RenderedOutput.render("figure13", "paper", dir);
        assertThat(out.pdfText()).contains("W_MXFP8 A_MXFP8", "+Holistic Schedule", "BS1 SEQ4096");
        assertThat(out.pdfGlyphs()).contains("Welder Not Support");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"figure9", "figure12"})
    void rendersTheAuthorsV100Reproduction(String experiment) throws Exception {
        RenderedOutput out = RenderedOutput.render(experiment, "v100-reproduce", dir);
        assertThat(RenderedOutput.colourStats(out.png())[0]).isGreaterThan(20);
        // The reproduction spells "Pytorch Inductor"; matching by system keeps the paper's legend name.
        assertThat(out.pdfText()).contains("v100-reproduce", "PyTorch-Inductor".substring(0, experiment.equals("figure9") ? 16 : 0));
        if (experiment.equals("figure12")) assertThat(out.pdfGlyphs()).contains("vLLM Not Support");
    }
}
