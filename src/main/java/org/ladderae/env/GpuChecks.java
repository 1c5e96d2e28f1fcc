package org.ladderae.env;

import java.util.ArrayList;
import java.util.List;
import org.ladderae.gpu.CopyBandwidth;
import org.ladderae.gpu.CudaContext;
import org.ladderae.gpu.CudaDriver;
import org.ladderae.gpu.Device;
import org.ladderae.kernels.KernelCache;
import org.ladderae.kernels.NvccCompiler;
import org.ladderae.kernels.TargetArch;

/**
 * The GPU lines of {@code doctor}: driver, each device, whether kernels can be built for it, and the
 * measured copy bandwidth. Probing never crashes: without libcuda or a device the driver line says
 * {@code missing} and how to fix it.
 */
public final class GpuChecks {
    static final String NO_GPU_FIX = "run on a machine with an NVIDIA GPU and driver (libcuda.so.1); drawing the paper's figures needs no GPU";

    private GpuChecks() {}

    public static List<Check> all() {
        List<Check> checks = new ArrayList<>();
        CudaDriver.Availability a = CudaDriver.availability();
        if (!a.available()) {
            checks.add(() -> Check.Outcome.missing("GPU", a.reason(), NO_GPU_FIX));
            return checks;
        }
        checks.add(() -> Check.Outcome.ok("CUDA driver", CudaDriver.versionString(a.driverVersion()) + ", " + a.deviceCount()
                + " device(s), through JCuda's driver API"));
        for (int i = 0; i < a.deviceCount(); i++) {
            int ordinal = i;
            checks.add(() -> {
                try {
                    return Check.Outcome.ok("GPU " + ordinal, CudaDriver.device(ordinal).describe());
                } catch (RuntimeException e) {
                    return Check.Outcome.missing("GPU " + ordinal, e.getMessage(), "check nvidia-smi; the device may be in use or faulted");
                }
            });
        }
        checks.add(GpuChecks::kernelBuilds);
        checks.add(GpuChecks::copyBandwidth);
        return checks;
    }

    private static Check.Outcome kernelBuilds() {
        try {
            Device d = CudaDriver.device(0);
            TargetArch arch = TargetArch.forComputeCapability(d.ccMajor(), d.ccMinor());
            KernelCache cache = KernelCache.defaultCache();
            if (cache.nvcc().isEmpty()) {
                return Check.Outcome.warn("kernel builds", arch.smName() + ": no nvcc, only prebuilt kernels load (cache " + cache.root() + ")",
                        "install the CUDA toolkit and put nvcc on PATH to build kernels");
            }
            NvccCompiler nvcc = cache.nvcc().get();
            String why = arch.unsupportedReason(nvcc.version());
            if (why != null) return Check.Outcome.warn("kernel builds", why, "install a CUDA toolkit that supports " + arch.smName());
            return Check.Outcome.ok("kernel builds", arch.smName() + " with nvcc " + nvcc.version() + ", cache " + cache.root());
        } catch (RuntimeException e) {
            return Check.Outcome.warn("kernel builds", e.getMessage(), "see the GPU line above");
        }
    }

    private static Check.Outcome copyBandwidth() {
        try {
            return Check.Outcome.ok("copy bandwidth", CopyBandwidth.of(CudaContext.forDevice(0)).describe() + " on GPU 0");
        } catch (RuntimeException e) {
            return Check.Outcome.warn("copy bandwidth", "could not measure: " + e.getMessage(), "check nvidia-smi for other processes using the GPU");
        }
    }
}
