package org.ladderae.gpu;

import java.util.HashMap;
import java.util.Map;
import jcuda.driver.CUcontext;
import jcuda.driver.JCudaDriver;

/**
 * The one context per device: the device's primary context, retained once and shared by every
 * caller in the process (what the CUDA runtime and PyTorch use too, so memory is not split between
 * contexts). Every operation of {@link DeviceBuffer}, {@link CudaModule} and {@link GpuTimer} binds
 * it to the calling thread first, so any thread may use it.
 */
public final class CudaContext {
    private static final Map<Integer, CudaContext> BY_DEVICE = new HashMap<>();

    private final Device device;
    private final CUcontext handle;

    private CudaContext(Device device, CUcontext handle) {
        this.device = device;
        this.handle = handle;
    }

    /** The context of device {@code ordinal}, created on first use. */
    public static synchronized CudaContext forDevice(int ordinal) {
        CudaContext ctx = BY_DEVICE.get(ordinal);
        if (ctx == null) {
            Device device = CudaDriver.device(ordinal);
            CUcontext h = new CUcontext();
            CudaDriver.check("cuDevicePrimaryCtxRetain(" + ordinal + ")", JCudaDriver.cuDevicePrimaryCtxRetain(h, CudaDriver.handle(ordinal)));
            ctx = new CudaContext(device, h);
            BY_DEVICE.put(ordinal, ctx);
        }
        ctx.bind();
        return ctx;
    }

    public Device device() { return device; }

    /** Makes this context current on the calling thread (cheap; safe to repeat). */
    public void bind() { CudaDriver.check("cuCtxSetCurrent", JCudaDriver.cuCtxSetCurrent(handle)); }

    /** Waits for all work on the device; surfaces asynchronous kernel faults with the call that found them. */
    public void synchronize() {
        bind();
        CudaDriver.check("cuCtxSynchronize", JCudaDriver.cuCtxSynchronize());
    }

    public long freeMemoryBytes() { return memInfo()[0]; }

    /** {free, total} bytes of device memory. */
    long[] memInfo() {
        bind();
        long[] free = new long[1];
        long[] total = new long[1];
        CudaDriver.check("cuMemGetInfo", JCudaDriver.cuMemGetInfo(free, total));
        return new long[] {free[0], total[0]};
    }

    public DeviceBuffer allocate(long bytes) { return DeviceBuffer.allocate(this, bytes); }

    public CudaModule loadModule(byte[] image, String what) { return CudaModule.load(this, image, what); }
}
