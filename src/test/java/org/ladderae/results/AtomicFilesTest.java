package org.ladderae.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir Path dir;

    @Test
    void replacesTheTargetKeepingABackupAndNoTemporaryFile() throws IOException {
        Path target = dir.resolve("sub/out.txt");
        AtomicFiles.write(target, "old".getBytes());
        AtomicFiles.write(target, "new".getBytes());
        assertThat(target).hasContent("new");
        try (var files = Files.list(target.getParent())) {
            assertThat(files).containsExactlyInAnyOrder(target, target.resolveSibling("out.txt.bak"));
        }
    }

    @Test
    void aRewriteOfTheRunsOwnFileKeepsNoBackup() throws IOException {
        Path target = dir.resolve("measurements.json");
        AtomicFiles.write(target, "[1]".getBytes());
        AtomicFiles.rewrite(target, "[1, 2]".getBytes());
        assertThat(target).hasContent("[1, 2]");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(target);
        }
    }

    @Test
    void aFailingWriterKeepsThePreviousContent() throws IOException {
        Path target = dir.resolve("out.txt");
        AtomicFiles.write(target, "kept".getBytes());
        assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
            out.write("partial".getBytes());
            throw new IOException("disk full");
        })).hasMessage("disk full");
        assertThat(target).hasContent("kept");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(target);
        }
    }
}
