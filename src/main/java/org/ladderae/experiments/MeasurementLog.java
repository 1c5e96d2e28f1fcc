package org.ladderae.experiments;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.results.AtomicFiles;
import org.ladderae.results.Measurement;

/**
 * The measurements of one reproduction as they are taken. Every {@link #record} rewrites the run's
 * {@code measurements.json}, so an interrupted run leaves what it had measured; {@code --resume}
 * opens the same file again and experiments {@link #reuse} the points it already holds as OK
 * instead of measuring them again (n/a and failed points are measured again: the machine or the
 * code may have changed since).
 */
public final class MeasurementLog {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    private final Path file;
    private final List<Measurement> prior;
    /** For a {@link #view}: the log it records into, and how its records are relabelled on the way. */
    private final MeasurementLog parent;
    private final UnaryOperator<Measurement> toParent;
    /** Keyed by point, so a point measured again replaces its earlier record. */
    private final Map<String, Measurement> recorded = new LinkedHashMap<>();
    /**
     * Records another experiment of the same process measured ({@link ModelRecordPool}): reused like the
     * resumed run's (only when every matching one is OK), after them, and not written to this run's file unless reused.
     */
    private volatile List<Measurement> borrowed = List.of();
    /** Whether this log has written its file yet (see {@link #record}). */
    private boolean written;

    private MeasurementLog(Path file, List<Measurement> prior) {
        this(file, prior, null, null);
    }

    private MeasurementLog(Path file, List<Measurement> prior, MeasurementLog parent, UnaryOperator<Measurement> toParent) {
        this.file = file;
        this.prior = List.copyOf(prior);
        this.parent = parent;
        this.toParent = toParent;
    }

    /**
     * This log as seen by a runner whose points lack a coordinate the experiment adds (Figure 13's kernel
     * stage, which the model runner's records do not carry, so three stages of one point would replace
     * each other here). The view's prior records are this log's prior records that {@code toRunner} maps
     * (null: not the view's), and what is recorded into the view is recorded here through {@code toThis}.
     */
    public MeasurementLog view(Function<Measurement, Measurement> toRunner, UnaryOperator<Measurement> toThis) {
        List<Measurement> mine = prior.stream().map(toRunner).filter(Objects::nonNull).toList();
        return new MeasurementLog(null, mine, this, toThis);
    }

    /** A new run: nothing measured yet. {@code file} null keeps the log in memory (tests, dry runs). */
    public static MeasurementLog fresh(Path file) { return new MeasurementLog(file, List.of()); }

    /** Continues the run whose {@code measurements.json} is {@code file}; a missing file means nothing was measured yet. */
    public static MeasurementLog resume(Path file) throws IOException {
        if (!Files.exists(file)) return new MeasurementLog(file, List.of());
        return new MeasurementLog(file, read(file));
    }

    static List<Measurement> read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), new TypeReference<List<Measurement>>() {});
    }

    /** Offers {@code earlier} (records measured by an earlier experiment of this process) to {@link #reuse}; returns this log. */
    public MeasurementLog borrowing(List<Measurement> earlier) {
        borrowed = List.copyOf(earlier);
        return this;
    }

    /** Whether {@link #record} has written the file in this run (so the run's last write may replace it without a backup). */
    public synchronized boolean hasWritten() { return written; }

    /** How many records {@link #borrowing} offered. */
    public int borrowedCount() { return borrowed.size(); }

    /** Everything the interrupted run had recorded (any status). */
    public List<Measurement> prior() { return prior; }

    /**
     * The earlier run's records that satisfy {@code which} (else the borrowed ones), now recorded as part
     * of this run, when there are some and all are OK; otherwise an empty list, and the points must be
     * measured (again).
     */
    public List<Measurement> reuse(Predicate<Measurement> which) {
        List<Measurement> found = prior.stream().filter(which).toList();
        if (found.isEmpty()) found = borrowed.stream().filter(which).toList();
        if (found.isEmpty() || found.stream().anyMatch(m -> m.status() != Measurement.Status.OK)) return List.of();
        record(found);
        return found;
    }

    /** The earlier run's OK record of one point (now recorded as part of this run), or null when it must be measured. */
    public Measurement reuse(String system, FormatPair formats, String workload, String setting) {
        List<Measurement> found = reuse(m -> m.system().equals(system) && Objects.equals(m.formats(), formats)
                && m.workload().equals(workload) && m.setting().equals(setting));
        return found.isEmpty() ? null : found.get(0);
    }

    /** Adds records and rewrites the file: this run's records, then the earlier run's OK records not yet superseded. */
    public synchronized void record(Collection<Measurement> ms) {
        for (Measurement m : ms) recorded.put(key(m), m);
        if (parent != null) parent.record(ms.stream().map(toParent).toList());
        if (file == null) return;
        try {
            // The first write of a resumed run keeps the interrupted run's file as .bak; later writes only extend this run's own.
            byte[] bytes = JSON.writeValueAsBytes(snapshot());
            if (written) AtomicFiles.rewrite(file, bytes);
            else AtomicFiles.write(file, bytes);
            written = true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * What the file holds: this run's records, then the earlier run's records it has not replaced yet
     * (kept, whatever their status, so that a second interruption loses nothing a later resume needs).
     */
    public synchronized List<Measurement> snapshot() {
        List<Measurement> all = new ArrayList<>(recorded.values());
        for (Measurement m : prior) if (!recorded.containsKey(key(m))) all.add(m);
        return all;
    }

    private static String key(Measurement m) {
        return m.system() + "|" + m.formats() + "|" + m.workload() + "|" + m.setting();
    }
}
