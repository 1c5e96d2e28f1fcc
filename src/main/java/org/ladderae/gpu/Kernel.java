package org.ladderae.gpu;

import jcuda.driver.CUfunction;
import jcuda.driver.CUstream;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.JCudaDriver;

/**
 * One kernel of a loaded {@link CudaModule}. Launches go to the default stream, in order, unless this thread has set a
 * launch stream ({@link #onStream}: the layer executor captures its launches into a CUDA graph that way).
 */
public final class Kernel {
    /** The stream this thread's launches go to; unset (null) is the legacy default stream. */
    private static final ThreadLocal<CUstream> LAUNCH_STREAM = new ThreadLocal<>();

    /** Runs {@code r} with this thread's launches going to {@code stream} (e.g. a stream being captured), then restores the previous one. */
    public static void onStream(CUstream stream, Runnable r) {
        CUstream previous = LAUNCH_STREAM.get();
        LAUNCH_STREAM.set(stream);
        try {
            r.run();
        } finally {
            LAUNCH_STREAM.set(previous);
        }
    }

    private final CudaContext context;
    private final CUfunction function;
    private final String name;

    Kernel(CudaContext context, CUfunction function, String name) {
        this.context = context;
        this.function = function;
        this.name = name;
    }

    public String name() { return name; }

    /**
     * Queues one launch. Shape and argument errors surface here; faults inside the kernel surface at
     * the next synchronizing call ({@link #launchAndWait} or {@link CudaContext#synchronize}).
     */
    public void launch(LaunchConfig c, KernelArgs args) {
        context.bind();
        int r = JCudaDriver.cuLaunchKernel(function, c.gridX(), c.gridY(), c.gridZ(), c.blockX(), c.blockY(), c.blockZ(),
                c.sharedBytes(), LAUNCH_STREAM.get(), args.toKernelParams(), null);
        // The message (the launch and its arguments as text) is built only on failure: a timed loop of short kernels
        // would otherwise pay for it on every launch.
        if (r != 0) CudaDriver.check("cuLaunchKernel(" + name + ", " + c + ", " + args + ")", r);
    }

    /** Launches and waits, so a fault is reported against this kernel (correctness checks use this). */
    public void launchAndWait(LaunchConfig c, KernelArgs args) {
        launch(c, args);
        context.bind();
        CudaDriver.check("cuCtxSynchronize after " + name, JCudaDriver.cuCtxSynchronize());
    }

    /**
     * Allows up to {@code bytes} of dynamic shared memory per block; launches asking for more than 48 KiB
     * fail with CUDA_ERROR_INVALID_VALUE until this is set (the GEMM kernels use up to 227 KiB).
     */
    public void setMaxDynamicSharedBytes(int bytes) {
        context.bind();
        CudaDriver.check("cuFuncSetAttribute(" + name + ", max dynamic shared " + bytes + ")",
                JCudaDriver.cuFuncSetAttribute(function, CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes));
    }

    /** Registers per thread, from the compiled code (for reports and tuning). */
    public int registersPerThread() { return attribute(CUfunction_attribute.CU_FUNC_ATTRIBUTE_NUM_REGS, "registers"); }

    public int maxThreadsPerBlock() { return attribute(CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, "max threads"); }

    private int attribute(int attr, String what) {
        context.bind();
        int[] v = new int[1];
        CudaDriver.check("cuFuncGetAttribute(" + name + ", " + what + ")", JCudaDriver.cuFuncGetAttribute(v, attr, function));
        return v[0];
    }
}
