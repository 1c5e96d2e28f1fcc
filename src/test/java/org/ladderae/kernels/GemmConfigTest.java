package org.ladderae.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.ladderae.kernels.GemmConfig.Format;

class GemmConfigTest {
    @Test
    void int4NameFlagsAndGeometry() {
        GemmConfig c = GemmConfig.mma(Format.INT4, Format.FP16, 4096, 28672, 8192, 128, 256, 2, 4, 4, 1);
        assertThat(c.kernelName()).isEqualTo("ladder_gemm_w_int4_a_fp16_mma16816_128x256x64_w2x4_4stage");
        assertThat(c.nvccFlags()).contains("-DLADDER_FMT=1", "-DBM=128", "-DBN=256", "-DWARPS_M=2", "-DWARPS_N=4", "-DSTAGES=4",
                "-gencode=arch=compute_90a,code=sm_90a", "-DKNAME=" + c.kernelName());
        assertThat(c.grid()).containsExactly(32 * 112, 1, 1);
        assertThat(c.block()).containsExactly(256, 1, 1);
        assertThat(c.sharedMemoryBytes()).isEqualTo(4 * (128 * 128 + 256 * 32));
        assertThat(c.weightBytes()).isEqualTo(28672L * 8192 / 2);
        assertThat(c.workspaceBytes()).isZero();
    }

    @Test
    void int8AndOddMAndSplitK() {
        GemmConfig c = GemmConfig.mma(Format.INT8, Format.INT8, 33, 512, 1024, 32, 128, 1, 4, 4, 2);
        assertThat(c.kernelName()).isEqualTo("ladder_gemm_w_int8_a_int8_mma16832_32x128x128_w1x4_4stage");
        assertThat(c.bk()).isEqualTo(128);
        assertThat(c.grid()).containsExactly(2 * 4, 1, 2);  // ceil(33/32) = 2 tile rows
        assertThat(c.workspaceBytes()).isEqualTo(4L * 2 * 33 * 512);
        assertThat(c.nvccFlags()).contains("-DLADDER_FMT=2");
    }

    @Test
    void wgmmaName() {
        GemmConfig c = GemmConfig.wgmma(16384, 16384, 16384, 2, 256, 4);
        assertThat(c.kernelName()).isEqualTo("ladder_gemm_w_fp16_a_fp16_wgmma64x256x16_128x256x64_wg2_4stage");
        assertThat(c.block()).containsExactly(256, 1, 1);
        assertThat(c.sharedMemoryBytes()).isEqualTo(4 * (128 + 256) * 128 + 1024);
        assertThat(c.grid()).containsExactly(128 * 64, 1, 1);
        assertThat(c.nvccFlags()).contains("-DWG=2", "-DBN=256", "-DSTAGES=4");
    }

    @Test
    void rejectsWhatNoKernelDoes() {
        assertThatThrownBy(() -> GemmConfig.mma(Format.FP16, Format.FP16, 64, 500, 1024, 128, 128, 2, 2, 4, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BN");
        assertThatThrownBy(() -> GemmConfig.mma(Format.FP16, Format.FP16, 64, 512, 1000, 128, 128, 2, 2, 4, 1))
                .hasMessageContaining("BK");
        assertThatThrownBy(() -> GemmConfig.mma(Format.FP16, Format.FP16, 64, 512, 1024, 256, 256, 2, 4, 4, 1))
                .hasMessageContaining("shared memory");
        assertThatThrownBy(() -> new GemmConfig(Format.INT4, Format.INT8, GemmConfig.Path.MMA16832, 64, 512, 1024, 128, 128, 2, 2, 4, 1))
                .hasMessageContaining("no kernel");
    }
}
