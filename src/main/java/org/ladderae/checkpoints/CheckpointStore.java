package org.ladderae.checkpoints;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The checkpoints under one root directory, laid out as {@code <root>/<arch>/<name>/manifest.json}
 * plus the binary the manifest names. The shipped root is {@code checkpoints/} of the install; a
 * run that re-tunes saves into a root of its own so the shipped kernels stay as they were.
 */
public final class CheckpointStore {
    public static final String DIRECTORY = "checkpoints";
    /** Exported by the {@code ladder-ae} launcher: the install directory. */
    public static final String HOME_ENV = "LADDER_AE_HOME";

    private final Path root;

    public CheckpointStore(Path root) { this.root = root; }

    /** The shipped checkpoints: {@code $LADDER_AE_HOME/checkpoints}, else {@code ./checkpoints}. */
    public static CheckpointStore installed() { return new CheckpointStore(defaultRoot(System.getenv())); }

    public static Path defaultRoot(Map<String, String> env) {
        String home = env.get(HOME_ENV);
        return home == null || home.isBlank() ? Path.of(DIRECTORY) : Path.of(home, DIRECTORY);
    }

    public Path root() { return root; }

    /** Every checkpoint, all arches, sorted by {@code arch/name}; an unreadable manifest is an error. */
    public List<Checkpoint> list() {
        return scan(null).stream().map(Entry::checkpointOrThrow).toList();
    }

    public List<Checkpoint> list(String arch) {
        CheckpointManifest.requireArch(arch);
        return scan(arch).stream().map(Entry::checkpointOrThrow).toList();
    }

    /** The checkpoint for {@code key} tuned for {@code arch}, if there is one. */
    public Optional<Checkpoint> find(String arch, CheckpointKey key) {
        List<Checkpoint> matches = list(arch).stream().filter(c -> c.manifest().key().equals(key)).toList();
        if (matches.size() > 1) {
            throw new CheckpointException("checkpoints " + matches.stream().map(Checkpoint::id).toList() + " in "
                    + FileTrees.display(root) + " are all for " + key.describe() + ": keep one");
        }
        return matches.stream().findFirst();
    }

    /**
     * The checkpoint for {@code key} on a GPU of {@code gpuArch}, or a one-line error saying what to
     * run: checkpoints tuned for another arch are refused, never used.
     */
    public Checkpoint require(String gpuArch, CheckpointKey key) {
        Optional<Checkpoint> found = find(gpuArch, key);
        if (found.isPresent()) return found.get();
        for (Path archDir : archDirectories()) {
            String other = archDir.getFileName().toString();
            if (!other.equals(gpuArch) && find(other, key).isPresent()) {
                throw new CheckpointException("checkpoints in " + FileTrees.display(archDir) + " were tuned for " + other
                        + " but this GPU is " + gpuArch + ": rerun with --force-tune-ladder to tune for it");
            }
        }
        throw new CheckpointException("no checkpoint for " + key.describe() + " in " + FileTrees.display(root.resolve(gpuArch))
                + ": rerun with --force-tune-ladder to tune it");
    }

    /** The verified binary of {@link #require}'s checkpoint. */
    public byte[] loadBinary(String gpuArch, CheckpointKey key) {
        return require(gpuArch, key).readVerifiedBinary();
    }

