package org.ladderae.reports;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.ladderae.results.AtomicFiles;

/** Writes tables as {@code <name>.txt}, {@code .csv} and {@code .md}, and prints the text form. */
public final class TableWriter {
    private TableWriter() {}

    public static List<Path> write(List<Table> tables, Path dir, String name, PrintWriter out) throws IOException {
        String text = tables.stream().map(TableFormats::text).collect(Collectors.joining("\n"));
        String md = tables.stream().map(TableFormats::markdown).collect(Collectors.joining("\n"));
        out.print(text);
        out.flush();
        return List.of(
                AtomicFiles.write(dir.resolve(name + ".txt"), text.getBytes(StandardCharsets.UTF_8)),
                AtomicFiles.write(dir.resolve(name + ".csv"), TableFormats.csv(tables).getBytes(StandardCharsets.UTF_8)),
                AtomicFiles.write(dir.resolve(name + ".md"), md.getBytes(StandardCharsets.UTF_8)));
    }
}
