package org.ladderae.models.reference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ladderae.formats.Fp16;
import org.ladderae.models.CnnModels;
import org.ladderae.models.DType;
import org.ladderae.models.Op;
import org.ladderae.models.Tensor;
import org.ladderae.models.io.NpyArray;

/**
 * Seeded parameters of a {@link CnnModels.CnnModel} under torchvision's state_dict names (conv weights, the four
 * batch-norm tensors, fc), and the graph's weights made from them by folding each batch norm into its conv, as the
 * executor does at load. Both sides of the PyTorch check start from {@link #torchParameters}: PyTorch runs the real
 * (unfolded) conv + BatchNorm2d in eval mode, we run the folded conv, so the check covers the folding too.
 *
 * <p>Values come from {@link SeededWeights}' per-name SplitMix64 streams, FP16-rounded. Conv weights have variance
 * 1/fan-in; each BN scale gamma is sqrt(2) (convs followed by a ReLU: He's gain), 0.25 (the conv closing a residual branch, see
 * {@link #RESIDUAL_BRANCH_GAMMA}) or 1 (the rest), +-10 %; running
 * variance in [0.5, 1.5], running mean and beta +-0.1. With these a random ResNet-50's activations neither vanish nor
 * overflow FP16 through its 16 residual blocks (checked by {@code CnnModelsTest}).
 */
public final class CnnWeights {
    private CnnWeights() {}

    /**
     * BN scale of the conv that closes a ResNet residual branch. Its output is added to a post-ReLU (positive) shortcut,
     * so with gain 1 the second moment doubles per block and a random ResNet-50's logits reach ~1e3 (activations ~7e3,
     * near FP16's range at batch 128); 0.25 keeps the branch a small correction, as a trained network's last BN does.
     */
    static final double RESIDUAL_BRANCH_GAMMA = 0.25;

    /** The unfolded parameters by torchvision state_dict name, FP16-representable; conv weights OHWI [K, R, S, C/groups]. */
    public static Map<String, DenseTensor> torchParameters(CnnModels.CnnModel m, long seed) {
        Map<String, Tensor> shapes = m.graph().tensors();
        Map<String, DenseTensor> out = new LinkedHashMap<>();
        for (Op op : m.graph().ops()) {
            if (op instanceof Op.Conv2d c) {
                Tensor w = shapes.get(c.weight());
                int fanIn = w.dim(1) * w.dim(2) * w.dim(3);
                out.put(c.weight(), SeededWeights.uniform(w, seed, 0, Math.sqrt(3.0 / fanIn)));
                String bn = m.batchNorms().get(c.name());
                double gamma = c.residual() != null ? RESIDUAL_BRANCH_GAMMA : c.relu() ? Math.sqrt(2) : 1;
                int k = c.outChannels();
                out.put(bn + ".weight", SeededWeights.uniform(Tensor.of(bn + ".weight", DType.FP16, k), seed, gamma, 0.1 * gamma));
                out.put(bn + ".bias", SeededWeights.uniform(Tensor.of(bn + ".bias", DType.FP16, k), seed, 0, 0.1));
                out.put(bn + ".running_mean", SeededWeights.uniform(Tensor.of(bn + ".running_mean", DType.FP16, k), seed, 0, 0.1));
                out.put(bn + ".running_var", SeededWeights.uniform(Tensor.of(bn + ".running_var", DType.FP16, k), seed, 1, 0.5));
            } else if (op instanceof Op.Linear l) {
                out.put(l.weight(), SeededWeights.uniform(shapes.get(l.weight()), seed, 0, Math.sqrt(3.0 / l.k())));
                if (l.bias() != null) out.put(l.bias(), SeededWeights.uniform(shapes.get(l.bias()), seed, 0, 0.1));
            }
        }
        return out;
    }

    /**
     * The graph's weights: per conv, W' = W * s and b' = beta - mean * s with s = gamma / sqrt(var + eps) per output
     * channel, both rounded to FP16 (what the GPU stores and the reference multiplies); fc as is.
     */
    public static Map<String, DenseTensor> fold(CnnModels.CnnModel m, Map<String, DenseTensor> p) {
        Map<String, DenseTensor> out = new LinkedHashMap<>();
        for (Op op : m.graph().ops()) {
            if (op instanceof Op.Conv2d c) {
                String bn = m.batchNorms().get(c.name());
                DenseTensor w = p.get(c.weight()), gamma = p.get(bn + ".weight"), beta = p.get(bn + ".bias");
                DenseTensor mean = p.get(bn + ".running_mean"), var = p.get(bn + ".running_var");
                int k = c.outChannels(), per = w.size() / k;
                double[] fw = new double[w.size()], fb = new double[k];
                for (int o = 0; o < k; o++) {
                    double s = gamma.values()[o] / Math.sqrt(var.values()[o] + CnnModels.BN_EPS);
                    for (int i = 0; i < per; i++) fw[o * per + i] = Fp16.round(w.values()[o * per + i] * s);
                    fb[o] = Fp16.round(beta.values()[o] - mean.values()[o] * s);
                }
                out.put(c.weight(), new DenseTensor(w.shape(), fw));
                out.put(c.bias(), new DenseTensor(List.of(k), fb));
            } else if (op instanceof Op.Linear l) {
                out.put(l.weight(), p.get(l.weight()));
                if (l.bias() != null) out.put(l.bias(), p.get(l.bias()));
            }
        }
        return out;
    }

    public static Map<String, DenseTensor> foldedWeights(CnnModels.CnnModel m, long seed) { return fold(m, torchParameters(m, seed)); }

    /** The seeded input image, NHWC [N, H, W, 3], uniform [-1, 1) in FP16. */
    public static DenseTensor image(CnnModels.CnnModel m, long seed) { return SeededWeights.inputs(m.graph(), seed).get("image"); }

    /**
     * Writes what the PyTorch side needs into {@code dir}: one {@code <state_dict name>.npy} (FP16) per parameter, conv
     * weights OHWI (the script permutes them to OIHW), and {@code image.npy}, NHWC.
     */
    public static void export(CnnModels.CnnModel m, long seed, Path dir) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, DenseTensor> e : torchParameters(m, seed).entrySet())
            new NpyArray(e.getValue().shape(), e.getValue().values()).writeFp16(dir.resolve(e.getKey() + ".npy"));
        DenseTensor x = image(m, seed);
        new NpyArray(x.shape(), x.values()).writeFp16(dir.resolve("image.npy"));
    }
}
