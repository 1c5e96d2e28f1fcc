package org.ladderae.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.apache.pdfbox.text.TextPosition;
import org.ladderae.paperdata.ExperimentData;
import org.ladderae.paperdata.PaperDataLoader;

/** Renders an experiment into a temp dir and inspects what came out. */
final class RenderedOutput {
    final List<Path> files;
    final String printed;

    private RenderedOutput(List<Path> files, String printed) {
        this.files = files;
        this.printed = printed;
    }

    static RenderedOutput render(String experiment, String dataset, Path dir) throws IOException {
        ExperimentData data = new PaperDataLoader().load(experiment);
        StringWriter out = new StringWriter();
        RenderContext ctx = new RenderContext(data, data.requireDataset(dataset), dir,
                Set.of(RenderContext.ChartFormat.PNG, RenderContext.ChartFormat.PDF), new PrintWriter(out));
        List<Path> files = Experiments.byId(experiment).orElseThrow().render(ctx);
        return new RenderedOutput(files, out.toString());
    }

    Path file(String suffix) {
        return files.stream().filter(f -> f.getFileName().toString().endsWith(suffix)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + suffix + " among " + files));
    }

    BufferedImage png() throws IOException {
        BufferedImage img = ImageIO.read(file(".png").toFile());
        assertThat(img).as("PNG decodes").isNotNull();
        return img;
    }

    String pdfText() throws IOException {
        try (PDDocument doc = Loader.loadPDF(file(".pdf").toFile())) {
            assertThat(doc.getNumberOfPages()).isEqualTo(1);
            return new PDFTextStripper().getText(doc);
        }
    }

    /**
     * Every glyph's text in content-stream order, rotated text included: PDFTextStripper's
     * page layout leaves out vertical text such as y-axis labels and the red marks.
     */
    String pdfGlyphs() throws IOException {
        StringBuilder glyphs = new StringBuilder();
        PDFTextStripper collector = new PDFTextStripper() {
            @Override
            protected void processTextPosition(TextPosition text) {
                glyphs.append(text.getUnicode());
            }
        };
        try (PDDocument doc = Loader.loadPDF(file(".pdf").toFile())) {
            collector.getText(doc);
        }
        return glyphs.toString();
    }

    String text(String suffix) throws IOException { return Files.readString(file(suffix)); }

    /** Distinct colours and the share of non-white pixels, sampled on a grid. */
    static int[] colourStats(BufferedImage img) {
        Set<Integer> colours = new HashSet<>();
        int nonWhite = 0, samples = 0;
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                int rgb = img.getRGB(x, y) & 0xFFFFFF;
                colours.add(rgb);
                if (rgb != 0xFFFFFF) nonWhite++;
                samples++;
            }
        }
        return new int[] {colours.size(), nonWhite * 1000 / samples};
    }
}
