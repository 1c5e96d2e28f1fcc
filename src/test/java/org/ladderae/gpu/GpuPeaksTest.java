package org.ladderae.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.ladderae.paperdata.NumberFormat;

class GpuPeaksTest {
    @Test
    void h100DriverNameGetsTheSxmDensePeaks() {
        GpuPeaks.Peaks p = GpuPeaks.forDevice("NVIDIA H100 80GB HBM3").orElseThrow();
        assertThat(p.model()).isEqualTo("H100 SXM");
        assertThat(p.peak(NumberFormat.FP16)).hasValue(989.4);
        assertThat(p.peak(NumberFormat.INT8)).hasValue(1978.9);
        assertThat(p.peak(NumberFormat.FP8_E4M3)).hasValue(1978.9);
        assertThat(p.source()).contains("NVIDIA H100 Tensor Core GPU datasheet");
    }

    @Test
    void h200SharesH100ComputeAndA100HasNoFp8() {
        assertThat(GpuPeaks.forDevice("NVIDIA H200").orElseThrow().peak(NumberFormat.FP16)).hasValue(989.4);
        GpuPeaks.Peaks a100 = GpuPeaks.forDevice("NVIDIA A100-SXM4-80GB").orElseThrow();
        assertThat(a100.peak(NumberFormat.INT8)).hasValue(624.0);
        assertThat(a100.peak(NumberFormat.FP8)).isEmpty();
    }

    @Test
    void v100SaysThePaperUsed112() {
        GpuPeaks.Peaks v = GpuPeaks.forDevice("Tesla V100-SXM2-16GB").orElseThrow();
        assertThat(v.peak(NumberFormat.FP16)).hasValue(125.0);
        assertThat(v.note()).contains("112");
    }

    @Test
    void unknownOrAmbiguousGpusHaveNoPeak() {
        assertThat(GpuPeaks.forDevice("NVIDIA GeForce RTX 4090")).isEmpty();
        // A PCIe H100 runs lower clocks than the SXM part: better no percent than a wrong one.
        assertThat(GpuPeaks.forDevice("NVIDIA H100 PCIe")).isEmpty();
        assertThat(GpuPeaks.unknownMessage("NVIDIA GeForce RTX 4090")).contains("unknown").contains("TFLOP/s only");
    }
}
