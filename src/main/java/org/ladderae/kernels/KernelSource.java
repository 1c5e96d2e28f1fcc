package org.ladderae.kernels;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * CUDA C++ source of one self-contained translation unit (no local includes), named for messages and
 * cache paths. Sources ship inside the jar under {@code kernels/} and as files in the distribution.
 */
public record KernelSource(String name, String text) {

    public KernelSource {
        if (!name.matches("[A-Za-z0-9_.-]+")) throw new IllegalArgumentException("kernel source name must be a plain file name: " + name);
    }

    /** Loads {@code kernels/<path>} from the classpath, e.g. {@code selftest/vector_add.cu}. */
    public static KernelSource fromClasspath(String path) {
        String resource = "kernels/" + path;
        try (InputStream in = KernelSource.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new IllegalArgumentException("no kernel source " + resource + " on the classpath");
            String file = path.substring(path.lastIndexOf('/') + 1);
            return new KernelSource(file, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
