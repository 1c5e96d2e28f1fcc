package org.ladderae.kernels;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.ladderae.env.Subprocess;

/** Compiles CUDA C++ to cubin by running {@code nvcc} (JCuda's NVRTC does not load against the CUDA 13 driver). */
public final class NvccCompiler {
    private static final Duration VERSION_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration COMPILE_TIMEOUT = Duration.ofMinutes(5);
    private static final Pattern VERSION = Pattern.compile("release [0-9.]+, V([0-9.]+)");

    private final String executable;
    private final String version;

    NvccCompiler(String executable, String version) {
        this.executable = executable;
        this.version = version;
    }

    /** The nvcc on PATH, else under $CUDA_HOME or /usr/local/cuda; empty when there is none. */
    public static Optional<NvccCompiler> find() {
        List<String> candidates = new ArrayList<>();
        if (Subprocess.onPath("nvcc")) candidates.add("nvcc");
        String cudaHome = System.getenv("CUDA_HOME");
        if (cudaHome != null) candidates.add(Path.of(cudaHome, "bin", "nvcc").toString());
        candidates.add("/usr/local/cuda/bin/nvcc");
        for (String c : candidates) {
            if (!c.equals("nvcc") && !Files.isExecutable(Path.of(c))) continue;
            try {
                Subprocess.Result r = Subprocess.run(List.of(c, "--version"), VERSION_TIMEOUT);
                if (!r.ok()) continue;
                Matcher m = VERSION.matcher(r.stdout());
                if (m.find()) return Optional.of(new NvccCompiler(c, m.group(1)));
            } catch (IOException e) {
                // not runnable: try the next candidate
            }
        }
        return Optional.empty();
    }

    /** e.g. "13.0.88". */
    public String version() { return version; }

    static int majorVersion(String version) {
        try {
            return Integer.parseInt(version.split("\\.")[0]);
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** Compiles {@code source} to a cubin for {@code arch}; nvcc's message becomes the exception's on failure. */
    public byte[] compileCubin(KernelSource source, TargetArch arch, List<String> flags) {
        String unsupported = arch.unsupportedReason(version);
        if (unsupported != null) throw new KernelBuildException(unsupported);
        Path dir = null;
        try {
            dir = Files.createTempDirectory("ladder-ae-nvcc");
            Path cu = dir.resolve(source.name().endsWith(".cu") ? source.name() : source.name() + ".cu");
            Path cubin = dir.resolve("out.cubin");
            Files.writeString(cu, source.text(), StandardCharsets.UTF_8);
            List<String> cmd = new ArrayList<>(List.of(executable, "-cubin"));
            cmd.addAll(arch.nvccFlags());
            cmd.addAll(flags);
            cmd.addAll(List.of("-o", cubin.toString(), cu.toString()));
            Subprocess.Result r = Subprocess.run(cmd, COMPILE_TIMEOUT, dir, java.util.Map.of());
            if (r.timedOut()) throw new KernelBuildException("nvcc timed out after " + COMPILE_TIMEOUT.toSeconds() + " s compiling " + source.name());
            if (!r.ok()) {
                String msg = (r.stderr() + r.stdout()).strip().replace(cu.toString(), source.name());
                throw new KernelBuildException("nvcc failed on " + source.name() + " for " + arch.smName() + ":\n" + msg);
            }
            return Files.readAllBytes(cubin);
        } catch (Subprocess.NotFound e) {
            throw new KernelBuildException("nvcc could not be started (" + executable + "): " + e.getMessage());
        } catch (IOException e) {
            throw new KernelBuildException("compiling " + source.name() + ": " + e);
        } finally {
            if (dir != null) deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp dir is harmless
        }
    }
}
