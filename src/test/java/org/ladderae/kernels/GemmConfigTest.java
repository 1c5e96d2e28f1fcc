package org.ladderae.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

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
        assertThatThrownBy(() -> new GemmConfig(Format.NF4, Format.INT8, GemmConfig.Path.MMA16832, 64, 512, 1024, 128, 128, 2, 2, 4, 1))
                .hasMessageContaining("no kernel");
        assertThatThrownBy(() -> new GemmConfig(Format.INT4, Format.INT8, GemmConfig.Path.MMA16816, 64, 512, 1024, 128, 128, 2, 2, 4, 1))
                .as("integer activations never take the f16 MMA").hasMessageContaining("no kernel");
    }

    @Test
    void newFormatPairsPickTheirKernelCodesAndSharedMemory() {
        TargetArch h100 = TargetArch.forComputeCapability(9, 0);
        GemmConfig nf4 = GemmKernels.forShape(Format.NF4, Format.FP16, 4096, 8192, 28672, TargetArch.forComputeCapability(8, 0));
        assertThat(nf4.defineFlags()).contains("-DLADDER_FMT=3");
        assertThat(nf4.sharedMemoryBytes()).isEqualTo(5 * (128 * 128 + 128 * 32) + 1024);   // + the NF4 table
        // (the mma.sync kernel: on sm_90a M = 33 takes the skinny TMA kernel, skinnyTmaKernelForMediumSmallM)
        GemmConfig fp8w = GemmKernels.forShape(Format.FP8_E5M2, Format.FP16, 33, 8192, 28672, TargetArch.forComputeCapability(8, 0));
        assertThat(fp8w.defineFlags()).contains("-DLADDER_FMT=4");
        assertThat(fp8w.weightBytes()).isEqualTo(8192L * 28672);
        GemmConfig int1 = GemmKernels.forShape(Format.INT1, Format.INT8, 4096, 8192, 28672, TargetArch.forComputeCapability(8, 0));
        assertThat(int1.defineFlags()).contains("-DLADDER_FMT=5");
        assertThat(int1.weightBytes()).isEqualTo(8192L * 28672 / 8);
        assertThat(int1.bk()).isEqualTo(128);
        GemmConfig mx = GemmKernels.forShape(Format.MXFP8, Format.MXFP8, 4096, 8192, 28672, h100);
        assertThat(mx.defineFlags()).contains("-DLADDER_FMT=8");
        assertThat(mx.activationBytes()).isEqualTo(4096L * 28672 + 4096L * 28672 / 32);
        assertThat(mx.sharedMemoryBytes()).isEqualTo(4 * (64 * 128 + 128 * 128 + 4 * (64 + 128)));
        // FP8 x FP8 and FP16 on sm_90a take the TMA wgmma kernel; on the cp.async wgmma kernel the element type is a flag
        GemmConfig e4m3 = GemmKernels.forShape(Format.FP8_E4M3, Format.FP8_E4M3, 16384, 16384, 16384, h100);
        assertThat(e4m3.path()).isEqualTo(GemmConfig.Path.WGMMA_TMA);
        assertThat(e4m3.defineFlags()).contains("-DWS_W=4");
        assertThat(e4m3.kernelName()).isEqualTo("ladder_gemm_w_fp8_e4m3_a_fp8_e4m3_wgmma64x256x32_tma_ws_128x256x128_4stage");
        GemmConfig e4m3v1 = GemmConfig.wgmma(Format.FP8_E4M3, 16384, 16384, 16384, 2, 256, 4);
        assertThat(e4m3v1.defineFlags()).contains("-DWG_ELEM=1");
        assertThat(e4m3v1.kernelName()).isEqualTo("ladder_gemm_w_fp8_e4m3_a_fp8_e4m3_wgmma64x256x16_128x256x128_wg2_4stage");
        assertThat(GemmKernels.forShape(Format.FP16, Format.FP16, 16384, 16384, 16384, h100).defineFlags()).noneMatch(f -> f.startsWith("-DWG_ELEM"));
        assertThat(GemmKernels.forShape(Format.FP8_E5M2, Format.FP8_E5M2, 33, 512, 1024, h100).defineFlags()).contains("-DLADDER_FMT=7");
        assertThat(GemmConfig.wgmma(Format.INT8, 4096, 512, 1024, 2, 256, 4).defineFlags()).contains("-DWG_ELEM=3");
    }

    @Test
    void tmaWarpSpecialisedKernels() {
        GemmConfig fp16 = GemmConfig.wgmmaTma(Format.FP16, 16384, 16384, 16384);
        assertThat(fp16.kernelName()).isEqualTo("ladder_gemm_w_fp16_a_fp16_wgmma64x256x16_tma_ws_128x256x64_4stage");
        assertThat(fp16.source()).isEqualTo("kernels/gemm/ladder_gemm_wgmma_ws.cu");
        assertThat(fp16.defineFlags()).contains("-DWS_W=0", "-DSTAGES=4");
        assertThat(fp16.block()).containsExactly(384, 1, 1);
        assertThat(fp16.grid()).containsExactly(128 * 64, 1, 1);
        // the numbers scripts/dev/wgmma_ws_build.py launched on the H200: 197696 (fp16), 222304 (int4), 223328 (nf4), 205904 (fp8)
        assertThat(fp16.sharedMemoryBytes()).isEqualTo(197_696);
        GemmConfig int4 = GemmConfig.wgmmaTma(Format.INT4, 4095, 28672, 8192);
        assertThat(List.of(int4.bm(), int4.bn(), int4.stages())).containsExactly(256, 128, 6);
        assertThat(int4.grid()).containsExactly(16 * 224, 1, 1);
        assertThat(int4.sharedMemoryBytes()).isEqualTo(222_304);
        assertThat(int4.defineFlags()).contains("-DWS_W=1");
        assertThat(GemmConfig.wgmmaTma(Format.NF4, 4096, 28672, 8192).sharedMemoryBytes()).isEqualTo(223_328);
        GemmConfig fp8 = GemmConfig.wgmmaTma(Format.FP8_E5M2, 4096, 28672, 8192);
        assertThat(fp8.sharedMemoryBytes()).isEqualTo(205_904);
        assertThat(fp8.defineFlags()).contains("-DWS_W=3", "-DSTAGES=5");
        assertThatThrownBy(() -> GemmConfig.wgmmaTma(Format.INT4, 4096, 28672, 8256)).hasMessageContaining("128");
        assertThatThrownBy(() -> GemmConfig.wgmmaTma(Format.FP8_E4M3, 4096, 28672, 8192)).hasMessageContaining("no kernel");
        assertThatThrownBy(() -> GemmConfig.wgmmaTma(Format.NF4, Format.INT8, 4096, 28672, 8192)).hasMessageContaining("no kernel");
        assertThatThrownBy(() -> GemmConfig.wgmmaTma(Format.FP8_E5M2, Format.FP8_E4M3, 4096, 28672, 8192)).hasMessageContaining("no kernel");
        assertThat(GemmRunner.tolerance(int4)).isEqualTo(GemmRunner.FP16_TOLERANCE);
    }

    @Test
    void tmaKernelsOfTheNewPairs() {
        // {weights, acts, WS_W, stages, bm, bn, dynamic shared memory as scripts/dev/wgmma_ws_build.py launched it on the H100}
        Object[][] pairs = {
                {Format.FP8_E4M3, Format.FP8_E4M3, 4, 4, 128, 256, 197_696}, {Format.FP8_E5M2, Format.FP8_E5M2, 5, 4, 128, 256, 197_696},
                {Format.INT8, Format.INT8, 6, 4, 128, 256, 197_696},
                {Format.INT8, Format.FP16, 7, 5, 256, 128, 205_904}, {Format.INT2, Format.FP16, 8, 6, 256, 128, 210_016},
                {Format.INT1, Format.FP16, 9, 6, 256, 128, 203_872},
                {Format.INT4, Format.INT8, 10, 5, 256, 128, 205_904}, {Format.INT2, Format.INT8, 11, 6, 256, 128, 222_304},
                {Format.INT1, Format.INT8, 12, 6, 256, 128, 210_016}};
        for (Object[] pr : pairs) {
            Format w = (Format) pr[0], a = (Format) pr[1];
            GemmConfig c = GemmConfig.wgmmaTma(w, a, 4096, 28672, 8192);
            assertThat(GemmConfig.supports(w, a, GemmConfig.Path.WGMMA_TMA)).as(c.formatLabel()).isTrue();
            assertThat(c.defineFlags()).as(c.formatLabel()).contains("-DWS_W=" + pr[2], "-DSTAGES=" + pr[3]);
            assertThat(List.of(c.bm(), c.bn(), c.threads())).as(c.formatLabel()).containsExactly((int) pr[4], (int) pr[5], 384);
            assertThat(c.sharedMemoryBytes()).as(c.formatLabel()).isEqualTo(pr[6]);
            assertThat(c.bk()).isEqualTo(a == Format.FP16 ? 64 : 128);
            assertThat(c.kernelName()).contains(a == Format.FP16 ? "wgmma64x256x16_tma_ws" : "wgmma64x256x32_tma_ws");
            assertThat(GemmConfig.tmaSharedOperands(w, a)).isEqualTo((int) pr[4] == 128);
            // the tuner's stage choices build the same kernel apart from STAGES
            assertThat(GemmConfig.wgmmaTma(w, a, 4096, 28672, 8192, 4).defineFlags()).contains("-DWS_W=" + pr[2], "-DSTAGES=4");
        }
        // weights decoded in registers take two k tiles per loop round: K % 256 with INT8 activations
        assertThatThrownBy(() -> GemmConfig.wgmmaTma(Format.INT4, Format.INT8, 4096, 28672, 8320)).hasMessageContaining("256");
        assertThat(GemmConfig.wgmmaTma(Format.INT8, Format.INT8, 4096, 28672, 8320).k()).isEqualTo(8320);   // shared operands: K % 128
        assertThatThrownBy(() -> GemmConfig.wgmmaTma(Format.FP8_E4M3, Format.FP8_E4M3, 4096, 28672, 8192, 5))
                .as("5 stages of 48 KiB are over 227 KiB").hasMessageContaining("shared memory");
        assertThat(GemmRunner.tolerance(GemmConfig.wgmmaTma(Format.FP8_E4M3, Format.FP8_E4M3, 4096, 28672, 8192)))
                .isEqualTo(GemmRunner.FP8_WGMMA_TOLERANCE);
        // the check shapes keep two k tiles per round (256 with INT8 activations)
        assertThat(GemmRunner.checkShapes(GemmConfig.wgmmaTma(Format.INT1, Format.INT8, 4096, 28672, 8192)))
                .extracting(GemmConfig::m, GemmConfig::n, c -> c.k() % 256).containsExactly(
                        org.assertj.core.groups.Tuple.tuple(33, 256, 0), org.assertj.core.groups.Tuple.tuple(4095, 256, 0));
    }

    @Test
    void figure14PairsPickTheirKernelCodesTilesAndSharedMemory() {
        TargetArch h100 = TargetArch.forComputeCapability(9, 0);
        // {weights, acts, LADDER_FMT, W bytes per row and K tile}
        Object[][] pairs = {{Format.INT8, Format.FP16, 9, 64}, {Format.INT2, Format.FP16, 10, 16}, {Format.INT1, Format.FP16, 11, 8},
                {Format.INT4, Format.INT8, 12, 64}, {Format.INT2, Format.INT8, 13, 32},
                {Format.INT4, Format.INT4, 14, 64}, {Format.INT2, Format.INT4, 15, 32}, {Format.INT1, Format.INT4, 16, 16}};
        for (Object[] pr : pairs) {
            Format w = (Format) pr[0], a = (Format) pr[1];
            int code = (int) pr[2], wRow = (int) pr[3];
            assertThat(GemmKernels.supports(w, a)).as("W_%sA_%s", w, a).isTrue();
            // on sm_90a the TMA kernel takes the FP16- and INT8-activation pairs (tmaKernelsOfTheNewPairs); the mma.sync
            // kernels are what an A100 gets
            assertThat(GemmKernels.forShape(w, a, 4096, 1024, 8192, h100).path()).as("W_%sA_%s on sm_90a", w, a)
                    .isEqualTo(a == Format.INT4 ? GemmConfig.Path.MMA16832 : GemmConfig.Path.WGMMA_TMA);
            GemmConfig big = GemmKernels.forShape(w, a, 4096, 1024, 8192, TargetArch.forComputeCapability(8, 0));
            assertThat(big.path()).isEqualTo(a == Format.FP16 ? GemmConfig.Path.MMA16816 : GemmConfig.Path.MMA16832);
            assertThat(big.defineFlags()).contains("-DLADDER_FMT=" + code);
            assertThat(List.of(big.bm(), big.bn(), big.warpsM(), big.warpsN(), big.splitK())).containsExactly(128, 128, 2, 2, 1);
            assertThat(big.stages()).isEqualTo(a == Format.FP16 ? 5 : a == Format.INT4 ? 4 : 3);
            int aRow = a == Format.INT4 ? 64 : 128;
            assertThat(big.sharedMemoryBytes()).as(big.kernelName()).isEqualTo(big.stages() * (128 * aRow + 128 * wRow));
            assertThat(big.bk()).isEqualTo(a == Format.FP16 ? 64 : 128);
            assertThat(big.weightBytes()).isEqualTo(1024L * 8192 * w.bits() / 8);
            assertThat(big.activationBytes()).isEqualTo(4096L * 8192 * a.bits() / 8);
            // W bytes per row = W_ROWB per K tile
            assertThat(big.weightBytes() / 1024 / (8192 / big.bk())).isEqualTo(wRow);
            GemmConfig small = GemmKernels.forShape(w, a, 32, 1024, 8192, TargetArch.forComputeCapability(8, 0));   // sm_90a: skinny TMA for INT1 x FP16
            assertThat(List.of(small.bm(), small.bn())).containsExactly(32, 128);
            assertThat(small.splitK()).as("split-K 8 below 8 bits, 2 for 8 tiles of 8-bit weights").isEqualTo(w.bits() < 8 ? 8 : 2);
        }
        GemmConfig i4 = GemmKernels.forShape(Format.INT4, Format.INT4, 4096, 28672, 8192, h100);
        assertThat(i4.kernelName()).isEqualTo("ladder_gemm_w_int4_a_int4_mma16832_128x128x128_w2x2_4stage");
        assertThat(i4.activationBytes()).as("packed two per byte").isEqualTo(4096L * 8192 / 2);
        assertThat(GemmKernels.forShape(Format.INT1, Format.FP16, 4096, 8192, 28672, h100).kernelName())
                .isEqualTo("ladder_gemm_w_int1_a_fp16_wgmma64x256x16_tma_ws_256x128x64_6stage");
        assertThat(GemmKernels.forShape(Format.INT1, Format.FP16, 4096, 8192, 28672, TargetArch.forComputeCapability(8, 0)).kernelName())
                .isEqualTo("ladder_gemm_w_int1_a_fp16_mma16816_128x128x64_w2x2_5stage");
        // FP16 activations: K tiles of 64, so the INT1 layout's 64-element blocks fit; INT4 acts: 128
        assertThatThrownBy(() -> GemmConfig.mma(Format.INT2, Format.INT4, 64, 512, 64 * 3, 128, 128, 2, 2, 4, 1)).hasMessageContaining("BK");
        assertThat(GemmKernels.supportedPairs()).contains("W_INT8A_FP16", "W_INT2A_FP16", "W_INT1A_FP16", "W_INT4A_INT8", "W_INT2A_INT8",
                "W_INT4A_INT4", "W_INT2A_INT4", "W_INT1A_INT4");
    }

    @Test
    void smallMTilesSplitKAsMeasuredAtFigure12M1AndM4() {
        // the mma.sync tiles (an A100's choice; sm_90a takes the skinny TMA kernel for these pairs, test below)
        TargetArch h100 = TargetArch.forComputeCapability(9, 0), a100 = TargetArch.forComputeCapability(8, 0);
        GemmConfig int4 = GemmKernels.forShape(Format.INT4, Format.FP16, 32, 14336, 57344, a100);
        assertThat(List.of(int4.bm(), int4.bn(), int4.stages(), int4.splitK())).containsExactly(32, 128, 4, 8);
        assertThat(GemmKernels.forShape(Format.INT1, Format.INT8, 32, 8192, 28672, a100).splitK()).isEqualTo(8);
        GemmConfig fp16m4 = GemmKernels.forShape(Format.FP16, Format.FP16, 32, 8192, 28672, h100);
        assertThat(List.of(fp16m4.stages(), fp16m4.splitK())).containsExactly(6, 2);
        assertThat(GemmKernels.forShape(Format.FP16, Format.FP16, 32, 14336, 57344, h100).splitK()).as("112 tiles fill the SMs").isEqualTo(1);
        // K = 64 * 12 takes the largest power of two that divides it
        assertThat(GemmKernels.forShape(Format.INT4, Format.FP16, 17, 1024, 64 * 12, a100).splitK()).isEqualTo(4);
        assertThat(GemmKernels.forShape(Format.INT4, Format.FP16, 16, 1024, 64 * 12, h100).path()).as("M < 17").isEqualTo(GemmConfig.Path.MMA16816);
    }

    @Test
    void skinnyTmaKernelForMediumSmallM() {
        TargetArch h100 = TargetArch.forComputeCapability(9, 0), a100 = TargetArch.forComputeCapability(8, 0);
        // Figure 12 M1 / M4 best points of the H100 sweep (GEMM-NOTES "wgmma skinny M"); shared memory = the dev build's
        GemmConfig int4 = GemmKernels.forShape(Format.INT4, Format.FP16, 32, 14336, 57344, h100);
        assertThat(int4.tmaSkinny()).isTrue();
        assertThat(int4.kernelName()).isEqualTo("ladder_gemm_w_int4_a_fp16_wgmma64x32x16_tma_ws_32x128x64_27stage");
        assertThat(int4.defineFlags()).contains("-DWS_W=1", "-DSTAGES=27", "-DWS_SKINNY=32", "-DWS_MB=1");
        assertThat(List.of(int4.splitK(), int4.sharedMemoryBytes())).containsExactly(1, 222_640);
        assertThat(int4.grid()).containsExactly(112, 1, 1);
        assertThat(int4.tmaSkinnyWorkspaceBytes()).isZero();
        GemmConfig int4m4 = GemmKernels.forShape(Format.INT4, Format.FP16, 32, 8192, 28672, h100);
        assertThat(int4m4.splitK()).isEqualTo(2);
        assertThat(int4m4.grid()).as("split = blockIdx.x % splitK").containsExactly(128, 1, 1);
        assertThat(int4m4.tmaSkinnyWorkspaceBytes()).isEqualTo(4L * 32 * 8192 + 4L * 64);
        assertThat(int4m4.workspaceBytes()).as("the runner owns the skinny workspace").isZero();
        GemmConfig nf4 = GemmKernels.forShape(Format.NF4, Format.FP16, 32, 8192, 28672, h100);
        // NF4: the 32 KiB bank-replicated table (the dev build's nf4L_s32m2: 16 stages, 230656 B)
        assertThat(List.of(nf4.bm(), nf4.bn(), nf4.splitK(), nf4.stages(), nf4.sharedMemoryBytes())).containsExactly(32, 256, 4, 16, 230_656);
        assertThat(nf4.defineFlags()).contains("-DWS_NF4_LANE=1");
        assertThat(GemmKernels.forShape(Format.NF4, Format.FP16, 64, 8192, 28672, h100).sharedMemoryBytes()).isEqualTo(230_592);
        assertThat(GemmConfig.wgmmaTma(Format.NF4, 4096, 8192, 28672).defineFlags()).noneMatch(f -> f.contains("NF4_LANE"));
        GemmConfig fp8 = GemmKernels.forShape(Format.FP8_E5M2, Format.FP16, 32, 8192, 28672, h100);
        assertThat(List.of(fp8.bn(), fp8.splitK(), fp8.sharedMemoryBytes())).containsExactly(128, 1, 222_496);
        GemmConfig i1i8 = GemmKernels.forShape(Format.INT1, Format.INT8, 32, 14336, 57344, h100);
        assertThat(List.of(i1i8.bn(), i1i8.splitK(), i1i8.sharedMemoryBytes())).containsExactly(256, 2, 222_640);
        assertThat(i1i8.kernelName()).contains("_wgmma64x32x32_tma_ws_32x256x128_");
        GemmConfig i1 = GemmKernels.forShape(Format.INT1, Format.FP16, 32, 8192, 28672, h100);
        assertThat(List.of(i1.bn(), i1.splitK(), i1.sharedMemoryBytes())).containsExactly(256, 4, 228_944);
        // 33..64 rows: 64-row activation tiles; below 17 rows and off sm_90a: mma.sync; pairs without the variant: mma.sync
        GemmConfig int4m64 = GemmKernels.forShape(Format.INT4, Format.FP16, 33, 8192, 28672, h100);
        assertThat(List.of(int4m64.bm(), int4m64.bn(), int4m64.splitK(), int4m64.sharedMemoryBytes())).containsExactly(64, 256, 4, 214_224);
        assertThat(List.of(GemmKernels.forShape(Format.FP8_E5M2, Format.FP16, 64, 8192, 28672, h100).bm(),
                GemmKernels.forShape(Format.FP8_E5M2, Format.FP16, 64, 8192, 28672, h100).splitK())).as("two 32-row tile rows").containsExactly(32, 1);
        assertThat(GemmKernels.forShape(Format.INT4, Format.FP16, 64, 8192, 28672, h100).defineFlags()).contains("-DWS_SKINNY=64");
        assertThat(GemmKernels.forShape(Format.INT4, Format.FP16, 32, 8192, 28672, a100).path()).isEqualTo(GemmConfig.Path.MMA16816);
        assertThat(GemmKernels.forShape(Format.INT8, Format.FP16, 32, 8192, 28672, h100).path()).isEqualTo(GemmConfig.Path.MMA16816);
        assertThat(GemmKernels.forShape(Format.INT4, Format.FP16, 32, 8192, 28672 + 64, h100).path()).as("K % 128").isEqualTo(GemmConfig.Path.MMA16816);
        // uneven split-K is the kernel's business (k tiles per split rounded up to even); tiles and pairs are checked
        assertThat(GemmConfig.wgmmaTmaSkinny(Format.INT4, Format.FP16, 32, 512, 1024, 32, 256, 3).splitK()).isEqualTo(3);
        assertThatThrownBy(() -> GemmConfig.wgmmaTmaSkinny(Format.INT8, Format.FP16, 32, 512, 1024, 32, 256, 1)).hasMessageContaining("skinny");
        assertThatThrownBy(() -> GemmConfig.wgmmaTmaSkinny(Format.INT4, Format.FP16, 32, 768, 1024, 32, 384, 1)).hasMessageContaining("skinny");
        assertThatThrownBy(() -> GemmConfig.wgmmaTmaSkinny(Format.INT4, Format.FP16, 32, 512, 64 * 3, 32, 256, 1)).hasMessageContaining("K=192");
        // the existing TMA kernels keep their names
        assertThat(GemmKernels.forShape(Format.INT4, Format.FP16, 4096, 8192, 28672, h100).kernelName())
                .isEqualTo("ladder_gemm_w_int4_a_fp16_wgmma64x256x16_tma_ws_256x128x64_6stage");
    }

    @Test
    void figure13StagesAreFlagsAndNamesOnTheMmaKernel() {
        TargetArch h100 = TargetArch.forComputeCapability(9, 0);
        Format[][] pairs = {{Format.FP16, Format.FP16}, {Format.INT4, Format.FP16}, {Format.INT1, Format.INT8}, {Format.MXFP8, Format.MXFP8}};
        for (Format[] f : pairs) {
            assertThat(GemmConfig.hasStageSwitches(f[0], f[1])).isTrue();
            GemmConfig base = GemmKernels.forStage(f[0], f[1], 4096, 8192, 8192, h100, GemvStage.BASELINE);
            GemmConfig transform = GemmKernels.forStage(f[0], f[1], 4096, 8192, 8192, h100, GemvStage.TRANSFORM);
            GemmConfig ptx = GemmKernels.forStage(f[0], f[1], 4096, 8192, 8192, h100, GemvStage.PTX);
            assertThat(base.kernelName()).endsWith("_base").startsWith(ptx.kernelName());
            assertThat(transform.kernelName()).isEqualTo(ptx.kernelName() + "_transform");
            assertThat(base.defineFlags()).contains("-DLADDER_STAGE=0");
            assertThat(transform.defineFlags()).contains("-DLADDER_STAGE=1");
            // +PTX is the full design's code at the fixed tile: the same flags (and cache key) as the HOLISTIC build of that tile
            assertThat(ptx.defineFlags()).isEqualTo(ptx.withStage(GemvStage.HOLISTIC).defineFlags()).noneMatch(x -> x.startsWith("-DLADDER_STAGE"));
            assertThat(List.of(base.path(), base.splitK())).containsExactly(f[1] == Format.FP16 ? GemmConfig.Path.MMA16816 : GemmConfig.Path.MMA16832, 1);
            assertThat(base.plainWeightLayout()).isTrue();
            assertThat(transform.plainWeightLayout()).isFalse();
            assertThat(base.withShape(33, 256, 1024).stage()).isEqualTo(GemvStage.BASELINE);
            assertThat(GemmKernels.forStage(f[0], f[1], 4096, 8192, 8192, h100, GemvStage.HOLISTIC)).isEqualTo(GemmKernels.forShape(f[0], f[1], 4096, 8192, 8192, h100));
        }
        assertThat(GemmKernels.forStage(Format.INT4, Format.FP16, 32, 8192, 8192, h100, GemvStage.TRANSFORM).bm()).isEqualTo(32);
        assertThatThrownBy(() -> GemmKernels.forStage(Format.NF4, Format.FP16, 4096, 8192, 8192, h100, GemvStage.TRANSFORM))
                .hasMessageContaining("not W_NF4A_FP16");
        assertThatThrownBy(() -> GemmConfig.wgmmaTma(Format.FP16, 4096, 8192, 8192).withStage(GemvStage.BASELINE)).hasMessageContaining("no BASELINE stage kernel");
        // the 12-component constructor is the full design
        assertThat(GemmConfig.mma(Format.INT4, Format.FP16, 64, 256, 1024, 32, 128, 1, 4, 4, 1).stage()).isEqualTo(GemvStage.HOLISTIC);
    }

    /** GemmGpuTest builds its cases with no GPU in sight: constructing them here catches a bad shape before the GPU run does. */
    @Test
    void gpuTestCasesCoverEveryPairAtPartialTilesAndSplitK() {
        List<GemmConfig> cases = GemmGpuTest.configs().map(a -> (GemmConfig) a.get()[0]).toList();
        for (String pair : GemmKernels.supportedPairs().split(", ")) {
            List<GemmConfig> mine = cases.stream().filter(c -> c.formatLabel().equals(pair)).toList();
            assertThat(mine).as(pair).isNotEmpty();
            if (mine.get(0).path() == GemmConfig.Path.WGMMA) continue;
            // M not a multiple of the tile (33, a large odd M), M = 1, and split-K
            assertThat(mine).as(pair).extracting(GemmConfig::m).contains(1, 33, 4095);
            assertThat(mine).as(pair).anySatisfy(c -> assertThat(c.splitK()).isGreaterThan(1));
        }
    }

    @Test
    void pairsWithoutAKernelAreRefused() {
        assertThat(GemmKernels.supports(Format.MXFP8, Format.FP16)).isFalse();
        assertThat(GemmKernels.supports(Format.FP8_E4M3, Format.FP8_E5M2)).isFalse();
        assertThat(GemmKernels.supports(Format.NF4, Format.INT8)).isFalse();
        assertThat(GemmKernels.supports(Format.INT8, Format.INT4)).as("INT4 activations pair with INT4/2/1 weights").isFalse();
        assertThat(GemmKernels.supports(Format.FP16, Format.INT4)).isFalse();
        assertThat(GemmKernels.supports(Format.INT2, Format.FP8_E4M3)).isFalse();
        assertThatThrownBy(() -> GemmConfig.wgmma(Format.MXFP8, 64, 512, 1024, 1, 256, 4)).hasMessageContaining("no kernel");
        assertThat(GemmKernels.supportedPairs()).contains("W_NF4A_FP16", "W_INT1A_INT8", "W_MXFP8A_MXFP8", "W_FP8_E4M3A_FP8_E4M3");
    }

    @Test
    void onlyFp8OnWgmmaGetsTheWiderTolerance() {
        assertThat(GemmRunner.tolerance(GemmConfig.wgmma(Format.FP8_E4M3, 64, 512, 1024, 1, 256, 4))).isEqualTo(GemmRunner.FP8_WGMMA_TOLERANCE);
        assertThat(GemmRunner.tolerance(GemmConfig.mma(Format.FP8_E4M3, Format.FP8_E4M3, 33, 256, 1024, 32, 128, 1, 4, 4, 1)))
                .isEqualTo(GemmRunner.FP16_TOLERANCE);
        assertThat(GemmRunner.tolerance(GemmConfig.wgmma(64, 512, 1024, 1, 256, 4))).isEqualTo(GemmRunner.FP16_TOLERANCE);
    }

    @Test
    void layerExecutorVariantsHaveTheirOwnNamesFlagsAndOutputs() {
        GemmConfig plain = GemmConfig.mma(Format.INT4, Format.INT8, 64, 512, 1024, 128, 128, 2, 2, 3, 1);
        GemmConfig i32 = plain.withVariant(GemmConfig.Variant.INT32_OUT);
        assertThat(plain.variant()).isEqualTo(GemmConfig.Variant.PLAIN);
        assertThat(plain.defineFlags()).noneMatch(f -> f.contains("INT_OUT") || f.contains("W_CENTRED"));
        assertThat(i32.kernelName()).isEqualTo(plain.kernelName() + "_i32out");
        assertThat(i32.defineFlags()).contains("-DINT_OUT=1");
        assertThat(i32.outputElementBytes()).isEqualTo(4);
        assertThat(i32.withShape(33, 256, 2048).variant()).isEqualTo(GemmConfig.Variant.INT32_OUT);
        GemmConfig c = GemmConfig.mma(Format.INT2, Format.FP16, 64, 512, 1024, 128, 128, 2, 2, 5, 1).withVariant(GemmConfig.Variant.CENTRED_CODES);
        assertThat(c.kernelName()).endsWith("_centred");
        assertThat(c.defineFlags()).contains("-DW_CENTRED=1");
        assertThat(c.outputElementBytes()).isEqualTo(2);
        assertThat(GemmConfig.wgmmaTma(Format.INT4, 4096, 1024, 1024).withVariant(GemmConfig.Variant.CENTRED_CODES).defineFlags()).contains("-DW_CENTRED=1");
        // variants exist only where the kernel has them
        assertThatThrownBy(() -> GemmConfig.mma(Format.FP16, Format.FP16, 64, 512, 1024, 128, 128, 2, 2, 3, 1).withVariant(GemmConfig.Variant.INT32_OUT))
                .hasMessageContaining("no INT32_OUT variant");
        assertThatThrownBy(() -> GemmConfig.mma(Format.NF4, Format.FP16, 64, 512, 1024, 128, 128, 2, 2, 3, 1).withVariant(GemmConfig.Variant.CENTRED_CODES))
                .hasMessageContaining("no CENTRED_CODES variant");
        assertThatThrownBy(() -> GemmConfig.wgmma(Format.INT8, 256, 512, 1024, 2, 256, 4).withVariant(GemmConfig.Variant.INT32_OUT))
                .hasMessageContaining("no INT32_OUT variant");
    }
}
