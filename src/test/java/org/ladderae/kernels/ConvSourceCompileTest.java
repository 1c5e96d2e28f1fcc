package org.ladderae.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The conv source inlines the GEMM helpers and every candidate of every format builds for sm_90a (skipped without nvcc). */
class ConvSourceCompileTest {
    @Test
    void gemmHelpersAreInlinedFromTheSiblingFolder() {
        KernelSource s = ConvConfig.source();
        assertThat(s.text()).doesNotContain("#include \"").contains("#line 1 \"ladder_gemm_common.cuh\"");
        KernelSource halo = ConvKernels.heuristic(ConvShape.FIGURE12.get("C0")).kernelSource();
        assertThat(halo.text()).doesNotContain("#include \"").contains("ladder_wgmma_ss.cuh").contains("wgmma_ss<232>");
    }

    @Test
    void everyCandidateOfEveryFormatBuildsForSm90a(@TempDir Path cacheDir) {
        Optional<NvccCompiler> nvcc = NvccCompiler.find();
        Assumptions.assumeTrue(nvcc.isPresent(), "no nvcc");
        KernelCache cache = new KernelCache(cacheDir, List.of(), nvcc);
        TargetArch h100 = TargetArch.forComputeCapability(9, 0);
        Map<String, ConvConfig> distinct = new LinkedHashMap<>();
        for (ConvFormat f : ConvFormat.values())
            for (ConvShape s : ConvShape.FIGURE12.values())
                for (ConvConfig c : ConvKernels.candidates(f, s)) distinct.putIfAbsent(c.kernelName(), c);
        List<ConvConfig> configs = List.copyOf(distinct.values());
        ConvRunner.buildAll(cache, configs, h100);
        for (ConvConfig c : configs)
            assertThat(new String(ConvRunner.build(cache, c, h100), StandardCharsets.ISO_8859_1)).as(c.kernelName()).contains(c.kernelName());
    }
}
