package org.ladderae.experiments;

import java.util.List;
import java.util.Optional;

/** Every experiment of the artifact, in the order {@code all} runs them. */
public final class Experiments {
    private static final List<Experiment> ALL = List.of(
            new Figure9(), new Figure11(), new Figure12(), new Figure13(), new Figure14(), new Table1(), new Table2());

    private Experiments() {}

    public static List<Experiment> all() { return ALL; }

    public static Optional<Experiment> byId(String id) {
        return ALL.stream().filter(e -> e.id().equals(id)).findFirst();
    }
}
