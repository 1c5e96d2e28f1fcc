package org.ladderae.charts;

import java.awt.geom.Rectangle2D;

/** Splits an area into rows x columns (like matplotlib's GridSpec); cells may span. */
public record Grid(Rectangle2D area, double[] rowWeights, int columns, double hgap, double vgap) {

    public static Grid of(Rectangle2D area, int rows, int columns, double hgap, double vgap) {
        double[] w = new double[rows];
        java.util.Arrays.fill(w, 1);
        return new Grid(area, w, columns, hgap, vgap);
    }

    public Rectangle2D cell(int row, int column) { return cell(row, column, 1, 1); }

    public Rectangle2D cell(int row, int column, int rowSpan, int columnSpan) {
        double cellW = (area.getWidth() - hgap * (columns - 1)) / columns;
        double total = 0;
        for (double w : rowWeights) total += w;
        double unitH = (area.getHeight() - vgap * (rowWeights.length - 1)) / total;
        double y = area.getY();
        for (int r = 0; r < row; r++) y += rowWeights[r] * unitH + vgap;
        double h = -vgap;
        for (int r = row; r < row + rowSpan; r++) h += rowWeights[r] * unitH + vgap;
        double x = area.getX() + column * (cellW + hgap);
        double w = columnSpan * cellW + (columnSpan - 1) * hgap;
        return new Rectangle2D.Double(x, y, w, h);
    }
}
