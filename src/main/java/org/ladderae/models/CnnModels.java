package org.ladderae.models;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ladderae.kernels.ConvShape;
import org.ladderae.kernels.WeightFormat;

/**
 * The artifact's CNN workloads (EXPERIMENTS.md 1.3: torchvision {@code resnet50} and {@code shufflenet_v2_x1_0},
 * 3x224x224) as model graphs in NHWC, built from their stage configurations. Every torchvision conv is followed by a
 * batch norm, which the graph has folded in: a {@link Op.Conv2d} named as the torchvision conv module, with weight
 * {@code <conv>.weight} (OHWI) and bias {@code <conv>.bias} (the folded norm), and the fused ReLU / residual add of
 * the torchvision forward. {@link CnnModel#batchNorms} says which torchvision BN module each conv folded, so the
 * unfolded parameters can be generated and exported under torchvision's state_dict names. The classifier is an
 * {@link Op.Linear} named {@code fc}. The image size is a parameter so the same structure runs small on the CPU.
 */
public final class CnnModels {
    private CnnModels() {}

    /** A CNN graph and, for each conv (by op name), the torchvision batch-norm module folded into it. */
    public record CnnModel(String workload, ModelGraph graph, Map<String, String> batchNorms) {
        public CnnModel {
            batchNorms = Map.copyOf(batchNorms);
        }
    }

    public static final int IMAGE = 224;
    public static final int CLASSES = 1000;
    /** torch.nn.BatchNorm2d's default eps (torchvision leaves it). */
    public static final double BN_EPS = 1e-5;

    /** The workload as EXPERIMENTS.md names it: "resnet" or "shufflenet". */
    public static CnnModel of(String workload, int batch, int image) {
        return switch (workload) {
            case "resnet" -> resnet50(batch, image);
            case "shufflenet" -> shufflenetV2x1(batch, image);
            default -> throw new IllegalArgumentException("no CNN named '" + workload + "' (resnet, shufflenet)");
        };
    }

    public static boolean isCnn(String workload) { return workload.equals("resnet") || workload.equals("shufflenet"); }

    /**
     * The distinct dense (groups = 1) convs of the model at {@code batch} and the full 224x224 input, in first-use order:
     * what Ladder's implicit-GEMM conv kernels run and what a tuning of the model covers (Table 2). Depthwise convs run on
     * a fixed direct kernel and are not here.
     */
    public static List<ConvShape> denseConvShapes(String workload, int batch) {
        ModelGraph g = of(workload, batch, IMAGE).graph();
        Map<String, Tensor> tensors = g.tensors();
        Set<ConvShape> out = new LinkedHashSet<>();
        for (Op op : g.ops()) {
            if (!(op instanceof Op.Conv2d c) || c.groups() != 1) continue;
            Tensor x = tensors.get(c.input());  // NHWC
            out.add(new ConvShape(x.dim(0), x.dim(3), x.dim(1), x.dim(2), c.outChannels(), c.kernelH(), c.kernelW(), c.stride(), c.pad()));
        }
        return new ArrayList<>(out);
    }

    // ---- ResNet-50 (torchvision v1.5: the stride sits on the bottleneck's 3x3 conv) ----

    private static final int[] RESNET50_BLOCKS = {3, 4, 6, 3};

    public static CnnModel resnet50(int batch, int image) {
        Builder b = new Builder("resnet50_bs" + batch + "_" + image, batch, image);
        String x = b.conv("conv1", "bn1", "image", 3, 64, 7, 2, 3, 1, true, null);
        b.g.op(new Op.MaxPool2d("maxpool", x, "maxpool.out", 3, 2, 1));
        x = "maxpool.out";
        int in = 64;
        for (int layer = 0; layer < 4; layer++) {
            int width = 64 << layer, out = width * 4;
            for (int i = 0; i < RESNET50_BLOCKS[layer]; i++) {
                String p = "layer" + (layer + 1) + "." + i;
                int stride = i == 0 && layer > 0 ? 2 : 1;
                String shortcut = x;
                if (i == 0) shortcut = b.conv(p + ".downsample.0", p + ".downsample.1", x, in, out, 1, stride, 0, 1, false, null);
                String h = b.conv(p + ".conv1", p + ".bn1", x, in, width, 1, 1, 0, 1, true, null);
                h = b.conv(p + ".conv2", p + ".bn2", h, width, width, 3, stride, 1, 1, true, null);
                x = b.conv(p + ".conv3", p + ".bn3", h, width, out, 1, 1, 0, 1, true, shortcut);  // relu(bn3(conv3) + identity)
                in = out;
            }
        }
        return b.classifier(x, in);
    }

