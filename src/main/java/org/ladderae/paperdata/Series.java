package org.ladderae.paperdata;

import java.util.List;
import java.util.Optional;

/**
 * One series of a panel: a system (and for Ladder, a format pair) with one value per x category.
 * A null value is a point the source did not measure; {@link #nullReason(int)} says why.
 */
public record Series(String name, String plainName, String system, FormatPair formats, String stage,
                     List<Double> values, List<String> nullReasons, List<String> raw) {

    public Series {
        values = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(values));
        nullReasons = nullReasons == null ? null : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(nullReasons));
        raw = raw == null ? null : List.copyOf(raw);
    }

    public Optional<FormatPair> formatPair() { return Optional.ofNullable(formats); }

    public Double value(int i) { return values.get(i); }

    public String nullReason(int i) {
        if (values.get(i) != null) return null;
        String r = nullReasons == null ? null : nullReasons.get(i);
        return r == null ? "no value in the source" : r;
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isLadder() { return "Ladder".equals(system); }
}
