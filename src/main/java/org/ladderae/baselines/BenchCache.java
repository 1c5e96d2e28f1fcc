package org.ladderae.baselines;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.ladderae.env.Subprocess;
import org.ladderae.results.AtomicFiles;

/**
 * The baselines' private cache (default {@code ~/.cache/ladder-ae/baselines}): benchmark sources
 * copied out of the jar, and the cuBLAS benchmark built by nvcc. Entries are named by a hash of
 * what they depend on (source bytes, plus {@code nvcc --version} for binaries), so a changed source
 * or toolkit builds anew and an unchanged one is reused.
 */
final class BenchCache {
    private final Path dir;

    BenchCache(Path dir) { this.dir = dir; }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = BenchCache.class.getResourceAsStream("/baselines/" + name)) {
            if (in == null) throw new IOException("resource baselines/" + name + " missing from the build");
            return in.readAllBytes();
        }
    }

    /** The shipped script, copied to {@code <dir>/<hash>-<name>} once. */
    Path script(String name) throws IOException {
        byte[] bytes = resource(name);
        Path target = dir.resolve(sha256(bytes).substring(0, 16) + "-" + name);
        if (!Files.exists(target)) AtomicFiles.write(target, bytes);
        return target;
    }

    /** The outcome of {@link #buildCublasBench}: the binary, or why it could not be built. */
    record Build(Path binary, String error) {}

    /** Builds {@code cublas_bench.cu} with nvcc for the GPU's architecture, or returns the cached binary. */
    Build buildCublasBench(String nvcc, String arch, Duration timeout) throws IOException {
        byte[] source = resource("cublas_bench.cu");
        Subprocess.Result version = Subprocess.run(List.of(nvcc, "--version"), Duration.ofSeconds(30));
        if (!version.ok()) return new Build(null, "nvcc --version failed: " + version.tail(2));
        String key = sha256(concat(source, version.stdout().getBytes(StandardCharsets.UTF_8), arch.getBytes(StandardCharsets.UTF_8)));
        Path binary = dir.resolve("cublas_bench-" + key.substring(0, 16));
        if (Files.isExecutable(binary)) return new Build(binary, null);
        Files.createDirectories(dir);
        Path src = dir.resolve("cublas_bench-" + key.substring(0, 16) + ".cu");
        AtomicFiles.write(src, source);
        // Build to a temporary name and rename, so an interrupted build never leaves a binary that looks cached.
        Path tmp = dir.resolve(binary.getFileName() + ".tmp" + ProcessHandle.current().pid());
        Subprocess.Result r = Subprocess.run(List.of(nvcc, "-O2", "-std=c++17", "-arch=" + arch, src.toString(),
                "-lcublasLt", "-lcublas", "-o", tmp.toString()), timeout);
        if (!r.ok()) {
            Files.deleteIfExists(tmp);
            return new Build(null, (r.timedOut() ? "nvcc timed out" : "nvcc failed (exit " + r.exitCode() + ")") + ": " + r.tail(6));
        }
        Files.move(tmp, binary, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return new Build(binary, null);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length + 1;
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length + 1;  // a zero byte between parts keeps ("ab","c") apart from ("a","bc")
        }
        return out;
    }
}
