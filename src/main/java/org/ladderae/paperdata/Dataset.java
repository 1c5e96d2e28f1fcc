package org.ladderae.paperdata;

import java.util.List;
import java.util.Optional;

/**
 * One logged data set of an experiment: the paper's numbers, or another run kept in the artifact
 * (the authors' V100 reproduction, the A100 originals). {@code device} is the GPU the numbers were
 * really measured on, which is not always the artifact folder's name.
 */
public record Dataset(String id, String label, String device, String deviceNote, Source source,
                      String provenance, List<Panel> panels) {
    public Dataset { panels = List.copyOf(panels); }

    public Optional<Panel> panel(String panelId) {
        return panels.stream().filter(p -> p.id().equals(panelId)).findFirst();
    }

    public Panel requirePanel(String panelId) {
        return panel(panelId).orElseThrow(() -> new PaperDataException(
                "dataset '" + id + "' has no panel '" + panelId + "'"));
    }

    /** Where in the upstream repository the numbers come from. */
    public record Source(String repository, String branch, String commit, String path) {
        public String cite() { return repository + "@" + branch + " (" + commit.substring(0, Math.min(9, commit.length())) + "), " + path; }
    }
}
