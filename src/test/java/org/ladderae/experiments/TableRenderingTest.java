package org.ladderae.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ladderae.paperdata.Panel;
import org.ladderae.paperdata.PaperDataLoader;

/** Tables come out as text (also printed), CSV and Markdown with the paper's cells. */
class TableRenderingTest {
    @TempDir Path dir;

    @Test
    void table1HasOneTablePerDeviceWithPercentCellsAndXForUnsupported() throws Exception {
        RenderedOutput out = RenderedOutput.render("table1", "paper", dir);
        Panel v100 = new PaperDataLoader().load("table1").requireDataset("paper").requirePanel("v100");
        String cuBlasFp16 = Math.round(v100.series("cuBLAS").orElseThrow().value(0)) + "%";

        assertThat(cuBlasFp16).isEqualTo("78%");
        assertThat(out.printed).contains("Performance Overview - V100", "Performance Overview - A100", "Performance Overview - MI250")
                .containsPattern("\\| cuBLAS +\\| +78% +\\| +x +\\|");
        assertThat(out.text(".txt")).isEqualTo(out.printed);
        assertThat(out.text(".csv")).contains("table,Library,W_FP16 A_FP16,W_INT8 A_INT8,W_FP8 A_FP8,W_NF4 A_FP16")
                .contains("Performance Overview - V100,cuBLAS,78%,x,x,x")
                .contains("Performance Overview - MI250,rocBLAS,46%,x,75%,x");
        assertThat(out.text(".md")).contains("**Performance Overview - A100**", "| cuBLAS | 87% | 52% | x | x |");
    }

    @Test
    void table2IsTransposedModelsByTools() throws Exception {
        RenderedOutput out = RenderedOutput.render("table2", "paper", dir);
        assertThat(out.printed).contains("Transposed Compilation Time Table")
                .containsPattern("\\|\\s+Model\\(BS\\)\\s+\\|\\s+AMOS\\s+\\|\\s+TensorIR\\s+\\|\\s+Welder\\s+\\|\\s+LADDER\\s+\\|")
                .containsPattern("\\| ResNet\\(1\\) +\\| +3852 +\\| +156 +\\| +11 +\\| +31 +\\|");
        assertThat(out.text(".csv")).contains("Transposed Compilation Time Table,ShuffleNet(128),3121,400,12,29");
        assertThat(out.text(".md")).contains("| ResNet(128) | 2191 | 836 | 18 | 44 |");
    }

    @Test
    void table2ShowsFractionalMinutesOfTheReproduction() throws Exception {
        RenderedOutput out = RenderedOutput.render("table2", "v100-reproduce", dir);
        assertThat(out.printed).containsPattern("\\| ResNet\\(1\\) +\\| +3851\\.9 +\\| +363\\.7 +\\| +8\\.93 +\\| +31\\.3 +\\|")
                .contains("v100-reproduce");
    }
}
