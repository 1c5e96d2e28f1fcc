package org.ladderae.tuning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ladderae.checkpoints.Checkpoint;
import org.ladderae.checkpoints.CheckpointException;
import org.ladderae.checkpoints.CheckpointManifest;
import org.ladderae.checkpoints.CheckpointStore;
import org.ladderae.checkpoints.LaunchConfig;
import org.ladderae.kernels.GemmConfig;
import org.ladderae.kernels.GemmConfig.Format;

/** GEMM checkpoints: the manifest round trip, rebuilding the configuration, and what a lookup finds or says. */
class GemmCheckpointsTest {
    static final TuningEnvironment H100 = new TuningEnvironment("sm_90a", "NVIDIA H100 80GB HBM3", "13.0", "13.0.88");

    /** A report as the tuner returns it: {@code best} won at 1.5 ms against a second candidate at 2 ms. */
    static TuningReport<GemmConfig> report(GemmConfig best, GemmConfig other, byte[] cubin) {
        return new TuningReport<>("gemm", best, cubin, 1.5, 2.0, List.of(new TuningReport.Trial<>(best, 1.5, null),
                new TuningReport.Trial<>(other, 2.0, null), new TuningReport.Trial<>(other, null, "compile failed: pruned: ptxas spills")),
                Duration.ofMillis(1200), Duration.ofMillis(3400), Duration.ofMillis(4600));
    }

    static Checkpoint save(Path root, TuningEnvironment env, GemmConfig best, byte[] cubin) throws IOException {
        GemmConfig other = GemmSpace.candidates(best.weight(), best.activation(), best.m(), best.n(), best.k(), org.ladderae.kernels.TargetArch.parse("sm_90a"))
                .stream().filter(c -> !c.equals(best)).findFirst().orElseThrow();
        return GemmCheckpoints.save(new CheckpointStore(root), report(best, other, cubin), env, false);
    }

    @Test
    void theManifestRecordsTheLaunchAndTuningAndRoundTripsThroughTheStore(@TempDir Path dir) throws IOException {
        GemmConfig best = GemmConfig.mma(Format.INT4, Format.FP16, 32, 14336, 57344, 32, 128, 1, 4, 6, 4);
        byte[] cubin = {0x7f, 'E', 'L', 'F', 1, 2, 3};
        Checkpoint saved = save(dir, H100, best, cubin);
        CheckpointManifest read = CheckpointManifest.read(saved.directory().resolve(CheckpointManifest.FILE_NAME));
        assertThat(read).isEqualTo(saved.manifest());
        assertThat(read.operator()).isEqualTo("gemm");
        assertThat(read.weightFormat()).isEqualTo("INT4");
        assertThat(read.shape().toString()).isEqualTo("32x14336x57344");
        assertThat(read.name()).isEqualTo(best.kernelName() + "_m32_n14336_k57344_splitk4");
        assertThat(read.entryName()).isEqualTo(best.kernelName());
        assertThat(read.launch().grid()).isEqualTo(new LaunchConfig.Dim3(14336 / 128, 1, 4));
        assertThat(read.launch().block()).isEqualTo(new LaunchConfig.Dim3(128, 1, 1));
        assertThat(read.launch().sharedMemoryBytes()).isEqualTo(best.sharedMemoryBytes());
        assertThat(read.launch().params()).containsEntry("split_k", 4).containsEntry("wgmma", 0).containsEntry("stages", 6);
        assertThat(read.tuning().candidatesTried()).isEqualTo(3);
        assertThat(read.tuning().bestMs()).isEqualTo(1.5);
        assertThat(read.tuning().medianMs()).isEqualTo(2.0);
        assertThat(read.tuning().phaseTimeMs()).containsExactly(Map.entry("compile", 1200.0), Map.entry("measure", 3400.0));
        assertThat(read.gpuName()).isEqualTo("NVIDIA H100 80GB HBM3");
        assertThat(read.nvccVersion()).isEqualTo("13.0.88");
        assertThat(read.binarySha256()).hasSize(64);
        assertThat(GemmCheckpoints.config(read)).isEqualTo(best);
    }

    @Test
    void wgmmaConfigurationsRebuildFromTheirParams(@TempDir Path dir) throws IOException {
        GemmConfig best = GemmConfig.wgmma(Format.FP8_E4M3, 16384, 16384, 16384, 2, 256, 4);
        Checkpoint saved = save(dir, H100, best, new byte[] {9, 9});
        assertThat(GemmCheckpoints.config(saved.manifest())).isEqualTo(best);
        // the TMA warp-specialised kernel: its tile follows from the formats, so the path alone rebuilds it
        GemmConfig tma = GemmConfig.wgmmaTma(Format.INT4, 4096, 28672, 8192);
        Checkpoint savedTma = save(dir.resolve("tma"), H100, tma, new byte[] {7});
        assertThat(savedTma.manifest().launch().params()).containsEntry("wgmma", 2);
        assertThat(GemmCheckpoints.config(savedTma.manifest())).isEqualTo(tma);
        // the new TMA pairs: the activation format and a tuned stage count come back too
        for (GemmConfig c : new GemmConfig[] {GemmConfig.wgmmaTma(Format.INT1, Format.INT8, 4096, 28672, 8192, 4),
                GemmConfig.wgmmaTma(Format.FP8_E4M3, Format.FP8_E4M3, 16384, 16384, 16384, 3),
                GemmConfig.wgmmaTmaSkinny(Format.NF4, Format.FP16, 32, 8192, 28672, 32, 256, 4),
                GemmConfig.wgmmaTmaSkinny(Format.INT1, Format.INT8, 64, 8192, 28672, 64, 128, 8)}) {
            Checkpoint saved2 = save(dir.resolve(c.formatLabel()), H100, c, new byte[] {5});
            assertThat(GemmCheckpoints.config(saved2.manifest())).isEqualTo(c);
        }
    }

