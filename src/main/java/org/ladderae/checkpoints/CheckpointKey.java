package org.ladderae.checkpoints;

import java.util.Locale;
import java.util.Objects;

/**
 * What an experiment asks for: the operator, problem shape, weight and activation formats and the
 * Ladder stage. At most one checkpoint per key and arch is kept.
 */
public record CheckpointKey(String operator, KernelShape shape, String weightFormat, String activationFormat, String stage) {
    public CheckpointKey {
        operator = normalize(operator, "operator").toLowerCase(Locale.ROOT);
        Objects.requireNonNull(shape, "shape");
        weightFormat = normalize(weightFormat, "weight_format").toUpperCase(Locale.ROOT);
        activationFormat = normalize(activationFormat, "activation_format").toUpperCase(Locale.ROOT);
        stage = normalize(stage, "stage").toLowerCase(Locale.ROOT);
    }

    static String normalize(String value, String field) {
        if (value == null || value.isBlank()) throw new IllegalArgumentException(field + " is missing");
        return value.trim();
    }

    /** E.g. {@code gemv 1x16384x16384 W_INT4 A_FP16 stage ladder}, for messages. */
    public String describe() {
        return operator + " " + shape + " W_" + weightFormat + " A_" + activationFormat + " stage " + stage;
    }
}
