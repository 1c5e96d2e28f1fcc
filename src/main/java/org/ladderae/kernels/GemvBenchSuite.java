package org.ladderae.kernels;

import java.util.ArrayList;
import java.util.List;

/**
 * The GEMV points the paper's operator figures need at batch 1: Figure 12 M0/M3 and Figure 14
 * M0-M3, for every format pair the kernels take, plus M = 16 for the 4-bit formats.
 */
public final class GemvBenchSuite {
    private GemvBenchSuite() {}

    /** One benchmark point: formats, M, N, K and which figure's label it belongs to. */
    public record Point(String label, WeightFormat weights, ActFormat acts, int m, int n, int k) {}

    public static final List<int[]> SHAPES = List.of(
            new int[] {14336, 57344}, new int[] {8192, 28672},           // Figure 12 M0, M3 (N, K)
            new int[] {1024, 8192}, new int[] {8192, 8192}, new int[] {28672, 8192});  // Figure 14 M0-M2 (M3 = Figure 12 M3)
    public static final List<String> SHAPE_LABELS = List.of("fig12 M0", "fig12 M3 = fig14 M3", "fig14 M0", "fig14 M1", "fig14 M2");

    public static List<Point> figures() {
        List<Point> points = new ArrayList<>();
        for (int s = 0; s < SHAPES.size(); s++) {
            for (GemvConfig.FormatPair f : GemvConfig.supportedPairs()) {
                points.add(new Point(SHAPE_LABELS.get(s), f.weights(), f.acts(), 1, SHAPES.get(s)[0], SHAPES.get(s)[1]));
            }
        }
        for (WeightFormat w : List.of(WeightFormat.INT4, WeightFormat.NF4)) {
            points.add(new Point("M=16 of fig12 M3", w, ActFormat.FP16, 16, 8192, 28672));
        }
        points.add(new Point("M=16 of fig12 M3", WeightFormat.FP16, ActFormat.FP16, 16, 8192, 28672));
        return points;
    }
}
