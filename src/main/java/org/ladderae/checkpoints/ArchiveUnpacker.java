package org.ladderae.checkpoints;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Extracts a checkpoints archive without trusting it. Every entry must be a plain file or
 * directory at a relative path inside {@code <arch>/<name>/}; links, devices, escapes, duplicates
 * and oversized content are refused. Everything is first extracted into a hidden staging directory
 * inside the destination and checked (manifests parse, hashes match); only then are the
 * checkpoint directories moved into place, so a refused archive leaves the destination as it was.
 */
final class ArchiveUnpacker {
    private static final int BUFFER = 64 * 1024;

    private final Path archive;
    private final Path dest;
    private final UnpackOptions limits;
    /** Normalised entry path to whether it is a directory, for duplicate detection. */
    private final Map<String, Boolean> seen = new HashMap<>();
    private long totalBytes;
    private int entries;

    ArchiveUnpacker(Path archive, Path dest, UnpackOptions limits) {
        this.archive = archive;
        this.dest = dest.toAbsolutePath().normalize();
        this.limits = limits;
    }

    CheckpointArchive.UnpackResult unpack() throws IOException {
        if (!Files.isRegularFile(archive)) throw new NoSuchFileException(archive.toString());
        Path createdTop = firstMissingAncestor(dest);
        Files.createDirectories(dest);
        Path staging = Files.createTempDirectory(dest, ".unpack-");
        try {
            extractAll(staging);
            List<String> ids = validateCheckpoints(staging);
            CheckpointArchive.UnpackResult result = install(staging, ids);
            FileTrees.deleteRecursively(staging);
            return result;
        } catch (IOException | RuntimeException e) {
            FileTrees.deleteQuietly(createdTop != null ? createdTop : staging, e);
            throw e;
        }
    }

