package org.ladderae.tuning;

import org.ladderae.gpu.CudaContext;
import org.ladderae.gpu.CudaDriver;
import org.ladderae.kernels.KernelCache;
import org.ladderae.kernels.TargetArch;

/** Where a tuning run happens, as a checkpoint manifest records it: the GPU's arch and name, driver and nvcc versions. */
public record TuningEnvironment(String arch, String gpuName, String driverVersion, String nvccVersion) {

    /** This GPU and the cache's nvcc; IllegalStateException when there is no nvcc (tuning compiles, loading does not). */
    public static TuningEnvironment of(CudaContext ctx, KernelCache cache) {
        String nvcc = cache.nvcc().orElseThrow(() -> new IllegalStateException("tuning needs nvcc on PATH (loading checkpoints does not)")).version();
        TargetArch arch = TargetArch.forComputeCapability(ctx.device().ccMajor(), ctx.device().ccMinor());
        return new TuningEnvironment(arch.smName(), ctx.device().name(), CudaDriver.versionString(ctx.device().driverVersion()), nvcc);
    }
}
