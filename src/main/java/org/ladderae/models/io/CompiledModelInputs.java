package org.ladderae.models.io;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.ladderae.formats.Fp16;
import org.ladderae.models.ModelGraph;
import org.ladderae.models.Op;
import org.ladderae.models.Tensor;
import org.ladderae.models.reference.DenseTensor;
import org.ladderae.models.reference.StoredLinearWeight;

/** The tensors a compiled model runs on: its weights decoded, and inputs from a .npy file or random from a seed. */
public final class CompiledModelInputs {
    private CompiledModelInputs() {}

    /** Every weight of the model as the kernels see it: linear layers decoded from their stored codes, the rest FP16. */
    public static Map<String, DenseTensor> decodedWeights(CompiledModel cm) throws IOException {
        ModelGraph g = cm.graph();
        Map<String, DenseTensor> w = new LinkedHashMap<>();
        for (Op.Linear l : g.linears()) {
            StoredLinearWeight s = cm.linear(l);
            w.put(l.weight(), new DenseTensor(List.of(l.n(), l.k()), s.decode()));
        }
        for (Tensor t : g.weights()) if (!w.containsKey(t.name())) w.put(t.name(), new DenseTensor(t.shape(), cm.values(t.name())));
        return w;
    }

    /** The single input, from a .npy whose shape must equal the declared one. */
    public static Map<String, DenseTensor> fromNpy(ModelGraph g, NpyArray a) {
        Tensor in = single(g);
        boolean fits = in.rank() == a.shape().size();
        for (int i = 0; fits && i < in.rank(); i++) fits = in.dim(i) == Tensor.DYNAMIC || in.dim(i) == a.shape().get(i);
        if (!fits) throw new IllegalArgumentException("the input file holds shape " + a.shape() + " but " + in + " is declared");
        double[] v = a.values().clone();
        for (int i = 0; i < v.length; i++) v[i] = Fp16.round(v[i]);
        return Map.of(in.name(), new DenseTensor(a.shape(), v));
    }

    /** The single input filled with FP16 values from N(0,1), seeded. */
    public static Map<String, DenseTensor> random(ModelGraph g, long seed) {
        Tensor in = single(g);
        if (!in.fullyKnown()) throw new IllegalArgumentException("input " + in + " has a dynamic dimension: give --input FILE");
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[(int) in.elements()];
        for (int i = 0; i < v.length; i++) {
            double u1 = r.nextDouble(), u2 = r.nextDouble();
            v[i] = Fp16.round(Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2));
        }
        return Map.of(in.name(), new DenseTensor(in.shape(), v));
    }

    private static Tensor single(ModelGraph g) {
        List<Tensor> data = g.inputs().stream().filter(t -> t.dtype() == org.ladderae.models.DType.FP16).toList();
        if (data.size() != 1) throw new IllegalArgumentException("`run` feeds models with one FP16 input; " + g.name() + " has " + g.inputs());
        return data.get(0);
    }
}
