package org.ladderae.experiments;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Whole-model tuning time of AMOS, TensorIR, Welder and Ladder (minutes). */
public final class Table2 extends Experiment {
    @Override public String id() { return "table2"; }

    @Override public String summary() { return "Whole-model tuning time of AMOS, TensorIR, Welder and Ladder (minutes)"; }

    @Override public List<Path> render(RenderContext ctx) throws IOException {
        throw new IllegalStateException("table2 cannot be drawn yet");
    }
}