    // ---- ShuffleNet v2 x1.0 ----

    private static final int[] SHUFFLENET_REPEATS = {4, 8, 4};
    private static final int[] SHUFFLENET_X1_CHANNELS = {24, 116, 232, 464, 1024};

    public static CnnModel shufflenetV2x1(int batch, int image) {
        int[] ch = SHUFFLENET_X1_CHANNELS;
        Builder b = new Builder("shufflenet_v2_x1_0_bs" + batch + "_" + image, batch, image);
        String x = b.conv("conv1.0", "conv1.1", "image", 3, ch[0], 3, 2, 1, 1, true, null);
        b.g.op(new Op.MaxPool2d("maxpool", x, "maxpool.out", 3, 2, 1));
        x = "maxpool.out";
        int in = ch[0];
        for (int stage = 0; stage < 3; stage++) {
            int out = ch[stage + 1];
            for (int i = 0; i < SHUFFLENET_REPEATS[stage]; i++) {
                x = invertedResidual(b, "stage" + (stage + 2) + "." + i, x, in, out, i == 0 ? 2 : 1);
                in = out;
            }
        }
        x = b.conv("conv5.0", "conv5.1", x, in, ch[4], 1, 1, 0, 1, true, null);
        return b.classifier(x, ch[4]);
    }

    /** torchvision's InvertedResidual: stride 1 splits the channels and convolves the second half; stride 2 convolves both copies. */
    private static String invertedResidual(Builder b, String p, String x, int in, int out, int stride) {
        int bf = out / 2;
        String left, right;
        if (stride == 1) {
            b.g.op(new Op.ChannelSplit(p + ".split", x, p + ".x1", p + ".x2"));
            left = p + ".x1";
            right = p + ".x2";
        } else {
            String d = b.conv(p + ".branch1.0", p + ".branch1.1", x, in, in, 3, stride, 1, in, false, null);
            left = b.conv(p + ".branch1.2", p + ".branch1.3", d, in, bf, 1, 1, 0, 1, true, null);
            right = x;
        }
        int rin = stride == 1 ? bf : in;
        String h = b.conv(p + ".branch2.0", p + ".branch2.1", right, rin, bf, 1, 1, 0, 1, true, null);
        h = b.conv(p + ".branch2.3", p + ".branch2.4", h, bf, bf, 3, stride, 1, bf, false, null);
        h = b.conv(p + ".branch2.5", p + ".branch2.6", h, bf, bf, 1, 1, 0, 1, true, null);
        b.g.op(new Op.ChannelConcat(p + ".cat", left, h, p + ".cat.out"));
        b.g.op(new Op.ChannelShuffle(p + ".shuffle", p + ".cat.out", p + ".out", 2));
        return p + ".out";
    }

    private static final class Builder {
        final ModelGraph.Builder g;
        final Map<String, String> bns = new LinkedHashMap<>();
        final String workload;

        Builder(String name, int batch, int image) {
            if (batch < 1 || image < 32) throw new IllegalArgumentException("batch must be positive and the image at least 32x32, got " + batch + " and " + image);
            g = ModelGraph.builder(name).input(Tensor.of("image", DType.FP16, batch, image, image, 3));
            workload = name.startsWith("resnet") ? "resnet" : "shufflenet";
        }

        /** A conv with its batch norm folded in; returns the output tensor's name (the conv's name + ".out"). */
        String conv(String conv, String bn, String in, int c, int k, int kernel, int stride, int pad, int groups, boolean relu, String residual) {
            g.weight(Tensor.of(conv + ".weight", DType.FP16, k, kernel, kernel, c / groups));
            g.weight(Tensor.of(conv + ".bias", DType.FP16, k));
            g.op(new Op.Conv2d(conv, in, conv + ".weight", conv + ".bias", residual, conv + ".out", k, kernel, kernel, stride, pad, groups, relu));
            bns.put(conv, bn);
            return conv + ".out";
        }

        CnnModel classifier(String x, int c) {
            g.op(new Op.GlobalAvgPool("avgpool", x, "avgpool.out"));
            g.weight(Tensor.of("fc.weight", DType.FP16, CLASSES, c));
            g.weight(Tensor.of("fc.bias", DType.FP16, CLASSES));
            g.op(new Op.Linear("fc", "avgpool.out", "fc.weight", "fc.bias", "logits", CLASSES, c, WeightFormat.FP16, 0));
            return new CnnModel(workload, g.output("logits").build(), bns);
        }
    }
}
