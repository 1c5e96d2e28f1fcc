package org.ladderae.checkpoints;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Sample manifests and binaries, and a whole-tree snapshot for "left unchanged" checks. */
public final class CheckpointFixtures {
    private CheckpointFixtures() {}

    public static final CheckpointKey GEMV_INT4 = new CheckpointKey("gemv", new KernelShape(1, 16384, 16384), "INT4", "FP16", "ladder");

    public static CheckpointManifest manifest(String arch, String name, CheckpointKey key) {
        LaunchConfig launch = new LaunchConfig(new LaunchConfig.Dim3(4096, 1, 1), new LaunchConfig.Dim3(128, 1, 1), 0,
                Map.of("block_n", 4, "block_k", 512, "split_k", 1));
        TuningSummary tuning = new TuningSummary(41_250.5, Map.of("codegen", 1200.0, "compile", 30_000.0, "measure", 10_050.5),
                48, 0.0412, 0.0425);
        return new CheckpointManifest(CheckpointManifest.SCHEMA_VERSION, name, key.operator(), key.shape(), key.weightFormat(),
                key.activationFormat(), key.stage(), launch, "ladder_" + name, arch, "NVIDIA H100 80GB HBM3", "550.54.15",
                "12.4.131", tuning, name + ".cubin", null, null);
    }

    public static byte[] binary(String seed) {
        return ("\u007fELF fake cubin for " + seed).getBytes(StandardCharsets.UTF_8);
    }

    /** Saves a sample GEMV checkpoint for {@code arch} under {@code root}. */
    public static Checkpoint saveSample(Path root, String arch, String name) throws IOException {
        return new CheckpointStore(root).save(manifest(arch, name, GEMV_INT4), binary(arch + name), false);
    }

    /** Every file and directory below {@code root} with its bytes (directories map to an empty array). */
    public static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> tree = new TreeMap<>();
        if (!Files.exists(root)) return tree;
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String rel = root.relativize(p).toString();
                tree.put(rel, Files.isDirectory(p) ? "<dir>" : Sha256.of(p));
            }
        }
        return tree;
    }
}
