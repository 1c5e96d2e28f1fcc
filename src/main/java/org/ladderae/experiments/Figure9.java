package org.ladderae.experiments;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** End-to-end latency of LLaMA/BLOOM layers and four CNN/encoder models on V100, as speedup over Welder. */
public final class Figure9 extends Experiment {
    @Override public String id() { return "figure9"; }

    @Override public String summary() { return "End-to-end latency of LLaMA/BLOOM layers and four CNN/encoder models on V100, as speedup over Welder"; }

    @Override public List<Path> render(RenderContext ctx) throws IOException {
        throw new IllegalStateException("figure9 cannot be drawn yet");
    }
}
