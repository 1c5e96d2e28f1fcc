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
        assertThat(s.text()).doesNotContain("#include \"").doesNotContain("#pragma once\n")
                .contains("#line 1 \"ladder_gemm_common.cuh\"").contains("#line 43 \"ladder_gemm.cu\"");
        assertThat(s.text().split("LADDER_DEV uint32_t smem_u32", -1)).hasSize(2);   // the header's body, exactly once
        // Sources without local includes are byte-identical to the file (cache keys of existing kernels keep).
        assertThat(KernelSource.fromClasspath("selftest/vector_add.cu").text()).isEqualTo(resource("kernels/selftest/vector_add.cu"));
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
        Optional<NvccCompiler> nvcc = NvccCompiler.find();
        Assumptions.assumeTrue(nvcc.isPresent(), () -> {
            System.out.println("GemmSourceCompileTest skipped: no nvcc");
            return "no nvcc";
        });
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
        GemmRunner.buildAll(cache, configs, h100);
        for (GemmConfig c : configs) {
            byte[] cubin = GemmRunner.build(cache, c, h100);   // now from the cache
            String image = new String(cubin, StandardCharsets.ISO_8859_1);
            assertThat(image).as(c.kernelName()).contains(c.kernelName());
            if (c.path() == GemmConfig.Path.MMA16816 || c.path() == GemmConfig.Path.MMA16832) assertThat(image).as(c.kernelName()).contains(GemmRunner.SPLITK_REDUCE);
        }
    }
}
