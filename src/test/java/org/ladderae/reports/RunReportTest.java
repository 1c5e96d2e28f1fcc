package org.ladderae.reports;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ladderae.paperdata.PaperDataLoader;

class RunReportTest {
    static Path png(Path p) throws IOException {
        Files.createDirectories(p.getParent());
        ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), "png", p.toFile());
        return p;
    }

    @Test
    void aReproductionShowsThePaperChartBesideTheMeasuredOneAndMeasuredVerdicts(@TempDir Path dir) throws IOException {
        Path run = dir.resolve("figure12/1");
        Path measured = png(run.resolve("figure12.png"));
        Path paper = png(run.resolve("paper/figure12.png"));
        Claim int4 = PaperClaims.all().get(0);
        RunReport report = new RunReport("t", Map.of("gpu", "Test GPU"), List.of(new RunReport.Entry("figure12", run, List.of(measured, paper), null),
                new RunReport.Entry("figure9", null, List.of(), "figure9 --reproduce is not available here")),
                List.of("vLLM-W_INT4A_FP16: vLLM not installed"),
                List.of(new RunReport.ClaimRow(int4, Optional.of(3.61), Optional.of(3.75)),
                        new RunReport.ClaimRow(PaperClaims.all().get(1), Optional.of(11.1), Optional.of(7.9))));
        String html = report.html();
        assertThat(html).contains("<div class=\"charts\">").contains("paper numbers: figure12.png").contains("measured here: figure12.png");
        assertThat(html).contains("holds (measured)").contains("fails (measured)").contains("vLLM not installed")
                .contains("Failed: figure9 --reproduce is not available here");
    }

    @Test
    void paperOnlyClaimsAreNotTestedHere() {
        List<RunReport.ClaimRow> rows = RunReport.claims(new PaperDataLoader(), Map.of());
        assertThat(rows).allSatisfy(r -> assertThat(r.measuredValue()).isEmpty());
        assertThat(rows.get(0).paperValue()).hasValueSatisfying(v -> assertThat(v).isGreaterThan(3.0));
    }
}