    private void extractAll(Path staging) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive))) {
            requireGzipMagic(raw);
            GzipCompressorInputStream gz = GzipCompressorInputStream.builder().setInputStream(raw).setDecompressConcatenated(true).get();
            TarArchiveInputStream tar = new TarArchiveInputStream(gz, "UTF-8");
            TarArchiveEntry entry;
            while ((entry = nextEntry(tar)) != null) {
                if (++entries > limits.maxEntries()) throw reject("it has more than " + limits.maxEntries() + " entries");
                extract(tar, entry, staging);
            }
            if (entries == 0) throw reject("it contains no checkpoints");
            // The tar end marker may come before the end of the gzip stream; read on so a truncated
            // or corrupt tail (bad CRC, missing trailer) is still caught.
            drain(gz);
        } catch (EOFException e) {
            throw reject("it is truncated or corrupt (" + e.getMessage() + ")");
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            if (e instanceof java.nio.file.FileSystemException) throw e;
            throw reject("it is truncated or corrupt (" + e.getMessage() + ")");
        }
    }

    private void requireGzipMagic(InputStream in) throws IOException {
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 != 0x1f || b1 != 0x8b) throw notTarGz();
    }

    private TarArchiveEntry nextEntry(TarArchiveInputStream tar) throws IOException {
        try {
            return tar.getNextEntry();
        } catch (IOException e) {
            // Gzip data that is not a tar stream fails at the first header.
            if (entries == 0 && !(e instanceof EOFException)) throw notTarGz();
            throw e;
        }
    }

    private void extract(TarArchiveInputStream tar, TarArchiveEntry entry, Path staging) throws IOException {
        String raw = entry.getName();
        byte type = entry.getLinkFlag();
        if (entry.isSymbolicLink()) throw reject("entry '" + raw + "' is a symbolic link (to '" + entry.getLinkName() + "')");
        if (entry.isLink()) throw reject("entry '" + raw + "' is a hard link (to '" + entry.getLinkName() + "')");
        if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) throw reject("entry '" + raw + "' is a device or FIFO");
        boolean directory = type == TarConstants.LF_DIR;
        boolean file = type == TarConstants.LF_NORMAL || type == TarConstants.LF_OLDNORM || type == TarConstants.LF_CONTIG;
        if (!directory && !file) throw reject("entry '" + raw + "' has unsupported type '" + (char) type + "'");

        String name = safeRelativeName(raw);
        if (name.isEmpty() && directory) return;  // "./" from `tar -C dir .`
        Path target = staging.resolve(name).normalize();
        if (!target.startsWith(staging) || target.equals(staging)) throw reject("entry '" + raw + "' escapes the destination");
        Boolean before = seen.put(name, directory);
        if (before != null && !(before && directory)) throw reject("entry '" + raw + "' appears more than once");

        try {
            write(tar, entry, raw, name, target, directory);
        } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.NotDirectoryException e) {
            // A file and a directory at the same path ("a/b" then "a/b/c"): no honest archive has this.
            throw reject("entry '" + raw + "' clashes with another entry's path");
        }
    }

    private void write(TarArchiveInputStream tar, TarArchiveEntry entry, String raw, String name, Path target, boolean directory)
            throws IOException {
        String[] parts = name.split("/");
        if (directory) {
            if (parts.length <= 2) requireLayout(raw, parts);
            Files.createDirectories(target);
            return;
        }
        if (parts.length < 3) throw reject("entry '" + raw + "' is not inside an <arch>/<checkpoint>/ directory");
        requireLayout(raw, parts);
        if (entry.getSize() > limits.maxEntryBytes()) throw entryTooLarge(raw);
        Files.createDirectories(target.getParent());
        copyCounting(tar, target, raw);
    }

    /** The first two levels name the arch and the checkpoint; both become directory names. */
    private void requireLayout(String raw, String[] parts) {
        if (!CheckpointManifest.isArch(parts[0])) {
            throw reject("entry '" + raw + "' is not under an arch directory like sm_90a/");
        }
        if (parts.length >= 2) {
            try {
                CheckpointManifest.requireSafeName(parts[1], "checkpoint name");
            } catch (IllegalArgumentException e) {
                throw reject("entry '" + raw + "': " + e.getMessage());
            }
        }
    }

    /**
     * The entry's path with "." and empty segments dropped; absolute paths, drive letters,
     * backslashes and any ".." segment are refused outright rather than "fixed".
     */
    private String safeRelativeName(String raw) {
        if (raw.isEmpty()) throw reject("an entry has an empty name");
        if (raw.startsWith("/") || raw.matches("^[A-Za-z]:.*")) throw reject("entry '" + raw + "' has an absolute path");
        if (raw.indexOf('\\') >= 0 || raw.indexOf('\0') >= 0) throw reject("entry '" + raw + "' has a backslash or NUL in its path");
        List<String> kept = new ArrayList<>();
        for (String part : raw.split("/")) {
            if (part.equals("..")) throw reject("entry '" + raw + "' escapes the destination ('..' is not allowed)");
            if (!part.isEmpty() && !part.equals(".")) kept.add(part);
        }
        return String.join("/", kept);
    }

    private void copyCounting(InputStream in, Path target, String raw) throws IOException {
        long entryBytes = 0;
        byte[] buf = new byte[BUFFER];
        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                entryBytes += n;
                totalBytes += n;
                if (entryBytes > limits.maxEntryBytes()) throw entryTooLarge(raw);
                if (totalBytes > limits.maxTotalBytes()) throw totalTooLarge();
                out.write(buf, 0, n);
            }
        }
    }

    private void drain(InputStream gz) throws IOException {
        byte[] buf = new byte[BUFFER];
        for (int n; (n = gz.read(buf)) > 0; ) {
            totalBytes += n;
            if (totalBytes > limits.maxTotalBytes()) throw totalTooLarge();
        }
    }

    /** Every extracted checkpoint must be intact before any of them is installed. */
    private List<String> validateCheckpoints(Path staging) {
        CheckpointStore staged = new CheckpointStore(staging);
        List<String> ids = new ArrayList<>();
        for (CheckpointStore.Verification v : staged.verify()) {
            if (!v.ok()) {
                String where = staging.toString() + java.io.File.separator;
                throw reject("checkpoint " + v.id() + " in it is broken: "
                        + v.problem().replace(where, "").replace(FileTrees.display(staging) + "/", ""));
            }
            ids.add(v.id());
        }
        if (ids.isEmpty()) throw reject("it contains no checkpoints");
        return ids;
    }

    private CheckpointArchive.UnpackResult install(Path staging, List<String> ids) throws IOException {
        CheckpointStore existing = new CheckpointStore(dest);
        CheckpointStore staged = new CheckpointStore(staging);
        Map<String, List<Path>> occupants = new HashMap<>();
        for (Checkpoint c : staged.list()) {
            List<Path> occ = existing.occupants(c.manifest().arch(), c.manifest().name(), c.manifest().key());
            if (!occ.isEmpty() && !limits.force()) {
                throw reject("checkpoint " + c.id() + " already exists in " + FileTrees.display(dest)
                        + " (as " + dest.relativize(occ.get(0)).toString().replace('\\', '/') + "); pass --force to replace it");
            }
            occupants.put(c.id(), occ);
        }
        Path retired = Files.createDirectory(staging.resolve(".replaced"));
        List<String> replaced = new ArrayList<>();
        int n = 0;
        for (String id : ids) {
            for (Path old : occupants.get(id)) {
                FileTrees.moveDirectory(old, retired.resolve(String.valueOf(n++)));
                replaced.add(dest.relativize(old).toString().replace('\\', '/'));
            }
            Path target = dest.resolve(id);
            Files.createDirectories(target.getParent());
            FileTrees.moveDirectory(staging.resolve(id), target);
        }
        return new CheckpointArchive.UnpackResult(ids, replaced);
    }

    private static Path firstMissingAncestor(Path dir) {
        Path missing = null;
        for (Path p = dir; p != null && !Files.exists(p); p = p.getParent()) missing = p;
        return missing;
    }

    private CheckpointException entryTooLarge(String raw) {
        return reject("entry '" + raw + "' is larger than the limit of " + limits.maxEntryBytes() + " bytes");
    }

    private CheckpointException totalTooLarge() {
        return reject("it expands to more than the limit of " + limits.maxTotalBytes() + " bytes");
    }

    private CheckpointException notTarGz() {
        return new CheckpointException(FileTrees.display(archive) + " is not a gzip-compressed tar archive");
    }

    private CheckpointException reject(String why) {
        return new CheckpointException("refusing to unpack " + FileTrees.display(archive) + ": " + why);
    }
}
