package org.ladderae.paperdata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PaperDataLoaderTest {
    private final PaperDataLoader bundled = new PaperDataLoader();

    @Test
    void loadsEverySevenExperimentsWithThePaperDatasetFirst() {
        for (String id : new String[] {"figure9", "figure11", "figure12", "figure13", "figure14", "table1", "table2"}) {
            ExperimentData data = bundled.load(id);
            assertThat(data.experiment()).isEqualTo(id);
            assertThat(data.datasets().get(0).id()).isEqualTo("paper");
            assertThat(data.datasets().get(0).panels()).isNotEmpty();
        }
    }

    @Test
    void figure9LlamaBs1Seq1WelderIsThePaperValueOnV100() {
        Dataset paper = bundled.load("figure9").requireDataset("paper");
        Panel llama = paper.requirePanel("llama");
        Series welder = llama.series("Welder").orElseThrow();
        assertThat(paper.device()).isEqualTo("V100");
        assertThat(welder.value(llama.xIndex("BS1 SEQ1"))).isEqualTo(2.144288);
    }

    @Test
    void nullValuesCarryTheirReason() {
        Panel bloom = bundled.load("figure9").requireDataset("paper").requirePanel("bloom");
        Series inductor = bloom.series("PyTorch-Inductor").orElseThrow();
        int seq4096 = bloom.xIndex("BS1 SEQ4096");
        assertThat(inductor.value(seq4096)).isNull();
        assertThat(inductor.nullReason(seq4096)).contains("out of memory");
    }

    @Test
    void ladderSeriesHaveTypedFormatPairs() {
        Panel llama = bundled.load("figure9").requireDataset("paper").requirePanel("llama");
        Series int4 = llama.series("Ladder-W_INT4A_FP16").orElseThrow();
        assertThat(int4.formats()).isEqualTo(new FormatPair(NumberFormat.INT4, NumberFormat.FP16));
        assertThat(int4.formats().label()).isEqualTo("W_INT4A_FP16");
    }

    @Test
    void a100NumbersInTheV100FolderAreLabelledA100() {
        assertThat(bundled.load("figure12").requireDataset("paper").device()).isEqualTo("A100");
        assertThat(bundled.load("figure12").requireDataset("v100-reproduce").device()).isEqualTo("V100");
    }

    @Test
    void unknownDatasetNamesTheChoices() {
        assertThatThrownBy(() -> bundled.load("figure9").requireDataset("nope"))
                .isInstanceOf(UnknownDatasetException.class)
                .hasMessageContaining("paper, v100-reproduce");
    }

    @Test
    void seriesLongerThanItsAxisIsRejectedNamingFileAndField(@TempDir Path dir) throws IOException {
        String json = validFigure9().replaceFirst("\"values\": \\[\\s*3.162500858,", "\"values\": [ 1.0, 3.162500858,");
        Files.writeString(dir.resolve("figure9.json"), json);
        assertThatThrownBy(() -> new PaperDataLoader(dir).load("figure9"))
                .isInstanceOf(PaperDataException.class)
                .hasMessageContaining("figure9.json")
                .hasMessageContaining("datasets[0].panels[0].series[0].values")
                .hasMessageContaining("has 4 values but the panel's x axis has 3");
    }

    @Test
    void unknownFormatIsRejected(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("figure9.json"), validFigure9().replaceFirst("\"weight_format\": \"INT4\"", "\"weight_format\": \"INT3\""));
        assertThatThrownBy(() -> new PaperDataLoader(dir).load("figure9"))
                .hasMessageContaining("weight_format")
                .hasMessageContaining("unknown format 'INT3'");
    }

    @Test
    void invalidJsonReportsLineAndColumn(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("figure9.json"), "{\n \"schema\": \"ladder-ae/paper-data/v1\",\n \"datasets\": [ }");
        assertThatThrownBy(() -> new PaperDataLoader(dir).load("figure9"))
                .hasMessageContaining("figure9.json: not valid JSON (line 3");
    }

    @Test
    void missingFieldIsNamed(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("figure9.json"), validFigure9().replaceFirst("\"unit\": \"ms\",", ""));
        assertThatThrownBy(() -> new PaperDataLoader(dir).load("figure9")).hasMessageContaining("field 'unit' is missing");
    }

    @Test
    void missingFileIsNamed(@TempDir Path dir) {
        assertThatThrownBy(() -> new PaperDataLoader(dir).load("figure9")).hasMessageContaining("figure9.json: file not found");
    }

    static String validFigure9() throws IOException {
        try (var in = PaperDataLoaderTest.class.getResourceAsStream("/paper-data/figure9.json")) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
