package org.ladderae.experiments;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Scaling the bit width of weights and activations: LLaMA-2-70B layer and its four GEMV/GEMM shapes. */
public final class Figure14 extends Experiment {
    @Override public String id() { return "figure14"; }

    @Override public String summary() { return "Scaling the bit width of weights and activations: LLaMA-2-70B layer and its four GEMV/GEMM shapes"; }

    @Override public List<Path> render(RenderContext ctx) throws IOException {
        throw new IllegalStateException("figure14 cannot be drawn yet");
    }
}
