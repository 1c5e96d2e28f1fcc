package org.ladderae.experiments;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Vendor-library GEMM support and efficiency (16384^3, % of peak) on V100, A100, MI250. */
public final class Table1 extends Experiment {
    @Override public String id() { return "table1"; }

    @Override public String summary() { return "Vendor-library GEMM support and efficiency (16384^3, % of peak) on V100, A100, MI250"; }

    @Override public List<Path> render(RenderContext ctx) throws IOException {
        throw new IllegalStateException("table1 cannot be drawn yet");
    }
}
