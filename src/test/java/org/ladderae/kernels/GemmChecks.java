package org.ladderae.kernels;

import static org.assertj.core.api.Assertions.assertThat;

/** The GEMM GPU tests' one check: a configuration on fresh random data against the double-precision reference. */
final class GemmChecks {
    private GemmChecks() {}

    /** Runs {@code config} once (outputs poisoned first), prints its error and asserts every output written and within tolerance. */
    static void assertMatchesReference(GemmRunner runner, GemmConfig config) {
        GemmRunner.Check c = runner.check(config, System.nanoTime());
        System.out.printf("%-78s sk%d %dx%dx%d error %.2e (tolerance %.0e)%s%n", config.kernelName(), config.splitK(), config.m(), config.n(),
                config.k(), c.error(), c.tolerance(), c.allWritten() ? "" : " UNWRITTEN OUTPUTS");
        assertThat(c.allWritten()).as("every output written").isTrue();
        assertThat(c.error()).as("error vs reference").isLessThanOrEqualTo(c.tolerance());
    }
}
