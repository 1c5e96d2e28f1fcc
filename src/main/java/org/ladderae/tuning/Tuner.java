package org.ladderae.tuning;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.ladderae.env.ProgressBar;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ladder's tuning loop: compile every candidate in parallel on all cores, time each on the GPU,
 * and keep the fastest one that passes its correctness check. Phases are timed separately because
 * tuning time is itself a result (Table 2).
 */
public final class Tuner {
    private static final Logger LOG = LoggerFactory.getLogger(Tuner.class);

    private final int compileThreads;
    private final PrintWriter progressOut;
    private final boolean terminal;

    public Tuner(int compileThreads, PrintWriter progressOut, boolean terminal) {
        this.compileThreads = Math.max(1, compileThreads);
        this.progressOut = progressOut;
        this.terminal = terminal;
    }

    public <C> TuningReport<C> tune(TuningProblem<C> problem) throws TuningException {
        long t0 = System.nanoTime();
        List<C> candidates = problem.candidates();
        if (candidates.isEmpty()) throw new TuningException(problem.describe() + ": no candidate configuration fits this GPU");

        ProgressBar compileBar = new ProgressBar(progressOut, "compile " + problem.describe(), candidates.size(), terminal);
        List<byte[]> binaries = new ArrayList<>();
        List<String> compileFailures = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(compileThreads);
        try {
            List<Future<byte[]>> futures = new ArrayList<>();
            for (C c : candidates) {
                futures.add(pool.submit(() -> {
                    try {
                        return problem.compile(c);
                    } finally {
                        compileBar.step();
                    }
                }));
            }
            for (Future<byte[]> f : futures) {
                try {
                    binaries.add(f.get());
                    compileFailures.add(null);
                } catch (ExecutionException e) {
                    binaries.add(null);
                    compileFailures.add("compile failed: " + e.getCause().getMessage());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TuningException(problem.describe() + ": interrupted while compiling");
        } finally {
            pool.shutdownNow();
        }
        long t1 = System.nanoTime();

        ProgressBar measureBar = new ProgressBar(progressOut, "measure " + problem.describe(), candidates.size(), terminal);
        List<TuningReport.Trial<C>> trials = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            C c = candidates.get(i);
            if (binaries.get(i) == null) {
                trials.add(new TuningReport.Trial<>(c, null, compileFailures.get(i)));
            } else {
                try {
                    trials.add(new TuningReport.Trial<>(c, problem.measureMs(c, binaries.get(i)), null));
                } catch (Exception e) {
                    trials.add(new TuningReport.Trial<>(c, null, "run failed: " + e.getMessage()));
                }
            }
            measureBar.step();
        }

        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < trials.size(); i++) if (trials.get(i).ok()) order.add(i);
        order.sort(Comparator.comparingDouble(i -> trials.get(i).medianMs()));
        for (int i : order) {
            C c = candidates.get(i);
            boolean correct;
            try {
                correct = problem.verify(c, binaries.get(i));
            } catch (Exception e) {
                correct = false;
            }
            if (correct) {
                long t2 = System.nanoTime();
                double[] times = order.stream().mapToDouble(j -> trials.get(j).medianMs()).toArray();
                double median = times[times.length / 2];
                LOG.info("{}: best {} at {} ms of {} candidates (compile {} s, measure {} s)", problem.describe(), c,
                        String.format("%.4f", trials.get(i).medianMs()), candidates.size(),
                        String.format("%.1f", (t1 - t0) / 1e9), String.format("%.1f", (t2 - t1) / 1e9));
                return new TuningReport<>(problem.describe(), c, binaries.get(i), trials.get(i).medianMs(), median, trials,
                        Duration.ofNanos(t1 - t0), Duration.ofNanos(t2 - t1), Duration.ofNanos(t2 - t0));
            }
            LOG.warn("{}: candidate {} is fast but wrong; trying the next", problem.describe(), c);
            trials.set(i, new TuningReport.Trial<>(c, trials.get(i).medianMs(), "wrong result"));
        }
        String why = trials.stream().filter(t -> t.failure() != null).map(TuningReport.Trial::failure).findFirst().orElse("none ran");
        throw new TuningException(problem.describe() + ": no candidate both ran and passed its check (first failure: " + why + ")");
    }

    /** Tuning could not produce a kernel. */
    public static final class TuningException extends Exception {
        public TuningException(String message) { super(message); }
    }
}
