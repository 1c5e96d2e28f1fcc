package org.ladderae.gpu;

import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.JCudaDriver;

/** Start and stop events around device work on the default stream; {@link #elapsedMs()} waits for stop. */
final class CudaEventPair implements AutoCloseable {
    private final CUevent start = new CUevent();
    private final CUevent stop = new CUevent();

    CudaEventPair() {
        CudaDriver.check("cuEventCreate", JCudaDriver.cuEventCreate(start, CUevent_flags.CU_EVENT_DEFAULT));
        CudaDriver.check("cuEventCreate", JCudaDriver.cuEventCreate(stop, CUevent_flags.CU_EVENT_DEFAULT));
    }

    void recordStart() { CudaDriver.check("cuEventRecord(start)", JCudaDriver.cuEventRecord(start, null)); }

    void recordStop() { CudaDriver.check("cuEventRecord(stop)", JCudaDriver.cuEventRecord(stop, null)); }

    float elapsedMs() {
        CudaDriver.check("cuEventSynchronize(stop)", JCudaDriver.cuEventSynchronize(stop));
        float[] ms = new float[1];
        CudaDriver.check("cuEventElapsedTime", JCudaDriver.cuEventElapsedTime(ms, start, stop));
        return ms[0];
    }

    @Override
    public void close() {
        CudaDriver.check("cuEventDestroy", JCudaDriver.cuEventDestroy(start));
        CudaDriver.check("cuEventDestroy", JCudaDriver.cuEventDestroy(stop));
    }
}
