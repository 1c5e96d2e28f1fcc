package org.ladderae.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ladderae.checkpoints.CheckpointStore;
import org.ladderae.gpu.CudaDriver;
import org.ladderae.kernels.GemmConfig;
import org.ladderae.kernels.GemmConfig.Format;
import org.ladderae.tuning.GemmCheckpoints;
import org.ladderae.tuning.TuningEnvironment;
import org.ladderae.tuning.TuningReport;

/** {@code tune gemm}: the plan without a GPU, its usage errors in one line, and GEMM checkpoints in {@code checkpoints list/verify}. */
class TuneGemmCommandTest {
    @Test
    void theFiguresPlanListsEveryGemmProblemOnceWithItsCostAndFitsTheDefaultBudget() {
        CliRun r = CliRun.of("tune", "gemm", "--figures", "--dry-run");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("GEMM tuning plan for sm_90a: 73 problems")
                .containsPattern("figure12 M5, figure14 M3 +W_INT4A_FP16 +4096x8192x28672 +11 +12 ")
                .containsPattern("table1 16384x16384x16384 +W_FP8_E4M3A_FP8_E4M3 +16384x16384x16384 +20 +3 ")
                .contains("distinct kernels to compile").contains("fits the 600 s budget");
    }

    @Test
    void aTightBudgetNamesWhatItWouldSkip() {
        CliRun r = CliRun.of("tune", "gemm", "--figures", "--dry-run", "--budget-s", "30");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("over the 30 s budget, these would be skipped: ").contains("W_FP16A_FP16 16384x16384x16384");
    }

    @Test
    void oneShapeListsItsCandidatesAndWhatWasPrunedWithTheReason() {
        CliRun r = CliRun.of("tune", "gemm", "--dry-run", "--list-candidates", "--arch", "sm_80", "--weights", "fp16", "--acts", "fp16",
                "-m", "4096", "-n", "384", "-k", "8192");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("GEMM tuning plan for sm_80: 1 problems")
                .contains("    candidate ladder_gemm_w_fp16_a_fp16_mma16816_128x128x64_w2x2_3stage")
                .contains("pruned    mma 128x256 w2x4 3st: N=384 is not a multiple of BN=256")
                .contains("wgmma needs sm_90a, not sm_80");
    }

    @Test
    void badInputIsOneLineAndExitTwo() {
        for (String[] args : List.of(new String[] {"tune", "gemm", "--dry-run", "--arch", "sm_99"},
                new String[] {"tune", "gemm", "--dry-run", "--arch", "banana"},
                new String[] {"tune", "gemm", "--dry-run", "--budget-s", "0"},
                new String[] {"tune", "gemm", "--dry-run", "--weights", "int3"},
                new String[] {"tune", "gemm", "--dry-run", "--figures", "-m", "64"})) {
            CliRun r = CliRun.of(args);
            assertThat(r.code()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err()).startsWith("ladder-ae: ").hasLineCount(1);
        }
        assertThat(CliRun.of("tune", "gemm", "--dry-run", "--arch", "sm_99").err()).contains("unknown GPU arch sm_99");
    }

    @Test
    void withoutAGpuARealRunSaysSoInOneLine() {
        Assumptions.assumeFalse(CudaDriver.availability().available(), "this machine has a GPU");
        CliRun r = CliRun.of("tune", "gemm", "-m", "256", "-n", "512", "-k", "1024");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("ladder-ae: tuning needs a GPU").hasLineCount(1);
    }

    @Test
    void gemmCheckpointsAreListedAndVerified(@TempDir Path dir) throws Exception {
        GemmConfig best = GemmConfig.wgmma(Format.INT8, 16384, 16384, 16384, 2, 256, 4);
        GemmCheckpoints.save(new CheckpointStore(dir), new TuningReport<>("gemm", best, new byte[] {5, 6}, 10.0, 12.0,
                List.of(new TuningReport.Trial<>(best, 10.0, null)), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(7)),
                new TuningEnvironment("sm_90a", "NVIDIA H100 80GB HBM3", "13.0", "13.0.88"), false);
        CliRun list = CliRun.of("checkpoints", "list", "--dir", dir.toString());
        assertThat(list.code()).isZero();
        assertThat(list.out()).containsPattern("sm_90a +" + GemmCheckpoints.name(best) + " +gemm +16384x16384x16384 +INT8xINT8 +ladder +10\\.0000 +NVIDIA H100");
        CliRun verify = CliRun.of("checkpoints", "verify", "--dir", dir.toString());
        assertThat(verify.code()).isZero();
        assertThat(verify.out()).contains("all 1 checkpoints verified");
    }
}
