package org.ladderae.charts;

import de.rototor.pdfbox.graphics2d.PdfBoxGraphics2D;
import de.rototor.pdfbox.graphics2d.PdfBoxGraphics2DFontTextDrawer;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.jfree.chart.text.TextUtils;
import org.ladderae.results.AtomicFiles;

/**
 * Writes a {@link Figure} as PNG (raster at the originals' 255 dpi) and/or PDF (vector; the
 * bundled TTFs are embedded so text stays selectable text, not outlines).
 */
public final class FigureWriter {
    /** The artifact's plotting scripts save PNGs with dpi=255. */
    public static final double PNG_DPI = 255;

    static {
        // JFreeChart's workaround draws rotated strings as TextLayout glyph outlines, which would
        // turn y-axis labels and the red marks into shapes in the PDF; drawString keeps them text.
        TextUtils.setUseDrawRotatedStringWorkaround(false);
    }

    private FigureWriter() {}

    public static List<Path> write(Figure figure, Path dir, String baseName, boolean png, boolean pdf) throws IOException {
        List<Path> written = new ArrayList<>();
        if (png) written.add(AtomicFiles.write(dir.resolve(baseName + ".png"), pngBytes(figure)));
        if (pdf) written.add(AtomicFiles.write(dir.resolve(baseName + ".pdf"), pdfBytes(figure)));
        return written;
    }

    public static BufferedImage image(Figure figure, double dpi) {
        double scale = dpi / Figure.POINTS_PER_INCH;
        BufferedImage img = new BufferedImage((int) Math.round(figure.width() * scale),
                (int) Math.round(figure.height() * scale), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.scale(scale, scale);
            figure.paint(g);
        } finally {
            g.dispose();
        }
        return img;
    }

    static byte[] pngBytes(Figure figure) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(image(figure, PNG_DPI), "png", out)) throw new IOException("no PNG writer available");
        return out.toByteArray();
    }

    static byte[] pdfBytes(Figure figure) throws IOException {
        float w = (float) figure.width(), h = (float) figure.height();
        try (PDDocument doc = new PDDocument(); PdfBoxGraphics2DFontTextDrawer fonts = new PdfBoxGraphics2DFontTextDrawer()) {
            for (String resource : List.of(ChartFonts.REGULAR_RESOURCE, ChartFonts.BOLD_RESOURCE)) {
                try (InputStream in = ChartFonts.open(resource)) {
                    fonts.registerFont(in);
                }
            }
            PDPage page = new PDPage(new PDRectangle(w, h));
            doc.addPage(page);
            PdfBoxGraphics2D g = new PdfBoxGraphics2D(doc, w, h);
            g.setFontTextDrawer(fonts);
            try {
                figure.paint(g);
            } finally {
                g.dispose();
            }
            try (PDPageContentStream content = new PDPageContentStream(doc, page)) {
                content.drawForm(g.getXFormObject());
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            doc.save(out);
            return out.toByteArray();
        }
    }
}
