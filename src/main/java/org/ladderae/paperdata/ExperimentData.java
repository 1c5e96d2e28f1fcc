package org.ladderae.paperdata;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/** Everything the artifact logged for one experiment: metadata, plot layout, and its data sets. */
public record ExperimentData(String experiment, String paperFigure, String title, String metric,
                             String unit, boolean lowerIsBetter, JsonNode layout, String transcribedFrom,
                             List<Dataset> datasets) {
    public ExperimentData { datasets = List.copyOf(datasets); }

    public Optional<Dataset> dataset(String id) {
        return datasets.stream().filter(d -> d.id().equals(id)).findFirst();
    }

    public List<String> datasetIds() { return datasets.stream().map(Dataset::id).toList(); }

    public Dataset requireDataset(String id) {
        return dataset(id).orElseThrow(() -> new UnknownDatasetException(
                experiment + " has no dataset '" + id + "'; choose one of " + String.join(", ", datasetIds())));
    }
}
