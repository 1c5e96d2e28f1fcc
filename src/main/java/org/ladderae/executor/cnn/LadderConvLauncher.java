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
 * {@link ConvKernels#heuristic} picks for this GPU (wgmma tiles on sm_90a), with the folded-BN bias, residual add and ReLU fused into its epilogue. Weights go KRSC with rows padded
 * as {@link ConvWeightLayout} lays them out. FP16 weights only: the layer API launches the FP16 kernels.
 */
final class LadderConvLauncher implements ConvLauncher {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LadderConvLauncher.class);
    private final ConvRunner runner;
    private final org.ladderae.checkpoints.CheckpointStore checkpoints = org.ladderae.checkpoints.CheckpointStore.installed();
    private final java.util.Set<org.ladderae.kernels.ConvConfig> prepared = new java.util.LinkedHashSet<>();

    LadderConvLauncher(CudaContext context, KernelCache cache) { this.runner = new ConvRunner(context, cache); }

    @Override
    public String whyNot(ConvSpec s) {
        if (s.groups() != 1) return "Ladder's implicit-GEMM conv is dense (groups 1), not " + s.groups() + " groups";
        if (s.format() != ConvFormat.W_FP16A_FP16) return "Ladder's conv layer API launches the FP16 kernels, not " + s.format().label();
        if (ConvKernels.heuristic(s.shape(), runner.arch()) == null) return ConvKernels.unsupportedReason(ConvFormat.W_FP16A_FP16, s.shape());
        return null;
    }

    @Override
    public Prepared prepare(ConvSpec s, double[] weightOhwi, double[] bias, DeviceBuffer x, DeviceBuffer residual, DeviceBuffer y,
                            LongFunction<DeviceBuffer> alloc) {
        ConvShape shape = s.shape();
        java.util.Optional<org.ladderae.kernels.ConvConfig> tuned = tuned(shape);
        ConvLayer layer = tuned.isPresent() ? runner.layer(tuned.get()) : runner.layer(shape);
        prepared.add(layer.config());
        int[] codes = new int[weightOhwi.length];
        for (int i = 0; i < codes.length; i++) codes[i] = Fp16.INSTANCE.encode(weightOhwi[i]);   // OHWI is KRSC
        byte[] device = BitPacking.pack(ConvWeightLayout.padRows(codes, shape), 16);
        if (device.length != layer.weightBytes()) throw new IllegalStateException(s.name() + ": weight layout gives " + device.length + " bytes, the layer reads " + layer.weightBytes());
        DeviceBuffer w = alloc.apply(device.length);
        w.copyFrom(device);
        DeviceBuffer b = CnnExecutor.uploadHalves(bias, alloc);
        boolean relu = s.relu();
        return new Prepared(layer.config().kernelName() + (tuned.isPresent() ? " (tuned)" : ""), () -> layer.launch(x, w, b, residual, relu, y), w.bytes() + b.bytes());
    }

    /** The configuration tuned for this exact conv on this GPU's arch, when the shipped conv checkpoints hold one. */
    private java.util.Optional<org.ladderae.kernels.ConvConfig> tuned(ConvShape shape) {
        try {
            return org.ladderae.tuning.ConvCheckpoints.lookup(checkpoints, runner.arch().smName(), ConvFormat.W_FP16A_FP16, shape);
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
    public void close() { runner.close(); }
}
