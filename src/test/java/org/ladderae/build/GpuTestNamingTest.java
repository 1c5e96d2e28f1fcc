package org.ladderae.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * scripts/gpu-check.sh finds the GPU test classes by name (*GpuTest) to spread them over a machine's GPUs: every class
 * tagged "gpu" must be named so, or the GPU check would silently skip it.
 */
class GpuTestNamingTest {
    @Test
    void everyGpuTaggedTestClassIsNamedGpuTest() throws IOException {
        List<Path> tagged;
        try (Stream<Path> files = Files.walk(Path.of("src/test/java"))) {
            tagged = files.filter(p -> p.toString().endsWith(".java")).filter(GpuTestNamingTest::taggedGpu).toList();
        }
        assertThat(tagged).hasSizeGreaterThan(10).allSatisfy(p -> assertThat(p.getFileName().toString()).endsWith("GpuTest.java"));
    }

    private static boolean taggedGpu(Path p) {
        try {
            return Files.readString(p).contains("@Tag(\"gpu\")");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
