package org.ladderae.experiments;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Peak GPU memory of one LLaMA-2-70B layer / BLOOM-176B block per framework and precision. */
public final class Figure11 extends Experiment {
    @Override public String id() { return "figure11"; }

    @Override public String summary() { return "Peak GPU memory of one LLaMA-2-70B layer / BLOOM-176B block per framework and precision"; }

    @Override public List<Path> render(RenderContext ctx) throws IOException {
        throw new IllegalStateException("figure11 cannot be drawn yet");
    }
}
