package org.ladderae.kernels;

import org.ladderae.gpu.DeviceBuffer;
import org.ladderae.gpu.Kernel;
import org.ladderae.gpu.KernelArgs;
import org.ladderae.gpu.LaunchConfig;
import org.ladderae.gpu.TensorMaps;

/**
 * One conv2d layer of a CNN (FP16, or a low-bit format of {@link ConvFormat}), built and loaded, launched on caller-owned device buffers (the entry point
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
 *
 * <p>With split-K ({@link ConvConfig#splitK} > 1) a launch is two kernels: the conv writes FP32 partials into
 * this layer's workspace (owned by the {@link ConvRunner} that made the layer, so layers of one runner must
 * not run concurrently on different streams), then {@code ladder_conv_splitk_reduce} sums them and applies
 * the fused epilogue.
 */
public final class ConvLayer {
    private final ConvConfig config;
    private final Kernel kernel;
    private final LaunchConfig launch;
    private final Kernel reduce;
    private final DeviceBuffer workspace;

    /** {@code reduce} and {@code workspace} ({@link ConvConfig#workspaceBytes}) only with split-K, else null. */
    ConvLayer(ConvConfig config, Kernel kernel, Kernel reduce, DeviceBuffer workspace) {
        if (config.splitK() > 1 && (reduce == null || workspace == null || workspace.bytes() < config.workspaceBytes()))
            throw new IllegalArgumentException(config.label() + " needs the split-K reduce kernel and a " + config.workspaceBytes() + "-byte workspace");
        this.config = config;
        this.kernel = kernel;
        this.launch = launchConfig(config);
        this.reduce = reduce;
        this.workspace = workspace;
    }

    public ConvConfig config() { return config; }

    public ConvShape shape() { return config.shape(); }

    /** Bytes of the device weight tensor {@code w} (FP16, FP8, INT4 or 1-bit codes, rows of {@link ConvWeightLayout#rowLength}). */
    public long weightBytes() { return ConvWeightLayout.deviceElements(config.shape()) * config.format().weightBits() / 8; }

    /**
     * Quantised activations (MXFP8, INT4), dense NHWC input and output. {@code x}: the input's codes (E5M2 bytes, or INT4
     * two per byte, element 0 low); {@code xs} / {@code ws}: MXFP8's E8M0 exponents ([pixel][C/32], [k][R*S*C/32]), or for
     * the integer formats the FP32 activation scale (one value) and the FP32 weight scale per output channel (K values)
     * the epilogue multiplies the INT32 sums by (null: scale 1). Bias, residual and output FP16 as in {@link #launch}.
     */
    public void launchQuantized(DeviceBuffer x, DeviceBuffer xs, DeviceBuffer w, DeviceBuffer ws, DeviceBuffer bias, DeviceBuffer residual, boolean relu,
                                DeviceBuffer y) {
        ConvShape s = config.shape();
        ConvFormat f = config.format();
        if (f.actBits() == 16) throw new IllegalArgumentException(config.kernelName() + " reads FP16 activations: use launch");
        need(x, "x", s.inputElements() * f.actBits() / 8);
        need(w, "w", weightBytes());
        if (f.microscaled()) {
            need(xs, "xs", s.inputElements() / 32);
            need(ws, "ws", s.weightElements() / 32);
        } else {
            if (xs != null) need(xs, "xs", 4);
            if (ws != null) need(ws, "ws", 4L * s.k());
        }
        need(y, "y", 2 * s.outputElements());
        if (bias != null) need(bias, "bias", 2L * s.k());
        if (residual != null) need(residual, "residual", 2 * s.outputElements());
        KernelArgs a = KernelArgs.of().buffer(x).buffer(w);
        if (xs != null) a.buffer(xs); else a.nullPointer();
        if (ws != null) a.buffer(ws); else a.nullPointer();
        a.buffer(y);
        if (bias != null) a.buffer(bias); else a.nullPointer();
        if (residual != null) a.buffer(residual); else a.nullPointer();
        shapeArgs(a, s, s.c(), s.k(), relu ? 1 : 0);
        kernel.launch(launch, a);
    }

    /** Dense NHWC input and output (pixel strides C and K, no offsets). */
    public void launch(DeviceBuffer x, DeviceBuffer w, DeviceBuffer bias, DeviceBuffer residual, boolean relu, DeviceBuffer y) {
        bind(x, w, bias, residual, relu, y).run();
    }

    /** {@link #bind(DeviceBuffer, long, int, DeviceBuffer, DeviceBuffer, DeviceBuffer, boolean, DeviceBuffer, long, int)} of dense NHWC tensors. */
    public Runnable bind(DeviceBuffer x, DeviceBuffer w, DeviceBuffer bias, DeviceBuffer residual, boolean relu, DeviceBuffer y) {
        ConvShape s = config.shape();
        return bind(x, 0, s.c(), w, bias, residual, relu, y, 0, s.k());
    }

    /**
     * Input and output as channel slices of wider NHWC tensors (ShuffleNet's split and concat): element
     * offsets of the first pixel's first channel, and pixel strides in elements. The residual shares the
     * output's offset and stride. The gather width of the configuration must divide {@code xPixelStride}
     * and {@code xOffset} ({@link ConvKernels#gatherFor} picks one that does).
     */
    public void launch(DeviceBuffer x, long xOffset, int xPixelStride, DeviceBuffer w, DeviceBuffer bias, DeviceBuffer residual, boolean relu,
                       DeviceBuffer y, long yOffset, int yPixelStride) {
        bind(x, xOffset, xPixelStride, w, bias, residual, relu, y, yOffset, yPixelStride).run();
    }

