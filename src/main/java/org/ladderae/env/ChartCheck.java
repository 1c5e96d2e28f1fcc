package org.ladderae.env;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * Doctor line for headless chart drawing: renders a small labelled bar chart to PNG. Catches a Java
 * runtime that cannot draw text (missing libfreetype or fonts), which otherwise shows up only when a
 * figure is drawn.
 */
public final class ChartCheck {
    private ChartCheck() {}

    public static Check headlessRendering() {
        return () -> {
            try {
                DefaultCategoryDataset data = new DefaultCategoryDataset();
                data.addValue(1.0, "ladder", "fp16");
                data.addValue(2.5, "ladder", "int4");
                JFreeChart chart = ChartFactory.createBarChart("doctor", "format", "speedup", data);
                BufferedImage img = chart.createBufferedImage(320, 200);
                ByteArrayOutputStream png = new ByteArrayOutputStream();
                if (!ImageIO.write(img, "png", png)) throw new IOException("no PNG writer");
                String font = chart.getTitle().getFont().getFontName();
                return Check.Outcome.ok("headless charts", "rendered a 320x200 PNG (" + png.size() + " bytes, font " + font + ")");
            } catch (Throwable e) {
                // Font-stack failures surface as Errors (UnsatisfiedLinkError, InternalError) from AWT.
                return Check.Outcome.missing("headless charts", "cannot draw a chart: " + e,
                        "use the distribution's bundled runtime, or install libfreetype6 and a font (fonts-dejavu-core)");
            }
        };
    }
}