    @Test
    void paramsThatNoLongerBuildTheEntryKernelAreRefusedInOneLine() {
        GemmConfig best = GemmConfig.mma(Format.FP16, Format.FP16, 4096, 8192, 8192, 128, 128, 2, 2, 4, 1);
        CheckpointManifest m = GemmCheckpoints.manifest(report(best, best, new byte[] {1}), H100);
        Map<String, Integer> edited = new TreeMap<>(m.launch().params());
        edited.put("stages", 3);
        CheckpointManifest tampered = new CheckpointManifest(m.schemaVersion(), m.name(), m.operator(), m.shape(), m.weightFormat(),
                m.activationFormat(), m.stage(), new LaunchConfig(m.launch().grid(), m.launch().block(), m.launch().sharedMemoryBytes(), edited),
                m.entryName(), m.arch(), m.gpuName(), m.driverVersion(), m.nvccVersion(), m.tuning(), m.binaryFile(), null, null);
        assertThatThrownBy(() -> GemmCheckpoints.config(tampered)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("its params build kernel " + best.kernelName().replace("4stage", "3stage")).hasMessageNotContaining("\n");
        edited.remove("bn");
        CheckpointManifest noBn = new CheckpointManifest(m.schemaVersion(), m.name(), m.operator(), m.shape(), m.weightFormat(),
                m.activationFormat(), m.stage(), new LaunchConfig(m.launch().grid(), m.launch().block(), 0, edited),
                m.entryName(), m.arch(), m.gpuName(), m.driverVersion(), m.nvccVersion(), m.tuning(), m.binaryFile(), null, null);
        assertThatThrownBy(() -> GemmCheckpoints.config(noBn)).isInstanceOf(CheckpointException.class).hasMessageEndingWith("params has no bn");
    }

    @Test
    void lookupFindsTheCheckpointForItsArchAndSaysWhyWhenThereIsNone(@TempDir Path dir) throws IOException {
        GemmConfig best = GemmConfig.mma(Format.INT8, Format.INT8, 4096, 1024, 8192, 128, 128, 2, 2, 3, 1);
        save(dir, H100, best, new byte[] {4, 2});
        CheckpointStore store = new CheckpointStore(dir);

        GemmCheckpoints.Lookup hit = GemmCheckpoints.lookup(store, "sm_90a", Format.INT8, Format.INT8, 4096, 1024, 8192);
        assertThat(hit.tuned()).hasValueSatisfying(t -> {
            assertThat(t.config()).isEqualTo(best);
            assertThat(t.cubin()).containsExactly(4, 2);
        });
        assertThat(hit.missing()).isNull();

        GemmCheckpoints.Lookup otherShape = GemmCheckpoints.lookup(store, "sm_90a", Format.INT8, Format.INT8, 4096, 2048, 8192);
        assertThat(otherShape.tuned()).isEmpty();
        assertThat(otherShape.missing()).startsWith("no checkpoint for gemm 4096x2048x8192 W_INT8 A_INT8").doesNotContain("\n");

        // An A100 never runs the H100's kernel: one line naming both arches and what to run.
        GemmCheckpoints.Lookup otherArch = GemmCheckpoints.lookup(store, "sm_80", Format.INT8, Format.INT8, 4096, 1024, 8192);
        assertThat(otherArch.tuned()).isEmpty();
        assertThat(otherArch.missing()).contains("were tuned for sm_90a but this GPU is sm_80").contains("--force-tune-ladder").doesNotContain("\n");
    }

    @Test
    void aCorruptedBinaryIsAnErrorNotAFallback(@TempDir Path dir) throws IOException {
        Checkpoint saved = save(dir, H100, GemmConfig.wgmma(4096, 8192, 8192, 2, 256, 4), new byte[] {1, 2, 3});
        Files.write(saved.binaryPath(), new byte[] {1, 2, 4});
        assertThatThrownBy(() -> GemmCheckpoints.lookup(new CheckpointStore(dir), "sm_90a", Format.FP16, Format.FP16, 4096, 8192, 8192))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("does not match its manifest");
    }

    @Test
    void shippedGemmCheckpointsAreCheckedAtSmallerShapesThatStillWrapTheTileOrder() {
        GemmConfig wgmma = GemmConfig.wgmma(Format.FP16, 16384, 16384, 16384, 2, 256, 4);
        assertThat(ShippedCheckpointCheck.gemmCheckShapes(wgmma)).extracting(GemmConfig::m).containsExactly(33, 9 * 128 - 1);
        assertThat(ShippedCheckpointCheck.gemmCheckShapes(wgmma)).allSatisfy(c -> {
            assertThat(c.n()).isEqualTo(512);
            assertThat(c.kernelName()).isEqualTo(wgmma.kernelName());
        });
        GemmConfig small = GemmConfig.mma(Format.INT4, Format.FP16, 32, 14336, 57344, 32, 128, 1, 4, 6, 4);
        assertThat(ShippedCheckpointCheck.gemmCheckShapes(small)).extracting(GemmConfig::m).containsExactly(33, 32);
        assertThat(ShippedCheckpointCheck.gemmCheckShapes(small)).extracting(GemmConfig::splitK).containsOnly(4);
    }
}
