package org.ladderae.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.ladderae.gpu.CudaDriver;

class SelftestCommandTest {
    @Test
    void withoutAGpuSaysWhyInOneLine() {
        Assumptions.assumeFalse(CudaDriver.availability().available(), "a GPU is present: the gpu-tagged tests cover selftest");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = Cli.execute(new String[] {"selftest"}, new PrintWriter(out), new PrintWriter(err));
        assertThat(rc).isEqualTo(UserError.RUN_FAILURE);
        assertThat(err.toString().strip()).startsWith("ladder-ae: no usable GPU:").doesNotContain("\n").doesNotContain("Exception");
    }

    @Test
    void buildOnlyRejectsANonArch() {
        StringWriter err = new StringWriter();
        int rc = Cli.execute(new String[] {"selftest", "--build-only", "volta"}, new PrintWriter(new StringWriter()), new PrintWriter(err));
        assertThat(rc).isEqualTo(UserError.USAGE);
        assertThat(err.toString()).contains("not a CUDA architecture");
    }
}
