package org.ladderae.experiments;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ladderae.kernels.GemmConfig.Format;
import org.ladderae.paperdata.Dataset;
import org.ladderae.paperdata.PaperDataLoader;

/**
 * Every GEMM problem (formats and shape) the reproductions measure with Ladder's GEMM kernels: Figure 12's
 * matmul points at M above the GEMV range (M1, M2, M4, M5), Figure 14's M = 4096 operator panel and Table 1's
 * 16384^3, from the same point lists the experiments measure, so the tuned set is exactly what they load.
 */
public final class FigureGemmShapes {
    private FigureGemmShapes() {}

    /** One GEMM problem and the experiment points it serves, e.g. "figure12 M5, figure14 M3". */
    public record Shape(Format weights, Format acts, int m, int n, int k, String points) {}

    public static List<Shape> all() {
        PaperDataLoader loader = new PaperDataLoader();
        Dataset f12 = loader.load("figure12").requireDataset("paper");
        Dataset f14 = loader.load("figure14").requireDataset("paper");
        List<LadderGemmPoints.Point> points = new ArrayList<>(LadderGemmPoints.forPanel(f12.requirePanel("matmul")));
        points.addAll(LadderGemmPoints.forPanel(f14.requirePanel(Figure14Reproduction.OPERATORS_M4096)));
        points.addAll(Table1Reproduction.ladderPoints());
        // Points of different figures with the same formats and shape share one tuned kernel.
        Map<List<Object>, List<String>> byProblem = new LinkedHashMap<>();
        for (LadderGemmPoints.Point p : points) {
            String where = experimentOf(p.workload()) + " " + p.setting();
            byProblem.computeIfAbsent(List.of(p.weights(), p.acts(), p.m(), p.n(), p.k()), x -> new ArrayList<>()).add(where);
        }
        List<Shape> shapes = new ArrayList<>();
        byProblem.forEach((key, where) -> shapes.add(new Shape((Format) key.get(0), (Format) key.get(1), (int) key.get(2), (int) key.get(3),
                (int) key.get(4), String.join(", ", where))));
        return shapes;
    }

    private static String experimentOf(String workload) {
        return switch (workload) {
            case "matmul" -> "figure12";
            case Figure14Reproduction.OPERATORS_M4096 -> "figure14";
            default -> "table1";
        };
    }
}
