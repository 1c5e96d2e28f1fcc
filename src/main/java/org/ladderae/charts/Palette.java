package org.ladderae.charts;

import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ladderae.paperdata.Series;

/**
 * Colours for a figure's series: a fixed colour per baseline system (so a system looks the same in
 * every figure), and one cool colour family for Ladder's variants, stepped in hue and lightness
 * so neighbouring variants stay distinguishable.
 */
public final class Palette {
    private static final Map<String, Color> SYSTEM_COLOURS = Map.ofEntries(
            Map.entry("PyTorch-Inductor", new Color(0xF2, 0x8E, 0x2B)),
            Map.entry("ONNXRuntime", new Color(0x9C, 0x75, 0x5F)),
            Map.entry("TensorRT", new Color(0xED, 0xC9, 0x48)),
            Map.entry("Welder", new Color(0x59, 0x59, 0x59)),
            Map.entry("Welder-Roller", new Color(0x9E, 0x9E, 0x9E)),
            Map.entry("Roller", new Color(0x9E, 0x9E, 0x9E)),
            Map.entry("vLLM", new Color(0xE1, 0x57, 0x59)),
            Map.entry("AMOS", new Color(0xB0, 0x7A, 0xA1)),
            Map.entry("TensorIR", new Color(0xFF, 0x9D, 0xA7)),
            Map.entry("cuBLAS", new Color(0x79, 0x79, 0x79)),
            Map.entry("CUTLASS", new Color(0xD4, 0xA6, 0x6A)),
            Map.entry("cuDNN", new Color(0x4D, 0x4D, 0x4D)),
            Map.entry("rocBLAS", new Color(0xBA, 0xB0, 0xAC)));
    /** A second variant of one baseline system (vLLM INT4 next to vLLM FP16) is drawn lighter. */
    private static final float VARIANT_LIGHTEN = 0.45f;
    private static final Color UNKNOWN_SYSTEM = new Color(0xBD, 0xBD, 0xBD);

    private Palette() {}

    /** Styles for {@code series} (in legend order, duplicates by key dropped). */
    public static Map<String, SeriesStyle> styles(List<Series> series) {
        Map<String, Series> unique = new LinkedHashMap<>();
        for (Series s : series) unique.putIfAbsent(SeriesStyle.keyOf(s), s);
        List<String> ladderKeys = unique.values().stream().filter(Series::isLadder).map(SeriesStyle::keyOf).toList();
        Map<String, Integer> variantsSeen = new LinkedHashMap<>();
        Map<String, SeriesStyle> styles = new LinkedHashMap<>();
        for (Map.Entry<String, Series> e : unique.entrySet()) {
            Series s = e.getValue();
            Color colour;
            if (s.isLadder()) {
                colour = ladderShade(ladderKeys.indexOf(e.getKey()), ladderKeys.size());
            } else {
                int variant = variantsSeen.merge(s.system(), 1, Integer::sum) - 1;
                colour = lighten(SYSTEM_COLOURS.getOrDefault(s.system(), UNKNOWN_SYSTEM), variant * VARIANT_LIGHTEN);
            }
            styles.put(e.getKey(), new SeriesStyle(e.getKey(), s.plainName(), colour, s.isLadder()));
        }
        return styles;
    }

    /** Variant {@code i} of {@code n}: hue from teal to violet, alternating darker and lighter. */
    static Color ladderShade(int i, int n) {
        float t = n <= 1 ? 0f : (float) i / (n - 1);
        float hue = 0.45f + 0.30f * t;
        float brightness = i % 2 == 0 ? 0.55f + 0.15f * t : 0.80f + 0.12f * t;
        float saturation = i % 2 == 0 ? 0.85f : 0.55f;
        return Color.getHSBColor(hue, saturation, brightness);
    }

    static Color lighten(Color c, float amount) {
        if (amount <= 0) return c;
        float a = Math.min(amount, 0.9f);
        return new Color(mix(c.getRed(), a), mix(c.getGreen(), a), mix(c.getBlue(), a));
    }

    private static int mix(int channel, float amount) { return Math.round(channel + (255 - channel) * amount); }

    /** Keeps the legend's order stable: {@code all} minus the keys of {@code drop}. */
    public static List<SeriesStyle> without(Map<String, SeriesStyle> all, List<String> dropKeys) {
        List<SeriesStyle> out = new ArrayList<>();
        for (SeriesStyle s : all.values()) if (!dropKeys.contains(s.key())) out.add(s);
        return out;
    }
}
