package org.ladderae.checkpoints;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * How to launch the tuned kernel: grid and block sizes, dynamic shared memory, and the tuning
 * parameters the tuner chose (tile sizes, split-K, ...) so a reader can see what the name encodes.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record LaunchConfig(Dim3 grid, Dim3 block, int sharedMemoryBytes, Map<String, Integer> params) {
    public LaunchConfig {
        Objects.requireNonNull(grid, "grid");
        Objects.requireNonNull(block, "block");
        if (sharedMemoryBytes < 0) throw new IllegalArgumentException("shared_memory_bytes must be >= 0");
        // Sorted so the manifest is byte-identical however the tuner built the map.
        params = params == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(params));
    }

    /** A CUDA dim3. */
    public record Dim3(int x, int y, int z) {
        public Dim3 {
            if (x <= 0 || y <= 0 || z <= 0) throw new IllegalArgumentException("dim3 sizes must be positive: " + x + "," + y + "," + z);
        }

        @Override
        public String toString() { return x + "x" + y + "x" + z; }
    }
}
