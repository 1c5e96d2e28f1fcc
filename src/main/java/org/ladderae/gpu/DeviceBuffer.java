package org.ladderae.gpu;

import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * Device memory, freed by {@link #close()} (use try-with-resources). Copies are synchronous and
 * check their sizes against the buffer, so a wrong length is an exception, not a fault.
 */
public final class DeviceBuffer implements AutoCloseable {
    private final CudaContext context;
    private final CUdeviceptr ptr;
    private final long bytes;
    private boolean closed;

    private DeviceBuffer(CudaContext context, CUdeviceptr ptr, long bytes) {
        this.context = context;
        this.ptr = ptr;
        this.bytes = bytes;
    }

    static DeviceBuffer allocate(CudaContext context, long bytes) {
        if (bytes <= 0) throw new IllegalArgumentException("buffer size must be positive: " + bytes);
        context.bind();
        CUdeviceptr p = new CUdeviceptr();
        String call = "cuMemAlloc(" + Units.bytes(bytes) + ")";
        int rc = JCudaDriver.cuMemAlloc(p, bytes);
        if (rc == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
            long[] info = context.memInfo();
            throw new CudaException.OutOfMemory(call, rc, bytes, info[0], info[1]);
        }
        CudaDriver.check(call, rc);
        return new DeviceBuffer(context, p, bytes);
    }

    public long bytes() { return bytes; }

    public CudaContext context() { return context; }

    /** The raw device pointer, for kernel arguments ({@link KernelArgs} takes the buffer itself). */
    public CUdeviceptr pointer() {
        ensureOpen();
        return ptr;
    }

    public void copyFrom(float[] host) { copyFromHost(Pointer.to(host), (long) host.length * Sizeof.FLOAT); }

    public void copyFrom(short[] host) { copyFromHost(Pointer.to(host), (long) host.length * Sizeof.SHORT); }

    public void copyFrom(int[] host) { copyFromHost(Pointer.to(host), (long) host.length * Sizeof.INT); }

    public void copyFrom(byte[] host) { copyFromHost(Pointer.to(host), host.length); }

    public void copyTo(float[] host) { copyToHost(Pointer.to(host), (long) host.length * Sizeof.FLOAT); }

    public void copyTo(short[] host) { copyToHost(Pointer.to(host), (long) host.length * Sizeof.SHORT); }

    public void copyTo(int[] host) { copyToHost(Pointer.to(host), (long) host.length * Sizeof.INT); }

    public void copyTo(byte[] host) { copyToHost(Pointer.to(host), host.length); }

    /** Device-to-device copy of all of {@code src} into the start of this buffer. */
    public void copyFrom(DeviceBuffer src) {
        checkSize(src.bytes, "device copy");
        context.bind();
        CudaDriver.check("cuMemcpyDtoD(" + Units.bytes(src.bytes) + ")", JCudaDriver.cuMemcpyDtoD(ptr, src.pointer(), src.bytes));
    }

    /** Fills every 16-bit word with {@code pattern} (e.g. an fp16 NaN to poison an output). */
    public void fill16(short pattern) {
        if (bytes % 2 != 0) throw new IllegalStateException("fill16 needs an even byte count, buffer has " + bytes);
        ensureOpen();
        context.bind();
        CudaDriver.check("cuMemsetD16", JCudaDriver.cuMemsetD16(ptr, pattern, bytes / 2));
    }

    /** Fills every 32-bit word with {@code pattern} (e.g. a float NaN to poison an output). */
    public void fill32(int pattern) {
        if (bytes % 4 != 0) throw new IllegalStateException("fill32 needs a byte count divisible by 4, buffer has " + bytes);
        ensureOpen();
        context.bind();
        CudaDriver.check("cuMemsetD32", JCudaDriver.cuMemsetD32(ptr, pattern, bytes / 4));
    }

    /** Copies {@code length} bytes of {@code host} to this buffer at {@code offset} (for uploads in chunks). */
    public void copyFrom(byte[] host, long offset, int length) {
        if (offset < 0 || length < 0 || length > host.length) throw new IllegalArgumentException("bad range " + offset + "+" + length);
        checkSize(offset + length, "host-to-device copy");
        context.bind();
        CudaDriver.check("cuMemcpyHtoD(" + Units.bytes(length) + " at offset " + offset + ")",
                JCudaDriver.cuMemcpyHtoD(ptr.withByteOffset(offset), Pointer.to(host), length));
    }

    private void copyFromHost(Pointer host, long n) {
        checkSize(n, "host-to-device copy");
        context.bind();
        CudaDriver.check("cuMemcpyHtoD(" + Units.bytes(n) + ")", JCudaDriver.cuMemcpyHtoD(ptr, host, n));
    }

    private void copyToHost(Pointer host, long n) {
        checkSize(n, "device-to-host copy");
        context.bind();
        CudaDriver.check("cuMemcpyDtoH(" + Units.bytes(n) + ")", JCudaDriver.cuMemcpyDtoH(host, ptr, n));
    }

    private void checkSize(long n, String what) {
        ensureOpen();
        if (n > bytes) throw new IllegalArgumentException(what + " of " + n + " bytes into a buffer of " + bytes);
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("device buffer already freed");
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        context.bind();
        CudaDriver.check("cuMemFree(" + Units.bytes(bytes) + ")", JCudaDriver.cuMemFree(ptr));
    }
}