    /**
     * The launch of {@link #launch(DeviceBuffer, long, int, DeviceBuffer, DeviceBuffer, DeviceBuffer, boolean, DeviceBuffer, long, int)} on
     * these buffers, checked and with its arguments built once (for the TMA kernels, the tensor maps: a driver call each
     * through JNA), so that a timed or repeated launch costs only the launch itself.
     */
    public Runnable bind(DeviceBuffer x, long xOffset, int xPixelStride, DeviceBuffer w, DeviceBuffer bias, DeviceBuffer residual, boolean relu,
                         DeviceBuffer y, long yOffset, int yPixelStride) {
        ConvShape s = config.shape();
        if (config.format().actBits() != 16) throw new IllegalArgumentException(config.kernelName() + " reads quantised activations: use launchQuantized");
        if (xPixelStride < s.c() || yPixelStride < s.k()) throw new IllegalArgumentException("pixel strides " + xPixelStride + "/" + yPixelStride + " below C=" + s.c() + "/K=" + s.k());
        if (xPixelStride % config.aVec() != 0 || xOffset % config.aVec() != 0)
            throw new IllegalArgumentException(config.kernelName() + " gathers " + config.aVec() + " channels at a time: input stride " + xPixelStride
                    + " and offset " + xOffset + " must be multiples (ConvKernels.gatherFor)");
        if (config.mma().persistent() && (yPixelStride % 8 != 0 || yOffset % 8 != 0))
            throw new IllegalArgumentException(config.kernelName() + " stores 16-byte runs of 8 channels: output stride " + yPixelStride + " and offset " + yOffset
                    + " must be multiples of 8");
        need(x, "x", 2 * (xOffset + (s.inputElements() / s.c() - 1) * xPixelStride + s.c()));
        need(w, "w", weightBytes());
        long yEnd = 2 * (yOffset + (s.outputElements() / s.k() - 1) * yPixelStride + s.k());
        need(y, "y", yEnd);
        if (bias != null) need(bias, "bias", 2L * s.k());
        if (residual != null) need(residual, "residual", yEnd);
        if (config.mma().im2colTma()) {
            // (tmX, tmW, Y, bias, residual, N, C, K, R, S, P, Q, stride, pad, ldy, relu): X by im2col TMA, the KRSC weight rows by 2-D TMA
            KernelArgs a = KernelArgs.of()
                    .bytes(TensorMaps.fp16Im2col(x, xOffset, xPixelStride, s.n(), s.h(), s.w(), s.c(), s.pad(), ConvConfig.im2colTmaUpperCorner(s), s.stride(),
                            config.bm()))
                    .bytes(TensorMaps.fp16Rows(w, 0, s.k(), ConvWeightLayout.rowLength(s), ConvWeightLayout.rowLength(s), config.bn()))
                    .buffer(y, 2 * yOffset);
            if (bias != null) a.buffer(bias); else a.nullPointer();
            if (residual != null) a.buffer(residual, 2 * yOffset); else a.nullPointer();
            a.i32(s.n()).i32(s.c()).i32(s.k()).i32(s.r()).i32(s.s()).i32(s.p()).i32(s.q()).i32(s.stride()).i32(s.pad()).i32(yPixelStride).i32(relu ? 1 : 0);
            return () -> kernel.launch(launch, a);
        }
        if (config.mma().pointwise()) {
            // (tmX, W, Y, bias, residual, M, C, K, ldy, ldw, relu): the input pixels as TMA rows of C channels at pitch xPixelStride
            KernelArgs a = KernelArgs.of().bytes(TensorMaps.fp16Rows(x, xOffset, s.gemmM(), s.c(), xPixelStride, config.bm())).buffer(w).buffer(y, 2 * yOffset);
            if (bias != null) a.buffer(bias); else a.nullPointer();
            if (residual != null) a.buffer(residual, 2 * yOffset); else a.nullPointer();
            a.i32(s.gemmM()).i32(s.c()).i32(s.k()).i32(yPixelStride).i32(ConvWeightLayout.rowLength(s)).i32(relu ? 1 : 0);
            return () -> kernel.launch(launch, a);
        }
        KernelArgs a = KernelArgs.of().buffer(x, 2 * xOffset).buffer(w);
        if (config.splitK() > 1) a.buffer(workspace); else a.nullPointer();   // the XS slot: FP32 partials with split-K
        a.nullPointer().buffer(y, 2 * yOffset);
        if (bias != null) a.buffer(bias); else a.nullPointer();
        if (residual != null) a.buffer(residual, 2 * yOffset); else a.nullPointer();
        shapeArgs(a, s, xPixelStride, yPixelStride, relu ? 1 : 0);
        if (config.splitK() == 1) return () -> kernel.launch(launch, a);
        KernelArgs r = KernelArgs.of().buffer(workspace).i32(config.splitK()).i32(s.gemmM()).i32(s.k()).buffer(y, 2 * yOffset);
        if (bias != null) r.buffer(bias); else r.nullPointer();
        if (residual != null) r.buffer(residual, 2 * yOffset); else r.nullPointer();
        r.i32(yPixelStride).i32(relu ? 1 : 0);
        LaunchConfig reduceLaunch = reduceLaunch(config);
        return () -> {
            kernel.launch(launch, a);
            reduce.launch(reduceLaunch, r);
        };
    }

    /** The reduce kernel's symbol (in every FP16 conv cubin). */
    static final String REDUCE_KERNEL = "ladder_conv_splitk_reduce";

    /** One thread per four output channels of a pixel, 256 per block. */
    static LaunchConfig reduceLaunch(ConvConfig c) {
        long threads = (long) c.shape().gemmM() * ((c.shape().k() + 3) / 4);
        return new LaunchConfig(Math.toIntExact((threads + 255) / 256), 1, 1, 256, 1, 1, 0);
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
