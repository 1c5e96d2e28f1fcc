package org.ladderae.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.ladderae.kernels.KernelCache;
import org.ladderae.kernels.KernelSource;
import org.ladderae.results.TimingStats;

@Tag("gpu")
class CudaRuntimeGpuTest {
    @Test
    void discoversTheDevice() {
        Device d = GpuTestSupport.context().device();
        System.out.println("[gpu] " + d.describe());
        assertThat(d.name()).isNotBlank();
        assertThat(d.smCount()).isPositive();
        assertThat(d.totalMemoryBytes()).isGreaterThan(1L << 30);
        assertThat(d.l2CacheBytes()).isPositive();
        assertThat(d.ccMajor()).isGreaterThanOrEqualTo(7);
        assertThat(CudaDriver.versionString(d.driverVersion())).matches("\\d+\\.\\d");
    }

    @Test
    void copiesRoundTripThroughTheDevice() {
        CudaContext ctx = GpuTestSupport.context();
        float[] data = randomFloats(1 << 20);
        float[] back = new float[data.length];
        try (DeviceBuffer a = ctx.allocate(4L * data.length); DeviceBuffer b = ctx.allocate(4L * data.length)) {
            a.copyFrom(data);
            b.fill32(Float.floatToRawIntBits(Float.NaN));
            b.copyFrom(a);
            b.copyTo(back);
        }
        // assertArrayEquals, not AssertJ's containsExactly: that diffs the arrays first, quadratic in their
        // length (a 1M-element check ran for minutes on the GPU machine).
        org.junit.jupiter.api.Assertions.assertArrayEquals(data, back);
    }

    @Test
    void outOfMemorySaysHowMuchWasAskedAndFree() {
        CudaContext ctx = GpuTestSupport.context();
        long tooMuch = ctx.device().totalMemoryBytes() * 2;
        assertThatThrownBy(() -> ctx.allocate(tooMuch).close())
                .isInstanceOf(CudaException.OutOfMemory.class)
                .hasMessageContaining("cuMemAlloc").hasMessageContaining("CUDA_ERROR_OUT_OF_MEMORY")
                .hasMessageContaining("asked for " + Units.bytes(tooMuch)).hasMessageContaining("free of");
    }

    @Test
    void launchesABuiltKernelAndNamesAMissingOne() {
        CudaContext ctx = GpuTestSupport.context();
        int n = 1_000_003; // not a multiple of the block size: the tail must be handled
        float[] a = randomFloats(n);
        float[] b = randomFloats(n);
        float[] c = new float[n];
        try (CudaModule m = KernelCache.defaultCache().load(ctx, KernelSource.fromClasspath("selftest/vector_add.cu"), List.of("-O3"));
             DeviceBuffer da = ctx.allocate(4L * n); DeviceBuffer db = ctx.allocate(4L * n); DeviceBuffer dc = ctx.allocate(4L * n)) {
            da.copyFrom(a);
            db.copyFrom(b);
            dc.fill32(Float.floatToRawIntBits(Float.NaN));
            m.kernel("vector_add_f32").launchAndWait(LaunchConfig.covering(n, 256), KernelArgs.of().buffer(da).buffer(db).buffer(dc).i64(n));
            dc.copyTo(c);
            assertThatThrownBy(() -> m.kernel("no_such_kernel"))
                    .isInstanceOf(CudaException.class).hasMessageContaining("cuModuleGetFunction(no_such_kernel").hasMessageContaining("CUDA_ERROR_NOT_FOUND");
        }
        int wrong = 0;
        int firstWrong = -1;
        for (int i = 0; i < n; i++) {
            if (Float.floatToRawIntBits(c[i]) != Float.floatToRawIntBits(a[i] + b[i])) {
                if (wrong++ == 0) firstWrong = i;
            }
        }
        assertThat(wrong).as("elements differing from a+b (first at %d)", firstWrong).isZero();
    }

    @Test
    void timerAndCopyBandwidthGiveStableNumbers() {
        CudaContext ctx = GpuTestSupport.context();
        CopyBandwidth.Result copy = CopyBandwidth.of(ctx);
        System.out.println("[gpu] " + copy.describe());
        assertThat(copy.gbPerSecond()).isBetween(200.0, 20_000.0);
        assertThat(copy.timing().cv()).isLessThan(0.2);
        // A small copy (fits L2) timed with the L2 flush, twice: medians agree within 25 %.
        try (DeviceBuffer src = ctx.allocate(8 << 20); DeviceBuffer dst = ctx.allocate(8 << 20); GpuTimer timer = new GpuTimer(ctx)) {
            src.fill32(1);
            GpuTimer.Options o = GpuTimer.Options.defaults().withTargetMs(50).withCache(GpuTimer.Cache.FLUSH_L2);
            GpuTimer.Launch copySmall = i -> CudaDriver.check("cuMemcpyDtoDAsync",
                    jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync(dst.pointer(), src.pointer(), 8 << 20, null));
            TimingStats first = timer.time(copySmall, o);
            TimingStats second = timer.time(copySmall, o);
            assertThat(first.samplesMs()).hasSizeBetween(o.minReps(), o.maxReps());
            assertThat(first.minMs()).isPositive().isLessThanOrEqualTo(first.medianMs());
            assertThat(first.p90Ms()).isGreaterThanOrEqualTo(first.medianMs());
            assertThat(second.medianMs()).isCloseTo(first.medianMs(), org.assertj.core.data.Percentage.withPercentage(25));
        }
    }

    static float[] randomFloats(int n) {
        SplittableRandom r = new SplittableRandom();
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) r.nextDouble(-1, 1);
        return f;
    }
}
