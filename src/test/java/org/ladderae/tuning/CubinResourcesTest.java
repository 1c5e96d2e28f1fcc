package org.ladderae.tuning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ladderae.kernels.GemmConfig;
import org.ladderae.kernels.GemmConfig.Format;
import org.ladderae.kernels.GemmRunner;
import org.ladderae.kernels.KernelBuildException;
import org.ladderae.kernels.KernelCache;
import org.ladderae.kernels.NvccCompiler;
import org.ladderae.kernels.TargetArch;

/** Registers and spills read from real cubins (nvcc tests skip without nvcc), and clear errors for anything else. */
class CubinResourcesTest {
    @Test
    void notACubinIsRefusedInOneLine() {
        assertThatThrownBy(() -> CubinResources.of("not an elf file at all, just some text for the header".getBytes(), "k"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("not a 64-bit little-endian ELF cubin");
    }

    @Test
    void spillsOfTheGemmKernelsAreSeenAsPtxasReportsThem(@TempDir Path cacheDir) {
        Optional<NvccCompiler> nvcc = NvccCompiler.find();
        Assumptions.assumeTrue(nvcc.isPresent(), "no nvcc");
        KernelCache cache = new KernelCache(cacheDir, List.of(), nvcc);
        TargetArch sm90a = TargetArch.parse("sm_90a");
        // ptxas -v (nvcc 13.0): the 32x32 warp tile of FP8 x FP8 fits in registers; the 64x64 one spills (255 registers, 112 B stack).
        GemmConfig fits = GemmConfig.mma(Format.FP8_E4M3, Format.FP8_E4M3, 4096, 8192, 8192, 64, 128, 2, 4, 3, 1);
        GemmConfig spills = GemmConfig.mma(Format.FP8_E4M3, Format.FP8_E4M3, 4096, 8192, 8192, 128, 128, 2, 2, 3, 1);
        byte[] fitsCubin;
        try {
            fitsCubin = GemmRunner.build(cache, fits, sm90a);
        } catch (KernelBuildException e) {
            Assumptions.abort("this nvcc cannot build sm_90a: " + e.getMessage());
            return;
        }
        CubinResources ok = CubinResources.of(fitsCubin, fits.kernelName());
        assertThat(ok.registers()).isBetween(32, 255);
        assertThat(ok.spills()).isFalse();
        CubinResources bad = CubinResources.of(GemmRunner.build(cache, spills, sm90a), spills.kernelName());
        assertThat(bad.registers()).isEqualTo(255);
        assertThat(bad.spills()).isTrue();
        assertThat(bad.frameBytes()).isPositive();
        assertThatThrownBy(() -> CubinResources.of(fitsCubin, "no_such_kernel")).hasMessage("cubin has no kernel named no_such_kernel");

        GemmTuningProblem problem = new GemmTuningProblem(Format.FP8_E4M3, Format.FP8_E4M3, 4096, 8192, 8192, null, cache, sm90a, 1);
        assertThat(problem.compile(fits)).isEqualTo(fitsCubin);
        assertThatThrownBy(() -> problem.compile(spills)).hasMessageStartingWith("pruned: ptxas spills " + spills.kernelName() + " (255 registers");
    }
}
