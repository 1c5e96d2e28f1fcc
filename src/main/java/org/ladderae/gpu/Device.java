package org.ladderae.gpu;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * What the driver says about one device. Clocks are in MHz and are the driver's nominal maxima
 * (0 where the driver no longer reports them); the copy bandwidth we quote is measured, not this.
 */
public record Device(int ordinal, String name, int ccMajor, int ccMinor, int smCount, long totalMemoryBytes,
                     int l2CacheBytes, int smClockMhz, int memoryClockMhz, int memoryBusWidthBits, int driverVersion) {

    static Device query(int ordinal) {
        CUdevice d = CudaDriver.handle(ordinal);
        byte[] raw = new byte[256];
        CudaDriver.check("cuDeviceGetName", JCudaDriver.cuDeviceGetName(raw, raw.length, d));
        int len = 0;
        while (len < raw.length && raw[len] != 0) len++;
        long[] mem = new long[1];
        CudaDriver.check("cuDeviceTotalMem", JCudaDriver.cuDeviceTotalMem(mem, d));
        return new Device(ordinal, new String(raw, 0, len, StandardCharsets.UTF_8),
                attr(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, "compute capability major"),
                attr(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, "compute capability minor"),
                attr(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, "multiprocessor count"),
                mem[0],
                attr(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE, "L2 size"),
                optionalAttr(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_CLOCK_RATE) / 1000,
                optionalAttr(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE) / 1000,
                optionalAttr(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH),
                CudaDriver.availability().driverVersion());
    }

    private static int attr(CUdevice d, int attribute, String what) {
        int[] v = new int[1];
        CudaDriver.check("cuDeviceGetAttribute(" + what + ")", JCudaDriver.cuDeviceGetAttribute(v, attribute, d));
        return v[0];
    }

    /** Clock attributes are deprecated in CUDA 13; a refusal reads as 0 ("not reported"). */
    private static int optionalAttr(CUdevice d, int attribute) {
        int[] v = new int[1];
        return JCudaDriver.cuDeviceGetAttribute(v, attribute, d) == CUresult.CUDA_SUCCESS ? v[0] : 0;
    }

    public String computeCapability() { return ccMajor + "." + ccMinor; }

    /** One line for doctor and result headers. */
    public String describe() {
        String clocks = smClockMhz > 0 ? String.format(Locale.ROOT, ", SM clock %d MHz, memory clock %d MHz", smClockMhz, memoryClockMhz) : "";
        return String.format(Locale.ROOT, "%s (GPU %d, compute %s, %d SMs, %s memory, %s L2%s, driver %s)", name, ordinal,
                computeCapability(), smCount, Units.bytes(totalMemoryBytes), Units.bytes(l2CacheBytes), clocks,
                CudaDriver.versionString(driverVersion));
    }
}
