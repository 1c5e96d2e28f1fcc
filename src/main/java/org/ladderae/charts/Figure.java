package org.ladderae.charts;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.ui.Drawable;

/**
 * One output figure: a page of the given size (inches, like matplotlib's figsize) holding
 * panels, legends and texts, each drawn into its own rectangle. Coordinates are points
 * (1/72 inch, top-left origin), so font sizes mean the same in PNG and PDF.
 */
public final class Figure {
    public static final double POINTS_PER_INCH = 72;

    private final double widthInches;
    private final double heightInches;
    private final List<Rectangle2D> areas = new ArrayList<>();
    private final List<Drawable> painters = new ArrayList<>();

    public Figure(double widthInches, double heightInches) {
        this.widthInches = widthInches;
        this.heightInches = heightInches;
    }

    public double widthInches() { return widthInches; }

    public double heightInches() { return heightInches; }

    public double width() { return widthInches * POINTS_PER_INCH; }

    public double height() { return heightInches * POINTS_PER_INCH; }

    public Figure add(Rectangle2D area, Drawable painter) {
        areas.add(area);
        painters.add(painter);
        return this;
    }

    /** Vertical strips from the top of the page, inside a side margin. */
    public Strips strips(double margin) { return new Strips(margin, margin, width() - 2 * margin, height() - margin); }

    public void paint(Graphics2D g) {
        g.setPaint(Color.WHITE);
        g.fill(new Rectangle2D.Double(0, 0, width(), height()));
        for (int i = 0; i < painters.size(); i++) painters.get(i).draw(g, areas.get(i));
    }

    /** Hands out full-width horizontal bands top to bottom. */
    public static final class Strips {
        private final double x;
        private final double width;
        private final double bottom;
        private double y;

        Strips(double x, double y, double width, double bottom) {
            this.x = x;
            this.y = y;
            this.width = width;
            this.bottom = bottom;
        }

        public Rectangle2D next(double height) {
            Rectangle2D r = new Rectangle2D.Double(x, y, width, height);
            y += height;
            return r;
        }

        /** Everything left above a band of {@code reserveBelow} points. */
        public Rectangle2D rest(double reserveBelow) { return next(bottom - y - reserveBelow); }

        public Rectangle2D last() { return next(bottom - y); }
    }
}
