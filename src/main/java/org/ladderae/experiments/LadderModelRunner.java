package org.ladderae.experiments;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.ladderae.kernels.GemvStage;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.results.Measurement;

/**
 * Ladder's end-to-end series (Figures 9, 11, 13 and 14's end-to-end panels): one model at one
 * batch/sequence setting in one precision and kernel stage, run on our kernels by the model executor.
 * The figures' reproductions ask this for their Ladder points and draw whatever comes back; a model
 * the executor cannot run yet comes back n/a with its reason, never as a number.
 */
public interface LadderModelRunner {

    /**
     * What to run: the workload as EXPERIMENTS.md names it ("llama", "bloom", "resnet", "shufflenet",
     * "conformer", "vit"), batch and sequence length (1 for CNNs), the formats and the kernel stage
     * (HOLISTIC unless Figure 13 asks for another).
     */
    record ModelPoint(String workload, int batch, int seq, FormatPair formats, GemvStage stage) {
        /** The setting label the paper's data uses, e.g. "BS1 SEQ4096" (LLMs) or "BS128" (the rest). */
        public String setting() {
            boolean llm = workload.equals("llama") || workload.equals("bloom");
            return llm ? "BS" + batch + " SEQ" + seq : "BS" + batch;
        }
    }

    /**
     * Measures each point, checked against its reference before it is timed (a wrong result is FAILED,
     * not timed). Latency goes into the timing; memory into extras: {@code peak_driver_mib} (device
     * memory in use, sampled while the model runs) and {@code peak_alloc_mib} (the executor's own peak).
     * Each point is recorded in {@code rc.measurements()} as it finishes.
     */
    List<Measurement> measure(List<ModelPoint> points, ReproduceContext rc);

    /** The runner the reproductions use, by workload: the layer executor's LLM layers unless the map names another. */
    static LadderModelRunner installed() {
        Map<String, Supplier<LadderModelRunner>> byWorkload = new LinkedHashMap<>();
        Supplier<LadderModelRunner> encoders = EncoderModelRunner::new;   // one runner (one GPU context) for both encoder models
        byWorkload.put("vit", encoders);
        byWorkload.put("conformer", encoders);
        Supplier<LadderModelRunner> cnns = LadderCnnRunner::new;          // one runner (one GPU context) for both CNNs
        byWorkload.put("resnet", cnns);
        byWorkload.put("shufflenet", cnns);
        return new ModelRunnerDispatch(byWorkload, LadderLayerRunner::new);
    }
}
