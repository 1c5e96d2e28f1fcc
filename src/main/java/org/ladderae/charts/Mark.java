package org.ladderae.charts;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text drawn on a zero-height bar where a value is missing. {@code limitation} marks a
 * system that cannot run the case (drawn red, as in the paper); other gaps (not measured, no
 * baseline) are drawn grey so they are not mistaken for a result.
 */
public record Mark(String text, boolean limitation) {
    private static final Pattern PLOT_LABEL = Pattern.compile("plot label '([^']+)'");

    /**
     * The mark for a null value: the paper's own label when the reason quotes it ("plot label
     * '...'"), else one in the paper's style ("X Not Support", "X OOM", "X Fail") from the
     * reason's leading words, else a neutral "no data".
     */
    public static Mark forNull(String reason, String seriesLabel) {
        String r = reason == null ? "" : reason;
        Matcher m = PLOT_LABEL.matcher(r);
        String lower = r.toLowerCase(Locale.ROOT);
        boolean limitation = lower.startsWith("not supported") || lower.startsWith("out of memory")
                || lower.startsWith("failed");
        if (m.find()) return new Mark(m.group(1), limitation);
        if (lower.startsWith("not supported")) return new Mark(seriesLabel + " Not Support", true);
        if (lower.startsWith("out of memory")) return new Mark(seriesLabel + " OOM", true);
        if (lower.startsWith("failed")) return new Mark(seriesLabel + " Fail", true);
        return new Mark("no data", false);
    }

    /** Whether the reason says the whole setting did not fit in memory. */
    public static boolean isOutOfMemory(String reason) {
        return reason != null && reason.toLowerCase(Locale.ROOT).startsWith("out of memory");
    }
}
