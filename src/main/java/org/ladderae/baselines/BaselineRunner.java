package org.ladderae.baselines;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ladderae.results.Measurement;

/**
 * One family of baseline systems. {@link #detect} says whether this machine can run it (cheap, no
 * GPU work); {@link #run} measures the given workloads (those this runner does not cover are
 * ignored) and returns one {@link Measurement} per system and workload: OK with timings, NA with the
 * reason, or FAILED with the tail of the program's stderr. It never throws for a failing baseline.
 */
public interface BaselineRunner {
    /** The family name used by {@code --only} (e.g. "cuBLAS", "PyTorch", "TensorRT"). */
    String system();

    /** The workloads this runner measures (or reports n/a for) by default. */
    List<BaselineWorkload> workloads();

    Detection detect();

    /**
     * Whether this runner's records carry {@code system} (a family may report several systems, e.g.
     * cuBLAS and cuBLAS-FP32acc): how a resumed reproduction tells which earlier records it owns.
     */
    default boolean reports(String system) { return system().equals(system); }

    List<Measurement> run(List<BaselineWorkload> workloads, Options options);

    /**
     * {@code quick}: few repetitions (smoke runs, not for reported numbers). {@code timeout}: per
     * benchmark process. {@code cacheDir}: where built benchmarks and extracted scripts live.
     * {@code visibleDevices}: the benchmark processes' {@code CUDA_VISIBLE_DEVICES} (one GPU of several), or null to
     * inherit this process's.
     */
    record Options(String python, boolean quick, Duration timeout, Path cacheDir, String visibleDevices) {
        public Options(String python, boolean quick, Duration timeout, Path cacheDir) { this(python, quick, timeout, cacheDir, null); }

        /** The same options with the benchmark processes on the GPU(s) {@code cudaVisibleDevices} names. */
        public Options onDevices(String cudaVisibleDevices) { return new Options(python, quick, timeout, cacheDir, cudaVisibleDevices); }

        /** Environment variables a benchmark process gets besides this process's own. */
        public Map<String, String> environment() {
            Map<String, String> env = new LinkedHashMap<>();
            env.put("PYTHONUNBUFFERED", "1");
            if (visibleDevices != null) env.put("CUDA_VISIBLE_DEVICES", visibleDevices);
            return env;
        }

        public int warmup() { return quick ? 3 : 10; }

        public int iters() { return quick ? 10 : 50; }

        public static Path defaultCacheDir() {
            return Path.of(System.getProperty("user.home"), ".cache", "ladder-ae", "baselines");
        }
    }
}