    /**
     * Writes {@code binary} and its manifest (with the SHA-256 and creation time filled in) to
     * {@code <root>/<arch>/<name>/}. The directory appears whole or not at all. An existing
     * checkpoint with the same name or key is replaced only when {@code force} is set.
     */
    public Checkpoint save(CheckpointManifest manifest, byte[] binary, boolean force) throws IOException {
        CheckpointManifest m = manifest.withBinary(binary, Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
        Path archDir = root.resolve(m.arch());
        Path target = archDir.resolve(m.name());
        List<Path> replaced = occupants(m.arch(), m.name(), m.key());
        if (!replaced.isEmpty() && !force) {
            throw new CheckpointException("a checkpoint for " + m.key().describe() + " already exists at "
                    + FileTrees.display(replaced.get(0)) + ": save with force to replace it, or save into another directory");
        }
        Files.createDirectories(archDir);
        Path staging = Files.createTempDirectory(archDir, "." + m.name() + ".new-");
        List<Path> retired = new ArrayList<>();
        try {
            Files.write(staging.resolve(m.binaryFile()), binary);
            Files.write(staging.resolve(CheckpointManifest.FILE_NAME), m.toJson());
            for (Path old : replaced) {
                Path aside = Files.createTempDirectory(archDir, "." + old.getFileName() + ".old-");
                Files.delete(aside);
                FileTrees.moveDirectory(old, aside);
                retired.add(aside);
            }
            FileTrees.moveDirectory(staging, target);
        } catch (IOException | RuntimeException e) {
            FileTrees.deleteQuietly(staging, e);
            throw e;
        }
        for (Path old : retired) FileTrees.deleteRecursively(old);
        return new Checkpoint(target, m);
    }

    /** Existing checkpoint directories a new {@code arch/name} for {@code key} would replace. */
    List<Path> occupants(String arch, String name, CheckpointKey key) {
        Path target = root.resolve(arch).resolve(name);
        return scan(arch).stream()
                .filter(e -> e.directory().equals(target) || (e.manifest() != null && e.manifest().key().equals(key)))
                .map(Entry::directory).toList();
    }

    /** Recomputes every binary's SHA-256; one result per checkpoint directory, problems included. */
    public List<Verification> verify() {
        List<Verification> results = new ArrayList<>();
        for (Entry e : scan(null)) {
            String id = root.relativize(e.directory()).toString().replace('\\', '/');
            if (e.problem() != null) {
                results.add(new Verification(id, e.directory().resolve(CheckpointManifest.FILE_NAME), e.problem()));
                continue;
            }
            Checkpoint c = new Checkpoint(e.directory(), e.manifest());
            String problem = null;
            try {
                c.readVerifiedBinary();
            } catch (CheckpointException ex) {
                problem = ex.getMessage();
            }
            results.add(new Verification(id, c.binaryPath(), problem));
        }
        return results;
    }

    /** The outcome of checking one checkpoint; {@code problem} is null when it is intact. */
    public record Verification(String id, Path file, String problem) {
        public boolean ok() { return problem == null; }
    }

    /** A checkpoint directory and either its manifest or why it could not be used. */
    private record Entry(Path directory, CheckpointManifest manifest, String problem) {
        Checkpoint checkpointOrThrow() {
            if (problem != null) throw new CheckpointException(problem + " (run 'ladder-ae checkpoints verify')");
            return new Checkpoint(directory, manifest);
        }
    }

    private List<Path> archDirectories() {
        if (!Files.isDirectory(root)) return List.of();
        return children(root).filter(p -> CheckpointManifest.isArch(p.getFileName().toString())).toList();
    }

    /** Checkpoint directories under one arch (or all when {@code arch} is null); temp dirs start with '.'. */
    private List<Entry> scan(String arch) {
        List<Path> archDirs = arch == null ? archDirectories() : List.of(root.resolve(arch));
        List<Entry> entries = new ArrayList<>();
        for (Path archDir : archDirs) {
            if (!Files.isDirectory(archDir)) continue;
            children(archDir).filter(p -> !p.getFileName().toString().startsWith("."))
                    .forEach(dir -> entries.add(entry(archDir.getFileName().toString(), dir)));
        }
        return entries;
    }

    private static Entry entry(String arch, Path dir) {
        Path manifestFile = dir.resolve(CheckpointManifest.FILE_NAME);
        if (!Files.isRegularFile(manifestFile)) return new Entry(dir, null, "checkpoint directory " + FileTrees.display(dir) + " has no " + CheckpointManifest.FILE_NAME);
        try {
            CheckpointManifest m = CheckpointManifest.read(manifestFile);
            if (!m.arch().equals(arch) || !m.name().equals(dir.getFileName().toString())) {
                return new Entry(dir, null, "manifest " + FileTrees.display(manifestFile) + " describes " + m.arch() + "/" + m.name()
                        + " but lies in " + arch + "/" + dir.getFileName() + ": move it back or re-tune");
            }
            return new Entry(dir, m, null);
        } catch (CheckpointException e) {
            return new Entry(dir, null, e.getMessage());
        } catch (IOException e) {
            return new Entry(dir, null, "cannot read " + FileTrees.display(manifestFile) + ": " + e.getMessage());
        }
    }

    private static Stream<Path> children(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).sorted(Comparator.comparing(p -> p.getFileName().toString())).toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
