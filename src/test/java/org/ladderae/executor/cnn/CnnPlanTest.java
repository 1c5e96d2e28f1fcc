package org.ladderae.executor.cnn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ladderae.models.CnnModels;
import org.ladderae.models.ModelGraph;
import org.ladderae.models.Tensor;

class CnnPlanTest {
    /**
     * Replays the plan: every tensor a step reads must still be in its slot (no later step wrote another tensor there
     * since it was produced), a step never writes a slot it reads, and every slot holds its tensors.
     */
    private static void assertSlotsNeverClobberLiveTensors(ModelGraph g, CnnPlan plan) {
        Map<String, Tensor> t = g.tensors();
        Map<Integer, String> holds = new HashMap<>();
        for (Tensor in : g.inputs()) holds.put(plan.slotOf().get(in.name()), in.name());
        for (CnnPlan.Step step : plan.steps()) {
            for (String in : step.inputs()) {
                if (g.weights().stream().anyMatch(w -> w.name().equals(in))) continue;
                assertThat(holds.get(plan.slotOf().get(in))).as(step.op().name() + " reads " + in).isEqualTo(in);
            }
            for (String out : step.outputs()) {
                int slot = plan.slotOf().get(out);
                for (String in : step.inputs())
                    if (plan.slotOf().containsKey(in)) assertThat(plan.slotOf().get(in)).as(step.op().name() + " writes over its input " + in).isNotEqualTo(slot);
                assertThat(plan.slotBytes().get(slot)).isGreaterThanOrEqualTo(2 * t.get(out).elements());
                holds.put(slot, out);
            }
        }
        for (String out : g.outputs()) assertThat(holds.get(plan.slotOf().get(out))).isEqualTo(out);
    }

    @Test
    void resnetReusesBuffersWithoutClobberingLiveTensors() {
        ModelGraph g = CnnModels.resnet50(128, 224).graph();
        CnnPlan plan = CnnPlan.of(g);
        assertSlotsNeverClobberLiveTensors(g, plan);
        assertThat(plan.steps()).hasSize(g.ops().size());
        long unshared = g.tensors().values().stream().filter(x -> !g.weights().contains(x)).mapToLong(CnnPlan::bytes).sum();
        // A bottleneck holds its input, shortcut and output (196 MiB each in layer1 at BS128) and two narrow tensors live at once.
        assertThat(plan.activationBytes()).isLessThan(unshared / 4);
        System.out.printf("resnet50 BS128: %d slots, %.0f MiB of activations (%.0f MiB without reuse)%n", plan.slotBytes().size(),
                plan.activationBytes() / 1048576.0, unshared / 1048576.0);
    }

    @Test
    void shufflenetFusesEachConcatWithItsShuffle() {
        ModelGraph g = CnnModels.shufflenetV2x1(2, 224).graph();
        CnnPlan plan = CnnPlan.of(g);
        assertSlotsNeverClobberLiveTensors(g, plan);
        assertThat(plan.steps().stream().filter(CnnPlan.Step::concatShuffle)).hasSize(16);
        assertThat(plan.steps()).hasSize(g.ops().size() - 16);
        assertThat(plan.steps().get(plan.steps().size() - 1).outputs()).isEqualTo(List.of("logits"));
    }
}
