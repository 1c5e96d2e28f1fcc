package org.ladderae.reports;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableFormatsTest {
    private final Table table = Table.builder("Title, with comma", List.of("Row", "A", "B"))
            .row("r1", Arrays.asList(1.0, null), v -> String.valueOf((long) v), "n/a")
            .row("long row header", Arrays.asList(22.0, 3.0), v -> String.valueOf((long) v), "n/a")
            .note("a note").build();

    @Test
    void textIsBoxedAndAligned() {
        String[] lines = TableFormats.text(table).split("\n");
        assertThat(lines).hasSize(9);
        assertThat(Arrays.stream(lines).limit(8).map(String::length).distinct()).hasSize(1);
        assertThat(lines[5]).isEqualTo("| r1              | 1  | n/a |");
        assertThat(lines[8]).isEqualTo("a note");
    }

    @Test
    void csvQuotesFieldsWithCommasAndMarkdownHasAHeaderRule() {
        assertThat(TableFormats.csv(List.of(table))).startsWith("table,Row,A,B\r\n\"Title, with comma\",r1,1,n/a\r\n");
        assertThat(TableFormats.markdown(table)).contains("| Row | A | B |\n| --- | --- | --- |\n| r1 | 1 | n/a |\n");
    }
}
