package org.ladderae.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ladderae.checkpoints.Checkpoint;
import org.ladderae.checkpoints.CheckpointFixtures;

class CheckpointsCommandTest {
    @TempDir Path tmp;
    private Path dir;
    private Checkpoint sample;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void setUp() throws IOException {
        dir = tmp.resolve("checkpoints");
        sample = CheckpointFixtures.saveSample(dir, "sm_90a", "ladder_gemv_int4_fp16_n4_k512");
    }

    private int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return Cli.execute(args, new PrintWriter(out), new PrintWriter(err));
    }

    @Test
    void listShowsATable() {
        assertThat(run("checkpoints", "list", "--dir", dir.toString())).isZero();
        assertThat(out.toString()).contains("ARCH", "BEST MS", "GPU")
                .containsPattern("sm_90a +ladder_gemv_int4_fp16_n4_k512 +gemv +1x16384x16384 +INT4xFP16 +ladder +0\\.0412 +NVIDIA H100");
    }

    @Test
    void verifyFailsNamingTheAlteredFile() throws IOException {
        assertThat(run("checkpoints", "verify", "--dir", dir.toString())).isZero();
        assertThat(out.toString()).contains("ok      sm_90a/ladder_gemv_int4_fp16_n4_k512", "all 1 checkpoints verified");

        Files.write(sample.binaryPath(), new byte[] {0});
        assertThat(run("checkpoints", "verify", "--dir", dir.toString())).isEqualTo(1);
        assertThat(err.toString()).contains(sample.binaryPath().toString() + " does not match its manifest")
                .endsWith("ladder-ae: 1 of 1 checkpoints failed verification" + System.lineSeparator());
    }

    @Test
    void checkOnAMachineWithoutAGpuSaysSoInOneLine() {
        org.junit.jupiter.api.Assumptions.assumeFalse(org.ladderae.gpu.CudaDriver.availability().available(), "this machine has a GPU");
        assertThat(run("checkpoints", "check", "--dir", dir.toString())).isEqualTo(1);
        assertThat(err.toString()).startsWith("ladder-ae: no usable GPU").hasLineCount(1);
    }

    @Test
    void packUnpackAndForce() {
        Path archive = tmp.resolve("ckpt.tar.gz");
        Path target = tmp.resolve("installed");
        assertThat(run("checkpoints", "pack", archive.toString(), "--dir", dir.toString())).isZero();
        assertThat(out.toString()).contains("packed 1 checkpoints (2 files) into ");

        assertThat(run("checkpoints", "unpack", archive.toString(), "--dir", target.toString())).isZero();
        assertThat(out.toString()).contains("installed sm_90a/ladder_gemv_int4_fp16_n4_k512");

        assertThat(run("checkpoints", "unpack", archive.toString(), "--dir", target.toString())).isEqualTo(1);
        assertThat(err.toString().lines()).singleElement().asString()
                .startsWith("ladder-ae: refusing to unpack ").endsWith("pass --force to replace it");

        assertThat(run("checkpoints", "unpack", archive.toString(), "--dir", target.toString(), "--force")).isZero();
        assertThat(out.toString()).contains("replaced  sm_90a/ladder_gemv_int4_fp16_n4_k512");
    }

    @Test
    void packRefusesAlteredCheckpoints() throws IOException {
        Files.write(sample.binaryPath(), new byte[] {0});
        assertThat(run("checkpoints", "pack", tmp.resolve("x.tar.gz").toString(), "--dir", dir.toString())).isEqualTo(1);
        assertThat(err.toString()).startsWith("ladder-ae: refusing to pack: checkpoint binary ");
        assertThat(tmp.resolve("x.tar.gz")).doesNotExist();
    }

    @Test
    void notAnArchiveIsOneLineAndExitOne() throws IOException {
        Path text = tmp.resolve("notes.tar.gz");
        Files.writeString(text, "hello\n");
        assertThat(run("checkpoints", "unpack", text.toString(), "--dir", tmp.resolve("d").toString())).isEqualTo(1);
        assertThat(err.toString().lines()).containsExactly("ladder-ae: " + text + " is not a gzip-compressed tar archive");
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(run("checkpoints")).isEqualTo(2);
        assertThat(err.toString()).contains("missing subcommand: choose one of list, verify, pack, unpack");
        assertThat(run("checkpoints", "pack")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required parameter: 'ARCHIVE'");
    }
}
