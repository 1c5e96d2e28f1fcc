package org.ladderae.executor.cnn;

import java.util.LinkedHashMap;
import java.util.Map;
import org.ladderae.formats.ActivationFormat;
import org.ladderae.formats.ActivationQuantizer;
import org.ladderae.formats.Fp8E5M2;
import org.ladderae.formats.Mxfp8;
import org.ladderae.kernels.ConvFormat;
import org.ladderae.kernels.ConvKernels;
import org.ladderae.kernels.ConvShape;
import org.ladderae.models.CnnModels;
import org.ladderae.models.ModelGraph;
import org.ladderae.models.Op;
import org.ladderae.models.Tensor;
import org.ladderae.models.reference.DenseTensor;

/**
 * What a CNN point in a low-bit format runs in low precision, and the CPU semantics of its quantisation: the
 * weights the launcher encodes offline (once, at load) and the activation quantisers it runs on the device before each
 * low-bit conv ({@code quant_mxfp8_blocks}, {@code absmax_partial} + {@code quant_int4_tensor} of
 * {@code kernels/cnn/cnn_ops.cu}), written so that the same FP16 tensor gives the same codes on both sides.
 *
 * <ul>
 * <li>Which convs: the dense (groups 1) convs Ladder's conv kernel has a tile for in the format. W_FP8A_FP16 takes
 *     every dense conv (FP16 activations are gathered as in FP16, any C: the stem, ShuffleNet's 58/116/232 channels);
 *     W_MXFP8A_MXFP8 and W_INT1A_INT4 need C % 64 == 0 (ResNet-50: every conv but the 7x7 stem). Depthwise convs
 *     (ShuffleNet), the stem where the format needs C % 64, pooling and the FC classifier stay FP16.</li>
 * <li>W_FP8A_FP16 (the artifact's W_FP8A_FP8): E5M2 weights (round to nearest even, saturating), FP16 activations.</li>
 * <li>W_MXFP8A_MXFP8: weights per filter along R*S*C in blocks of 32 ({@link Mxfp8#encodeBlock}); activations per
 *     pixel, blocks of 32 channels of the stored FP16 values ({@link ActivationQuantizer#quantizeMxfp8}).</li>
 * <li>W_INT1A_INT4: 1-bit codes c = (w >= 0) decoded as alpha_k (2c - 1), alpha_k = mean |w| of filter k in FP32
 *     (sign binarisation with the L1-optimal scale; codes 0/1 alone times a scale could not give a filter of both
 *     signs); activations signed INT4 with one FP32 scale per tensor, amax / 7 (per pixel would not factor out of a
 *     3x3 conv's sum over nine pixels); the INT32 sums are multiplied by scale_a * alpha_k in the conv's epilogue.</li>
 * </ul>
 */
public final class CnnQuantization {
    private CnnQuantization() {}

    /** The format conv {@code c} (input {@code x}, NHWC) runs in at a point of format {@code f}. */
    public static ConvFormat convFormat(Op.Conv2d c, Tensor x, ConvFormat f) { return whyFp16(c, x, f) == null ? f : ConvFormat.W_FP16A_FP16; }

    /** Why conv {@code c} stays FP16 at a point of format {@code f} (null when it runs in {@code f}). */
    public static String whyFp16(Op.Conv2d c, Tensor x, ConvFormat f) {
        if (f == ConvFormat.W_FP16A_FP16) return null;
        if (f == ConvFormat.W_INT4A_INT4) return "the CNN executor has no W_INT4A_INT4 weight encoding (unsigned codes, no zero point)";
        if (c.groups() != 1) return "grouped/depthwise conv (Ladder's implicit-GEMM conv is dense)";
        ConvShape s = new ConvShape(x.dim(0), x.dim(3), x.dim(1), x.dim(2), c.outChannels(), c.kernelH(), c.kernelW(), c.stride(), c.pad());
        if (ConvKernels.candidates(f, s).isEmpty()) {
            String why = ConvKernels.unsupportedReason(f, s);
            return why != null ? why : "no " + f.label() + " tile divides K=" + s.k();
        }
        return null;
    }

    /** Conv name -> format it runs in, in graph order. */
    public static Map<String, ConvFormat> convFormats(ModelGraph g, ConvFormat f) {
        Map<String, Tensor> t = g.tensors();
        Map<String, ConvFormat> out = new LinkedHashMap<>();
        for (Op op : g.ops()) if (op instanceof Op.Conv2d c) out.put(c.name(), convFormat(c, t.get(c.input()), f));
        return out;
    }

    /** One sentence for a result's notes: how many convs ran in {@code f}, and which stayed FP16 and why. */
    public static String summary(CnnModels.CnnModel m, ConvFormat f) {
        ModelGraph g = m.graph();
        Map<String, Tensor> t = g.tensors();
        int low = 0;
        Map<String, Integer> fp16 = new LinkedHashMap<>();
        for (Op op : g.ops()) {
            if (!(op instanceof Op.Conv2d c)) continue;
            String why = whyFp16(c, t.get(c.input()), f);
            if (why == null) low++;
            else fp16.merge(why, 1, Integer::sum);
        }
        StringBuilder b = new StringBuilder(low + " convs in " + f.label());
        fp16.forEach((why, n) -> b.append("; ").append(n).append(" FP16 (").append(why).append(")"));
        return b.append("; pooling, channel ops and the FC classifier FP16").toString();
    }

    /**
     * Weights of one low-bit conv as the device stores them: element codes (KRSC, K rows of R*S*C), MXFP8 exponents
     * ([K][R*S*C/32], else null), INT1 scales alpha_k (else null), and the values they decode to.
     */
    public record StoredConv(ConvFormat format, int k, int[] codes, int[] exponents, float[] scales, double[] decoded) {}

