package org.ladderae.experiments;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Operator latency (GEMM/GEMV M0-M5, Conv2d C0-C7) as speedup over Ladder W_FP16A_FP16. */
public final class Figure12 extends Experiment {
    @Override public String id() { return "figure12"; }

    @Override public String summary() { return "Operator latency (GEMM/GEMV M0-M5, Conv2d C0-C7) as speedup over Ladder W_FP16A_FP16"; }

    @Override public List<Path> render(RenderContext ctx) throws IOException {
        throw new IllegalStateException("figure12 cannot be drawn yet");
    }
}
