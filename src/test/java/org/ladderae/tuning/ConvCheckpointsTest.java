package org.ladderae.tuning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ladderae.checkpoints.CheckpointException;
import org.ladderae.checkpoints.CheckpointManifest;
import org.ladderae.checkpoints.CheckpointStore;
import org.ladderae.checkpoints.TuningSummary;
import org.ladderae.kernels.ConvConfig;
import org.ladderae.kernels.ConvFormat;
import org.ladderae.kernels.ConvKernels;
import org.ladderae.kernels.ConvShape;
import org.ladderae.models.CnnModels;

class ConvCheckpointsTest {
    private static final TuningEnvironment ENV = new TuningEnvironment("sm_90a", "NVIDIA H100 80GB HBM3", "13.0", "13.0");
    private static final TuningSummary SUMMARY = new TuningSummary(1234, Map.of("codegen", 1.0, "compile", 1000.0, "measure", 200.0, "check", 33.0), 17, 0.1, 0.2);

    @Test
    void everyCandidateOfEveryModelShapeRoundTripsThroughItsManifest() {
        for (int batch : new int[] {1, 128})
            for (ConvShape s : CnnModels.denseConvShapes("resnet", batch).subList(0, 6))
                for (ConvConfig c : ConvKernels.candidates(ConvFormat.W_FP16A_FP16, s)) {
                    CheckpointManifest m = ConvCheckpoints.manifest(c, SUMMARY, ENV);
                    assertThat(ConvCheckpoints.config(m, ConvFormat.W_FP16A_FP16)).isEqualTo(c);
                    assertThat(m.launch().grid().x()).isEqualTo(c.grid()[0]);
                }
    }

    @Test
    void keysTellApartConvsOfTheSameGemmShape() {
        // 3x3 over 64 channels and 1x1 over 576 channels: both 3136 x 64 x 576 as GEMMs
        ConvShape a = ConvShape.parse("1,64,56,56,64,3,3,1,1"), b = ConvShape.parse("1,576,56,56,64,1,1,1,0");
        assertThat(ConvCheckpoints.key(ConvFormat.W_FP16A_FP16, a).shape()).isEqualTo(ConvCheckpoints.key(ConvFormat.W_FP16A_FP16, b).shape());
        assertThat(ConvCheckpoints.key(ConvFormat.W_FP16A_FP16, a)).isNotEqualTo(ConvCheckpoints.key(ConvFormat.W_FP16A_FP16, b));
        assertThat(ConvCheckpoints.key(ConvFormat.W_FP16A_FP16, a).weightFormat()).isEqualTo("W_FP16");
        assertThat(ConvCheckpoints.key(ConvFormat.W_MXFP8A_MXFP8, a).activationFormat()).isEqualTo("A_MXFP8");
    }

    @Test
    void savedCheckpointsAreFoundForTheirShapeOnly(@TempDir Path dir) throws Exception {
        CheckpointStore store = new CheckpointStore(dir);
        ConvShape s = ConvShape.parse("128,58,28,28,58,1,1,1,0");
        ConvConfig c = ConvKernels.candidates(ConvFormat.W_FP16A_FP16, s).get(2);
        ConvCheckpoints.save(store, c, new byte[] {1, 2, 3}, SUMMARY, ENV, false);
        assertThat(ConvCheckpoints.lookup(store, "sm_90a", ConvFormat.W_FP16A_FP16, s)).contains(c);
        assertThat(ConvCheckpoints.lookup(store, "sm_90a", ConvFormat.W_FP16A_FP16, ConvShape.parse("1,58,28,28,58,1,1,1,0"))).isEmpty();
        assertThat(ConvCheckpoints.lookup(store, "sm_80", ConvFormat.W_FP16A_FP16, s)).isEmpty();
        org.ladderae.kernels.TargetArch h100 = org.ladderae.kernels.TargetArch.parse("sm_90a");
        assertThat(ConvCheckpoints.configFor(store, h100, s)).isEqualTo(c);
        ConvShape untuned = ConvShape.parse("1,58,28,28,58,1,1,1,0");
        assertThat(ConvCheckpoints.configFor(store, h100, untuned)).isEqualTo(ConvKernels.heuristic(untuned, h100));
    }

    @Test
    void aManifestWhoseParamsBuildAnotherKernelIsRefused() {
        ConvShape c0 = ConvShape.FIGURE12.get("C0");
        // an im2col tile with one more stage, and the halo conv with a shorter tile (3 output rows, not 4)
        refusedWith(ConvKernels.im2colHeuristic(c0, org.ladderae.kernels.TargetArch.parse("sm_90a")), "stages", 1);
        ConvConfig halo = ConvKernels.heuristic(c0);
        assertThat(halo.mma()).isEqualTo(org.ladderae.kernels.ConvMma.HALO);
        assertThat(ConvCheckpoints.config(ConvCheckpoints.manifest(halo, SUMMARY, ENV), ConvFormat.W_FP16A_FP16)).isEqualTo(halo);
        refusedWith(halo, "bm", -1);
    }

    private static void refusedWith(ConvConfig c, String param, int delta) {
        CheckpointManifest m = ConvCheckpoints.manifest(c, SUMMARY, ENV);
        Map<String, Integer> p = new LinkedHashMap<>(m.launch().params());
        p.put(param, p.get(param) + delta);
        CheckpointManifest other = new CheckpointManifest(m.schemaVersion(), m.name(), m.operator(), m.shape(), m.weightFormat(), m.activationFormat(),
                m.stage(), new org.ladderae.checkpoints.LaunchConfig(m.launch().grid(), m.launch().block(), m.launch().sharedMemoryBytes(), p),
                m.entryName(), m.arch(), m.gpuName(), m.driverVersion(), m.nvccVersion(), m.tuning(), m.binaryFile(), m.binarySha256(), m.createdAt());
        assertThatThrownBy(() -> ConvCheckpoints.config(other, ConvFormat.W_FP16A_FP16)).isInstanceOf(CheckpointException.class).hasMessageContaining("re-tune");
    }
}
