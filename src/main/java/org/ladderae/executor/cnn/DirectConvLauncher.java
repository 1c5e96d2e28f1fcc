package org.ladderae.executor.cnn;

import java.util.function.LongFunction;
import org.ladderae.gpu.CudaModule;
import org.ladderae.gpu.DeviceBuffer;
import org.ladderae.gpu.Kernel;
import org.ladderae.gpu.KernelArgs;
import org.ladderae.gpu.LaunchConfig;
import org.ladderae.kernels.ConvFormat;

/**
 * The direct convs of {@code kernels/cnn/cnn_ops.cu}, FP16 weights only: {@code depthwise3x3} for ShuffleNet's
 * depthwise convs (even C, padding 1), {@code conv2d_direct} (one thread per output, CUDA cores) for any other conv.
 * The latter is the fallback for shapes the tensor-core kernels do not take; its launches are named so a run shows
 * which convs took it.
 */
final class DirectConvLauncher implements ConvLauncher {
    private final CudaModule ops;

    DirectConvLauncher(CudaModule ops) { this.ops = ops; }

    @Override
    public String whyNot(ConvSpec s) {
        return s.format() == ConvFormat.W_FP16A_FP16 ? null : "the direct conv kernels take FP16 weights only, not " + s.format().label();
    }

    static boolean usesDepthwise3x3(ConvSpec s) { return s.depthwise() && s.r() == 3 && s.s() == 3 && s.pad() == 1 && s.c() % 2 == 0 && !s.residual(); }

    @Override
    public Prepared prepare(ConvSpec s, double[] weightOhwi, double[] bias, DeviceBuffer x, DeviceBuffer residual, DeviceBuffer y,
                            LongFunction<DeviceBuffer> alloc) {
        DeviceBuffer w = CnnExecutor.uploadHalves(weightOhwi, alloc), b = CnnExecutor.uploadHalves(bias, alloc);
        long bytes = w.bytes() + b.bytes();
        if (usesDepthwise3x3(s)) {
            Kernel k = ops.kernel("depthwise3x3");
            LaunchConfig lc = CnnExecutor.elementwise(s.outputElements() / 2);
            KernelArgs a = KernelArgs.of().buffer(x).buffer(w).buffer(b).buffer(y).i32(s.n()).i32(s.h()).i32(s.w()).i32(s.c()).i32(s.stride())
                    .i32(s.p()).i32(s.q()).i32(s.relu() ? 1 : 0);
            return new Prepared("depthwise3x3", () -> k.launch(lc, a), bytes);
        }
        Kernel k = ops.kernel("conv2d_direct");
        LaunchConfig lc = CnnExecutor.elementwise(s.outputElements());
        KernelArgs a = KernelArgs.of().buffer(x).buffer(w).buffer(b);
        a = residual == null ? a.i64(0) : a.buffer(residual);
        a = a.buffer(y).i32(s.n()).i32(s.h()).i32(s.w()).i32(s.c()).i32(s.k()).i32(s.r()).i32(s.s()).i32(s.stride()).i32(s.pad()).i32(s.groups())
                .i32(s.p()).i32(s.q()).i32(s.relu() ? 1 : 0);
        KernelArgs args = a;
        return new Prepared("conv2d_direct", () -> k.launch(lc, args), bytes);
    }

    @Override
    public void close() {}   // the module belongs to the executor
}
