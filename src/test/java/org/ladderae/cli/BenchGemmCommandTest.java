package org.ladderae.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code bench gemm}: usage errors are one line with exit 2, decided before any GPU is looked for. */
class BenchGemmCommandTest {
    @Test
    void theTmaPathRefusesThePairsItHasNoKernelFor() {
        CliRun r = CliRun.of("bench", "gemm", "--path", "tma", "--weights", "int4", "--acts", "int4");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("ladder-ae: the TMA kernel does not take W_INT4A_INT4 (--path tma)");
    }

    @Test
    void anUnknownPathNamesTheChoices() {
        CliRun r = CliRun.of("bench", "gemm", "--path", "bogus");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("ladder-ae: unknown --path 'bogus': use auto, mma, wgmma or tma");
    }

    @Test
    void anUnknownFormatListsTheFormats() {
        CliRun r = CliRun.of("bench", "gemm", "--weights", "int3");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains("unknown weight format 'int3'").contains("int2");
    }
}
