package org.ladderae.executor.cnn;

import java.util.function.LongFunction;
import org.ladderae.formats.BitPacking;
import org.ladderae.formats.Fp16;
import org.ladderae.gpu.CudaContext;
import org.ladderae.gpu.DeviceBuffer;
import org.ladderae.kernels.ConvFormat;
import org.ladderae.kernels.ConvKernels;
import org.ladderae.kernels.ConvLayer;
import org.ladderae.kernels.ConvRunner;
import org.ladderae.kernels.ConvShape;
import org.ladderae.kernels.ConvWeightLayout;
import org.ladderae.kernels.KernelCache;

/**
 * Ladder's tensor-core implicit-GEMM convs ({@link ConvLayer}, {@code kernels/conv/ladder_conv.cu}) for every dense
 * (groups 1) conv: the configuration tuned for the shape if the shipped conv checkpoints hold one, else the one
 * {@link ConvKernels#heuristic} picks for this GPU (wgmma tiles on sm_90a) for FP16, or for the low-bit formats the
 * mma.sync candidate of {@link ConvKernels#candidates} that fills the SMs best, with the folded-BN bias, residual add
 * and ReLU fused into its epilogue. Weights go KRSC with rows padded as {@link ConvWeightLayout} lays them out, encoded
 * offline as {@link CnnQuantization#encode} does (E5M2 in the FP8 fragment order; MXFP8 elements + exponents; 1-bit codes
 * + FP32 scales). Activations of MXFP8 / INT4 convs are quantised on the device right before the conv (cnn_ops.cu's
 * quantisers) into one scratch buffer shared by every conv of the model (launches are stream-ordered); consecutive convs
 * on the same input tensor (ResNet's downsample and conv1) share one quantisation.
 */
