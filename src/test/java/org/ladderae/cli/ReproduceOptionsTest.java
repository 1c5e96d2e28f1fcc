package org.ladderae.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --dry-run and --resume through the command line, on a machine without a GPU (CI). */
class ReproduceOptionsTest {
    @Test
    void figure14DryRunListsEveryPointWithAnEstimateAndWritesNothing(@TempDir Path out) {
        CliTest.Run r = CliTest.run("figure14", "--reproduce", "--dry-run", "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        // 48 GEMV points (M = 1, twelve formats) + 48 GEMM points (M = 4096, the twelve series at M0-M3)
        // + 24 end-to-end LLaMA layer points (twelve formats at BS1 SEQ1 and BS1 SEQ4096)
        assertThat(r.out()).contains("figure14 --reproduce would run 120 points")
                .contains("W_INT1A_INT4").contains("M=1 N=28672 K=8192").contains("matmul_bs1_seq1").contains("M=4096 N=28672 K=8192")
                .containsPattern("once: build \\d+ GEMV kernel configurations").containsPattern("once: build \\d+ GEMM kernel configurations")
                .doesNotContain("no GEMM kernel").doesNotContain("n/a (")
                .contains("e2e_bs1_seq4096").contains("llama layer BS1 SEQ4096").containsPattern("estimated total: ~\\d+ min");
        assertThat(out).isEmptyDirectory();
    }

    @Test
    void figure12DryRunListsTheConvPointsOfEveryLadderConvFormat(@TempDir Path out) {
        CliTest.Run r = CliTest.run("figure12", "--reproduce", "--dry-run", "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("Ladder conv").contains("W_MXFP8A_MXFP8").contains("W_INT4A_INT4").contains("128,64,56,56,64,3,3,1,1")
                .containsPattern("once: build \\d+ conv kernel configurations").doesNotContain("conv kernels are not built");
        assertThat(out).isEmptyDirectory();
    }

    @Test
    void table1DryRunListsTheLibraryGemms(@TempDir Path out) {
        CliTest.Run r = CliTest.run("table1", "--reproduce", "--dry-run", "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("cuBLAS").contains("PyTorch").contains("M=16384 N=16384 K=16384")
                .contains("Ladder GEMM").contains("W_NF4A_FP16").contains("W_FP8E4M3A_FP8E4M3").doesNotContain("no GEMM kernel");
    }

    @Test
    void dryRunOfTable2ListsOneTuningPerModelAndBatch(@TempDir Path out) {
        CliTest.Run r = CliTest.run("table2", "--reproduce", "--dry-run", "--out", out.toString());
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("table2 --reproduce would run 4 points").contains("23 distinct dense convs").contains("9 distinct dense convs");
    }

    @Test
    void dryRunAndResumeNeedReproduce(@TempDir Path out) {
        CliTest.Run r = CliTest.run("figure14", "--dry-run", "--out", out.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--dry-run goes with --reproduce");
    }

    @Test
    void resumeOfADirectoryOfAnotherExperimentIsAUsageError(@TempDir Path out) throws IOException {
        Path other = Files.createDirectories(out.resolve("figure12").resolve("20260101-000000"));
        CliTest.Run r = CliTest.run("figure14", "--reproduce", "--resume", other.toString(), "--out", out.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("is not a figure14 run directory");
        CliTest.Run missing = CliTest.run("figure14", "--reproduce", "--resume", out.resolve("nope").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("no such directory");
    }
}
