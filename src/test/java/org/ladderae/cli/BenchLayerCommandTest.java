package org.ladderae.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code bench layer}: the per-op profile is an option; usage errors are one line with exit 2, before any GPU is looked for. */
class BenchLayerCommandTest {
    @Test
    void helpOffersThePerOpProfile() {
        CliRun r = CliRun.of("bench", "layer", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("--per-op").contains("share");
    }

    @Test
    void anUnknownModelIsOneLine() {
        CliRun r = CliRun.of("bench", "layer", "--model", "gpt", "--per-op");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("ladder-ae: --model must be llama or bloom, not 'gpt'");
    }
}
