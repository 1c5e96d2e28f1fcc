package org.ladderae.kernels;

import org.ladderae.gpu.DeviceBuffer;
import org.ladderae.gpu.Kernel;
import org.ladderae.gpu.KernelArgs;
import org.ladderae.gpu.LaunchConfig;

/**
 * One FP16 conv2d layer of a CNN, built and loaded, launched on caller-owned device buffers (the entry point
 * of the CNN executor). Get one from {@link ConvRunner#layer(ConvShape)} (heuristic configuration) or
 * {@link ConvRunner#layer(ConvConfig)} (e.g. a tuned one).
 *
 * <p>Operands, all FP16 little-endian:
 * <ul>
 * <li>x: input NHWC, N x H x W pixels of C channels, pixel i at element {@code xOffset + i * xPixelStride};</li>
 * <li>w: weights as {@link ConvWeightLayout#fp16FromKcrs} lays them out (KRSC, rows padded to
 *     {@link ConvWeightLayout#rowLength}); batch-norm is folded into w and the bias by the caller;</li>
 * <li>bias: K values, or null;</li>
 * <li>residual: NHWC like the output (same pixel stride and offset), or null;</li>
 * <li>y: output NHWC, N x P x Q pixels of K channels, pixel i at {@code yOffset + i * yPixelStride}.</li>
 * </ul>
 * {@code y = relu?(conv(x, w) + bias + residual)}, FP32 accumulation, one FP16 rounding. Launches go to the
 * default stream, in order; they are asynchronous (errors inside the kernel surface at the next synchronize).
 */
public final class ConvLayer {
    private final ConvConfig config;
    private final Kernel kernel;
    private final LaunchConfig launch;

    ConvLayer(ConvConfig config, Kernel kernel) {
        if (config.format() != ConvFormat.W_FP16A_FP16) throw new IllegalArgumentException("ConvLayer launches the FP16 conv kernels, not " + config.format());
        this.config = config;
        this.kernel = kernel;
        this.launch = launchConfig(config);
    }

    public ConvConfig config() { return config; }

    public ConvShape shape() { return config.shape(); }

    /** Bytes of the device weight tensor {@code w}. */
    public long weightBytes() { return 2 * ConvWeightLayout.deviceElements(config.shape()); }

    /** Dense NHWC input and output (pixel strides C and K, no offsets). */
    public void launch(DeviceBuffer x, DeviceBuffer w, DeviceBuffer bias, DeviceBuffer residual, boolean relu, DeviceBuffer y) {
        ConvShape s = config.shape();
        launch(x, 0, s.c(), w, bias, residual, relu, y, 0, s.k());
    }

    /**
     * Input and output as channel slices of wider NHWC tensors (ShuffleNet's split and concat): element
     * offsets of the first pixel's first channel, and pixel strides in elements. The residual shares the
     * output's offset and stride. The gather width of the configuration must divide {@code xPixelStride}
     * and {@code xOffset} ({@link ConvKernels#gatherFor} picks one that does).
     */
    public void launch(DeviceBuffer x, long xOffset, int xPixelStride, DeviceBuffer w, DeviceBuffer bias, DeviceBuffer residual, boolean relu,
                       DeviceBuffer y, long yOffset, int yPixelStride) {
        ConvShape s = config.shape();
        if (xPixelStride < s.c() || yPixelStride < s.k()) throw new IllegalArgumentException("pixel strides " + xPixelStride + "/" + yPixelStride + " below C=" + s.c() + "/K=" + s.k());
        if (xPixelStride % config.aVec() != 0 || xOffset % config.aVec() != 0)
            throw new IllegalArgumentException(config.kernelName() + " gathers " + config.aVec() + " channels at a time: input stride " + xPixelStride
                    + " and offset " + xOffset + " must be multiples (ConvKernels.gatherFor)");
        need(x, "x", 2 * (xOffset + (s.inputElements() / s.c() - 1) * xPixelStride + s.c()));
        need(w, "w", weightBytes());
        long yEnd = 2 * (yOffset + (s.outputElements() / s.k() - 1) * yPixelStride + s.k());
        need(y, "y", yEnd);
        if (bias != null) need(bias, "bias", 2L * s.k());
        if (residual != null) need(residual, "residual", yEnd);
        KernelArgs a = KernelArgs.of().buffer(x, 2 * xOffset).buffer(w).nullPointer().nullPointer().buffer(y, 2 * yOffset);
        if (bias != null) a.buffer(bias); else a.nullPointer();
        if (residual != null) a.buffer(residual, 2 * yOffset); else a.nullPointer();
        shapeArgs(a, s, xPixelStride, yPixelStride, relu ? 1 : 0);
        kernel.launch(launch, a);
    }

    private static void need(DeviceBuffer b, String name, long bytes) {
        if (b.bytes() < bytes) throw new IllegalArgumentException(name + ": " + b.bytes() + " bytes, the conv reads or writes " + bytes);
    }

    /** The kernel's scalar parameters after the seven pointers: N, C, H, W, K, R, S, stride, pad, P, Q, ldx, ldy, ldw, relu. */
    static KernelArgs shapeArgs(KernelArgs a, ConvShape s, int ldx, int ldy, int relu) {
        return a.i32(s.n()).i32(s.c()).i32(s.h()).i32(s.w()).i32(s.k()).i32(s.r()).i32(s.s()).i32(s.stride()).i32(s.pad()).i32(s.p()).i32(s.q())
                .i32(ldx).i32(ldy).i32(ConvWeightLayout.rowLength(s)).i32(relu);
    }

    static LaunchConfig launchConfig(ConvConfig c) {
        int[] g = c.grid(), b = c.block();
        return new LaunchConfig(g[0], g[1], g[2], b[0], b[1], b[2], c.sharedMemoryBytes());
    }
}