    /** Encodes the KRSC (= OHWI) values {@code w} of a conv with {@code k} filters; idempotent on {@link StoredConv#decoded}. */
    public static StoredConv encode(ConvFormat f, double[] w, int k) {
        int row = w.length / k;
        int[] codes = new int[w.length];
        double[] dec = new double[w.length];
        switch (f) {
            case W_FP8A_FP16 -> {
                for (int i = 0; i < w.length; i++) {
                    codes[i] = Fp8E5M2.INSTANCE.encodeSaturating(w[i]);
                    dec[i] = Fp8E5M2.INSTANCE.decode(codes[i]);
                }
                return new StoredConv(f, k, codes, null, null, dec);
            }
            case W_MXFP8A_MXFP8 -> {
                if (row % Mxfp8.BLOCK != 0) throw new IllegalArgumentException("MXFP8 weights need R*S*C a multiple of 32, got " + row);
                int[] exps = new int[w.length / Mxfp8.BLOCK];
                for (int b = 0; b < exps.length; b++) {
                    Mxfp8.Block blk = Mxfp8.encodeBlock(w, b * Mxfp8.BLOCK);
                    exps[b] = blk.exponent();
                    for (int i = 0; i < Mxfp8.BLOCK; i++) {
                        codes[b * Mxfp8.BLOCK + i] = blk.elements()[i];
                        dec[b * Mxfp8.BLOCK + i] = Mxfp8.decode(blk.exponent(), blk.elements()[i]);
                    }
                }
                return new StoredConv(f, k, codes, exps, null, dec);
            }
            case W_INT1A_INT4 -> {
                float[] alpha = new float[k];
                for (int o = 0; o < k; o++) {
                    double sum = 0;
                    for (int i = 0; i < row; i++) sum += Math.abs(w[o * row + i]);
                    alpha[o] = (float) (sum / row);
                    for (int i = 0; i < row; i++) {
                        int at = o * row + i;
                        codes[at] = w[at] >= 0 ? 1 : 0;
                        dec[at] = alpha[o] * (2.0 * codes[at] - 1);
                    }
                }
                return new StoredConv(f, k, codes, null, alpha, dec);
            }
            default -> throw new IllegalArgumentException("no CNN weight encoding for " + f.label());
        }
    }

    /**
     * The values a conv in format {@code f} multiplies for the NHWC activation {@code x} of {@code c} channels: unchanged
     * (FP16 activations), MXFP8 per pixel, or INT4 per tensor (codes x the FP32 scale).
     */
    public static double[] quantizeActivations(ConvFormat f, double[] x, int c) {
        return switch (f) {
            case W_FP16A_FP16, W_FP8A_FP16 -> x;
            case W_MXFP8A_MXFP8 -> ActivationQuantizer.fakeQuantize(ActivationFormat.MXFP8, x, c);
            case W_INT1A_INT4 -> {
                float s = int4TensorScale(x);
                double[] out = new double[x.length];
                for (int i = 0; i < x.length; i++) out[i] = int4Code(x[i], s) * (double) s;
                yield out;
            }
            case W_INT4A_INT4 -> throw new IllegalArgumentException("no CNN activation quantiser for " + f.label());
        };
    }

    /** amax / 7 in FP32 over the stored FP16 values (0 for an all-zero tensor), as {@code quant_int4_tensor}. */
    public static float int4TensorScale(double[] x) {
        float amax = 0;
        for (double v : x) amax = Math.max(amax, Math.abs(ActivationQuantizer.stored(v)));
        return amax / 7f;
    }

    /** RNE(stored(v) / s) in FP32, clamped to [-7, 7]; 0 when s is 0. */
    public static int int4Code(double v, float s) {
        if (s == 0) return 0;
        float r = ActivationQuantizer.stored(v) / s;
        return (int) Math.max(-7, Math.min(7, Math.rint(r)));
    }

    /**
     * The folded weights with every conv that runs low-bit at {@code f} replaced by the values its encoding decodes to
     * (what the device multiplies); everything else unchanged.
     */
    public static Map<String, DenseTensor> storedWeights(CnnModels.CnnModel m, Map<String, DenseTensor> folded, ConvFormat f) {
        if (f == ConvFormat.W_FP16A_FP16) return folded;
        Map<String, DenseTensor> out = new LinkedHashMap<>(folded);
        Map<String, Tensor> t = m.graph().tensors();
        for (Op op : m.graph().ops()) {
            if (!(op instanceof Op.Conv2d c) || convFormat(c, t.get(c.input()), f) == ConvFormat.W_FP16A_FP16) continue;
            DenseTensor w = folded.get(c.weight());
            out.put(c.weight(), new DenseTensor(w.shape(), encode(f, w.values(), c.outChannels()).decoded()));
        }
        return out;
    }

    /** The reference's view of a conv's input: quantised as the device quantises it before a low-bit conv. */
    public static org.ladderae.models.reference.ReferenceExecutor.InputRead activationQuantizer(ModelGraph g, ConvFormat f) {
        Map<String, Tensor> t = g.tensors();
        return (op, tensor, value) -> {
            if (!(op instanceof Op.Conv2d c) || !tensor.equals(c.input())) return value;
            ConvFormat cf = convFormat(c, t.get(c.input()), f);
            if (cf.actBits() == 16) return value;
            return new DenseTensor(value.shape(), quantizeActivations(cf, value.values(), value.dim(-1)));
        };
    }
}
