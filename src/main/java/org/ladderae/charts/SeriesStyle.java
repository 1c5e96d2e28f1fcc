package org.ladderae.charts;

import java.awt.Color;
import org.ladderae.paperdata.Series;

/**
 * How one series looks in a figure: its legend label and colour. {@code key} identifies the series
 * across panels and data sets by system and formats (or stage), not by its spelled label, so the
 * authors' "Pytorch Inductor" and the paper's "PyTorch-Inductor" get the same colour.
 */
public record SeriesStyle(String key, String label, Color color, boolean ladder) {

    public static String keyOf(Series s) {
        String variant = s.formatPair().map(f -> f.label()).orElse(s.plainName());
        return s.system() + "|" + variant;
    }
}
