package org.ladderae.executor.cnn;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ladderae.models.ModelGraph;
import org.ladderae.models.Op;
import org.ladderae.models.Tensor;

/**
 * How the CNN executor lays a graph out on the device, decided on the CPU: the launch steps (one op each, or a concat
 * followed by the 2-group shuffle that alone reads it, fused into one interleaving pass) and which activation buffer
 * ("slot") each tensor lives in. A slot returns to a pool once the last step that reads its tensor has been queued;
 * later outputs take the smallest pooled slot that fits (launches are on one stream, so a reuse never races its last
 * reader), and a step's outputs never share a slot with its inputs. The graph's inputs and outputs keep their own slots.
 */
record CnnPlan(List<Step> steps, Map<String, Integer> slotOf, List<Long> slotBytes) {

    /** One launch: {@code ops} is a single op, or a ChannelConcat and the ChannelShuffle fused with it. */
    record Step(List<Op> ops) {
        Op op() { return ops.get(0); }

        boolean concatShuffle() { return ops.size() == 2; }

        List<String> inputs() { return ops.get(0).inputs(); }

        List<String> outputs() { return ops.get(ops.size() - 1).outputs(); }
    }

    /** Bytes of a tensor's FP16 buffer, rounded up to 16 (aligned vector loads in every kernel). */
    static long bytes(Tensor t) { return (2 * t.elements() + 15) / 16 * 16; }

    static CnnPlan of(ModelGraph g) {
        Map<String, Tensor> t = g.tensors();
        List<Step> steps = new ArrayList<>();
        Map<String, Integer> lastRead = new HashMap<>();
        for (int i = 0; i < g.ops().size(); i++) for (String in : g.ops().get(i).inputs()) lastRead.put(in, i);
        for (int i = 0; i < g.ops().size(); i++) {
            Op op = g.ops().get(i), next = i + 1 < g.ops().size() ? g.ops().get(i + 1) : null;
            if (op instanceof Op.ChannelConcat cat && next instanceof Op.ChannelShuffle sh && sh.groups() == 2 && sh.input().equals(cat.output())
                    && lastRead.get(cat.output()) == i + 1 && !g.outputs().contains(cat.output()) && t.get(cat.a()).dim(-1) == t.get(cat.b()).dim(-1)) {
                steps.add(new Step(List.of(cat, sh)));
                i++;
            } else {
                steps.add(new Step(List.of(op)));
            }
        }
        Map<String, Integer> lastStep = new HashMap<>();
        for (int s = 0; s < steps.size(); s++) for (String in : steps.get(s).inputs()) lastStep.put(in, s);
        Set<String> pinned = new HashSet<>(g.outputs());
        for (Tensor in : g.inputs()) pinned.add(in.name());
        Set<String> weights = new HashSet<>();
        for (Tensor w : g.weights()) weights.add(w.name());

        Map<String, Integer> slotOf = new LinkedHashMap<>();
        List<Long> slotBytes = new ArrayList<>();
        List<Integer> pool = new ArrayList<>();
        for (Tensor in : g.inputs()) slotOf.put(in.name(), newSlot(slotBytes, bytes(in)));
        for (int s = 0; s < steps.size(); s++) {
            Step step = steps.get(s);
            for (String out : step.outputs()) {
                long need = bytes(t.get(out));
                Integer best = null;
                if (!pinned.contains(out))
                    for (Integer slot : pool) if (slotBytes.get(slot) >= need && (best == null || slotBytes.get(slot) < slotBytes.get(best))) best = slot;
                if (best != null) pool.remove(best);
                slotOf.put(out, best != null ? best : newSlot(slotBytes, need));
            }
            for (String in : new HashSet<>(step.inputs())) {
                if (weights.contains(in) || pinned.contains(in) || lastStep.get(in) != s) continue;
                Integer slot = slotOf.get(in);
                if (slot != null && !pool.contains(slot)) pool.add(slot);
            }
        }
        return new CnnPlan(List.copyOf(steps), Map.copyOf(slotOf), List.copyOf(slotBytes));
    }

    private static int newSlot(List<Long> slotBytes, long bytes) {
        slotBytes.add(bytes);
        return slotBytes.size() - 1;
    }

    /** Bytes of all activation slots (what the executor allocates for activations). */
    long activationBytes() { return slotBytes.stream().mapToLong(Long::longValue).sum(); }
}
