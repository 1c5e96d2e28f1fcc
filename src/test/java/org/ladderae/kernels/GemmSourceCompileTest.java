package org.ladderae.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ladderae.kernels.GemmConfig.Format;

/** The GEMM sources load with their header inlined and build through the kernel cache (nvcc tests skip without nvcc). */
class GemmSourceCompileTest {
    @Test
    void localIncludesAreInlinedOnceWithLineMarkers() {
        KernelSource s = KernelSource.fromClasspath("gemm/ladder_gemm.cu");
        assertThat(s.name()).isEqualTo("ladder_gemm.cu");
        // after the header, the line numbers go on from the line after the #include
        String[] lines = resource("kernels/gemm/ladder_gemm.cu").split("\n", -1);
        int include = java.util.Arrays.asList(lines).indexOf("#include \"ladder_gemm_common.cuh\"") + 1;
        assertThat(include).isPositive();
        assertThat(s.text()).doesNotContain("#include \"").doesNotContain("#pragma once\n")
                .contains("#line 1 \"ladder_gemm_common.cuh\"").contains("#line " + (include + 1) + " \"ladder_gemm.cu\"");
        assertThat(s.text().split("LADDER_DEV uint32_t smem_u32", -1)).hasSize(2);   // the header's body, exactly once
        // Sources without local includes are byte-identical to the file (cache keys of existing kernels keep).
        assertThat(KernelSource.fromClasspath("selftest/vector_add.cu").text()).isEqualTo(resource("kernels/selftest/vector_add.cu"));
    }

    /** The large- and small-M kernels of the eight Figure 14 pairs added on the mma.sync path (LADDER_FMT 9-16). */
    static List<GemmConfig> figure14Pairs(TargetArch arch) {
        List<GemmConfig> out = new java.util.ArrayList<>();
        for (Format[] f : new Format[][] {{Format.INT8, Format.FP16}, {Format.INT2, Format.FP16}, {Format.INT1, Format.FP16},
                {Format.INT4, Format.INT8}, {Format.INT2, Format.INT8}, {Format.INT4, Format.INT4}, {Format.INT2, Format.INT4}, {Format.INT1, Format.INT4}}) {
            out.add(GemmKernels.forShape(f[0], f[1], 4096, 28672, 8192, arch));
            out.add(GemmKernels.forShape(f[0], f[1], 32, 28672, 8192, arch));
        }
        return out;
    }

    /** ptxas turns a register spill into an error: the decode must fit the 255 registers beside the accumulators. */
    @Test
    void figure14PairsBuildWithoutSpills() {
        Optional<NvccCompiler> nvcc = nvccOrSkip();
        TargetArch h100 = TargetArch.forComputeCapability(9, 0);
        List<GemmConfig> configs = figure14Pairs(h100);
        assertThat(configs).hasSize(16);
        assertBuildWithoutSpills(nvcc.get(), h100, configs, 16);
    }

    /** The Figure 13 BASELINE / TRANSFORM kernels (LADDER_STAGE 0 / 1) of the four pairs, at large and small M, build without spills. */
    @Test
    void figure13StageKernelsBuildWithoutSpills() {
        Optional<NvccCompiler> nvcc = nvccOrSkip();
        TargetArch h100 = TargetArch.forComputeCapability(9, 0);
        List<GemmConfig> configs = new java.util.ArrayList<>();
        for (Format[] f : new Format[][] {{Format.FP16, Format.FP16}, {Format.INT4, Format.FP16}, {Format.INT1, Format.INT8}, {Format.MXFP8, Format.MXFP8}})
            for (GemvStage s : new GemvStage[] {GemvStage.BASELINE, GemvStage.TRANSFORM})
                for (int m : new int[] {32, 4096}) configs.add(GemmKernels.forStage(f[0], f[1], m, 8192, 8192, h100, s));
        assertBuildWithoutSpills(nvcc.get(), h100, configs, 16);
    }

    /** The layer executor's variants (INT32 sums, centred codes) build without spills on the tiles LinearChoice gives them. */
    @Test
    void layerExecutorVariantsBuildWithoutSpills() {
        Optional<NvccCompiler> nvcc = nvccOrSkip();
        TargetArch h100 = TargetArch.forComputeCapability(9, 0);
        List<GemmConfig> configs = new java.util.ArrayList<>();
        for (Format[] f : new Format[][] {{Format.INT8, Format.INT8}, {Format.INT4, Format.INT8}, {Format.INT2, Format.INT8}, {Format.INT1, Format.INT8},
                {Format.INT4, Format.INT4}, {Format.INT2, Format.INT4}, {Format.INT1, Format.INT4}}) {
            configs.add(GemmConfig.mma(f[0], f[1], 4096, 28672, 8192, 128, 128, 2, 2, 3, 1).withVariant(GemmConfig.Variant.INT32_OUT));
            configs.add(GemmConfig.mma(f[0], f[1], 32, 28672, 8192, 32, 128, 1, 4, 4, 1).withVariant(GemmConfig.Variant.INT32_OUT));
        }
        // as LinearChoice: forShape's kernel where it has the centred variant (INT4 also on the skinny TMA kernel), else the mma.sync tile
        for (Format w : new Format[] {Format.INT8, Format.INT4, Format.INT2, Format.INT1}) {
            GemmConfig g = GemmKernels.forShape(w, Format.FP16, 32, 28672, 8192, h100);
            if (!GemmConfig.supportsVariant(w, Format.FP16, g.path(), GemmConfig.Variant.CENTRED_CODES))
                g = GemmConfig.mma(w, Format.FP16, 32, 28672, 8192, 128, 128, 2, 2, 5, 1);
            configs.add(g.withVariant(GemmConfig.Variant.CENTRED_CODES));
        }
        configs.add(GemmConfig.wgmmaTma(Format.INT4, 4096, 28672, 8192).withVariant(GemmConfig.Variant.CENTRED_CODES));
        assertBuildWithoutSpills(nvcc.get(), h100, configs, configs.size());
    }

