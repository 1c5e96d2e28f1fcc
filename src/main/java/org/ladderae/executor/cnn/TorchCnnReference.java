package org.ladderae.executor.cnn;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.ladderae.env.Subprocess;
import org.ladderae.models.CnnModels;
import org.ladderae.models.io.NpyArray;
import org.ladderae.models.reference.CnnWeights;
import org.ladderae.models.reference.DenseTensor;

/**
 * PyTorch's logits for a seeded CNN: exports the unfolded torchvision parameters and the image
 * ({@link CnnWeights#export}), runs {@code baselines/torch_cnn_reference.py} (torchvision's own model, FP16, eval mode,
 * on the GPU) and reads its output back. This is the check against PyTorch of issue #11; it needs python3 with torch,
 * torchvision and a GPU, and says which is missing otherwise.
 */
public final class TorchCnnReference {
    static final String SCRIPT = "/baselines/torch_cnn_reference.py";

    /**
     * Relative Frobenius error allowed between our logits and PyTorch's. Both run FP16 with FP32 accumulation, but
     * differently: PyTorch rounds each conv's output to FP16 before its (unfolded) BatchNorm and cuDNN picks its own
     * algorithms, so two roundings per conv where we have one, in a different order. Each side alone is ~5e-4 to 7e-4 from
     * the exact result on the seeded check models (CnnModelsTest), so their difference is ~1e-3; 2e-2 leaves room for
     * cuDNN's choices at batch 128 and still fails a wrong layout, fold, shuffle or stride (errors of order 1).
     */
    public static final double TOLERANCE = 2e-2;

    private TorchCnnReference() {}

    /** PyTorch's logits, the eager median (ms; null unless timed) and the script's JSON line. */
    public record Output(DenseTensor logits, Double eagerMedianMs, String info) {}

    /** Why the script cannot run with {@code python}, or null when torch, torchvision and a CUDA device are there. */
    public static String unavailable(String python) {
        try {
            Subprocess.Result r = Subprocess.run(List.of(python, "-c", "import torch, torchvision; assert torch.cuda.is_available(), 'no CUDA device'"),
                    Duration.ofMinutes(2));
            return r.ok() ? null : python + " cannot run torchvision on the GPU: " + r.tail(3).strip();
        } catch (IOException e) {
            return python + ": " + e.getMessage();
        }
    }

    /** Exports {@code m}'s seeded parameters into {@code dir}, runs PyTorch on them, returns its logits ({@code timeRuns} > 0 also times eager). */
    public static Output run(String python, CnnModels.CnnModel m, long seed, Path dir, int timeRuns) throws IOException {
        CnnWeights.export(m, seed, dir);
        Path script = dir.resolve("torch_cnn_reference.py");
        try (InputStream in = TorchCnnReference.class.getResourceAsStream(SCRIPT)) {
            if (in == null) throw new IOException(SCRIPT + " is not on the classpath");
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        Path out = dir.resolve("torch_logits.npy");
        List<String> cmd = new ArrayList<>(List.of(python, script.toString(), "--model", m.workload(), "--dir", dir.toString(), "--out", out.toString()));
        if (timeRuns > 0) cmd.addAll(List.of("--time", String.valueOf(timeRuns)));
        Subprocess.Result r = Subprocess.run(cmd, Duration.ofMinutes(5));
        if (!r.ok()) throw new IOException("torch_cnn_reference.py failed (exit " + r.exitCode() + (r.timedOut() ? ", timed out" : "") + "): " + r.tail(8));
        NpyArray y = NpyArray.read(out);
        String[] lines = r.stdout().strip().split("\n");
        String info = lines[lines.length - 1];
        com.fasterxml.jackson.databind.JsonNode j = new com.fasterxml.jackson.databind.ObjectMapper().readTree(info);
        Double eager = j.has("eager_median_ms") ? j.get("eager_median_ms").asDouble() : null;
        return new Output(new DenseTensor(y.shape(), y.values()), eager, info);
    }
}
