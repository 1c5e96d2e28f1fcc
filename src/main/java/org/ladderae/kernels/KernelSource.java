package org.ladderae.kernels;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CUDA C++ source of one self-contained translation unit (no local includes), named for messages and
 * cache paths. Sources ship inside the jar under {@code kernels/} and as files in the distribution.
 *
 * <p>{@link #fromClasspath} inlines local {@code #include "file"} directives (resolved next to the
 * including file on the classpath), so nvcc compiles one file from a temp directory and the kernel
 * cache's key, which hashes the text, changes when a header changes.
 */
public record KernelSource(String name, String text) {
    private static final Pattern LOCAL_INCLUDE = Pattern.compile("^\\s*#\\s*include\\s+\"([^\"]+)\"\\s*$");
    private static final Pattern PRAGMA_ONCE = Pattern.compile("^\\s*#\\s*pragma\\s+once\\s*$");

    public KernelSource {
        if (!name.matches("[A-Za-z0-9_.-]+")) throw new IllegalArgumentException("kernel source name must be a plain file name: " + name);
    }

    /** Loads {@code kernels/<path>} from the classpath, e.g. {@code selftest/vector_add.cu}, with its local includes inlined. */
    public static KernelSource fromClasspath(String path) {
        String file = path.substring(path.lastIndexOf('/') + 1);
        StringBuilder out = new StringBuilder();
        inline("kernels/" + path, out, new HashSet<>(), 0);
        return new KernelSource(file, out.toString());
    }

    /**
     * Appends {@code resource} with its local includes replaced by their text. {@code #line} markers keep
     * nvcc's messages pointing at the original files; a header with {@code #pragma once} is inlined once.
     */
    private static void inline(String resource, StringBuilder out, Set<String> onceIncluded, int depth) {
        if (depth > 16) throw new IllegalArgumentException("kernel source includes nest deeper than 16 levels at " + resource);
        String text = read(resource);
        String dir = resource.substring(0, resource.lastIndexOf('/') + 1);
        String shortName = resource.substring(resource.lastIndexOf('/') + 1);
        String[] lines = text.split("\n", -1);
        boolean once = false;
        for (String l : lines) if (PRAGMA_ONCE.matcher(l).matches()) once = true;
        if (once && !onceIncluded.add(resource)) return;
        if (depth > 0) out.append("#line 1 \"").append(shortName).append("\"\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            Matcher m = LOCAL_INCLUDE.matcher(line);
            if (m.matches()) {
                inline(normalise(dir + m.group(1)), out, onceIncluded, depth + 1);
                out.append("#line ").append(i + 2).append(" \"").append(shortName).append("\"\n");
            } else if (PRAGMA_ONCE.matcher(line).matches()) {
                out.append("// #pragma once (inlined by ladder-ae)\n");
            } else {
                out.append(line);
                if (i < lines.length - 1) out.append('\n');
            }
        }
        if (depth > 0 && !text.endsWith("\n")) out.append('\n');
    }

    /** Resolves "a/b/../c" segments: class loaders do not. */
    private static String normalise(String resource) {
        java.util.Deque<String> parts = new java.util.ArrayDeque<>();
        for (String p : resource.split("/")) {
            if (p.isEmpty() || p.equals(".")) continue;
            if (p.equals("..")) {
                if (parts.isEmpty()) throw new IllegalArgumentException("include escapes the classpath root: " + resource);
                parts.removeLast();
            } else {
                parts.addLast(p);
            }
        }
        return String.join("/", parts);
    }

    private static String read(String resource) {
        try (InputStream in = KernelSource.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new IllegalArgumentException("no kernel source " + resource + " on the classpath");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
