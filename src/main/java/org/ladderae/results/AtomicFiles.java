package org.ladderae.results;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes files so a reader never sees half of one: the bytes go to a temporary file in the same
 * directory, which is then renamed over the target. An existing target is first kept as
 * {@code <name>.bak} unless the caller allows replacing it.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    @FunctionalInterface
    public interface IoConsumer<T> { void accept(T t) throws IOException; }

    /** Writes {@code bytes} to {@code target} and returns {@code target}. */
    public static Path write(Path target, byte[] bytes) throws IOException {
        return write(target, out -> out.write(bytes));
    }

    public static Path writeString(Path target, String text) throws IOException {
        return write(target, text.getBytes(StandardCharsets.UTF_8));
    }

    public static Path write(Path target, IoConsumer<OutputStream> writer) throws IOException {
        return write(target, writer, true);
    }

    /**
     * Replaces {@code target} atomically without keeping a {@code .bak}: only for a file that the same run wrote
     * earlier and now extends (a run's measurements log, the report of {@code all} rewritten after each experiment),
     * where the older version is a prefix of the new one and a backup would only be clutter.
     */
    public static Path rewrite(Path target, byte[] bytes) throws IOException {
        return write(target, out -> out.write(bytes), false);
    }

    private static Path write(Path target, IoConsumer<OutputStream> writer, boolean keepBackup) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                writer.accept(out);
            }
            if (keepBackup && Files.exists(target)) {
                Files.copy(target, target.resolveSibling(target.getFileName() + ".bak"), StandardCopyOption.REPLACE_EXISTING);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
