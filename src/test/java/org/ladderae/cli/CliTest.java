package org.ladderae.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
    /** Output of one in-process run. */
    record Run(int exitCode, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.execute(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void unknownSubcommandIsAUsageErrorListingTheCommands() {
        Run r = run("figure10");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("ladder-ae: unknown command 'figure10': choose one of figure9, figure11");
    }

    @Test
    void badOptionIsAUsageError() {
        Run r = run("figure9", "--bogus");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("Unknown option: '--bogus'").contains("ladder-ae figure9 --help");
    }

    @Test
    void noCommandIsAUsageError() {
        assertThat(run().exitCode()).isEqualTo(2);
    }

    @Test
    void unknownChartFormatIsAUsageError(@TempDir Path out) {
        Run r = run("table1", "--formats", "svg", "--out", out.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("unknown chart format 'svg'");
    }

    @Test
    void unknownDatasetIsAUsageErrorNamingTheChoices(@TempDir Path out) {
        Run r = run("figure12", "--dataset", "h100", "--out", out.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("ladder-ae: figure12 has no dataset 'h100'; choose one of paper, v100-reproduce");
    }

    @Test
    void malformedPaperDataFailsWithOneLineAndNoStackTrace(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("figure9.json"), "{ \"schema\": ");
        Run r = run("figure9", "--paper-data", dir.toString(), "--out", dir.resolve("out").toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains("figure9.json: not valid JSON").doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void helpAndVersionExitZero() {
        Run help = run("--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("figure9").contains("doctor");
        Run version = run("--version");
        assertThat(version.exitCode()).isZero();
        assertThat(version.out()).startsWith("ladder-ae ");
    }

    @Test
    void listNamesEveryExperimentItsDatasetsAndReproduceSupport() {
        Run r = run("list");
        assertThat(r.exitCode()).isZero();
        for (String id : new String[] {"figure9", "figure11", "figure12", "figure13", "figure14", "table1", "table2"}) {
            assertThat(r.out()).contains(id);
        }
        assertThat(r.out()).contains("--dataset v100-reproduce").contains("numbers from A100").contains("--reproduce:");
    }

    @Test
    void doctorReportsEveryComponentAndExitsZero() {
        Run r = run("doctor", "--python", "/nonexistent/python3");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("Java").contains("GPU").contains("nvcc").contains("python3 + torch");
        assertThat(r.out()).contains("[missing] python3 + torch").contains("fix:");
    }

    @Test
    void allDrawsSevenResultFoldersAndOneReport(@TempDir Path out) throws IOException {
        Run r = run("all", "--out", out.toString(), "--formats", "png");
        assertThat(r.exitCode()).as(r.err()).isZero();
        for (String id : new String[] {"figure9", "figure11", "figure12", "figure13", "figure14", "table1", "table2"}) {
            try (var runs = Files.list(out.resolve(id))) {
                Path runDir = runs.findFirst().orElseThrow();
                assertThat(runDir.resolve("run.json")).exists();
                assertThat(runDir.resolve("data.json")).exists();
                assertThat(Files.readString(runDir.resolve("run.json"))).contains("\"numbers_measured_on\"");
            }
        }
        try (var reports = Files.list(out.resolve("all"))) {
            Path report = reports.findFirst().orElseThrow();
            String html = Files.readString(report.resolve("report.html"));
            assertThat(html).contains("data:image/png;base64,").contains("Paper claims").contains("holds");
            try (var files = Files.list(report)) {
                assertThat(files.map(f -> f.getFileName().toString())).as("rewritten after each experiment, no drafts kept")
                        .containsExactlyInAnyOrder("report.md", "report.html");
            }
            assertThat(Files.readString(report.resolve("report.md"))).contains("## figure9").contains("Performance Overview - V100")
                    .doesNotContain(AllCommand.NOT_REACHED);
        }
    }

    @Test
    void aReportWrittenMidRunMarksTheExperimentsNotReachedYet() {
        var all = org.ladderae.experiments.Experiments.all();
        var done = java.util.List.of(new org.ladderae.reports.RunReport.Entry(all.get(0).id(), null, java.util.List.of(), "boom"));
        var entries = AllCommand.withPending(done, all);
        assertThat(entries).hasSize(all.size());
        assertThat(entries.get(0).failure()).isEqualTo("boom");
        assertThat(entries.subList(1, entries.size())).allSatisfy(e -> assertThat(e.failure()).isEqualTo(AllCommand.NOT_REACHED));
        assertThat(entries).extracting(org.ladderae.reports.RunReport.Entry::experiment)
                .containsExactlyElementsOf(all.stream().map(org.ladderae.experiments.Experiment::id).toList());
    }

    @Test
    void aRunNeverOverwritesAnEarlierOne(@TempDir Path out) throws IOException {
        assertThat(run("table2", "--out", out.toString()).exitCode()).isZero();
        assertThat(run("table2", "--out", out.toString()).exitCode()).isZero();
        try (var runs = Files.list(out.resolve("table2"))) {
            assertThat(runs.count()).isEqualTo(2);
        }
    }

    @Test
    void reproduceWithoutAGpuIsOneClearLine(@TempDir Path out) {
        Run r = run("figure12", "--reproduce", "--out", out.toString());
        org.junit.jupiter.api.Assumptions.assumeFalse(org.ladderae.gpu.CudaDriver.availability().available(), "this machine has a GPU");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("ladder-ae: figure12 --reproduce is not available here: no usable GPU:");
        assertThat(r.err().strip().lines()).hasSize(1);
        Run tuning = run("table2", "--reproduce", "--out", out.toString());
        assertThat(tuning.exitCode()).isEqualTo(2);
        assertThat(tuning.err().strip()).startsWith("ladder-ae: table2 --reproduce is not available here: no usable GPU:");
        Run endToEnd = run("figure9", "--reproduce", "--out", out.toString());
        assertThat(endToEnd.exitCode()).isEqualTo(2);
        assertThat(endToEnd.err().strip()).startsWith("ladder-ae: figure9 --reproduce is not available here: no usable GPU:");
    }

    @Test
    void tuningWithoutAGpuIsOneClearLine() {
        org.junit.jupiter.api.Assumptions.assumeFalse(org.ladderae.gpu.CudaDriver.availability().available(), "this machine has a GPU");
        Run r = run("tune", "gemv", "--weights", "int4", "-n", "1024", "-k", "8192");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err().strip()).startsWith("ladder-ae: tuning needs a GPU:");
        assertThat(r.err().strip().lines()).hasSize(1);
    }
}
