package org.ladderae.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs the real nvcc where there is one (this needs no GPU); skipped with a printed reason elsewhere. */
class NvccCompilerTest {
    private static NvccCompiler nvcc;

    @BeforeAll
    static void findNvcc() {
        nvcc = NvccCompiler.find().orElse(null);
        if (nvcc == null) System.out.println("[skip] NvccCompilerTest: no nvcc on PATH");
        Assumptions.assumeTrue(nvcc != null, "no nvcc on PATH");
    }

    @Test
    void buildsTheSelftestKernelsToCubin() {
        byte[] cubin = nvcc.compileCubin(KernelSource.fromClasspath("selftest/gemv_fp16.cu"), TargetArch.forComputeCapability(9, 0), List.of("-O3"));
        assertThat(cubin).startsWith(0x7f, 'E', 'L', 'F');
    }

    @Test
    void aCompileErrorCarriesNvccsMessage() {
        KernelSource broken = new KernelSource("broken.cu", "extern \"C\" __global__ void k(float* p) {\n  p[0] = undefined_name;\n}\n");
        assertThatThrownBy(() -> nvcc.compileCubin(broken, TargetArch.forComputeCapability(9, 0), List.of()))
                .isInstanceOf(KernelBuildException.class)
                .hasMessageContaining("broken.cu").hasMessageContaining("undefined_name").hasMessageContaining("sm_90a");
    }

    @Test
    void refusesVoltaWithCuda13() {
        Assumptions.assumeTrue(NvccCompiler.majorVersion(nvcc.version()) >= 13, "nvcc older than 13 builds sm_70");
        assertThatThrownBy(() -> nvcc.compileCubin(KernelSource.fromClasspath("selftest/vector_add.cu"), TargetArch.parse("sm_70"), List.of()))
                .isInstanceOf(KernelBuildException.class).hasMessageContaining("CUDA 12");
    }
}
