package org.ladderae.reports;

import java.util.ArrayList;
import java.util.List;

/** Renders {@link Table}s as aligned text (PrettyTable style), CSV (RFC 4180) and Markdown. */
public final class TableFormats {
    private TableFormats() {}

    /** Boxed, padded text as the artifact's PrettyTable prints it, title in its own box. */
    public static String text(Table t) {
        int[] w = new int[t.columns().size()];
        for (int c = 0; c < w.length; c++) {
            w[c] = t.columns().get(c).length();
            for (List<String> r : t.rows()) w[c] = Math.max(w[c], r.get(c).length());
        }
        // A title wider than the columns widens the last column, so the box stays closed.
        int columnsWidth = 1;
        for (int width : w) columnsWidth += width + 3;
        if (t.title() != null && t.title().length() + 2 > columnsWidth - 2) w[w.length - 1] += t.title().length() + 2 - (columnsWidth - 2);
        StringBuilder rule = new StringBuilder("+");
        for (int width : w) rule.append("-".repeat(width + 2)).append('+');
        int inner = rule.length() - 2;
        StringBuilder sb = new StringBuilder();
        if (t.title() != null) {
            sb.append('+').append("-".repeat(inner)).append("+\n");
            sb.append('|').append(center(t.title(), inner)).append("|\n");
        }
        sb.append(rule).append('\n').append(line(t.columns(), w, true)).append(rule).append('\n');
        for (List<String> r : t.rows()) sb.append(line(r, w, false));
        sb.append(rule).append('\n');
        if (t.note() != null) sb.append(t.note()).append('\n');
        return sb.toString();
    }

    /** Several tables with the same columns as one CSV; the first column names the table. */
    public static String csv(List<Table> tables) {
        StringBuilder sb = new StringBuilder();
        List<String> header = new ArrayList<>();
        header.add("table");
        header.addAll(tables.get(0).columns());
        sb.append(csvLine(header));
        for (Table t : tables) {
            if (!t.columns().equals(tables.get(0).columns())) throw new IllegalArgumentException("tables differ in columns");
            for (List<String> r : t.rows()) {
                List<String> cells = new ArrayList<>();
                cells.add(t.title());
                cells.addAll(r);
                sb.append(csvLine(cells));
            }
        }
        return sb.toString();
    }

    public static String markdown(Table t) {
        StringBuilder sb = new StringBuilder();
        if (t.title() != null) sb.append("**").append(t.title()).append("**\n\n");
        sb.append(mdLine(t.columns()));
        sb.append("|").append(" --- |".repeat(t.columns().size())).append('\n');
        for (List<String> r : t.rows()) sb.append(mdLine(r));
        if (t.note() != null) sb.append('\n').append(t.note()).append('\n');
        return sb.toString();
    }

    private static String line(List<String> cells, int[] w, boolean centred) {
        StringBuilder sb = new StringBuilder("|");
        for (int c = 0; c < w.length; c++) {
            String cell = cells.get(c);
            sb.append(' ').append(centred || c > 0 ? center(cell, w[c]) : pad(cell, w[c])).append(" |");
        }
        return sb.append('\n').toString();
    }

    private static String pad(String s, int width) { return s + " ".repeat(width - s.length()); }

    private static String center(String s, int width) {
        int left = (width - s.length()) / 2;
        return " ".repeat(Math.max(0, left)) + s + " ".repeat(Math.max(0, width - s.length() - left));
    }

    private static String csvLine(List<String> cells) {
        List<String> quoted = new ArrayList<>();
        for (String c : cells) {
            quoted.add(c.contains(",") || c.contains("\"") || c.contains("\n") ? "\"" + c.replace("\"", "\"\"") + "\"" : c);
        }
        return String.join(",", quoted) + "\r\n";
    }

    private static String mdLine(List<String> cells) {
        return "| " + String.join(" | ", cells.stream().map(c -> c.replace("|", "\\|")).toList()) + " |\n";
    }
}
