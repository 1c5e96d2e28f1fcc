package org.ladderae.gpu;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.ladderae.kernels.KernelCache;
import org.ladderae.kernels.KernelSource;
import org.ladderae.results.TimingStats;

/**
 * {@code ladder-ae selftest}: builds and runs a vector add and an fp16 GEMV, checks each against a
 * double-precision CPU reference on fresh random inputs (outputs poisoned with NaN before each
 * launch, so unwritten elements fail), then times each with {@link GpuTimer} and states its
 * bandwidth as a fraction of the measured device-to-device copy bandwidth.
 */
public final class SelfTest {
    public static final String VECTOR_ADD = "selftest/vector_add.cu";
    public static final String GEMV_FP16 = "selftest/gemv_fp16.cu";
    public static final List<String> NVCC_FLAGS = List.of("-O3", "-std=c++17");

    /** Rows of weights each block of the GEMV handles (ROWS_PER_BLOCK in gemv_fp16.cu). */
    static final int GEMV_ROWS_PER_BLOCK = 4;

    public record Row(String kernel, String shape, boolean correct, double relError, double tolerance,
                      TimingStats timing, double bytesMoved, double gbPerSecond, double fractionOfCopy,
                      double minFractionOfCopy) {
        public boolean fastEnough() { return fractionOfCopy >= minFractionOfCopy; }

        public boolean passed() { return correct && fastEnough(); }
    }

    public record Report(Device device, CopyBandwidth.Result copy, List<Row> rows) {
        public boolean passed() { return rows.stream().allMatch(Row::passed); }
    }

    private final CudaContext context;
    private final KernelCache cache;
    private final long seed;

    public SelfTest(CudaContext context, KernelCache cache, long seed) {
        this.context = context;
        this.cache = cache;
        this.seed = seed;
    }

    /** Runs both checks; {@code minGemvFractionOfCopy} is the GEMV's bandwidth floor (0.8 = 80 %). */
    public Report run(double minGemvFractionOfCopy) {
        CopyBandwidth.Result copy = CopyBandwidth.of(context);
        List<Row> rows = new ArrayList<>();
        rows.add(vectorAdd(1 << 26, copy));
        // 256 MiB of weights: large enough that launch and tail overheads stay under a few percent even at
        // H200 bandwidth (8192x8192 measured 75 % of copy there, 42 us for 128 MiB).
        rows.add(gemvFp16(16384, 8192, copy, minGemvFractionOfCopy));
        return new Report(context.device(), copy, rows);
    }

    Row vectorAdd(int n, CopyBandwidth.Result copy) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] a = new float[n];
        float[] b = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rnd.nextDouble(-1, 1);
            b[i] = (float) rnd.nextDouble(-1, 1);
        }
        long bytes = 4L * n;
        try (CudaModule m = cache.load(context, KernelSource.fromClasspath(VECTOR_ADD), NVCC_FLAGS);
             DeviceBuffer da = context.allocate(bytes); DeviceBuffer db = context.allocate(bytes); DeviceBuffer dc = context.allocate(bytes);
             GpuTimer timer = new GpuTimer(context)) {
            Kernel k = m.kernel("vector_add_f32");
            da.copyFrom(a);
            db.copyFrom(b);
            LaunchConfig cfg = LaunchConfig.covering(n, 256);
            KernelArgs args = KernelArgs.of().buffer(da).buffer(db).buffer(dc).i64(n);
            dc.fill32(Float.floatToRawIntBits(Float.NaN));
            k.launchAndWait(cfg, args);
            float[] c = new float[n];
            dc.copyTo(c);
            double errSq = 0;
            double refSq = 0;
            boolean allWritten = true;
            for (int i = 0; i < n; i++) {
                double ref = (double) a[i] + (double) b[i];
                if (!Float.isFinite(c[i])) allWritten = false;
                errSq += (c[i] - ref) * (c[i] - ref);
                refSq += ref * ref;
            }
            double rel = allWritten ? Math.sqrt(errSq / refSq) : Double.NaN;
            double tol = 1e-6; // one float rounding of each sum
            double moved = 3.0 * bytes;
            TimingStats t = timer.time(i -> k.launch(cfg, args), GpuTimer.Options.defaults().withCache(GpuTimer.cacheFor((long) moved, context.device())));
            double gbs = Units.gbPerSecond(moved, t.medianMs());
            return new Row("vector_add_f32", "n=" + n, allWritten && rel <= tol, rel, tol, t, moved, gbs, gbs / copy.gbPerSecond(), 0);
        }
    }

    Row gemvFp16(int n, int k, CopyBandwidth.Result copy, double minFraction) {
        if (k % 8 != 0) throw new IllegalArgumentException("gemv_fp16 needs k divisible by 8 (16-byte loads), got " + k);
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
        short[] w = new short[Math.multiplyExact(n, k)];
        short[] x = new short[k];
        for (int i = 0; i < w.length; i++) w[i] = HalfPrecision.fromFloat((float) rnd.nextDouble(-1, 1));
        for (int i = 0; i < k; i++) x[i] = HalfPrecision.fromFloat((float) rnd.nextDouble(-1, 1));
        double[] xd = new double[k];
        for (int i = 0; i < k; i++) xd[i] = HalfPrecision.toFloat(x[i]);
        double[] ref = new double[n];
        for (int r = 0; r < n; r++) {
            double s = 0;
            int base = r * k;
            for (int j = 0; j < k; j++) s += HalfPrecision.toFloat(w[base + j]) * xd[j];
            ref[r] = s;
        }
        try (CudaModule m = cache.load(context, KernelSource.fromClasspath(GEMV_FP16), NVCC_FLAGS);
             DeviceBuffer dw = context.allocate(2L * w.length); DeviceBuffer dx = context.allocate(2L * k); DeviceBuffer dy = context.allocate(2L * n);
             GpuTimer timer = new GpuTimer(context)) {
            Kernel kernel = m.kernel("gemv_fp16");
            dw.copyFrom(w);
            dx.copyFrom(x);
            LaunchConfig cfg = LaunchConfig.of1d((n + GEMV_ROWS_PER_BLOCK - 1) / GEMV_ROWS_PER_BLOCK, GEMV_ROWS_PER_BLOCK * 32);
            KernelArgs args = KernelArgs.of().buffer(dw).buffer(dx).buffer(dy).i32(n).i32(k);
            dy.fill16(HalfPrecision.POISON);
            kernel.launchAndWait(cfg, args);
            short[] y = new short[n];
            dy.copyTo(y);
            double errSq = 0;
            double refSq = 0;
            boolean allWritten = true;
            for (int r = 0; r < n; r++) {
                float v = HalfPrecision.toFloat(y[r]);
                if (!Float.isFinite(v)) allWritten = false;
                errSq += (v - ref[r]) * (v - ref[r]);
                refSq += ref[r] * ref[r];
            }
            double rel = allWritten ? Math.sqrt(errSq / refSq) : Double.NaN;
            double tol = 2e-3; // fp16 output rounding (2^-11 relative) plus fp32 accumulation
            double moved = 2.0 * w.length + 2.0 * k + 2.0 * n;
            TimingStats t = timer.time(i -> kernel.launch(cfg, args), GpuTimer.Options.defaults().withCache(GpuTimer.cacheFor((long) moved, context.device())));
            double gbs = Units.gbPerSecond(moved, t.medianMs());
            return new Row("gemv_fp16", "1x" + n + "x" + k, allWritten && rel <= tol, rel, tol, t, moved, gbs, gbs / copy.gbPerSecond(), minFraction);
        }
    }
}
