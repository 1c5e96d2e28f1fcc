package org.ladderae.executor.cnn;

import java.util.function.LongFunction;
import org.ladderae.gpu.DeviceBuffer;

/**
 * Where the CNN executor sends its convs: a kernel family that takes some {@link ConvSpec}s. The executor asks each
 * launcher in order and uses the first that has a kernel, so the tensor-core implicit-GEMM convs come first and the
 * direct kernels of {@code cnn_ops.cu} take the rest (depthwise convs, and shapes the former do not cover).
 */
public interface ConvLauncher extends AutoCloseable {
    /** Why this launcher has no kernel for {@code s}, or null when it has one. */
    String whyNot(ConvSpec s);

    /** Before any {@link #prepare}: {@code s} will be prepared here (a launcher sizes its shared scratch buffers from these). */
    default void reserve(ConvSpec s) {}

    /** After every {@link #reserve}, before any {@link #prepare}: allocates the shared scratch from {@code alloc}; returns its bytes. */
    default long allocateScratch(LongFunction<DeviceBuffer> alloc) { return 0; }

    /**
     * Stores the folded weights (OHWI values, FP16-representable) and bias in this launcher's layout, in buffers from
     * {@code alloc} (the executor owns and counts them), and returns the launch of the conv on the given activations;
     * {@code residual} is null when the conv has none.
     */
    Prepared prepare(ConvSpec s, double[] weightOhwi, double[] bias, DeviceBuffer x, DeviceBuffer residual, DeviceBuffer y,
                     LongFunction<DeviceBuffer> alloc);

    /**
     * Checks every kernel binary this launcher has prepared against the double-precision CPU reference on its own small
     * shapes (odd sizes, partial tiles, the fused epilogue), so that the very binaries a full-size model is timed with
     * are checked, not only those a small check model picks. Null when all passed (or there is nothing to check).
     */
    default KernelCheck checkPrepared(long seed) { return null; }

    /** The first kernel that failed its check. */
    record KernelCheck(String kernel, double error, double tolerance) {}

    /** A prepared conv: the kernel's name for logs, the launch (queue only), bytes of its stored weights. */
    record Prepared(String kernel, Runnable launch, long weightBytes) {}

    @Override
    void close();
}
