package org.ladderae.baselines;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.ladderae.env.Subprocess;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.results.Measurement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one benchmark program (with a timeout), reads its JSON lines, relabels each line with the
 * chart's workload/setting, and turns every expected (system, formats, workload) that produced no
 * line into a FAILED record carrying the exit status or timeout and the tail of stderr. Shared by
 * all runners so a crash, a hang and a half-written output are handled the same way everywhere.
 */
final class BenchmarkProcess {
    private static final Logger LOG = LoggerFactory.getLogger(BenchmarkProcess.class);
    static final int STDERR_TAIL_LINES = 8;

    private BenchmarkProcess() {}

    /** A record the program should print: one system with its formats, for each workload of the call. */
    record Expected(String system, FormatPair formats) {}

    static List<Measurement> run(List<String> command, BaselineRunner.Options options, Path workDir, List<BaselineWorkload> workloads,
                                 List<Expected> expected, Function<JsonLines.Line, Measurement> relabelSystem) {
        Duration timeout = options.timeout();
        Subprocess.Result result;
        try {
            result = Subprocess.run(command, timeout, workDir, options.environment());
        } catch (IOException e) {
            return failAll(workloads, expected, "cannot start " + command.get(0) + ": " + e.getMessage());
        }
        JsonLines.Parsed parsed = JsonLines.parse(result.stdout());
        parsed.problems().forEach(p -> LOG.warn("{}: {}", command.get(0), p));
        Map<String, BaselineWorkload> byKey = new HashMap<>();
        workloads.forEach(w -> byKey.put(w.lineKey(), w));

        List<Measurement> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (JsonLines.Line line : parsed.lines()) {
            Measurement m = relabelSystem.apply(line);
            String key = m.workload() + (byKey.containsKey(m.workload()) ? "" : "|" + m.setting());
            BaselineWorkload w = byKey.get(key);
            if (w == null) {
                LOG.warn("{}: ignoring a line for a workload not asked for: {} {}", command.get(0), m.workload(), m.setting());
                continue;
            }
            Measurement labelled = new Measurement(m.system(), m.formats(), w.workload(), w.setting(), m.status(), m.timing(),
                    m.reason(), m.device(), m.versions(), m.extras());
            out.add(labelled);
            seen.add(seenKey(labelled.system(), labelled.formats(), w));
        }
        String why = null;
        for (BaselineWorkload w : workloads) {
            for (Expected e : expected) {
                if (seen.contains(seenKey(e.system(), e.formats(), w))) continue;
                if (why == null) why = whyMissing(result, parsed, timeout);
                out.add(Measurement.failed(e.system(), e.formats(), w.workload(), w.setting(), why));
            }
        }
        return out;
    }

    static List<Measurement> failAll(List<BaselineWorkload> workloads, List<Expected> expected, String reason) {
        List<Measurement> out = new ArrayList<>();
        for (BaselineWorkload w : workloads) {
            for (Expected e : expected) out.add(Measurement.failed(e.system(), e.formats(), w.workload(), w.setting(), reason));
        }
        return out;
    }

    private static String seenKey(String system, FormatPair formats, BaselineWorkload w) {
        return system + "|" + formats.label() + "|" + w.workload() + "|" + w.setting();
    }

    private static String whyMissing(Subprocess.Result r, JsonLines.Parsed parsed, Duration timeout) {
        String tail = r.stderr().isBlank() ? "(stderr empty)" : "stderr: " + lastLines(r.stderr(), STDERR_TAIL_LINES);
        if (r.timedOut()) return "timed out after " + timeout.toSeconds() + " s; " + tail;
        if (r.exitCode() != 0) return "exit status " + r.exitCode() + "; " + tail;
        String problems = parsed.problems().isEmpty() ? "" : "; unreadable output: " + String.join(" | ", parsed.problems());
        return "no result line for this workload" + problems + "; " + tail;
    }

    static String lastLines(String text, int n) {
        String[] all = text.strip().split("\r?\n");
        return String.join("\n", java.util.Arrays.copyOfRange(all, Math.max(0, all.length - n), all.length));
    }
}
