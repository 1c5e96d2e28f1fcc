package org.ladderae.charts;

import java.awt.Font;
import java.awt.FontFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The bundled DejaVu Sans fonts, used for every text of every chart so output does not depend on
 * the fonts installed on the machine. Loading this class also switches AWT to headless mode,
 * because charts are drawn on servers without a display and AWT reads the flag only once.
 */
public final class ChartFonts {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    public static final String REGULAR_RESOURCE = "/fonts/DejaVuSans.ttf";
    public static final String BOLD_RESOURCE = "/fonts/DejaVuSans-Bold.ttf";

    private static final Font REGULAR = load(REGULAR_RESOURCE);
    private static final Font BOLD = load(BOLD_RESOURCE);

    private ChartFonts() {}

    /** Regular weight at {@code size} points. */
    public static Font regular(float size) { return REGULAR.deriveFont(size); }

    /** Bold weight at {@code size} points. */
    public static Font bold(float size) { return BOLD.deriveFont(size); }

    /** A fresh stream of a bundled TTF, e.g. for embedding into a PDF. */
    public static InputStream open(String resource) {
        InputStream in = ChartFonts.class.getResourceAsStream(resource);
        if (in == null) throw new IllegalStateException("font " + resource + " is not bundled in this build");
        return in;
    }

    private static Font load(String resource) {
        try (InputStream in = open(resource)) {
            return Font.createFont(Font.TRUETYPE_FONT, in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read bundled font " + resource, e);
        } catch (FontFormatException e) {
            throw new IllegalStateException("bundled font " + resource + " is not a TrueType font", e);
        }
    }
}
