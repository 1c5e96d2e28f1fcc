package org.ladderae.kernels;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The distinct dense (groups = 1) conv2d shapes of torchvision's resnet50 and shufflenet_v2_x1_0 at a
 * 224x224 input, in first-use order: what the conv kernels must run and what a conv tuning of either
 * model covers. ShuffleNet's depthwise 3x3 convs are not here (another kernel runs them). The model
 * definitions themselves live with the CNN executor; these lists only fix the conv workload.
 */
public final class ConvWorkloads {
    private ConvWorkloads() {}

    /** ResNet-50 v1.5 (stride on the 3x3 conv of each first bottleneck, 1x1 stride-2 downsample): 23 distinct shapes. */
    public static List<ConvShape> resnet50(int batch) {
        Set<ConvShape> out = new LinkedHashSet<>();
        out.add(new ConvShape(batch, 3, 224, 224, 64, 7, 7, 2, 3));
        int in = 64, hw = 56;
        int[] widths = {64, 128, 256, 512}, blocks = {3, 4, 6, 3};
        for (int st = 0; st < 4; st++) {
            int width = widths[st], outC = 4 * width, stride = st == 0 ? 1 : 2;
            for (int b = 0; b < blocks[st]; b++) {
                int s = b == 0 ? stride : 1, ohw = hw / s;
                out.add(new ConvShape(batch, in, hw, hw, width, 1, 1, 1, 0));
                out.add(new ConvShape(batch, width, hw, hw, width, 3, 3, s, 1));
                out.add(new ConvShape(batch, width, ohw, ohw, outC, 1, 1, 1, 0));
                if (b == 0) out.add(new ConvShape(batch, in, hw, hw, outC, 1, 1, s, 0));
                in = outC;
                hw = ohw;
            }
        }
        return new ArrayList<>(out);
    }

    /** ShuffleNet-v2 x1.0, dense convs only (stem 3x3/2 with C = 3, the 1x1 convs of both branches, conv5): 9 distinct shapes. */
    public static List<ConvShape> shufflenetV2(int batch) {
        Set<ConvShape> out = new LinkedHashSet<>();
        out.add(new ConvShape(batch, 3, 224, 224, 24, 3, 3, 2, 1));
        int in = 24, hw = 56;
        int[] stageOut = {116, 232, 464}, repeats = {4, 8, 4};
        for (int st = 0; st < 3; st++) {
            int branch = stageOut[st] / 2, ohw = hw / 2;
            out.add(new ConvShape(batch, in, ohw, ohw, branch, 1, 1, 1, 0));      // branch 1: after its depthwise stride-2 conv
            out.add(new ConvShape(batch, in, hw, hw, branch, 1, 1, 1, 0));        // branch 2: before its depthwise stride-2 conv
            out.add(new ConvShape(batch, branch, ohw, ohw, branch, 1, 1, 1, 0));  // after the depthwise convs, and every later unit
            in = stageOut[st];
            hw = ohw;
        }
        out.add(new ConvShape(batch, 464, 7, 7, 1024, 1, 1, 1, 0));
        return new ArrayList<>(out);
    }
}
