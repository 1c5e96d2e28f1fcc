package org.ladderae.models.reference;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.ladderae.formats.Fp16;
import org.ladderae.models.DType;
import org.ladderae.models.ModelGraph;
import org.ladderae.models.Op;
import org.ladderae.models.Tensor;

/**
 * Deterministic weights and inputs for a graph with concrete shapes, so that the reference and a GPU run can
 * be fed the same numbers from nothing but (graph, seed).
 *
 * <p>Every tensor draws from its own SplitMix64 stream seeded by {@code mix(seed, FNV-1a(name))}: a tensor's
 * values depend only on the seed and its name, not on the order or formats of the others, and SplitMix64 is
 * written out here (not java.util's generators) so any other implementation can reproduce it bit for bit.
 *
 * <p>Values are scaled like a trained layer so a random layer stays numerically tame: linear weights
 * uniform with variance 1/K (sqrt(3/K) amplitude; a depthwise convolution's K is its kernel), norm weights and
 * BatchNorm running variances 1 +- 0.1, biases, norm biases and BatchNorm means +- 0.1, ViT class token and position
 * embedding +- 0.02, float inputs +- 1. All are rounded to FP16, the dtype the graph declares, so the GPU's FP16 copy is exact.
 * These are the "master" weights; {@link #decodedWeights} turns each linear layer's into what its format stores.
 */
public final class SeededWeights {
    private SeededWeights() {}

    /** Master (pre-quantisation) values of every weight of {@code g}, FP16-representable. */
    public static Map<String, DenseTensor> masterWeights(ModelGraph g, long seed) {
        Set<String> linearWeights = new HashSet<>(), biases = new HashSet<>(), normScales = new HashSet<>(), small = new HashSet<>();
        Map<String, Integer> fanIn = new LinkedHashMap<>();
        for (Op op : g.ops()) {
            if (op instanceof Op.Linear l) {
                linearWeights.add(l.weight());
                fanIn.put(l.weight(), l.k());
                if (l.bias() != null) biases.add(l.bias());
            } else if (op instanceof Op.RmsNorm n && n.weight() != null) {
                normScales.add(n.weight());
            } else if (op instanceof Op.LayerNorm n) {
                normScales.add(n.weight());
                if (n.bias() != null) biases.add(n.bias());
            } else if (op instanceof Op.DepthwiseConv1d c) {
                linearWeights.add(c.weight());
                fanIn.put(c.weight(), c.kernel());
                if (c.bias() != null) biases.add(c.bias());
            } else if (op instanceof Op.BatchNorm n) {
                // Running variance 1 +- 0.1 stays positive; the mean is a small offset like a bias.
                normScales.add(n.weight());
                normScales.add(n.var());
                biases.add(n.bias());
                biases.add(n.mean());
            } else if (op instanceof Op.ClassToken c) {
                small.add(c.token());
                small.add(c.position());
            }
        }
        Map<String, DenseTensor> out = new LinkedHashMap<>();
        for (Tensor w : g.weights()) {
            double center = 0, amplitude;
            if (linearWeights.contains(w.name())) amplitude = Math.sqrt(3.0 / fanIn.get(w.name()));
            else if (normScales.contains(w.name())) { center = 1; amplitude = 0.1; }
            else if (biases.contains(w.name())) amplitude = 0.1;
            else if (small.contains(w.name())) amplitude = 0.02;   // class token and position embedding (timm initialises them at std 0.02)
            else amplitude = 1;  // constants of imported graphs: no better guess than unit scale
            out.put(w.name(), uniform(w, seed, center, amplitude));
        }
        return out;
    }

    /**
     * The weights the kernels compute with: each linear layer's master values quantised into its format and
     * decoded ({@link StoredLinearWeight}), every other weight as is. This is what {@link ReferenceExecutor} takes.
     */
    public static Map<String, DenseTensor> decodedWeights(ModelGraph g, long seed) {
        Map<String, DenseTensor> weights = masterWeights(g, seed);
        for (Op.Linear l : g.linears()) {
            DenseTensor master = weights.get(l.weight());
            weights.put(l.weight(), new DenseTensor(master.shape(), StoredLinearWeight.encode(l, master.values()).decode()));
        }
        return weights;
    }

    /** Graph inputs: float tensors uniform in [-1, 1) rounded to FP16; BOOL inputs (attention masks) all true, i.e. no padding. */
    public static Map<String, DenseTensor> inputs(ModelGraph g, long seed) {
        Map<String, DenseTensor> out = new LinkedHashMap<>();
        for (Tensor t : g.inputs()) {
            if (t.dtype() == DType.BOOL) {
                DenseTensor ones = DenseTensor.zeros(concreteShape(t));
                java.util.Arrays.fill(ones.values(), 1);
                out.put(t.name(), ones);
            } else if (t.dtype().isFloat()) {
                out.put(t.name(), uniform(t, seed, 0, 1));
            } else {
                throw new IllegalArgumentException("input " + t + ": no generator for integer inputs (token ids); give them explicitly");
            }
        }
        return out;
    }

    static DenseTensor uniform(Tensor t, long seed, double center, double amplitude) {
        DenseTensor d = DenseTensor.zeros(concreteShape(t));
        long state = mix(seed ^ mix(fnv1a(t.name())));
        for (int i = 0; i < d.size(); i++) {
            state += GOLDEN_GAMMA;
            double u = (mix(state) >>> 11) * 0x1.0p-53;  // [0, 1) from the top 53 bits
            d.values()[i] = Fp16.round(center + amplitude * (2 * u - 1));
        }
        return d;
    }

    private static java.util.List<Integer> concreteShape(Tensor t) {
        if (!t.fullyKnown()) throw new IllegalArgumentException(t + " has a dynamic dimension; build the graph with concrete sizes to generate data for it");
        return t.shape();
    }

    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    /** SplitMix64's output function (Steele, Lea, Flood 2014). */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** 64-bit FNV-1a of the UTF-8 name: a stable hash, unlike one that depends on the JVM. */
    static long fnv1a(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) { h ^= b & 0xff; h *= 0x100000001b3L; }
        return h;
    }
}
