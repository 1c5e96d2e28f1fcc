package org.ladderae.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaselinesCommandTest {
    @TempDir Path dir;

    @Test
    void anUnavailableBaselineIsTabledAndWrittenAsNaWithItsReason() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.execute(new String[] {"baselines", "--only", "roller", "--out", dir.toString(),
                "--cache-dir", dir.resolve("cache").toString()}, new PrintWriter(out), new PrintWriter(err));
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("Roller").contains("16384x16384x16384").contains("na: ");
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir.resolve("baselines"))) {
            files = s.filter(p -> p.getFileName().toString().equals("measurements.json")).toList();
        }
        assertThat(files).hasSize(1);
        JsonNode doc = new ObjectMapper().readTree(files.get(0).toFile());
        JsonNode m = doc.get("measurements").get(0);
        assertThat(doc.get("measurements")).hasSize(1);
        assertThat(m.get("system").asText()).isEqualTo("Roller");
        assertThat(m.get("status").asText()).isEqualTo("NA");
        assertThat(m.get("reason").asText()).isNotBlank();
        assertThat(m.get("timing").isNull()).isTrue();
    }

    @Test
    void anUnknownSystemIsAUsageError() {
        StringWriter err = new StringWriter();
        int code = Cli.execute(new String[] {"baselines", "--only", "nope", "--out", dir.toString()}, new PrintWriter(new StringWriter()),
                new PrintWriter(err));
        assertThat(code).isEqualTo(UserError.USAGE);
        assertThat(err.toString()).contains("unknown baseline 'nope'").contains("cuBLAS");
    }
}
