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
        assertThat(r.err().strip()).isEqualTo("ladder-ae: --model must be llama, bloom, vit or conformer, not 'gpt'");
    }

    @org.junit.jupiter.api.Test
    void repeatedBlocksShareOneOpKind() {
        assertThat(BenchLayerCommand.opKind("blocks.3.ffn1.linear1 (ladder_gemm_x_m16)")).isEqualTo("blocks.#.ffn1.linear1 (ladder_gemm_x_m16)");
        assertThat(BenchLayerCommand.opKind("encoder.layers.11.attn_2")).isEqualTo("encoder.layers.#.attn_2");
        assertThat(BenchLayerCommand.opKind("mlp.gate_proj+mlp.up_proj")).isEqualTo("mlp.gate_proj+mlp.up_proj");
    }
}
