package org.ladderae.checkpoints;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What tuning cost and found: total and per-phase wall time (e.g. "codegen", "compile",
 * "measure"), how many candidates were timed, and the chosen kernel's best and median run times.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TuningSummary(double tuningTimeMs, Map<String, Double> phaseTimeMs, int candidatesTried,
                            double bestMs, double medianMs) {
    public TuningSummary {
        if (candidatesTried < 1) throw new IllegalArgumentException("candidates_tried must be at least 1");
        if (!(bestMs > 0) || !(medianMs >= bestMs)) {
            throw new IllegalArgumentException("timings must satisfy 0 < best_ms <= median_ms, got " + bestMs + " and " + medianMs);
        }
        // Phase order is the tuner's order of work; keep it.
        phaseTimeMs = phaseTimeMs == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(phaseTimeMs));
    }
}