final class LadderConvLauncher implements ConvLauncher {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LadderConvLauncher.class);
    private final ConvRunner runner;
    private final org.ladderae.checkpoints.CheckpointStore checkpoints = org.ladderae.checkpoints.CheckpointStore.installed();
    private final java.util.Set<org.ladderae.kernels.ConvConfig> prepared = new java.util.LinkedHashSet<>();

    private final CudaContext context;
    private final KernelCache cache;
    /** cnn_ops.cu (the activation quantisers), loaded when a conv needs one. */
    private org.ladderae.gpu.CudaModule ops;
    /** Scratch sizes reserved before any prepare, then the shared buffers (null until allocated). */
    private long codeBytes, exponentBytes;
    private DeviceBuffer codes, exponents, partials, scale;
    /** The input tensor whose quantisation the scratch holds when the next conv is queued (null: none). */
    private String quantised;
    private ConvFormat quantisedAs;

    /** Blocks of the INT4 absmax pass (its partial maxima are reduced again by every block of the quantiser). */
    static final int ABSMAX_BLOCKS = 264;

    LadderConvLauncher(CudaContext context, KernelCache cache) {
        this.context = context;
        this.cache = cache;
        this.runner = new ConvRunner(context, cache);
    }

    @Override
    public String whyNot(ConvSpec s) { return whyNot(s, runner.arch()); }

    /** Why Ladder's conv kernels have no configuration for {@code s} on {@code arch}, or null. */
    static String whyNot(ConvSpec s, org.ladderae.kernels.TargetArch arch) {
        if (s.groups() != 1) return "Ladder's implicit-GEMM conv is dense (groups 1), not " + s.groups() + " groups";
        if (s.format() == ConvFormat.W_FP16A_FP16) {
            if (ConvKernels.heuristic(s.shape(), arch) == null) return ConvKernels.unsupportedReason(ConvFormat.W_FP16A_FP16, s.shape());
            return null;
        }
        if (s.format() == ConvFormat.W_INT4A_INT4) return "the CNN executor has no W_INT4A_INT4 weight encoding";
        if (ConvKernels.candidates(s.format(), s.shape(), arch).isEmpty()) {
            String why = ConvKernels.unsupportedReason(s.format(), s.shape());
            return why != null ? why : "no " + s.format().label() + " tile divides K=" + s.k();
        }
        return null;
    }

    @Override
    public void reserve(ConvSpec s) {
        long elements = (long) s.n() * s.h() * s.w() * s.c();
        if (s.format().actBits() < 16) codeBytes = Math.max(codeBytes, elements * s.format().actBits() / 8);
        if (s.format().microscaled()) exponentBytes = Math.max(exponentBytes, elements / 32);
    }

    @Override
    public long allocateScratch(LongFunction<DeviceBuffer> alloc) {
        if (codeBytes == 0) return 0;
        codes = alloc.apply(codeBytes);
        exponents = alloc.apply(Math.max(16, exponentBytes));
        partials = alloc.apply(4L * ABSMAX_BLOCKS);
        scale = alloc.apply(16);
        return codes.bytes() + exponents.bytes() + partials.bytes() + scale.bytes();
    }

    /**
     * The configuration of {@code s} (one {@link #whyNot} accepts) on {@code arch}: tuned if the checkpoints hold one for
     * its format and shape; else FP16's {@link ConvKernels#heuristic}, or for a low-bit format the first candidate whose
     * grid fills the SMs (the larger tiles come first), else the one with the most blocks.
     */
    static org.ladderae.kernels.ConvConfig configFor(ConvSpec s, org.ladderae.kernels.TargetArch arch, org.ladderae.checkpoints.CheckpointStore checkpoints) {
        ConvFormat f = s.format();
        ConvShape shape = s.shape();
        java.util.Optional<org.ladderae.kernels.ConvConfig> t = tuned(checkpoints, arch, f, shape);
        if (t.isPresent()) return t.get();
        if (f == ConvFormat.W_FP16A_FP16) return ConvKernels.heuristic(shape, arch);
        org.ladderae.kernels.ConvConfig best = null;
        for (org.ladderae.kernels.ConvConfig c : ConvKernels.candidates(f, shape, arch)) {
            if (c.blocks() >= ConvKernels.SMS) return c;   // the first (larger-tile) candidate with a full wave
            if (best == null || c.blocks() > best.blocks()) best = c;
        }
        return best;
    }

    private Prepared prepareLowBit(ConvSpec s, double[] weightOhwi, double[] bias, DeviceBuffer x, DeviceBuffer residual, DeviceBuffer y,
                                   LongFunction<DeviceBuffer> alloc) {
        ConvShape shape = s.shape();
        ConvFormat f = s.format();
        org.ladderae.kernels.ConvConfig cfg = configFor(s, runner.arch(), checkpoints);
        ConvLayer layer = runner.layer(cfg);
        prepared.add(cfg);
        CnnQuantization.StoredConv sc = CnnQuantization.encode(f, weightOhwi, s.k());   // OHWI is KRSC
        byte[] device = switch (f) {
            case W_FP8A_FP16 -> ConvWeightLayout.fp8ForMma(ConvWeightLayout.padRows(sc.codes(), shape));
            case W_MXFP8A_MXFP8 -> BitPacking.pack(ConvWeightLayout.padRows(sc.codes(), shape), 8);
            case W_INT1A_INT4 -> BitPacking.pack(ConvWeightLayout.padRows(sc.codes(), shape), 1);
            default -> throw new IllegalArgumentException(s.name() + ": no weight layout for " + f.label());
        };
        if (device.length != layer.weightBytes()) throw new IllegalStateException(s.name() + ": weight layout gives " + device.length + " bytes, the layer reads " + layer.weightBytes());
        DeviceBuffer w = alloc.apply(device.length);
        w.copyFrom(device);
        DeviceBuffer b = CnnExecutor.uploadHalves(bias, alloc);
        long bytes = w.bytes() + b.bytes();
        boolean relu = s.relu();
        String name = cfg.kernelName();
        if (f.actBits() == 16) return new Prepared(name, layer.bind(x, w, b, residual, relu, y), bytes);
        DeviceBuffer ws;
        if (f.microscaled()) {
            ws = alloc.apply(sc.exponents().length);
            ws.copyFrom(BitPacking.pack(sc.exponents(), 8));
        } else {
            ws = alloc.apply(4L * sc.scales().length);
            ws.copyFrom(sc.scales());
        }
        bytes += ws.bytes();
        if (codes == null) throw new IllegalStateException(s.name() + ": no activation scratch reserved (reserve/allocateScratch first)");
        Runnable quantise = quantised != null && quantised.equals(s.input()) && quantisedAs == f ? null : quantiser(f, x, (long) s.n() * s.h() * s.w() * s.c());
        quantised = s.input();
        quantisedAs = f;
        DeviceBuffer xs = f.microscaled() ? exponents : scale;
        Runnable conv = () -> layer.launchQuantized(codes, xs, w, ws, b, residual, relu, y);
        return new Prepared(name + (quantise == null ? " (input quantised for the previous conv)" : ""), quantise == null ? conv : () -> {
            quantise.run();
            conv.run();
        }, bytes);
    }

    /** The device quantisation of {@code elements} FP16 activations at {@code x} into the scratch (see cnn_ops.cu). */
    private Runnable quantiser(ConvFormat f, DeviceBuffer x, long elements) {
        if (ops == null) ops = cache.load(context, org.ladderae.kernels.KernelSource.fromClasspath(CnnExecutor.OPS_SOURCE), CnnExecutor.OPS_FLAGS);
        if (f.microscaled()) {
            org.ladderae.gpu.Kernel k = ops.kernel("quant_mxfp8_blocks");
            org.ladderae.gpu.LaunchConfig lc = CnnExecutor.elementwise(elements / 32);
            org.ladderae.gpu.KernelArgs a = org.ladderae.gpu.KernelArgs.of().buffer(x).i64(elements / 32).buffer(codes).buffer(exponents);
            return () -> k.launch(lc, a);
        }
        org.ladderae.gpu.Kernel amax = ops.kernel("absmax_partial"), quant = ops.kernel("quant_int4_tensor");
        org.ladderae.gpu.LaunchConfig lcA = org.ladderae.gpu.LaunchConfig.of1d(ABSMAX_BLOCKS, 256), lcQ = CnnExecutor.elementwise(elements / 2);
        org.ladderae.gpu.KernelArgs a = org.ladderae.gpu.KernelArgs.of().buffer(x).i64(elements / 2).buffer(partials);
        org.ladderae.gpu.KernelArgs q = org.ladderae.gpu.KernelArgs.of().buffer(x).i64(elements / 2).buffer(partials).i32(ABSMAX_BLOCKS).buffer(codes).buffer(scale);
        return () -> {
            amax.launch(lcA, a);
            quant.launch(lcQ, q);
        };
    }

    @Override
    public Prepared prepare(ConvSpec s, double[] weightOhwi, double[] bias, DeviceBuffer x, DeviceBuffer residual, DeviceBuffer y,
                            LongFunction<DeviceBuffer> alloc) {
        if (s.format() != ConvFormat.W_FP16A_FP16) return prepareLowBit(s, weightOhwi, bias, x, residual, y, alloc);
        ConvShape shape = s.shape();
        boolean tuned = tuned(checkpoints, runner.arch(), ConvFormat.W_FP16A_FP16, shape).isPresent();
        ConvLayer layer = runner.layer(configFor(s, runner.arch(), checkpoints));
        prepared.add(layer.config());
        int[] codes = new int[weightOhwi.length];
        for (int i = 0; i < codes.length; i++) codes[i] = Fp16.INSTANCE.encode(weightOhwi[i]);   // OHWI is KRSC
        byte[] device = BitPacking.pack(ConvWeightLayout.padRows(codes, shape), 16);
        if (device.length != layer.weightBytes()) throw new IllegalStateException(s.name() + ": weight layout gives " + device.length + " bytes, the layer reads " + layer.weightBytes());
        DeviceBuffer w = alloc.apply(device.length);
        w.copyFrom(device);
        DeviceBuffer b = CnnExecutor.uploadHalves(bias, alloc);
        boolean relu = s.relu();
        return new Prepared(layer.config().kernelName() + (tuned ? " (tuned)" : ""), layer.bind(x, w, b, residual, relu, y), w.bytes() + b.bytes());
    }

    /** The configuration tuned for this exact conv on this GPU's arch, when the shipped conv checkpoints hold one. */
    private static java.util.Optional<org.ladderae.kernels.ConvConfig> tuned(org.ladderae.checkpoints.CheckpointStore checkpoints,
                                                                             org.ladderae.kernels.TargetArch arch, ConvFormat f, ConvShape shape) {
        try {
            return org.ladderae.tuning.ConvCheckpoints.lookup(checkpoints, arch.smName(), f, shape);
        } catch (org.ladderae.checkpoints.CheckpointException e) {
            LOG.warn("conv checkpoint for {} unusable, taking the heuristic tile: {}", shape.dims(), e.getMessage());
            return java.util.Optional.empty();
        }
    }

    /** {@link ConvRunner#checkAll} of each configuration prepared (the small shapes once per binary, the real shape when cheap). */
    @Override
    public KernelCheck checkPrepared(long seed) {
        for (org.ladderae.kernels.ConvConfig c : prepared) {
            ConvRunner.Check k = runner.checkAll(c, seed);
            if (!k.passed()) return new KernelCheck(k.config().kernelName() + " at " + k.config().shape().dims() + (k.allWritten() ? "" : " (unwritten outputs)"),
                    k.error(), k.tolerance());
        }
        return null;
    }

    @Override
    public void close() {
        runner.close();
        if (ops != null) ops.close();
    }
}
