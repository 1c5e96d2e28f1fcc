package org.ladderae.checkpoints;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Directory-tree helpers the store and the archive share. */
public final class FileTrees {
    private FileTrees() {}

    /** Deletes {@code dir} and everything below it, not following symbolic links; absent is fine. */
    public static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(dir)) {
            paths = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : paths) Files.deleteIfExists(p);
    }

    /** Best-effort cleanup on a failure path, where a second exception would hide the first. */
    static void deleteQuietly(Path dir, Throwable primary) {
        try {
            deleteRecursively(dir);
        } catch (IOException e) {
            primary.addSuppressed(e);
        }
    }

    /** The path relative to the working directory when it lies below it, so messages stay short. */
    static String display(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path cwd = Path.of("").toAbsolutePath();
        return abs.startsWith(cwd) && !abs.equals(cwd) ? cwd.relativize(abs).toString() : abs.toString();
    }

    static void moveDirectory(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }
}
