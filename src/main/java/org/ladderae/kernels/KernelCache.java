package org.ladderae.kernels;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.ladderae.gpu.CudaContext;
import org.ladderae.gpu.CudaModule;
import org.ladderae.gpu.Device;

/**
 * Built kernels on disk, so nvcc runs once per source, flags, arch and nvcc version. Layout:
 * {@code <root>/<source name>/<sha256(source, flags, arch)>/nvcc-<version>.cubin}; the full key is
 * the path. Without nvcc, any cubin for the same source, flags and arch is used (from the cache or a
 * read-only prebuilt directory shipped with the distribution), so prebuilt kernels load on machines
 * without the CUDA toolkit.
 */
public final class KernelCache {
    private final Path root;
    private final List<Path> prebuiltRoots;
    private final Optional<NvccCompiler> nvcc;

    public KernelCache(Path root, List<Path> prebuiltRoots, Optional<NvccCompiler> nvcc) {
        this.root = root;
        this.prebuiltRoots = List.copyOf(prebuiltRoots);
        this.nvcc = nvcc;
    }

    /**
     * The default cache: {@code $LADDER_AE_CACHE} or {@code ~/.cache/ladder-ae/kernels}; prebuilt
     * cubins under {@code $LADDER_AE_HOME/kernels/prebuilt}; the nvcc found on this machine.
     */
    public static KernelCache defaultCache() {
        String env = System.getenv("LADDER_AE_CACHE");
        Path root = env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "ladder-ae", "kernels");
        List<Path> prebuilt = new ArrayList<>();
        String home = System.getenv("LADDER_AE_HOME");
        if (home != null) prebuilt.add(Path.of(home, "kernels", "prebuilt"));
        return new KernelCache(root, prebuilt, NvccCompiler.find());
    }

    public Path root() { return root; }

    public Optional<NvccCompiler> nvcc() { return nvcc; }

    /** Builds (or finds) {@code source} for {@code device} and loads it into {@code context}. */
    public CudaModule load(CudaContext context, KernelSource source, List<String> flags) {
        Device d = context.device();
        TargetArch arch = TargetArch.forComputeCapability(d.ccMajor(), d.ccMinor());
        return context.loadModule(cubin(source, arch, flags), source.name() + " (" + arch.smName() + ")");
    }

    /** The cubin for {@code source} built with {@code flags} for {@code arch}: cached, prebuilt or freshly compiled. */
    public byte[] cubin(KernelSource source, TargetArch arch, List<String> flags) {
        String buildKey = sha256(source.text(), String.join(" ", flags), arch.smName());
        try {
            if (nvcc.isPresent()) {
                Path file = root.resolve(source.name()).resolve(buildKey).resolve("nvcc-" + nvcc.get().version() + ".cubin");
                if (Files.isRegularFile(file)) return Files.readAllBytes(file);
                byte[] cubin = nvcc.get().compileCubin(source, arch, flags);
                writeAtomically(file, cubin);
                return cubin;
            }
            List<Path> roots = new ArrayList<>();
            roots.add(root);
            roots.addAll(prebuiltRoots);
            for (Path r : roots) {
                Optional<Path> any = newestCubin(r.resolve(source.name()).resolve(buildKey));
                if (any.isPresent()) return Files.readAllBytes(any.get());
            }
            throw new KernelBuildException("nvcc not found and no prebuilt " + source.name() + " for " + arch.smName()
                    + " (looked in " + roots + "): install the CUDA toolkit and put nvcc on PATH");
        } catch (IOException e) {
            throw new KernelBuildException("kernel cache " + root + ": " + e);
        }
    }

    private static Optional<Path> newestCubin(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return Optional.empty();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".cubin")).max(java.util.Comparator.comparing(p -> p.toFile().lastModified()));
        }
    }

    private static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        Files.write(tmp, bytes);
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Runs {@code build} for every distinct item on all cores and waits (nvcc is the slow part of a first
     * run); the first failure is rethrown.
     */
    public static <T> void buildInParallel(List<T> items, java.util.function.Consumer<T> build) {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors()));
        try {
            List<java.util.concurrent.Future<?>> fs = new ArrayList<>();
            for (T item : items.stream().distinct().toList()) fs.add(pool.submit(() -> build.accept(item)));
            for (java.util.concurrent.Future<?> f : fs) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException re) throw re;
                    throw new IllegalStateException(e.getCause());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building kernels", e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** SHA-256 over the parts, each length-prefixed so ("ab","c") and ("a","bc") differ. */
    static String sha256(String... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String p : parts) {
                byte[] b = p.getBytes(StandardCharsets.UTF_8);
                md.update((b.length + ":").getBytes(StandardCharsets.US_ASCII));
                md.update(b);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
