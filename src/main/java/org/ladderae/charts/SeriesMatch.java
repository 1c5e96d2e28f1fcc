package org.ladderae.charts;

import java.util.Optional;
import java.util.function.Predicate;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.paperdata.Panel;
import org.ladderae.paperdata.Series;

/**
 * Finds a series by what it is (system and formats, or stage name), not by its spelled label,
 * which differs between data sets ("Pytorch Inductor" vs "PyTorch-Inductor").
 */
public record SeriesMatch(String description, Predicate<Series> test) {

    public static SeriesMatch system(String system, FormatPair formats) {
        return new SeriesMatch(system + (formats == null ? "" : " " + formats.label()),
                s -> system.equalsIgnoreCase(s.system()) && (formats == null || formats.equals(s.formatPair().orElse(null))));
    }

    public static SeriesMatch plainName(String plainName) {
        return new SeriesMatch(plainName, s -> plainName.equals(s.plainName()));
    }

    public Optional<Series> in(Panel panel) {
        return panel.series().stream().filter(test).findFirst();
    }
}
