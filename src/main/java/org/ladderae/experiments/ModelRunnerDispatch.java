package org.ladderae.experiments;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.ladderae.results.Measurement;

/**
 * Sends each point to the runner of its workload ({@link LadderModelRunner#installed}'s map), the rest to a fallback,
 * and returns the measurements in the order of the points. A runner that throws fails its own points only.
 */
final class ModelRunnerDispatch implements LadderModelRunner {
    private final Map<String, Supplier<LadderModelRunner>> byWorkload;
    private final Supplier<LadderModelRunner> fallback;

    ModelRunnerDispatch(Map<String, Supplier<LadderModelRunner>> byWorkload, Supplier<LadderModelRunner> fallback) {
        this.byWorkload = Map.copyOf(byWorkload);
        this.fallback = fallback;
    }

    @Override
    public List<Measurement> measure(List<ModelPoint> points, ReproduceContext rc) {
        Map<Supplier<LadderModelRunner>, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < points.size(); i++) groups.computeIfAbsent(byWorkload.getOrDefault(points.get(i).workload(), fallback), k -> new ArrayList<>()).add(i);
        Measurement[] out = new Measurement[points.size()];
        for (Map.Entry<Supplier<LadderModelRunner>, List<Integer>> g : groups.entrySet()) {
            List<ModelPoint> mine = g.getValue().stream().map(points::get).toList();
            List<Measurement> ms;
            try {
                ms = g.getKey().get().measure(mine, rc);
            } catch (RuntimeException e) {   // e.g. one executor cannot open the GPU: its points fail, the other executors' still run
                ms = mine.stream().map(p -> Measurement.failed(LadderPointLoop.SYSTEM, p.formats(), p.workload(), p.setting(),
                        "the model executor threw " + e.getClass().getSimpleName() + ": " + e.getMessage())).toList();
            }
            for (int j = 0; j < ms.size(); j++) out[g.getValue().get(j)] = ms.get(j);
        }
        return List.of(out);
    }
}
