package org.ladderae.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConvConfigTest {
    private static final ConvShape C0 = ConvShape.FIGURE12.get("C0");

    @Test
    void nameEncodesFormatsInstructionTileStagesAndOccupancy() {
        ConvConfig c = new ConvConfig(ConvFormat.W_FP8A_FP16, C0, 128, 64, 2, 2, 4, 2);
        assertThat(c.kernelName()).isEqualTo("ladder_conv_w_fp8_a_fp16_nhwc_mma16816_128x64x64_w2x2_4stage_b2");
        assertThat(new ConvConfig(ConvFormat.W_INT4A_INT4, C0, 128, 64, 2, 2, 6, 2).kernelName()).contains("_w_int4_a_int4_nhwc_mma16832_");
        assertThat(c.defineFlags()).contains("-DCONV_FMT=1", "-DBM=128", "-DBN=64", "-DSTAGES=4", "-DMIN_BLOCKS=2", "-DKNAME=" + c.kernelName());
    }

    @Test
    void gridCoversEveryPixelTileAndChannelTile() {
        ConvConfig c = new ConvConfig(ConvFormat.W_FP16A_FP16, ConvShape.parse("3,128,13,11,128,3,3,1,1"), 128, 64, 2, 2, 4, 2);
        assertThat(c.grid()).containsExactly((429 + 127) / 128 * 2, 1, 1);
        assertThat(c.block()).containsExactly(128, 1, 1);
    }

    @Test
    void sharedMemoryIsRowTablePlusStagesOfBothTilesAndMxExponents() {
        // 1024 bytes of alignment slack (stages start 1024-byte aligned) + stages + a 16-byte row-table entry per pixel row
        assertThat(new ConvConfig(ConvFormat.W_FP16A_FP16, C0, 128, 64, 2, 2, 4, 2).sharedMemoryBytes()).isEqualTo(1024 + 2048 + 4 * (16384 + 8192));
        assertThat(new ConvConfig(ConvFormat.W_FP8A_FP16, C0, 128, 64, 2, 2, 4, 2).sharedMemoryBytes()).isEqualTo(1024 + 2048 + 4 * (16384 + 4096));
        assertThat(new ConvConfig(ConvFormat.W_MXFP8A_MXFP8, C0, 128, 64, 2, 2, 4, 1).sharedMemoryBytes()).isEqualTo(1024 + 2048 + 4 * (8192 + 4096 + 384));
        assertThat(new ConvConfig(ConvFormat.W_INT4A_INT4, C0, 128, 64, 2, 2, 6, 2).sharedMemoryBytes()).isEqualTo(1024 + 2048 + 6 * (4096 + 2048));
        // 1-bit codes are expanded to an INT4 tile in shared memory
        assertThat(new ConvConfig(ConvFormat.W_INT1A_INT4, C0, 128, 64, 2, 2, 6, 2).sharedMemoryBytes()).isEqualTo(1024 + 2048 + 6 * (4096 + 2048));
        assertThat(new ConvConfig(ConvFormat.W_INT1A_INT4, C0, 128, 64, 2, 2, 6, 2).kernelName()).contains("_w_int1_a_int4_nhwc_mma16832_");
    }

    @Test
    void rejectsShapesAndTilesTheKernelCannotRun() {
        assertThatThrownBy(() -> new ConvConfig(ConvFormat.W_MXFP8A_MXFP8, ConvShape.parse("1,3,224,224,64,7,7,2,3"), 128, 64, 2, 2, 4, 1))
                .hasMessageContaining("C=3 is not a multiple of 64");
        assertThatThrownBy(() -> new ConvConfig(ConvFormat.W_INT1A_INT4, ConvShape.parse("1,96,8,8,64,1,1,1,0"), 128, 64, 2, 2, 4, 1))
                .hasMessageContaining("C=96 is not a multiple of 64");
        assertThatThrownBy(() -> new ConvConfig(ConvFormat.W_FP16A_FP16, ConvShape.parse("1,58,8,8,96,1,1,1,0"), 128, 64, 2, 2, 4, 1, ConvMma.MMA_SYNC, 4))
                .hasMessageContaining("C=58 is not a multiple of the gather width 4");
        assertThatThrownBy(() -> new ConvConfig(ConvFormat.W_FP16A_FP16, C0, 128, 96, 8, 1, 4, 1, ConvMma.WGMMA, 8)).hasMessageContaining("bn in {64, 128, 256}");
        assertThatThrownBy(() -> new ConvConfig(ConvFormat.W_FP8A_FP16, C0, 128, 64, 8, 1, 4, 1, ConvMma.WGMMA, 8)).hasMessageContaining("FP16 only");
        assertThatThrownBy(() -> new ConvConfig(ConvFormat.W_MXFP8A_MXFP8, C0, 16, 64, 1, 2, 4, 1)).hasMessageContaining("even number");
        assertThatThrownBy(() -> new ConvConfig(ConvFormat.W_FP8A_FP16, C0, 128, 64, 2, 4, 4, 1)).hasMessageContaining("multiple of 4");
        assertThatThrownBy(() -> new ConvConfig(ConvFormat.W_FP16A_FP16, ConvShape.FIGURE12.get("C2"), 256, 128, 2, 2, 8, 1)).hasMessageContaining("over the limit");
    }

    @Test
    void everyFormatHasCandidatesForEveryFigure12ShapeAndTheyAreDistinctLaunches() {
        for (ConvFormat f : ConvFormat.values())
            for (var e : ConvShape.FIGURE12.entrySet()) {
                List<ConvConfig> cs = ConvKernels.candidates(f, e.getValue());
                assertThat(cs).as(f + " " + e.getKey()).hasSizeGreaterThanOrEqualTo(3);
                assertThat(cs.stream().map(ConvConfig::label).distinct()).hasSize(cs.size());   // split-K launches share their cubin
                assertThat(ConvKernels.unsupportedReason(f, e.getValue())).isNull();
            }
        assertThat(ConvKernels.candidates(ConvFormat.W_MXFP8A_MXFP8, ConvShape.parse("1,3,224,224,64,7,7,2,3"))).isEmpty();
        assertThat(ConvKernels.unsupportedReason(ConvFormat.W_INT1A_INT4, ConvShape.parse("1,3,224,224,64,7,7,2,3"))).contains("C=3");
        // FP8 weights beside FP16 activations gather as FP16 does: the stem (one channel at a time) and ShuffleNet's 58 channels
        assertThat(ConvKernels.candidates(ConvFormat.W_FP8A_FP16, ConvShape.parse("1,3,224,224,64,7,7,2,3"))).isNotEmpty().allSatisfy(c -> assertThat(c.aVec()).isEqualTo(1));
        assertThat(ConvKernels.candidates(ConvFormat.W_FP8A_FP16, ConvShape.parse("1,58,28,28,58,1,1,1,0"))).isNotEmpty().allSatisfy(c -> assertThat(c.aVec()).isEqualTo(2));
    }

    @Test
    void fp16RunsAnyChannelCountWithTheWidestGatherThatDividesIt() {
        for (String dims : List.of("1,3,224,224,64,7,7,2,3", "128,3,224,224,24,3,3,2,1", "1,58,28,28,58,1,1,1,0", "128,116,14,14,116,1,1,1,0",
                "1,24,56,56,58,1,1,1,0", "128,464,7,7,1024,1,1,1,0", "1,232,7,7,232,1,1,1,0")) {
            ConvShape s = ConvShape.parse(dims);
            List<ConvConfig> cs = ConvKernels.candidates(ConvFormat.W_FP16A_FP16, s);
            assertThat(cs).as(dims).isNotEmpty();
            assertThat(cs.get(0)).isEqualTo(ConvKernels.heuristic(s));
            assertThat(cs).allSatisfy(c -> assertThat(s.c() % c.aVec()).isZero());
            assertThat(cs.get(0).aVec()).isEqualTo(s.c() % 8 == 0 ? 8 : s.c() % 4 == 0 ? 4 : s.c() % 2 == 0 ? 2 : 1);
        }
        // sm_80 gets no wgmma tile
        assertThat(ConvKernels.candidates(ConvFormat.W_FP16A_FP16, C0, TargetArch.parse("sm_80"))).noneMatch(ConvConfig::wgmma);
        TargetArch h100 = TargetArch.parse("sm_90a");
        assertThat(ConvKernels.im2colHeuristic(C0, h100).mma()).isEqualTo(ConvMma.WGMMA);   // the H100's im2col winners (run 2): pixels as M, N = 64 / 128
        assertThat(ConvKernels.im2colHeuristic(ConvShape.FIGURE12.get("C2"), h100).mma()).isEqualTo(ConvMma.WGMMA);
        assertThat(ConvKernels.im2colHeuristic(ConvShape.FIGURE12.get("C2"), h100).bn()).isEqualTo(128);
        assertThat(ConvKernels.heuristic(ConvShape.parse("128,3,224,224,64,7,7,2,3")).mma()).isEqualTo(ConvMma.MMA_SYNC);
        assertThat(ConvKernels.heuristic(ConvShape.FIGURE12.get("C7")).bm()).isEqualTo(32);   // batch 1: the smallest pixel tile, 50 blocks
        // a channel slice at an odd offset narrows the gather
        ConvConfig c = ConvKernels.heuristic(ConvShape.parse("1,232,7,7,232,1,1,1,0"));
        assertThat(ConvKernels.gatherFor(c, 464, 232).aVec()).isEqualTo(8);
        assertThat(ConvKernels.gatherFor(c, 464, 4).aVec()).isEqualTo(4);
        assertThat(ConvKernels.gatherFor(c, 466, 0).aVec()).isEqualTo(2);
    }

    @Test
    void formatPairsParseFromTheCliTokens() {
        assertThat(ConvFormat.of("fp8", "fp16")).isEqualTo(ConvFormat.W_FP8A_FP16);
        assertThat(ConvFormat.of("E5M2", "FP16")).isEqualTo(ConvFormat.W_FP8A_FP16);
        assertThat(ConvFormat.of("mxfp8", "mxfp8")).isEqualTo(ConvFormat.W_MXFP8A_MXFP8);
        assertThatThrownBy(() -> ConvFormat.of("int4", "fp16")).hasMessageContaining("no conv kernel for --weights int4 --acts fp16");
    }

    @Test
    void checkShapesHaveOddSizesStridesAndTwoChannelTiles() {
        ConvConfig timed = ConvKernels.im2colHeuristic(C0, TargetArch.parse("sm_90a"));   // the halo conv's own: haloConvTakes...
        List<ConvConfig> shapes = ConvRunner.checkShapes(timed);
        assertThat(shapes).hasSize(4);   // C0's own reference would cost 1.5e10 multiply-adds
        assertThat(shapes.get(0).shape().k() % timed.bn()).isNotZero();   // rows past K
        assertThat(shapes.get(0).shape().k()).isGreaterThan(timed.bn());  // two channel tiles
        assertThat(shapes.get(0).shape().c() % 64).isNotZero();           // K tiles straddle filter taps
        assertThat(shapes.get(0).shape().gemmM() % timed.bm()).isNotZero();
        assertThat(shapes.stream().map(c -> c.shape().stride())).contains(1, 2);
        assertThat(shapes.stream().map(c -> c.shape().r())).contains(1, 3, 7);
        assertThat(ConvRunner.checksEpilogue(timed, shapes.get(0))).isTrue();
        assertThat(ConvRunner.checksEpilogue(timed, shapes.get(1))).isFalse();
        assertThat(ConvRunner.checkShapes(ConvKernels.candidates(ConvFormat.W_FP16A_FP16, ConvShape.FIGURE12.get("C6")).get(0))).hasSize(5);
        ConvConfig fp8 = ConvKernels.candidates(ConvFormat.W_FP8A_FP16, C0).get(0);
        assertThat(ConvRunner.checkShapes(fp8)).hasSize(4).anySatisfy(c -> assertThat(c.shape().c() % 64).isNotZero());   // FP16 activations: any C
        ConvConfig mx = ConvKernels.candidates(ConvFormat.W_MXFP8A_MXFP8, C0).get(0);
        assertThat(ConvRunner.checkShapes(mx)).hasSize(3).allSatisfy(c -> assertThat(c.shape().c() % 64).isZero());
    }

    @Test
    void splitKIsALaunchOfTheSameCubinWithNonEmptyRanges() {
        ConvShape s = ConvShape.parse("1,512,7,7,512,3,3,1,1");   // 72 K tiles, 16 tiles of 32 x 64
        ConvConfig base = new ConvConfig(ConvFormat.W_FP16A_FP16, s, 32, 64, 2, 2, 4, 4);
        assertThat(base.splitK()).isEqualTo(1);
        assertThat(base.workspaceBytes()).isZero();
        ConvConfig c = base.withSplitK(17);   // ceil(72 / 17) = 5 tiles per range -> 15 ranges
        assertThat(c.splitK()).isEqualTo(15);
        assertThat(c.kernelName()).isEqualTo(base.kernelName());
        assertThat(c.defineFlags()).isEqualTo(base.defineFlags());
        assertThat(c.label()).isEqualTo(base.kernelName() + "_splitk15");
        assertThat(c.grid()).containsExactly(base.grid()[0], 15, 1);
        assertThat(c.blocks()).isEqualTo(15L * base.grid()[0]);
        assertThat(c.workspaceBytes()).isEqualTo(4L * 15 * 49 * 512);
        assertThat(base.withSplitK(1000).splitK()).isEqualTo(72);   // at most one range per K tile
        assertThatThrownBy(() -> new ConvConfig(ConvFormat.W_FP8A_FP16, s, 32, 64, 2, 2, 4, 4).withSplitK(2)).hasMessageContaining("FP16 only");
        assertThatThrownBy(() -> base.withSplitK(0)).hasMessageContaining("splitK >= 1");
    }

    @Test
    void batchOneLayersWithFewTilesAndLongKLoopsAreSplit() {
        // under half a wave of 32 x 64 tiles: one wave of blocks (two for K loops >= 32 tiles), >= 4 K tiles per range
        assertThat(ConvKernels.heuristic(ConvShape.parse("1,512,7,7,512,3,3,1,1")).splitK()).isEqualTo(15);    // 16 tiles, 72 K tiles
        assertThat(ConvKernels.heuristic(ConvShape.parse("1,256,14,14,256,3,3,1,1")).splitK()).isEqualTo(9);  // 28 tiles, 36 K tiles
        assertThat(ConvKernels.heuristic(ConvShape.FIGURE12.get("C6")).splitK()).isEqualTo(3);                // 50 tiles, 18 K tiles
        assertThat(ConvKernels.heuristic(ConvShape.FIGURE12.get("C7")).splitK()).isEqualTo(2);                // 50 tiles, 8 K tiles
        assertThat(ConvKernels.heuristic(ConvShape.FIGURE12.get("C5")).splitK()).isEqualTo(1);                // 1 K tile
        assertThat(ConvKernels.heuristic(ConvShape.parse("1,512,28,28,256,1,1,1,0")).splitK()).isEqualTo(1); // 100 tiles: not under half a wave
        assertThat(ConvKernels.heuristic(C0).splitK()).isEqualTo(1);
        List<ConvConfig> cs = ConvKernels.candidates(ConvFormat.W_FP16A_FP16, ConvShape.FIGURE12.get("C6"));
        assertThat(cs.stream().map(ConvConfig::label).distinct().count()).isEqualTo(cs.size());
        assertThat(cs).anyMatch(c -> c.splitK() > 1 && c.bm() == 64);
    }

    @Test
    void warpSpecialisedWgmmaAddsAProducerWarpgroup() {
        List<ConvConfig> cs = ConvKernels.candidates(ConvFormat.W_FP16A_FP16, ConvShape.FIGURE12.get("C2"));
        ConvConfig ws = cs.stream().filter(c -> c.mma() == ConvMma.WGMMA_WS && c.bn() == 128).findFirst().orElseThrow();
        assertThat(ws.threads()).isEqualTo(ws.warpsM() * 32 + 128);
        assertThat(ws.defineFlags()).contains("-DCONV_WGMMA=1", "-DCONV_WS=1");
        assertThat(ws.kernelName()).contains("_wgmmaW64n128_");
        assertThat(cs).anyMatch(c -> c.mma() == ConvMma.WGMMA_PIXELS_N_WS);
        assertThat(cs).filteredOn(c -> !c.mma().warpSpecialized() && !c.mma().persistent()).allSatisfy(c -> assertThat(c.defineFlags()).contains("-DCONV_WS=0"));
        // C = 3 gathers with plain loads: no warp-specialised candidate (the producer arrives through cp.async)
        assertThat(ConvKernels.candidates(ConvFormat.W_FP16A_FP16, ConvShape.parse("128,3,224,224,64,7,7,2,3"))).noneMatch(c -> c.mma().warpSpecialized());
        assertThatThrownBy(() -> new ConvConfig(ConvFormat.W_FP16A_FP16, ConvShape.parse("128,3,224,224,64,7,7,2,3"), 128, 64, 8, 1, 4, 2, ConvMma.WGMMA_WS, 1))
                .hasMessageContaining("aVec >= 2");
    }

    @Test
    void haloConvTakesStrideOneLayersOfOneChannelBlockAtBatch128() {
        ConvConfig h = ConvKernels.heuristic(C0);
        assertThat(h.mma()).isEqualTo(ConvMma.HALO);
        assertThat(h.threads()).isEqualTo(h.warpsM() * 32 + 128);
        assertThat(h.sharedMemoryBytes()).isLessThanOrEqualTo(GemmConfig.MAX_SMEM_PER_BLOCK - 1024);
        assertThat(h.kernelSource().name()).contains("ladder_conv_halo.cu");
        assertThat(ConvKernels.candidates(ConvFormat.W_FP16A_FP16, h.shape()).get(0)).isEqualTo(h);
        // C2 (K = 128: two channel blocks would gather the halo twice) takes the im2col-TMA conv; the halo tile stays a candidate
        assertThat(ConvKernels.heuristic(ConvShape.FIGURE12.get("C2")).mma()).isEqualTo(ConvMma.IM2COL_TMA);
        assertThat(ConvKernels.candidates(ConvFormat.W_FP16A_FP16, ConvShape.FIGURE12.get("C2"))).anyMatch(c -> c.mma().halo());
        // C0: 4 output rows of the 58-pixel padded grid (wgmma N = 232), 3 stages of 352 halo pixels, weights resident (72 KB)
        ConvConfig c0 = ConvKernels.heuristic(C0);
        assertThat(c0.kernelName()).isEqualTo("ladder_conv_w_fp16_a_fp16_nhwc_halo_r3s3_wp58_tp4_w2_s3");
        assertThat(c0.defineFlags()).contains("-DWP=58", "-DTP=4", "-DCR=3", "-DCS=3", "-DNCW=2", "-DNST=3", "-DRINGS=1");
        assertThat(c0.sharedMemoryBytes()).isEqualTo(1024 + 9 * 8192 + 3 * 8 * (352 * 16 + 16));
        assertThat(c0.grid()).containsExactly(132, 1, 1);
        // C1 (1x1, C = 64) takes the pointwise conv first, the halo tile stays a candidate
        assertThat(ConvKernels.candidates(ConvFormat.W_FP16A_FP16, ConvShape.FIGURE12.get("C1"))).anyMatch(c -> c.mma().halo());
        // C3 (1x1, C = 512: 2-3x slower on the halo tile than im2col) has no halo candidate; its halo tile would have C/64 = 8 chunks per
        // tile, and a shared ring would need 9 stages, so each consumer would get its own ring
        ConvShape c3s = ConvShape.FIGURE12.get("C3");
        assertThat(ConvKernels.heuristic(c3s).mma()).isNotEqualTo(ConvMma.HALO);
        assertThat(ConvKernels.candidates(ConvFormat.W_FP16A_FP16, c3s)).noneMatch(c -> c.mma().halo());
        ConvConfig c3 = ConvKernels.halo(c3s, 9, 2, 4);
        assertThat(c3.haloRings()).isEqualTo(2);
        assertThat(c3.kernelName()).endsWith("_tp9_w2_s4_rings");
        assertThat(c3.grid()[0] % 2).isZero();   // two 64-channel blocks: block b keeps channels (b % 2) * 64
        assertThat(ConvKernels.halo(ConvShape.FIGURE12.get("C2"), 6, 2, 2)).as("one stage a ring deadlocks with C > 64").isNull();
        // two blocks per SM: wgmma N <= 128 (128 registers a thread), half the shared memory, twice the grid
        ConvConfig two = ConvKernels.halo(ConvShape.FIGURE12.get("C1"), 2, 1, 4, 2);
        assertThat(two.kernelName()).endsWith("_tp2_w1_s4_b2");
        assertThat(two.defineFlags()).contains("-DMINB=2");
        assertThat(two.grid()[0]).isEqualTo(264);
        assertThat(ConvKernels.halo(ConvShape.FIGURE12.get("C1"), 4, 1, 4, 2)).as("N = 224 with 128 registers").isNull();
        assertThat(ConvKernels.halo(C0, 2, 1, 2, 2)).as("72 KB of weights + stages over half an SM").isNull();
        // batch 1 (a few tiles), stride 2, C % 64 != 0 and K % 8 != 0 keep the im2col kernels
        for (String dims : List.of("1,64,56,56,64,3,3,1,1", "128,128,56,56,128,3,3,2,1", "128,116,28,28,116,1,1,1,0", "128,64,56,56,60,3,3,1,1"))
            assertThat(ConvKernels.heuristic(ConvShape.parse(dims)).mma()).as(dims).isNotEqualTo(ConvMma.HALO);
        assertThatThrownBy(() -> new ConvConfig(ConvFormat.W_FP16A_FP16, C0, 5, 64, 8, 1, 3, 1, ConvMma.HALO, 8)).hasMessageContaining("wgmma's N of 256");
        assertThatThrownBy(() -> new ConvConfig(ConvFormat.W_FP16A_FP16, ConvShape.FIGURE12.get("C3"), 8, 64, 8, 1, 5, 1, ConvMma.HALO, 8))
                .hasMessageContaining("neither feed one shared ring");
        assertThatThrownBy(() -> new ConvConfig(ConvFormat.W_FP8A_FP16, C0, 4, 64, 8, 1, 3, 1, ConvMma.HALO, 8)).hasMessageContaining("FP16 only");
        // the halo cubin is checked at shapes with its own W, pad, R, S and C
        for (ConvConfig at : ConvRunner.checkShapes(c0)) {
            assertThat(at.shape().w()).isEqualTo(56);
            assertThat(at.shape().c()).isEqualTo(64);
            assertThat(at.kernelName()).isEqualTo(c0.kernelName());
        }
        // an input slice whose stride the 16-byte halo copies cannot take falls back to an im2col tile
        assertThat(ConvKernels.gatherFor(c0, 68, 4).mma()).isNotEqualTo(ConvMma.HALO);
    }

    @Test
    void im2colTmaConvTakesWiderLayersOfAnyFilterAndStrideAtBatch128() {
        // C2 (3x3, 128 -> 128): two consumers of 64 pixels x 128 channels, 6 stages of (128 + 128) rows of 128 bytes, one cubin for every shape
        ConvConfig c2 = ConvKernels.heuristic(ConvShape.FIGURE12.get("C2"));
        assertThat(c2.mma()).isEqualTo(ConvMma.IM2COL_TMA);
        assertThat(c2.kernelName()).isEqualTo("ladder_conv_w_fp16_a_fp16_nhwc_tma_128x128_w2_s6");
        assertThat(c2.defineFlags()).containsExactly("-O3", "-DKNAME=ladder_conv_w_fp16_a_fp16_nhwc_tma_128x128_w2_s6", "-DBN=128", "-DMI=1", "-DNCW=2", "-DNST=6");
        assertThat(c2.kernelSource().name()).isEqualTo("ladder_conv_i2c.cu");
        assertThat(c2.threads()).isEqualTo(3 * 128);
        assertThat(c2.sharedMemoryBytes()).isEqualTo(1024 + 6 * 256 * 128 + 128 * 128 * 2).isLessThanOrEqualTo(GemmConfig.MAX_SMEM_PER_BLOCK - 1024);
        assertThat(c2.grid()).containsExactly(132, 1, 1);   // persistent: 784 tiles over one block per SM
        // ResNet's stride-2 3x3 layer and a 1x1 stride-2 downsample take it too, on the same cubin
        ConvConfig s2 = ConvKernels.heuristic(ConvShape.parse("128,128,56,56,128,3,3,2,1"));
        assertThat(s2.mma()).isEqualTo(ConvMma.IM2COL_TMA);
        assertThat(s2.kernelName()).isEqualTo(c2.kernelName());
        assertThat(ConvKernels.heuristic(ConvShape.parse("128,256,56,56,512,1,1,2,0")).mma()).isEqualTo(ConvMma.IM2COL_TMA);
        // the bounding box: the last window start less the last pixel, per axis {W, H}
        assertThat(ConvConfig.im2colTmaUpperCorner(ConvShape.FIGURE12.get("C2"))).containsExactly(-1, -1);
        assertThat(ConvConfig.im2colTmaUpperCorner(ConvShape.parse("128,128,56,56,128,3,3,2,1"))).containsExactly(-2, -2);
        assertThat(ConvConfig.im2colTmaUpperCorner(ConvShape.parse("2,64,19,17,24,7,7,2,3"))).containsExactly(-3, -3);
        // candidates: 128- and 256-pixel tiles on two consumers, 128 on one; distinct, all fitting; 64 channels a tile for K <= 64
        List<ConvConfig> cs = ConvKernels.candidates(ConvFormat.W_FP16A_FP16, ConvShape.FIGURE12.get("C2"));
        assertThat(cs).filteredOn(c -> c.mma().im2colTma()).extracting(ConvConfig::kernelName).containsExactly(
                "ladder_conv_w_fp16_a_fp16_nhwc_tma_128x128_w2_s6", "ladder_conv_w_fp16_a_fp16_nhwc_tma_256x128_w2_s3",
                "ladder_conv_w_fp16_a_fp16_nhwc_tma_128x128_w1_s6");
        assertThat(ConvKernels.candidates(ConvFormat.W_FP16A_FP16, C0)).filteredOn(c -> c.mma().im2colTma()).allSatisfy(c -> assertThat(c.bn()).isEqualTo(64));
        // checked on its own shapes: C % 64 == 0, partial pixel and channel blocks, strides 1 and 2, filters 1x1 to 7x7
        List<ConvConfig> at = ConvRunner.checkShapes(c2);
        assertThat(at).allSatisfy(c -> assertThat(c.kernelName()).isEqualTo(c2.kernelName()));
        assertThat(at).extracting(c -> c.shape().stride()).contains(1, 2);
        assertThat(at).extracting(c -> c.shape().r()).contains(1, 3, 7);
        assertThat(at).anyMatch(c -> c.shape().k() % c.bn() != 0).anyMatch(c -> c.shape().k() > c.bn());
        // batch 1 (under a wave of tiles), C % 64 != 0 and K % 8 != 0 keep other kernels; C = 64 layers keep the halo conv
        for (String dims : List.of("1,128,28,28,128,3,3,1,1", "128,116,28,28,116,3,3,1,1", "128,128,28,28,124,3,3,1,1"))
            assertThat(ConvKernels.heuristic(ConvShape.parse(dims)).mma()).as(dims).isNotEqualTo(ConvMma.IM2COL_TMA);
        assertThat(ConvConfig.im2colTmaUnsupportedReason(ConvShape.parse("128,96,28,28,128,3,3,1,1"))).contains("C=96");
        assertThat(ConvConfig.im2colTmaUnsupportedReason(ConvShape.parse("128,64,28,28,128,9,9,1,4"))).contains("7x7");
        assertThatThrownBy(() -> new ConvConfig(ConvFormat.W_FP8A_FP16, ConvShape.FIGURE12.get("C2"), 128, 128, 8, 1, 4, 1, ConvMma.IM2COL_TMA, 8))
                .hasMessageContaining("FP16 only");
        assertThatThrownBy(() -> new ConvConfig(ConvFormat.W_FP16A_FP16, ConvShape.FIGURE12.get("C2"), 128, 256, 8, 1, 2, 1, ConvMma.IM2COL_TMA, 8))
                .hasMessageContaining("64 or 128 output channels");
        assertThatThrownBy(() -> new ConvConfig(ConvFormat.W_FP16A_FP16, ConvShape.FIGURE12.get("C2"), 256, 128, 8, 1, 5, 1, ConvMma.IM2COL_TMA, 8))
                .hasMessageContaining("over the limit");
        assertThatThrownBy(() -> new ConvConfig(ConvFormat.W_FP16A_FP16, ConvShape.FIGURE12.get("C2"), 512, 64, 8, 1, 2, 1, ConvMma.IM2COL_TMA, 8))
                .hasMessageContaining("at most 256 pixels");
        // an input slice TMA cannot address (pixel stride or offset not 16-byte aligned) falls back to an im2col tile
        assertThat(ConvKernels.gatherFor(c2, 132, 4).mma()).isNotEqualTo(ConvMma.IM2COL_TMA);
    }

    @Test
    void pointwiseConvTakesOneByOneLayersWithWholeChannelBlocksAtBatch128() {
        // C1 (64 -> 64): two blocks per SM of 64 x 64 tiles, 4 stages each; C compiled in
        ConvConfig c1 = ConvKernels.heuristic(ConvShape.FIGURE12.get("C1"));
        assertThat(c1.mma()).isEqualTo(ConvMma.POINTWISE);
        assertThat(c1.kernelName()).isEqualTo("ladder_conv_w_fp16_a_fp16_nhwc_pw_c64_64x64_w2_s4_b2");
        assertThat(c1.defineFlags()).contains("-DPW_C=64", "-DBN=64", "-DMI=1", "-DNCW=2", "-DNSTR=4", "-DMINB=2");
        assertThat(c1.kernelSource().name()).isEqualTo("ladder_conv_pw.cu");
        assertThat(c1.threads()).isEqualTo(3 * 128);
        assertThat(c1.sharedMemoryBytes()).isEqualTo(1024 + 8192 + 2 * 4 * 8192 + 2 * 64 * 64 * 2);
        assertThat(c1.grid()).containsExactly(264, 1, 1);   // persistent: 2 blocks x 132 SMs
        // C3 (512 -> 128): the heuristic takes the im2col-TMA conv from C = 512; the pointwise pick is one consumer of
        // 128 x 128 tiles next to 128 KB of resident weights
        assertThat(ConvKernels.heuristic(ConvShape.FIGURE12.get("C3")).mma()).isEqualTo(ConvMma.IM2COL_TMA);
        ConvConfig c3 = ConvKernels.pointwiseHeuristic(ConvShape.FIGURE12.get("C3"));
        assertThat(c3.kernelName()).isEqualTo("ladder_conv_w_fp16_a_fp16_nhwc_pw_c512_128x128_w1_s4");
        assertThat(c3.sharedMemoryBytes()).isEqualTo(1024 + 8 * 128 * 128 + 4 * 128 * 128 + 128 * 128 * 2).isLessThanOrEqualTo(GemmConfig.MAX_SMEM_PER_BLOCK - 1024);
        assertThat(c3.threads()).isEqualTo(2 * 128);
        // K = 192 in blocks of 128: the grid is a multiple of the two channel blocks
        ConvConfig k192 = ConvKernels.heuristic(ConvShape.parse("128,256,28,28,192,1,1,1,0"));
        assertThat(k192.mma()).isEqualTo(ConvMma.POINTWISE);
        assertThat(k192.grid()[0] % 2).isZero();
        // every pointwise candidate is a distinct launch that fits, and the tuner also gets the other kernels
        List<ConvConfig> cs = ConvKernels.candidates(ConvFormat.W_FP16A_FP16, ConvShape.parse("128,64,56,56,256,1,1,1,0"));
        assertThat(cs.get(0).mma()).isEqualTo(ConvMma.POINTWISE);
        assertThat(cs).filteredOn(c -> c.mma().pointwise()).hasSizeGreaterThan(3).allSatisfy(c -> {
            assertThat(c.bm() / 64 * c.bn()).isLessThanOrEqualTo(256);
            assertThat(c.sharedMemoryBytes()).isLessThanOrEqualTo(GemmConfig.MAX_SMEM_PER_BLOCK - 1024);
        });
        assertThat(cs).anyMatch(c -> c.mma() == ConvMma.WGMMA);
        // 3x3, stride 2, padding, C % 64 != 0, K % 8 != 0, batch 1 and weights too wide to stay resident: not pointwise
        for (String dims : List.of("128,64,56,56,64,3,3,1,1", "128,256,56,56,128,1,1,2,0", "128,116,28,28,116,1,1,1,0", "128,64,56,56,60,1,1,1,0",
                "1,64,56,56,64,1,1,1,0", "128,2048,7,7,512,1,1,1,0"))
            assertThat(ConvKernels.heuristic(ConvShape.parse(dims)).mma()).as(dims).isNotEqualTo(ConvMma.POINTWISE);
        assertThat(ConvConfig.pointwiseUnsupportedReason(ConvShape.parse("128,2048,7,7,512,1,1,1,0"))).contains("do not fit");
        assertThatThrownBy(() -> new ConvConfig(ConvFormat.W_FP16A_FP16, ConvShape.FIGURE12.get("C3"), 128, 256, 8, 1, 2, 1, ConvMma.POINTWISE, 8))
                .hasMessageContaining("at most 128 accumulators");
        assertThatThrownBy(() -> new ConvConfig(ConvFormat.W_FP16A_FP16, ConvShape.FIGURE12.get("C3"), 64, 128, 8, 1, 2, 2, ConvMma.POINTWISE, 8))
                .hasMessageContaining("two blocks per SM");
        assertThatThrownBy(() -> new ConvConfig(ConvFormat.W_FP8A_FP16, ConvShape.FIGURE12.get("C1"), 64, 64, 8, 1, 4, 1, ConvMma.POINTWISE, 8))
                .hasMessageContaining("FP16 only");
        // checked at shapes of the same C (compiled in): partial pixel tiles and channel blocks
        for (ConvConfig at : ConvRunner.checkShapes(c3)) {
            assertThat(at.shape().c()).isEqualTo(512);
            assertThat(at.kernelName()).isEqualTo(c3.kernelName());
        }
        assertThat(ConvRunner.checkShapes(c3).get(0).shape().gemmM() % c3.bm()).isNotZero();
        // an input slice at a pitch TMA cannot take falls back to an im2col tile
        assertThat(ConvKernels.gatherFor(c1, 68, 4).mma()).isNotEqualTo(ConvMma.POINTWISE);
        assertThat(ConvKernels.gatherFor(c1, 128, 64)).isEqualTo(c1);
    }
}
