package org.ladderae.reports;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleFunction;

/**
 * A table as printed by the artifact: a title, column headers (the first names the row-header
 * column) and rows of already formatted cells, plus an optional note (where the numbers come
 * from) printed under it. One model feeds the text, CSV and Markdown forms.
 */
public record Table(String title, List<String> columns, List<List<String>> rows, String note) {
    public Table {
        columns = List.copyOf(columns);
        rows = rows.stream().map(List::copyOf).toList();
        for (List<String> r : rows) {
            if (r.size() != columns.size()) throw new IllegalArgumentException("row " + r + " has " + r.size() + " cells, table has " + columns.size() + " columns");
        }
    }

    public static Builder builder(String title, List<String> columns) { return new Builder(title, columns); }

    /** The cell in the row whose header is {@code rowHeader}, column {@code column}. */
    public String cell(String rowHeader, String column) {
        int c = columns.indexOf(column);
        return rows.stream().filter(r -> r.get(0).equals(rowHeader)).findFirst()
                .map(r -> r.get(c)).orElseThrow(() -> new IllegalArgumentException("no row " + rowHeader));
    }

    public static final class Builder {
        private final String title;
        private final List<String> columns;
        private final List<List<String>> rows = new ArrayList<>();
        private String note;

        private Builder(String title, List<String> columns) {
            this.title = title;
            this.columns = List.copyOf(columns);
        }

        /** A row of numbers; a null value prints as {@code missing} ("x", "n/a"). */
        public Builder row(String header, List<Double> values, DoubleFunction<String> format, String missing) {
            List<String> cells = new ArrayList<>();
            cells.add(header);
            for (Double v : values) cells.add(v == null ? missing : format.apply(v));
            rows.add(cells);
            return this;
        }

        /** A row of cells already formatted, the row header first. */
        public Builder row(List<String> cells) {
            rows.add(List.copyOf(cells));
            return this;
        }

        public Builder note(String text) { this.note = text; return this; }

        public Table build() { return new Table(title, columns, rows, note); }
    }
}
