package org.ladderae.experiments;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.ladderae.baselines.BaselineDevices;
import org.ladderae.baselines.BaselineRunner;
import org.ladderae.baselines.BaselineWorkload;
import org.ladderae.baselines.Baselines;
import org.ladderae.results.Measurement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The baselines a reproduction runs: which runner measures which workloads, what that would cost
 * ({@code --dry-run}), and the runs themselves, skipping a runner's workload when the resumed run
 * already holds that runner's records for it, all OK.
 */
final class BaselinePoints {
    private static final Logger LOG = LoggerFactory.getLogger(BaselinePoints.class);
    /** One benchmark process may take this long before it is stopped and its points fail. */
    private static final Duration PROCESS_TIMEOUT = Duration.ofMinutes(10);
    /**
     * The same under --quick, a smoke run: a process still running after 5 minutes is stopped (its points fail with
     * "timed out after 300 s" and the tail of its stderr, which torch_bench fills with its phase times) rather than
     * holding the run for 10. Measured on the H100 (2026-11-26): 22-32 s per model and setting, eager and Inductor
     * together, torch's import and Inductor's compile included.
     */
    private static final Duration QUICK_PROCESS_TIMEOUT = Duration.ofMinutes(5);

    private BaselinePoints() {}

    /** A runner and the workloads it runs for this experiment. */
    record Step(BaselineRunner runner, List<BaselineWorkload> workloads) {}

    /** Runners of the families {@code systems} (all when null) with their default workloads that satisfy {@code which}. */
    static List<Step> select(String python, Set<String> systems, Predicate<BaselineWorkload> which) {
        List<Step> steps = new ArrayList<>();
        for (BaselineRunner r : Baselines.all(python, BaselineRunner.Options.defaultCacheDir())) {
            if (systems != null && !systems.contains(r.system())) continue;
            List<BaselineWorkload> work = r.workloads().stream().filter(which).toList();
            if (!work.isEmpty()) steps.add(new Step(r, work));
        }
        return steps;
    }

    static List<ReproducePlan.PlannedPoint> plan(List<Step> steps, boolean quick) {
        BaselineRunner.Options options = options("python3", quick);
        List<ReproducePlan.PlannedPoint> out = new ArrayList<>();
        for (Step s : steps) {
            boolean first = true;
            for (BaselineWorkload w : s.workloads()) {
                // A runner measures its workloads in one process per kind, so its start is counted once.
                double start = first ? Estimates.BASELINE_PROCESS_S : 0;
                out.add(new ReproducePlan.PlannedPoint(s.runner().system(), "its precisions", w.workload(), w.setting(),
                        shape(w), start + seconds(w, options)));
                first = false;
            }
        }
        return out;
    }

    private static String shape(BaselineWorkload w) {
        List<Integer> d = w.dims();
        return switch (w.kind()) {
            case GEMM -> "M=" + d.get(0) + " N=" + d.get(1) + " K=" + d.get(2);
            case CONV -> "NCHW=" + d.subList(0, 4) + " K=" + d.get(4) + " RxS=" + d.get(5) + "x" + d.get(6);
            case MODEL -> w.workload() + " " + w.setting();
        };
    }

    /** The work of one workload, its runner's process start aside. */
    private static double seconds(BaselineWorkload w, BaselineRunner.Options o) {
        List<Integer> d = w.dims();
        return switch (w.kind()) {
            case GEMM -> Estimates.gemm(d.get(0), d.get(1), d.get(2), o.warmup() + o.iters(), 5);
            case CONV -> Estimates.BASELINE_CONV_S;
            case MODEL -> Estimates.BASELINE_MODEL_S;
        };
    }

    private static BaselineRunner.Options options(String python, boolean quick) {
        return new BaselineRunner.Options(python, quick, quick ? QUICK_PROCESS_TIMEOUT : PROCESS_TIMEOUT, BaselineRunner.Options.defaultCacheDir());
    }

    /** Runs every step, recording each runner's records as they come; returns them all, reused ones included. */
    static List<Measurement> run(List<Step> steps, ReproduceContext rc, String experimentId) {
        BaselineRunner.Options options = options(rc.python(), rc.quick());
        List<Measurement> out = new ArrayList<>();
        for (Step s : steps) {
            List<BaselineWorkload> todo = new ArrayList<>();
            for (BaselineWorkload w : s.workloads()) {
                List<Measurement> reused = rc.measurements().reuse(m -> m.workload().equals(w.workload())
                        && m.setting().equals(w.setting()) && s.runner().reports(m.system()));
                if (reused.isEmpty()) todo.add(w);
                out.addAll(reused);
            }
            if (todo.isEmpty()) {
                LOG.info("{}: {} reused for all {} points (resumed run, or measured earlier in this process)", experimentId, s.runner().system(), s.workloads().size());
                continue;
            }
            LOG.info("{}: {} on {} points", experimentId, s.runner().system(), todo.size());
            // A whole model takes a process of its own (and Inductor's compile) per workload: record each as it
            // finishes, so an interrupted run keeps what it measured. GEMMs and convs share one process per kind.
            List<List<BaselineWorkload>> batches = todo.stream().allMatch(w -> w.kind() == BaselineWorkload.Kind.MODEL)
                    ? todo.stream().map(List::of).toList() : List.of(todo);
            // Spread only a runner that runs (detect() once, before the workers share it): one that is not installed
            // answers n/a at once.
            List<String> devices = batches.size() > 1 && s.runner().detect().available() ? BaselineDevices.identicalToFirst()
                    : java.util.Collections.singletonList(null);
            if (devices.size() > 1)
                LOG.info("{}: {} spread over {} GPUs of GPU 0's model (CUDA_VISIBLE_DEVICES {})", experimentId, s.runner().system(), devices.size(),
                        String.join(",", devices));
            out.addAll(runBatches(s.runner(), batches, options, devices, rc, experimentId));
        }
        return out;
    }

    /**
     * Runs {@code batches} of one runner, one benchmark process at a time per GPU of {@code devices} (null: this
     * process's GPU), recording each batch's records as it finishes; returns them in the order of the batches.
     */
    static List<Measurement> runBatches(BaselineRunner runner, List<List<BaselineWorkload>> batches, BaselineRunner.Options options,
                                                List<String> devices, ReproduceContext rc, String experimentId) {
        java.util.concurrent.BlockingQueue<String> free = new java.util.concurrent.LinkedBlockingQueue<>();
        devices.forEach(d -> free.add(d == null ? "" : d));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(devices.size());
        try {
            List<java.util.concurrent.Future<List<Measurement>>> futures = new ArrayList<>();
            for (List<BaselineWorkload> batch : batches) {
                futures.add(pool.submit(() -> {
                    String device = free.take();
                    try {
                        long start = System.nanoTime();
                        List<Measurement> measured = runner.run(batch, device.isEmpty() ? options : options.onDevices(device));
                        rc.measurements().record(measured);
                        if (batch.size() == 1) {
                            LOG.info("{}: {} {} {}: {} of {} records OK in {} s{}", experimentId, runner.system(), batch.get(0).workload(),
                                    batch.get(0).setting(), measured.stream().filter(m -> m.status() == Measurement.Status.OK).count(), measured.size(),
                                    (System.nanoTime() - start) / 1_000_000_000L, device.isEmpty() ? "" : " (GPU " + device + ")");
                        }
                        return measured;
                    } finally {
                        free.add(device);
                    }
                }));
            }
            List<Measurement> out = new ArrayList<>();
            for (java.util.concurrent.Future<List<Measurement>> f : futures) {
                try {
                    out.addAll(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while the baselines ran", e);
                }
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
