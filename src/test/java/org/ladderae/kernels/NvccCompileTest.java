package org.ladderae.kernels;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Compiles the shipped GEMV source for a few configurations when nvcc is on PATH (skipped with a reason otherwise). */
class NvccCompileTest {

    private static boolean nvccOnPath() {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String dir : path.split(java.io.File.pathSeparator)) if (Files.isExecutable(Path.of(dir, "nvcc"))) return true;
        return false;
    }

    @Test
    void shippedSourceCompilesWithoutSpills(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(nvccOnPath(), () -> {
            System.out.println("NvccCompileTest skipped: nvcc is not on PATH");
            return "nvcc is not on PATH";
        });
        Path src = dir.resolve("ladder_gemv.cu");
        try (InputStream in = GemvKernelSpec.class.getResourceAsStream(GemvKernelSpec.SOURCE_RESOURCE)) {
            assertThat(in).isNotNull();
            Files.copy(in, src);
        }
        // one configuration per code path: lop3 INT4, tensor-core NF4, dp4a INT1 x INT8, MXFP8 baseline
        List<GemvConfig> configs = List.of(
                new GemvConfig(WeightFormat.INT4, ActFormat.FP16, 1, GemvStage.HOLISTIC, new GemvLaunch(256, 4, 1, 1, 0)),
                GemvKernels.holistic(WeightFormat.NF4, ActFormat.FP16, 16, 28672, 8192),
                GemvConfig.of(WeightFormat.INT1, ActFormat.INT8, 3, GemvStage.PTX),
                GemvConfig.of(WeightFormat.MXFP8, ActFormat.FP16, 1, GemvStage.BASELINE));
        for (GemvConfig c : configs) {
            GemvKernelSpec s = GemvKernels.spec(c);
            List<String> cmd = new ArrayList<>(List.of("nvcc"));
            cmd.addAll(s.nvccOptions());
            s.nvccDefines().forEach((k, v) -> cmd.add("-D" + k + "=" + v));
            cmd.addAll(List.of("-o", dir.resolve(s.kernelName() + ".cubin").toString(), src.toString()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(log).isZero();
            assertThat(log).as("ptxas report of %s", s.kernelName()).contains(s.kernelName()).contains("0 bytes spill stores");
            assertThat(Files.size(dir.resolve(s.kernelName() + ".cubin"))).isPositive();
        }
    }
}