    /** The nvcc on PATH; the test is skipped (with a line saying so) without one, as on CI. */
    private static Optional<NvccCompiler> nvccOrSkip() {
        Optional<NvccCompiler> nvcc = NvccCompiler.find();
        Assumptions.assumeTrue(nvcc.isPresent(), () -> {
            System.out.println("GemmSourceCompileTest skipped: no nvcc");
            return "no nvcc";
        });
        return nvcc;
    }

    /** Builds {@code configs} in parallel with ptxas spills as errors; {@code expected} cubins, each holding its kernel. */
    private static void assertBuildWithoutSpills(NvccCompiler nvcc, TargetArch arch, List<GemmConfig> configs, int expected) {
        java.util.Map<String, byte[]> cubins = new java.util.concurrent.ConcurrentHashMap<>();
        KernelCache.buildInParallel(configs, c -> {
            List<String> flags = new java.util.ArrayList<>(c.defineFlags());
            flags.addAll(List.of("-Xptxas", "--warn-on-spills", "-Xptxas", "--warning-as-error"));
            cubins.put(c.kernelName(), nvcc.compileCubin(GemmRunner.source(c), arch, flags));
        });
        assertThat(cubins).hasSize(expected);
        for (GemmConfig c : configs) assertThat(new String(cubins.get(c.kernelName()), StandardCharsets.ISO_8859_1)).contains(c.kernelName());
    }

    private static String resource(String path) {
        try (var in = GemmSourceCompileTest.class.getClassLoader().getResourceAsStream(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void everyFormatAndTheWgmmaPathBuildForSm90a(@TempDir Path cacheDir) {
        Optional<NvccCompiler> nvcc = nvccOrSkip();
        KernelCache cache = new KernelCache(cacheDir, List.of(), nvcc);
        TargetArch h100 = TargetArch.forComputeCapability(9, 0);
        List<GemmConfig> configs = List.of(
                GemmKernels.forShape(Format.FP16, Format.FP16, 4096, 28672, 8192, h100),
                GemmKernels.forShape(Format.INT4, Format.FP16, 4096, 28672, 8192, h100),
                GemmKernels.forShape(Format.INT4, Format.FP16, 32, 28672, 8192, h100),
                GemmKernels.forShape(Format.INT8, Format.INT8, 16384, 16384, 16384, h100),
                GemmKernels.forShape(Format.NF4, Format.FP16, 4096, 8192, 28672, h100),
                GemmKernels.forShape(Format.FP8_E5M2, Format.FP16, 4096, 8192, 28672, h100),
                GemmKernels.forShape(Format.INT1, Format.INT8, 4096, 8192, 28672, h100),
                GemmKernels.forShape(Format.MXFP8, Format.MXFP8, 4096, 8192, 28672, h100),
                GemmKernels.forShape(Format.FP8_E4M3, Format.FP8_E4M3, 16384, 16384, 16384, h100),
                GemmKernels.forShape(Format.FP8_E5M2, Format.FP8_E5M2, 32, 8192, 28672, h100),
                GemmConfig.wgmma(Format.INT8, 16384, 16384, 16384, 2, 256, 4),
                GemmConfig.wgmma(Format.FP16, 16384, 16384, 16384, 2, 256, 4));
        assertThat(configs.subList(0, 2)).allSatisfy(c -> assertThat(c.path()).isEqualTo(GemmConfig.Path.WGMMA_TMA));
        configs = new java.util.ArrayList<>(configs);
        configs.addAll(figure14Pairs(h100));
        GemmRunner.buildAll(cache, configs, h100);
        for (GemmConfig c : configs) {
            byte[] cubin = GemmRunner.build(cache, c, h100);   // now from the cache
            String image = new String(cubin, StandardCharsets.ISO_8859_1);
            assertThat(image).as(c.kernelName()).contains(c.kernelName());
            if (c.path() == GemmConfig.Path.MMA16816 || c.path() == GemmConfig.Path.MMA16832) assertThat(image).as(c.kernelName()).contains(GemmRunner.SPLITK_REDUCE);
        }
    }
}
