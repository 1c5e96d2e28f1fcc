package org.ladderae.charts;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the artifact's matplotlib labels into plain text: {@code W$_{INT4}$A$_{FP16}$} becomes
 * {@code W_INT4 A_FP16}, and the anonymised name "Bitter" becomes "Ladder".
 */
public final class LatexText {
    private static final Pattern SUBSCRIPT = Pattern.compile("\\$_\\{([^}]*)\\}\\$");
    private static final Pattern BITTER = Pattern.compile("\\bBitter\\b");

    private LatexText() {}

    public static String plain(String label) {
        if (label == null) return null;
        Matcher m = SUBSCRIPT.matcher(label);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            // A space after each subscript keeps "W_INT4" and "A_FP16" apart, as the subscript
            // baseline shift does in the original.
            m.appendReplacement(sb, Matcher.quoteReplacement("_" + m.group(1) + " "));
        }
        m.appendTail(sb);
        String text = BITTER.matcher(sb.toString()).replaceAll("Ladder");
        return text.replace("$", "").replaceAll(" +", " ").replaceAll(" ([)\\],])", "$1").trim();
    }
}
