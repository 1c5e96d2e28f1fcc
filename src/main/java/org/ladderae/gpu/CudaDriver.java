package org.ladderae.gpu;

import java.util.ArrayList;
import java.util.List;
import jcuda.driver.CUdevice;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * Entry to the CUDA driver through JCuda's driver API (JCuda's NVRTC and cuBLAS bindings do not
 * load against the CUDA 13 driver, so the project never touches them). Loading is lazy and never
 * crashes the JVM: where libcuda or a device is missing, {@link #availability()} says why and
 * {@link #require()} throws {@link GpuUnavailableException}.
 */
public final class CudaDriver {
    private static Availability availability;

    private CudaDriver() {}

    /** Whether the driver loaded and found at least one device; {@code reason} says why not. */
    public record Availability(boolean available, int driverVersion, int deviceCount, String reason) {}

    public static synchronized Availability availability() {
        if (availability == null) availability = load();
        return availability;
    }

    /** Throws {@link GpuUnavailableException} (one line: why) when no GPU can be used. */
    public static void require() {
        Availability a = availability();
        if (!a.available()) throw new GpuUnavailableException(a.reason());
    }

    private static Availability load() {
        try {
            // Errors come back as codes checked by check(); JCuda's own exceptions lack the call name.
            JCudaDriver.setExceptionsEnabled(false);
            int rc = JCudaDriver.cuInit(0);
            if (rc != CUresult.CUDA_SUCCESS) {
                return new Availability(false, 0, 0, "cuInit failed: " + CUresult.stringFor(rc)
                        + (rc == CUresult.CUDA_ERROR_NO_DEVICE ? " (no CUDA device visible)" : ""));
            }
            int[] version = new int[1];
            check("cuDriverGetVersion", JCudaDriver.cuDriverGetVersion(version));
            int[] count = new int[1];
            check("cuDeviceGetCount", JCudaDriver.cuDeviceGetCount(count));
            if (count[0] == 0) return new Availability(false, version[0], 0, "the CUDA driver sees no device");
            return new Availability(true, version[0], count[0], null);
        } catch (LinkageError e) {
            // libJCudaDriver links libcuda.so.1: absent on machines without the NVIDIA driver.
            return new Availability(false, 0, 0, "cannot load the CUDA driver library (libcuda.so.1): " + firstLine(e));
        } catch (CudaException e) {
            return new Availability(false, 0, 0, e.getMessage());
        }
    }

    /** Turns a driver return code into a {@link CudaException} naming {@code call}. */
    public static void check(String call, int result) {
        if (result != CUresult.CUDA_SUCCESS) throw new CudaException(call, result, null);
    }

    /** Driver version as "13.0" from the packed integer 13000. */
    public static String versionString(int packed) { return (packed / 1000) + "." + (packed % 1000) / 10; }

    public static List<Device> devices() {
        require();
        List<Device> list = new ArrayList<>();
        for (int i = 0; i < availability().deviceCount(); i++) list.add(Device.query(i));
        return list;
    }

    public static Device device(int ordinal) {
        require();
        int n = availability().deviceCount();
        if (ordinal < 0 || ordinal >= n) throw new GpuUnavailableException("no CUDA device " + ordinal + " (" + n + " visible)");
        return Device.query(ordinal);
    }

    static CUdevice handle(int ordinal) {
        CUdevice d = new CUdevice();
        check("cuDeviceGet(" + ordinal + ")", JCudaDriver.cuDeviceGet(d, ordinal));
        return d;
    }

    private static String firstLine(Throwable e) {
        Throwable t = e;
        while (t.getMessage() == null && t.getCause() != null) t = t.getCause();
        String m = t.getMessage() == null ? t.toString() : t.getMessage();
        return m.split("\n")[0];
    }
}
