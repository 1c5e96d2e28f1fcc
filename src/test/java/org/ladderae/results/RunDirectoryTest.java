package org.ladderae.results;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunDirectoryTest {
    @Test
    void twoRunsInTheSameSecondGetTheirOwnDirectories(@TempDir Path out) throws IOException {
        RunDirectory a = RunDirectory.create(out, "figure9");
        RunDirectory b = RunDirectory.create(out, "figure9");
        assertThat(a.path()).isNotEqualTo(b.path());
        assertThat(a.path().getParent()).isEqualTo(out.resolve("figure9"));
        assertThat(Files.isDirectory(b.path())).isTrue();
    }

    @Test
    void atomicWriteKeepsTheEarlierFileAsBackup(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("results.json");
        AtomicFiles.writeString(f, "first");
        AtomicFiles.writeString(f, "second");
        assertThat(Files.readString(f)).isEqualTo("second");
        assertThat(Files.readString(dir.resolve("results.json.bak"))).isEqualTo("first");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("results.json", "results.json.bak");
        }
    }

    @Test
    void failedWriteLeavesTheOriginalAndNoTemporaryFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("data.json");
        AtomicFiles.writeString(f, "good");
        try {
            AtomicFiles.write(f, out -> {
                out.write("partial".getBytes());
                throw new IOException("disk full");
            });
        } catch (IOException expected) {
            assertThat(expected).hasMessage("disk full");
        }
        assertThat(Files.readString(f)).isEqualTo("good");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("data.json");
        }
    }

    @Test
    void timingStatsMedianAndSpread() {
        TimingStats s = TimingStats.of(new double[] {4, 1, 3, 2, 5});
        assertThat(s.medianMs()).isEqualTo(3);
        assertThat(s.minMs()).isEqualTo(1);
        assertThat(s.p90Ms()).isEqualTo(4.6, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(s.cv()).isEqualTo(Math.sqrt(2.5) / 3, org.assertj.core.data.Offset.offset(1e-12));
    }
}
