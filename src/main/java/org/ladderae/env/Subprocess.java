package org.ladderae.env;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external program (nvcc, python3, a baseline benchmark) with a timeout and captures its
 * output. The one place the project starts processes, so timeouts and missing programs are handled
 * the same way everywhere.
 */
public final class Subprocess {
    private Subprocess() {}

    /** Outcome of a finished (or killed) process. {@code exitCode} is -1 when it timed out. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr, boolean timedOut, Duration elapsed) {
        public boolean ok() { return !timedOut && exitCode == 0; }

        /** The last lines of stderr (or stdout when stderr is empty), for one-line error reports. */
        public String tail(int lines) {
            String text = stderr.isBlank() ? stdout : stderr;
            String[] all = text.strip().split("\n");
            int from = Math.max(0, all.length - lines);
            return String.join("\n", java.util.Arrays.copyOfRange(all, from, all.length));
        }
    }

    /** Thrown when the program itself cannot be started (not installed, not executable). */
    public static final class NotFound extends IOException {
        public NotFound(String program, Throwable cause) { super(program + " not found on PATH", cause); }
    }

    public static Result run(List<String> command, Duration timeout) throws IOException {
        return run(command, timeout, null, Map.of());
    }

    public static Result run(List<String> command, Duration timeout, Path workDir, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (workDir != null) pb.directory(workDir.toFile());
        pb.environment().putAll(env);
        long start = System.nanoTime();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new NotFound(command.get(0), e);
        }
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        boolean finished;
        try {
            finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + command.get(0), e);
        }
        if (!finished) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        return new Result(List.copyOf(command), finished ? p.exitValue() : -1, out.join(), err.join(), !finished, elapsed);
    }

    /** True when {@code program} can be started (used by detectors: nvcc, python3, trtexec). */
    public static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && java.nio.file.Files.isExecutable(Path.of(dir, program))) return true;
        }
        return false;
    }

    private static String drain(InputStream in) {
        try (in) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            in.transferTo(buf);
            return buf.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
