package org.ladderae.experiments;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.ladderae.baselines.BaselineWorkload;
import org.ladderae.results.Measurement;

/**
 * Whole-model records measured earlier in one process, offered to the experiments that follow:
 * {@code ladder-ae all --reproduce} measures a LLaMA layer under PyTorch eager and Inductor (and on
 * Ladder's executor) once for Figure 9 and lets Figure 11 read its memory from the same records,
 * instead of building, compiling and timing the same model again. Only records of the end-to-end
 * model workloads (llama, bloom, resnet, shufflenet, conformer, vit) are kept: an operator point's
 * name (M0, C3) means a different shape in each figure, a model's name and setting do not.
 */
public final class ModelRecordPool {
    static final Set<String> MODEL_WORKLOADS = BaselineWorkload.figure9Models().stream().map(BaselineWorkload::workload)
            .collect(Collectors.toUnmodifiableSet());

    private final List<Measurement> records = new ArrayList<>();

    /**
     * Keeps the model workloads' records from {@code ms}, failed and n/a ones too: reuse takes a group of
     * records (a model's eager and Inductor runs) only when all of them are OK, so a failed Inductor run
     * makes the next experiment measure that model again rather than silently drop the Inductor point.
     */
    public synchronized void add(Collection<Measurement> ms) {
        for (Measurement m : ms) if (MODEL_WORKLOADS.contains(m.workload())) records.add(m);
    }

    public synchronized List<Measurement> records() { return List.copyOf(records); }
}
