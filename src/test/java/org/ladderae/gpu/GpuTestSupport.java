package org.ladderae.gpu;

import org.junit.jupiter.api.Assumptions;

/** GPU tests call {@link #context()}: on a machine without a usable GPU the test is skipped, with the reason printed. */
public final class GpuTestSupport {
    private GpuTestSupport() {}

    public static CudaContext context() {
        CudaDriver.Availability a = CudaDriver.availability();
        if (!a.available()) System.out.println("[skip] GPU test: " + a.reason());
        Assumptions.assumeTrue(a.available(), () -> "no usable GPU: " + a.reason());
        return CudaContext.forDevice(0);
    }
}
