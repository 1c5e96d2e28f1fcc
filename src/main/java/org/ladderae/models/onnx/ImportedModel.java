package org.ladderae.models.onnx;

import java.nio.file.Path;
import java.util.Map;
import org.ladderae.models.ModelGraph;

/**
 * An ONNX model mapped onto the model IR: the checked graph, the values of the weights it names
 * (keyed by graph weight name), the linear weights that arrived already quantised (ladder.QuantLinear,
 * keyed by their logical name), and where it came from.
 */
public record ImportedModel(ModelGraph graph, Map<String, OnnxWeight> weights, Map<String, QuantizedWeight> quantizedWeights, Source source) {
    public ImportedModel {
        weights = Map.copyOf(weights);
        quantizedWeights = Map.copyOf(quantizedWeights);
    }

    public ImportedModel(ModelGraph graph, Map<String, OnnxWeight> weights, Source source) { this(graph, weights, Map.of(), source); }

    /** The file read: its SHA-256 ties a compiled model to its source. */
    public record Source(Path file, long bytes, String sha256, long irVersion, long opsetVersion, String producer) {}
}
