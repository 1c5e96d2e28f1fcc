package org.ladderae.gpu;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jcuda.driver.JCudaDriver;
import org.ladderae.results.TimingStats;

/**
 * The project's one way to time device work: warm-up launches (module load, first-touch and clock
 * ramp stay out of the numbers), then repeated launches each bracketed by CUDA events, as many as
 * fit a target time, reported as {@link TimingStats} (median is the number we quote).
 *
 * <p>Cache: a kernel whose working set fits the L2 (50 MB on H100) would be timed reading L2, not
 * memory. Either pass {@link Cache#FLUSH_L2} (an untimed memset over twice the L2 before every
 * timed launch evicts it) or rotate inputs yourself: the launch receives the iteration number, so
 * {@code i -> kernel.launch(cfg, args[i % copies])} cycles through copies whose sum exceeds L2.
 * {@link Cache#NONE} is for work that already streams far more than the L2 (or rotates).
 */
public final class GpuTimer implements AutoCloseable {

    public enum Cache { FLUSH_L2, NONE }

    /**
     * @param warmupMs device time spent warming up (at least {@code 3} launches)
     * @param targetMs device time to spend on timed launches; sets the repetition count
     * @param minReps  fewest timed launches, however slow
     * @param maxReps  most timed launches, however fast
     */
    public record Options(double warmupMs, double targetMs, int minReps, int maxReps, Cache cache) {
        public Options {
            if (minReps < 1 || maxReps < minReps || warmupMs < 0 || targetMs <= 0) throw new IllegalArgumentException("bad timer options " + this);
        }

        public static Options defaults() { return new Options(25, 300, 20, 2000, Cache.FLUSH_L2); }

        public Options withCache(Cache c) { return new Options(warmupMs, targetMs, minReps, maxReps, c); }

        public Options withTargetMs(double t) { return new Options(warmupMs, t, minReps, maxReps, cache); }
    }

    /** Queues one launch on the default stream; {@code iteration} counts from 0 across warm-up and timed runs. */
    @FunctionalInterface
    public interface Launch { void queue(int iteration); }

    private static final int MIN_WARMUP_LAUNCHES = 3;
    private static final int MAX_WARMUP_LAUNCHES = 200;

    private final CudaContext context;
    private DeviceBuffer flushBuffer;

    public GpuTimer(CudaContext context) { this.context = context; }

    public TimingStats time(Launch launch) { return time(launch, Options.defaults()); }

    public TimingStats time(Launch launch, Options o) {
        context.bind();
        int iteration = 0;
        List<Double> warm = new ArrayList<>();
        double warmTotal = 0;
        while (warm.size() < MAX_WARMUP_LAUNCHES && (warm.size() < MIN_WARMUP_LAUNCHES || warmTotal < o.warmupMs())) {
            double[] s = runTimed(launch, iteration, MIN_WARMUP_LAUNCHES, o.cache());
            iteration += s.length;
            for (double v : s) { warm.add(v); warmTotal += v; }
        }
        double[] w = warm.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int reps = repetitions(w[w.length / 2], o);
        return TimingStats.of(runTimed(launch, iteration, reps, o.cache()));
    }

    /**
     * {@link Cache#NONE} when the working set is at least twice the L2 (it cannot be served from L2
     * between launches), else {@link Cache#FLUSH_L2}.
     */
    public static Cache cacheFor(long workingSetBytes, Device device) {
        return workingSetBytes >= 2L * device.l2CacheBytes() ? Cache.NONE : Cache.FLUSH_L2;
    }

    /** How many timed launches fill {@code targetMs}, given the warm-up median per launch. */
    static int repetitions(double msPerLaunch, Options o) {
        if (!(msPerLaunch > 0)) return o.maxReps();
        double n = Math.ceil(o.targetMs() / msPerLaunch);
        return (int) Math.max(o.minReps(), Math.min(o.maxReps(), n));
    }

    /** The timing loop: [flush] start-event, launch, stop-event; all queued, then read back. */
    private double[] runTimed(Launch launch, int firstIteration, int n, Cache cache) {
        CudaEventPair[] events = new CudaEventPair[n];
        try {
            for (int i = 0; i < n; i++) events[i] = new CudaEventPair();
            for (int i = 0; i < n; i++) {
                if (cache == Cache.FLUSH_L2) flushL2(firstIteration + i);
                events[i].recordStart();
                launch.queue(firstIteration + i);
                events[i].recordStop();
            }
            double[] ms = new double[n];
            for (int i = 0; i < n; i++) ms[i] = events[i].elapsedMs();
            return ms;
        } finally {
            for (CudaEventPair e : events) if (e != null) e.close();
        }
    }

    private void flushL2(int iteration) {
        if (flushBuffer == null) {
            long l2 = Math.max(context.device().l2CacheBytes(), 8 << 20);
            flushBuffer = context.allocate(((2 * l2 + 3) / 4) * 4);
        }
        // A different value each time so the driver cannot skip the writes.
        CudaDriver.check("cuMemsetD32Async(L2 flush)",
                JCudaDriver.cuMemsetD32Async(flushBuffer.pointer(), iteration, flushBuffer.bytes() / 4, null));
    }

    @Override
    public void close() {
        if (flushBuffer != null) flushBuffer.close();
        flushBuffer = null;
    }

    /** Median of a few samples, for callers that summarise by hand (tests). */
    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
