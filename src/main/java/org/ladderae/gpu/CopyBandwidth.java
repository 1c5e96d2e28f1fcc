package org.ladderae.gpu;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import jcuda.driver.JCudaDriver;
import org.ladderae.results.TimingStats;

/**
 * Measured device-to-device copy bandwidth: the practical memory ceiling that memory-bound kernels
 * are stated against ("GEMV at 91 % of copy bandwidth"). Counts bytes read plus bytes written. Measured
 * once per device per process.
 */
public final class CopyBandwidth {
    /** Large enough that the 50-60 MB L2 plays no part and launch overhead is negligible. */
    static final long DEFAULT_COPY_BYTES = 1L << 30;

    private static final Map<Integer, Result> MEASURED = new HashMap<>();

    private CopyBandwidth() {}

    /** {@code bytesPerCopy} moved each way; {@code gbPerSecond} counts read + write, from the median time. */
    public record Result(String device, long bytesPerCopy, TimingStats timing, double gbPerSecond) {
        public String describe() {
            return String.format(Locale.ROOT, "%.0f GB/s device-to-device copy (read+write, %s copy, median of %d, cv %.1f%%)",
                    gbPerSecond, Units.bytes(bytesPerCopy), timing.samplesMs().size(), 100 * timing.cv());
        }
    }

    public static synchronized Result of(CudaContext context) {
        Result r = MEASURED.get(context.device().ordinal());
        if (r == null) {
            r = measure(context, Math.min(DEFAULT_COPY_BYTES, context.freeMemoryBytes() / 4));
            MEASURED.put(context.device().ordinal(), r);
        }
        return r;
    }

    static Result measure(CudaContext context, long bytes) {
        bytes = bytes / 16 * 16;
        try (DeviceBuffer src = context.allocate(bytes); DeviceBuffer dst = context.allocate(bytes); GpuTimer timer = new GpuTimer(context)) {
            src.fill32(0x3f800000);
            final long n = bytes;
            TimingStats t = timer.time(i -> CudaDriver.check("cuMemcpyDtoDAsync",
                    JCudaDriver.cuMemcpyDtoDAsync(dst.pointer(), src.pointer(), n, null)),
                    new GpuTimer.Options(20, 300, 10, 200, GpuTimer.Cache.NONE));
            return new Result(context.device().name(), bytes, t, Units.gbPerSecond(2.0 * bytes, t.medianMs()));
        }
    }
}
