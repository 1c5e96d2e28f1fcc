package org.ladderae.checkpoints;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;
import org.ladderae.results.AtomicFiles;

/**
 * Checkpoints as one {@code .tar.gz}, for shipping tuned kernels between machines. Packing is
 * deterministic (sorted entries, fixed times and owners) so the same checkpoints give the same
 * bytes; unpacking trusts nothing in the archive (see {@link ArchiveUnpacker}).
 */
public final class CheckpointArchive {
    /** A fixed timestamp keeps archives byte-identical across runs; 2000-01-01 avoids tar tools' "epoch" warnings. */
    private static final FileTime FIXED_TIME = FileTime.fromMillis(946_684_800_000L);

    private CheckpointArchive() {}

    /** What {@link #pack} wrote. */
    public record PackResult(List<String> checkpoints, int files) {}

    /** What {@link #unpack} installed: {@code arch/name} ids, and those that replaced existing ones. */
    public record UnpackResult(List<String> installed, List<String> replaced) {}

    /**
     * Packs every {@code <arch>/<name>/} checkpoint directory under {@code checkpointsDir} into
     * {@code archive}; other files there (README, temp directories) stay out.
     */
    public static PackResult pack(Path checkpointsDir, Path archive) throws IOException {
        if (!Files.isDirectory(checkpointsDir)) throw new CheckpointException("no checkpoints directory " + FileTrees.display(checkpointsDir));
        List<Path> checkpointDirs = checkpointDirectories(checkpointsDir);
        if (checkpointDirs.isEmpty()) throw new CheckpointException("no checkpoints to pack in " + FileTrees.display(checkpointsDir));
        List<Path> files = new ArrayList<>();
        for (Path dir : checkpointDirs) files.addAll(filesBelow(dir));
        files.sort(Comparator.comparing(f -> entryName(checkpointsDir, f)));
        AtomicFiles.write(archive, out -> writeTarGz(checkpointsDir, files, out));
        return new PackResult(checkpointDirs.stream().map(d -> entryName(checkpointsDir, d)).toList(), files.size());
    }

    public static UnpackResult unpack(Path archive, Path destRoot, UnpackOptions options) throws IOException {
        return new ArchiveUnpacker(archive, destRoot, options).unpack();
    }

    private static void writeTarGz(Path base, List<Path> files, OutputStream out) throws IOException {
        GzipParameters gzip = new GzipParameters();
        gzip.setModificationTime(0);
        gzip.setCompressionLevel(9);
        GzipCompressorOutputStream gz = new GzipCompressorOutputStream(out, gzip);
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(gz, "UTF-8")) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Path file : files) {
                TarArchiveEntry entry = new TarArchiveEntry(entryName(base, file));
                entry.setSize(Files.size(file));
                entry.setMode(0644);
                entry.setLastModifiedTime(FIXED_TIME);
                entry.setIds(0, 0);
                entry.setNames("", "");
                tar.putArchiveEntry(entry);
                try (InputStream in = Files.newInputStream(file)) {
                    in.transferTo(tar);
                }
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
    }

    static List<Path> checkpointDirectories(Path root) throws IOException {
        List<Path> dirs = new ArrayList<>();
        for (Path archDir : sortedChildren(root)) {
            if (!Files.isDirectory(archDir, LinkOption.NOFOLLOW_LINKS) || !CheckpointManifest.isArch(archDir.getFileName().toString())) continue;
            for (Path dir : sortedChildren(archDir)) {
                if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) && !dir.getFileName().toString().startsWith(".")) dirs.add(dir);
            }
        }
        return dirs;
    }

    /** Regular files below {@code dir}; a symbolic link is refused rather than packed or followed. */
    private static List<Path> filesBelow(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isSymbolicLink(p)) throw new CheckpointException("refusing to pack symbolic link " + FileTrees.display(p));
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) files.add(p);
            }
        }
        return files;
    }

    private static List<Path> sortedChildren(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        }
    }

    private static String entryName(Path base, Path file) {
        return base.relativize(file).toString().replace(java.io.File.separatorChar, '/');
    }
}
