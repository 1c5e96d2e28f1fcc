package org.ladderae.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.ladderae.baselines.BaselineRunner;
import org.ladderae.baselines.Baselines;
import org.ladderae.baselines.Detection;
import org.ladderae.results.AtomicFiles;
import org.ladderae.results.MachineSummary;
import org.ladderae.results.Measurement;
import org.ladderae.results.RunDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ladder-ae baselines}: detects every baseline system, measures those this machine can run,
 * reports the rest n/a with the reason, prints a table and writes all records to
 * {@code <out>/baselines/<run-id>/measurements.json}. A failing baseline is recorded as failed and
 * the run goes on; the exit status is 0 unless the command itself could not run.
 */
@Command(name = "baselines", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Measure the baseline systems (cuBLAS, PyTorch eager/Inductor, cuDNN, ...) on this GPU; n/a with the reason for the rest.")
public final class BaselinesCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(BaselinesCommand.class);

    @Option(names = "--only", paramLabel = "SYSTEM", description = "Run one family only: cuBLAS, PyTorch, ONNXRuntime, TensorRT, vLLM, Welder, AMOS, TensorIR, Roller, CUTLASS.")
    String only;

    @Option(names = "--python", paramLabel = "PATH", defaultValue = "python3", description = "Interpreter with torch for the PyTorch baselines (default: ${DEFAULT-VALUE}).")
    String python;

    @Option(names = "--quick", description = "Few repetitions (3 warm-up, 10 timed): a smoke run, not numbers to report.")
    boolean quick;

    @Option(names = "--timeout-minutes", paramLabel = "MIN", defaultValue = "20", description = "Limit per benchmark process (default: ${DEFAULT-VALUE}).")
    long timeoutMinutes;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "results", description = "Where results go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--cache-dir", paramLabel = "DIR", hidden = true, description = "Cache for built benchmarks (default ~/.cache/ladder-ae/baselines).")
    Path cacheDir;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (timeoutMinutes < 1) throw new UserError(UserError.USAGE, "--timeout-minutes must be at least 1");
        Path cache = cacheDir != null ? cacheDir : BaselineRunner.Options.defaultCacheDir();
        List<BaselineRunner> runners = Baselines.select(Baselines.all(python, cache), only);
        if (runners.isEmpty()) {
            throw new UserError(UserError.USAGE, "unknown baseline '" + only + "': choose one of "
                    + String.join(", ", Baselines.all(python, cache).stream().map(BaselineRunner::system).distinct().toList()));
        }
        BaselineRunner.Options options = new BaselineRunner.Options(python, quick, Duration.ofMinutes(timeoutMinutes), cache);
        List<Measurement> all = new ArrayList<>();
        for (BaselineRunner r : runners) {
            Detection d = r.detect();
            LOG.info("{}: {}", r.system(), d.available() ? "available " + d.versions() : "n/a: " + d.reason());
            all.addAll(r.run(r.workloads(), options));
        }
        RunDirectory run = RunDirectory.create(out, "baselines");
        Path file = run.path().resolve("measurements.json");
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("run_id", run.runId());
        doc.put("quick", quick);
        doc.put("machine", MachineSummary.capture());
        doc.put("measurements", all);
        AtomicFiles.write(file, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(doc));
        PrintWriter pw = spec.commandLine().getOut();
        printTable(pw, all);
        pw.println("records: " + file);
        pw.flush();
        long failed = all.stream().filter(m -> m.status() == Measurement.Status.FAILED).count();
        if (failed > 0) LOG.warn("{} of {} baseline records failed (reasons in the table and in {})", failed, all.size(), file);
        return 0;
    }

    static void printTable(PrintWriter out, List<Measurement> rows) {
        String fmt = "%-18s %-11s %-18s %-20s %11s %7s  %s%n";
        out.printf(fmt, "system", "workload", "setting", "formats", "median ms", "CV", "status / device or reason");
        for (Measurement m : rows) {
            boolean ok = m.status() == Measurement.Status.OK;
            String tail = ok ? "ok  " + Objects.toString(m.device(), "") : m.status().name().toLowerCase(Locale.ROOT) + ": " + abbreviate(m.reason());
            out.printf(fmt, m.system(), m.workload(), m.setting(), m.formats().label(),
                    ok ? String.format(Locale.ROOT, "%.4f", m.timing().medianMs()) : "-",
                    ok ? String.format(Locale.ROOT, "%.3f", m.timing().cv()) : "-", tail);
        }
    }

    private static String abbreviate(String s) {
        String one = s.replace('\n', ' ');
        return one.length() <= 140 ? one : one.substring(0, 137) + "...";
    }
}
