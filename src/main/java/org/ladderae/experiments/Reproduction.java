package org.ladderae.experiments;

import java.util.List;
import org.ladderae.paperdata.Dataset;
import org.ladderae.results.Measurement;

/** What a reproduction measured: every point (OK, n/a or failed, with reasons), and the data set in the paper's shape. */
public record Reproduction(Dataset dataset, List<Measurement> measurements) {
    public Reproduction { measurements = List.copyOf(measurements); }
}
