package org.ladderae.experiments;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Optimisation breakdown on one LLaMA-2-70B layer: +Transform, +PTX, +Holistic Schedule. */
public final class Figure13 extends Experiment {
    @Override public String id() { return "figure13"; }

    @Override public String summary() { return "Optimisation breakdown on one LLaMA-2-70B layer: +Transform, +PTX, +Holistic Schedule"; }

    @Override public List<Path> render(RenderContext ctx) throws IOException {
        throw new IllegalStateException("figure13 cannot be drawn yet");
    }
}
