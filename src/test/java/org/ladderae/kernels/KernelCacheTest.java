package org.ladderae.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelCacheTest {
    private static final KernelSource SRC = new KernelSource("k.cu", "extern \"C\" __global__ void k() {}\n");
    private static final TargetArch SM90A = TargetArch.forComputeCapability(9, 0);

    @TempDir Path tmp;

    /** A stand-in nvcc that copies the source to the -o file and counts its runs. */
    private NvccCompiler fakeNvcc(String version) throws IOException {
        Path script = tmp.resolve("fake-nvcc");
        Files.writeString(script, "#!/bin/sh\necho run >> " + tmp.resolve("runs") + "\n"
                + "while [ $# -gt 1 ]; do case $1 in -o) out=$2; shift;; esac; shift; done\ncp \"$1\" \"$out\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new NvccCompiler(script.toString(), version);
    }

    private long runs() throws IOException {
        Path f = tmp.resolve("runs");
        return Files.exists(f) ? Files.readAllLines(f).size() : 0;
    }

    @Test
    void compilesOnceThenHitsTheCache() throws IOException {
        KernelCache cache = new KernelCache(tmp.resolve("cache"), List.of(), Optional.of(fakeNvcc("13.0.88")));
        byte[] first = cache.cubin(SRC, SM90A, List.of("-O3"));
        byte[] second = cache.cubin(SRC, SM90A, List.of("-O3"));
        assertThat(new String(second)).isEqualTo(new String(first)).isEqualTo(SRC.text());
        assertThat(runs()).isEqualTo(1);
        cache.cubin(SRC, SM90A, List.of("-O2"));                         // other flags: rebuild
        cache.cubin(SRC, TargetArch.forComputeCapability(8, 0), List.of("-O3")); // other arch: rebuild
        cache.cubin(new KernelSource("k.cu", SRC.text() + "// edit\n"), SM90A, List.of("-O3")); // other source
        new KernelCache(tmp.resolve("cache"), List.of(), Optional.of(fakeNvcc("13.1.0"))).cubin(SRC, SM90A, List.of("-O3")); // other nvcc
        assertThat(runs()).isEqualTo(5);
    }

    @Test
    void withoutNvccAPrebuiltCubinStillLoads() throws IOException {
        Path prebuilt = tmp.resolve("prebuilt");
        new KernelCache(prebuilt, List.of(), Optional.of(fakeNvcc("13.0.88"))).cubin(SRC, SM90A, List.of("-O3"));
        KernelCache noNvcc = new KernelCache(tmp.resolve("empty-cache"), List.of(prebuilt), Optional.empty());
        assertThat(new String(noNvcc.cubin(SRC, SM90A, List.of("-O3")))).isEqualTo(SRC.text());
    }

    @Test
    void withoutNvccOrPrebuiltSaysSoInOneLine() {
        KernelCache noNvcc = new KernelCache(tmp.resolve("empty"), List.of(), Optional.empty());
        assertThatThrownBy(() -> noNvcc.cubin(SRC, SM90A, List.of()))
                .isInstanceOf(KernelBuildException.class)
                .hasMessageContaining("nvcc not found").hasMessageContaining("sm_90a").hasMessageNotContaining("\n");
    }

    @Test
    void keyPartsDoNotRunTogether() {
        assertThat(KernelCache.sha256("ab", "c")).isNotEqualTo(KernelCache.sha256("a", "bc")).hasSize(64);
    }
}
