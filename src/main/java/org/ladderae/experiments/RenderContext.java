package org.ladderae.experiments;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Set;
import org.ladderae.paperdata.Dataset;
import org.ladderae.paperdata.ExperimentData;

/**
 * What an experiment needs to draw itself: the experiment's data (all data sets, for layouts that
 * refer to the paper's numbers), the data set to draw, where to write, which chart formats, and a
 * writer for tables on stdout.
 */
public record RenderContext(ExperimentData data, Dataset dataset, Path outputDir, Set<ChartFormat> formats,
                            PrintWriter out) {

    /** Output file formats for charts. */
    public enum ChartFormat { PNG, PDF }

    /** Label for the data set's provenance, shown on every chart: which device measured the numbers. */
    public String deviceLabel() {
        String d = dataset.device();
        return switch (dataset.id()) {
            case "paper" -> "paper numbers, measured on " + d;
            case MeasuredPanels.DATASET_ID -> "measured by ladder-ae on " + d + " (not the paper's GPU: compare ratios, not times)";
            default -> dataset.id() + " (" + dataset.label() + "), measured on " + d;
        };
    }
}
