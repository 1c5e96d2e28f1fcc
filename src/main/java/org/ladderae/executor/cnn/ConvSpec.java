package org.ladderae.executor.cnn;

import org.ladderae.kernels.ConvFormat;
import org.ladderae.kernels.ConvShape;
import org.ladderae.models.Op;
import org.ladderae.models.Tensor;

/**
 * One conv of a CNN graph as a kernel sees it: NHWC input N x H x W x C, K filters of R x S x C/groups (OHWI), stride,
 * symmetric padding, and the epilogue the graph fused into it (folded-BN bias always, residual add, ReLU), with the
 * format the conv runs in and the name of its input tensor.
 */
public record ConvSpec(String name, ConvFormat format, int n, int h, int w, int c, int k, int r, int s, int stride, int pad, int groups,
                       boolean residual, boolean relu, String input) {

    /** {@code format}: what this conv runs in ({@link CnnQuantization#convFormat}); {@code input}: the input tensor's name. */
    static ConvSpec of(Op.Conv2d op, Tensor input, ConvFormat format) {
        return new ConvSpec(op.name(), format, input.dim(0), input.dim(1), input.dim(2), input.dim(3), op.outChannels(), op.kernelH(), op.kernelW(),
                op.stride(), op.pad(), op.groups(), op.residual() != null, op.relu(), input.name());
    }

    public int p() { return (h + 2 * pad - r) / stride + 1; }

    public int q() { return (w + 2 * pad - s) / stride + 1; }

    public boolean depthwise() { return groups > 1 && groups == c && groups == k; }

    /** The dense conv's problem for Ladder's implicit-GEMM kernels (groups 1 only). */
    public ConvShape shape() {
        if (groups != 1) throw new IllegalStateException(name + ": a grouped conv has no dense ConvShape");
        return new ConvShape(n, c, h, w, k, r, s, stride, pad);
    }

    public long outputElements() { return (long) n * p() * q() * k; }

    public long weightElements() { return (long) k * r * s * (c / groups); }

    /** 2 * N*P*Q * K * R*S*C/groups. */
    public double flops() { return 2.0 * outputElements() * r * s * (c / groups); }
}
