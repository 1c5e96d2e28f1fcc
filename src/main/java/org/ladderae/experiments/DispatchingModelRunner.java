package org.ladderae.experiments;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ladderae.results.Measurement;

/**
 * Sends each point to the runner of its workload ("resnet" to the CNN executor, ...), the rest to a default runner,
 * and gives the measurements back in the points' order. One runner's failure (it throws) fails its own points only.
 */
final class DispatchingModelRunner implements LadderModelRunner {
    private final LadderModelRunner fallback;
    private final Map<String, LadderModelRunner> byWorkload;

    DispatchingModelRunner(LadderModelRunner fallback, Map<String, LadderModelRunner> byWorkload) {
        this.fallback = fallback;
        this.byWorkload = Map.copyOf(byWorkload);
    }

    LadderModelRunner runnerFor(String workload) { return byWorkload.getOrDefault(workload, fallback); }

    @Override
    public List<Measurement> measure(List<ModelPoint> points, ReproduceContext rc) {
        Map<LadderModelRunner, List<Integer>> groups = new IdentityHashMap<>();
        Map<LadderModelRunner, Boolean> order = new LinkedHashMap<>();   // first-use order, so runs stay deterministic
        for (int i = 0; i < points.size(); i++) {
            LadderModelRunner r = runnerFor(points.get(i).workload());
            groups.computeIfAbsent(r, k -> new ArrayList<>()).add(i);
            order.putIfAbsent(r, true);
        }
        Measurement[] out = new Measurement[points.size()];
        for (LadderModelRunner r : order.keySet()) {
            List<Integer> idx = groups.get(r);
            List<ModelPoint> mine = idx.stream().map(points::get).toList();
            List<Measurement> ms;
            try {
                ms = r.measure(mine, rc);
            } catch (RuntimeException e) {
                ms = mine.stream().map(p -> Measurement.failed(LadderPointLoop.SYSTEM, p.formats(), p.workload(), p.setting(),
                        "the model executor threw " + e.getClass().getSimpleName() + ": " + e.getMessage())).toList();
            }
            for (int j = 0; j < idx.size(); j++) out[idx.get(j)] = ms.get(j);
        }
        return List.of(out);
    }
}
