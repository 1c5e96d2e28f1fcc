package org.ladderae.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ladderae.paperdata.Dataset;
import org.ladderae.paperdata.Panel;
import org.ladderae.paperdata.PaperDataLoader;
import org.ladderae.results.Measurement;
import org.ladderae.results.TimingStats;

class Table2ReproductionTest {
    private static final Dataset PAPER = new PaperDataLoader().load("table2").requireDataset("paper");
    private static final Panel TEMPLATE = PAPER.panels().get(0);

    @Test
    void rowsAreThePapersModelsAndBatches() {
        assertThat(Table2Reproduction.rows(TEMPLATE)).containsExactly(
                new Table2Reproduction.Row("ResNet(1)", "resnet", 1), new Table2Reproduction.Row("ResNet(128)", "resnet", 128),
                new Table2Reproduction.Row("ShuffleNet(1)", "shufflenet", 1), new Table2Reproduction.Row("ShuffleNet(128)", "shufflenet", 128));
    }

    @Test
    void planTunesEveryDistinctDenseConvOfEachRow() {
        ReproducePlan plan = Table2Reproduction.plan(PAPER);
        assertThat(plan.points()).hasSize(4);
        assertThat(plan.points().get(0).shape()).isEqualTo("23 distinct dense convs");
        assertThat(plan.points().get(2).shape()).isEqualTo("9 distinct dense convs");
        assertThat(plan.notes()).anyMatch(n -> n.contains("Welder"));
    }

    @Test
    void measuredTableIsInMinutesWithPhasesAndReasonsForTheOtherTuners() {
        Measurement resnet1 = new Measurement(Table2Reproduction.LADDER, null, Table2Reproduction.PANEL, "ResNet(1)", Measurement.Status.OK,
                TimingStats.of(new double[] {90_000}), null, "GPU", Map.of(),
                Map.of("codegen_ms", 600.0, "compile_ms", 60_000.0, "measure_ms", 24_000.0, "check_ms", 5_400.0));
        Measurement failed = Measurement.failed(Table2Reproduction.LADDER, null, Table2Reproduction.PANEL, "ShuffleNet(1)", "1 of 9 convs found no kernel");
        Measurement welder = Measurement.notAvailable("Welder", null, Table2Reproduction.PANEL, "ResNet(1)", "not available: no nnfusion");
        List<Measurement> ms = List.of(resnet1, failed, welder);

        Panel measured = MeasuredPanels.fill(TEMPLATE, ms, Table2Reproduction::minutes, "no tuning time", (s, x) -> "not measured by this build");
        var ladder = measured.series().stream().filter(s -> s.system().equals("Ladder")).findFirst().orElseThrow();
        assertThat(ladder.value(0)).isCloseTo(1.5, within(1e-12));
        assertThat(ladder.value(2)).isNull();
        assertThat(ladder.nullReason(2)).startsWith("failed: 1 of 9");
        var welderSeries = measured.series().stream().filter(s -> s.system().equals("Welder")).findFirst().orElseThrow();
        assertThat(welderSeries.nullReason(0)).isEqualTo("na: not available: no nnfusion");

        Panel phases = Table2Reproduction.phases(TEMPLATE, ms);
        assertThat(phases.series()).extracting(s -> s.name()).containsExactly("Ladder codegen", "Ladder compile", "Ladder measure", "Ladder check");
        assertThat(phases.series().get(1).value(0)).isCloseTo(1.0, within(1e-12));
        assertThat(phases.series().get(1).value(1)).isNull();
        assertThat(phases.series().get(1).nullReason(1)).isEqualTo("not measured by this build");
        assertThat(phases.series().get(1).nullReason(2)).startsWith("failed: ");
    }

    @Test
    void measuredMinutesKeepTwoDecimalsAndPaperMinutesStayWhole() {
        assertThat(Table2.minutes(31)).isEqualTo("31");
        assertThat(Table2.minutes(0.8333)).isEqualTo("0.83");
        assertThat(Table2.minutes(12.25)).isEqualTo("12.3");
    }
}
