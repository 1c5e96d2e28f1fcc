package org.ladderae.paperdata;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every number in the bundled paper data equals the shared source it was transcribed from
 * (../shared/paper, present beside a checkout and in CI). Guards against edits by hand.
 */
class TranscriptionFidelityTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"figure9", "figure11", "figure12", "figure13", "figure14", "table1", "table2"})
    void bundledValuesEqualTheSharedSource(String id) throws IOException {
        Path shared = Path.of("..", "shared", "paper", id + ".json");
        Assumptions.assumeTrue(Files.exists(shared), "no ../shared/paper beside this checkout: nothing to compare against");
        JsonNode source = JSON.readTree(shared.toFile());
        ExperimentData ours = new PaperDataLoader().load(id);

        List<List<Panel>> sourceSets = new ArrayList<>();
        List<JsonNode> sourcePanels = new ArrayList<>();
        sourcePanels.add(source.get("panels"));
        source.path("other_datasets").forEach(o -> sourcePanels.add(o.get("panels")));
        assertThat(ours.datasets()).hasSameSizeAs(sourcePanels);
        for (int d = 0; d < sourcePanels.size(); d++) {
            JsonNode panels = sourcePanels.get(d);
            Dataset dataset = ours.datasets().get(d);
            assertThat(dataset.panels()).hasSize(panels.size());
            for (int p = 0; p < panels.size(); p++) {
                JsonNode series = panels.get(p).get("series");
                Panel panel = dataset.panels().get(p);
                for (int s = 0; s < series.size(); s++) {
                    JsonNode values = series.get(s).get("values");
                    for (int i = 0; i < values.size(); i++) {
                        Double mine = panel.series().get(s).value(i);
                        if (values.get(i).isNull()) assertThat(mine).isNull();
                        else assertThat(mine).as("%s %s %s[%d]", dataset.id(), panel.id(), panel.series().get(s).name(), i)
                                .isEqualTo(values.get(i).asDouble());
                    }
                }
            }
        }
    }
}
