package org.ladderae.experiments;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ladderae.paperdata.Dataset;
import org.ladderae.paperdata.ExperimentData;
import org.ladderae.paperdata.PaperDataLoader;
import org.ladderae.reports.PaperVsMeasured;
import org.ladderae.results.Measurement;
import org.ladderae.results.AtomicFiles;
import org.ladderae.results.MachineSummary;
import org.ladderae.results.RunDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The path every experiment run takes: load the data, make a fresh run directory, draw, and record
 * what was done ({@code run.json}) next to the data that was used ({@code data.json}).
 */
public final class ExperimentRunner {
    private static final Logger LOG = LoggerFactory.getLogger(ExperimentRunner.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE);

    /**
     * What the user asked for. {@code paperDataDir} null means the bundled data; {@code resumeDir}
     * non-null continues that interrupted reproduction in its own run directory.
     */
    public record Options(String datasetId, Path outRoot, Set<RenderContext.ChartFormat> formats, Path paperDataDir,
                          List<String> commandLine, String version, Path resumeDir) {}

    /** One finished run: where it went, what it wrote, and (for a reproduction) the measured data set. */
    public record Outcome(Experiment experiment, RunDirectory runDirectory, List<Path> files, Duration elapsed, Dataset measured) {}

    /** Opens a log file in the run directory for the duration of the run; the CLI supplies it. */
    @FunctionalInterface
    public interface RunLogOpener { AutoCloseable open(Path logFile); }

    private final RunLogOpener logOpener;

    public ExperimentRunner(RunLogOpener logOpener) { this.logOpener = logOpener; }

    public Outcome drawFromData(Experiment experiment, Options options, PrintWriter out) throws IOException {
        Instant start = Instant.now();
        ExperimentData data = new PaperDataLoader(options.paperDataDir()).load(experiment.id());
        Dataset dataset = data.requireDataset(options.datasetId());
        RunDirectory run = RunDirectory.create(options.outRoot(), experiment.id());
        try (AutoCloseable ignored = logOpener.open(run.path().resolve("ladder-ae.log"))) {
            LOG.debug("{}: drawing dataset '{}' ({}) into {}", experiment.id(), dataset.id(), dataset.device(), run.path());
            AtomicFiles.write(run.path().resolve("data.json"), JSON.writeValueAsBytes(dataUsed(data, dataset)));
            List<Path> files = new ArrayList<>(experiment.render(new RenderContext(data, dataset, run.path(), options.formats(), out)));
            Duration elapsed = Duration.between(start, Instant.now());
            Path runJson = run.path().resolve("run.json");
            AtomicFiles.write(runJson, JSON.writeValueAsBytes(runRecord(experiment, options, data, dataset, run, files, start, elapsed)));
            files.add(0, run.path().resolve("data.json"));
            files.add(runJson);
            LOG.info("{}: dataset {} (measured on {}) -> {} ({} files, {} ms)", experiment.id(), dataset.id(), dataset.device(), run.path(), files.size(), elapsed.toMillis());
            return new Outcome(experiment, run, files, elapsed, null);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    /** Prints what {@link #reproduce} would measure and roughly how long it would take; touches neither the GPU nor the disk. */
    public ReproducePlan dryRun(Experiment experiment, Options options, boolean quick, PrintWriter out) {
        Dataset paper = new PaperDataLoader(options.paperDataDir()).load(experiment.id()).requireDataset("paper");
        ReproducePlan plan = experiment.plan(paper, quick);
        plan.print(experiment.id(), out);
        return plan;
    }

    /** Why {@code dir} cannot be resumed as a run of {@code experiment}, or null when it can. */
    public static String resumeProblem(Experiment experiment, Path dir) {
        Path d = dir.toAbsolutePath().normalize();
        if (!java.nio.file.Files.isDirectory(d)) return "--resume " + dir + ": no such directory";
        if (d.getParent() == null || !d.getParent().getFileName().toString().equals(experiment.id())) {
            return "--resume " + dir + " is not a " + experiment.id() + " run directory (<out>/" + experiment.id() + "/<run-id>)";
        }
        return null;
    }

    /** The run directory of a reproduction: a new one, or with {@code --resume} the interrupted one. */
    static RunDirectory reproduceDirectory(Experiment experiment, Options options) throws IOException {
        if (options.resumeDir() == null) return RunDirectory.create(options.outRoot(), experiment.id());
        String problem = resumeProblem(experiment, options.resumeDir());
        if (problem != null) throw new IllegalArgumentException(problem);
        Path dir = options.resumeDir().toAbsolutePath().normalize();
        return new RunDirectory(dir.getFileName().toString(), dir);
    }

    /**
     * Measures the experiment on this machine, then draws the measurement with the paper's layout and
     * writes the paper-vs-measured tables; every point's record (OK, n/a, failed) goes to measurements.json.
     */
    public Outcome reproduce(Experiment experiment, Options options, ReproduceContext rc, PrintWriter out) throws IOException {
        return reproduce(experiment, options, rc, out, null);
    }

    /**
     * As {@link #reproduce(Experiment, Options, ReproduceContext, PrintWriter)}, reusing the whole-model records
     * {@code pool} holds from earlier experiments of this process and adding this run's to it (null: no sharing).
     */
    public Outcome reproduce(Experiment experiment, Options options, ReproduceContext rc, PrintWriter out, ModelRecordPool pool)
            throws IOException {
        Instant start = Instant.now();
        ExperimentData data = new PaperDataLoader(options.paperDataDir()).load(experiment.id());
        Dataset paper = data.requireDataset("paper");
        RunDirectory run = reproduceDirectory(experiment, options);
        Path measurementsFile = run.path().resolve("measurements.json");
        MeasurementLog log = options.resumeDir() != null ? MeasurementLog.resume(measurementsFile) : MeasurementLog.fresh(measurementsFile);
        if (pool != null) log.borrowing(pool.records());
        try (AutoCloseable ignored = logOpener.open(run.path().resolve("ladder-ae.log"))) {
            LOG.info("{}: measuring on this machine into {}{}", experiment.id(), run.path(), options.resumeDir() == null ? ""
                    : " (resuming: " + log.prior().stream().filter(m -> m.status() == Measurement.Status.OK).count() + " points measured OK before)");
            if (log.borrowedCount() > 0) {
                LOG.info("{}: {} whole-model records measured earlier in this process are offered for reuse", experiment.id(), log.borrowedCount());
            }
            Reproduction r = experiment.reproduce(paper, rc.withMeasurements(log).withTunedCheckpoints(run.path().resolve("checkpoints")));
            if (pool != null) pool.add(r.measurements());
            List<Path> files = new ArrayList<>();
            byte[] measured = JSON.writeValueAsBytes(r.measurements());
            files.add(log.hasWritten() ? AtomicFiles.rewrite(measurementsFile, measured) : AtomicFiles.write(measurementsFile, measured));
            files.add(AtomicFiles.write(run.path().resolve("data.json"), JSON.writeValueAsBytes(dataUsed(data, r.dataset()))));
            files.addAll(experiment.render(new RenderContext(data, r.dataset(), run.path(), options.formats(), out)));
            // The paper's own chart beside the measured one, so a reader compares them at a glance.
            Path paperDir = java.nio.file.Files.createDirectories(run.path().resolve("paper"));
            files.addAll(experiment.render(new RenderContext(data, paper, paperDir, options.formats(), new PrintWriter(java.io.Writer.nullWriter()))));
            if (experiment.baselineSeries() != null) {
                files.addAll(PaperVsMeasured.write(paper, r.dataset(), experiment.baselineSeries(), run.path(),
                        experiment.id() + "_paper_vs_measured", out));
            }
            Duration elapsed = Duration.between(start, Instant.now());
            Map<String, Object> record = runRecord(experiment, options, data, r.dataset(), run, files, start, elapsed);
            record.put("mode", options.resumeDir() != null ? "reproduce (resumed)" : "reproduce");
            record.put("measured_points", r.measurements().stream().filter(m -> m.status() == Measurement.Status.OK).count());
            record.put("not_available_points", r.measurements().stream().filter(m -> m.status() != Measurement.Status.OK).count());
            Path runJson = AtomicFiles.write(run.path().resolve("run.json"), JSON.writeValueAsBytes(record));
            files.add(runJson);
            LOG.info("{}: measured on {} -> {} ({} files, {} s)", experiment.id(), r.dataset().device(), run.path(), files.size(),
                    elapsed.toSeconds());
            return new Outcome(experiment, run, files, elapsed, r.dataset());
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    private static Map<String, Object> dataUsed(ExperimentData data, Dataset dataset) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("experiment", data.experiment());
        m.put("paper_figure", data.paperFigure());
        m.put("metric", data.metric());
        m.put("unit", data.unit());
        m.put("transcribed_from", data.transcribedFrom());
        m.put("dataset", dataset);
        return m;
    }

    private static Map<String, Object> runRecord(Experiment e, Options o, ExperimentData data, Dataset dataset, RunDirectory run,
                                                 List<Path> files, Instant start, Duration elapsed) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("experiment", e.id());
        m.put("paper_figure", data.paperFigure());
        m.put("run_id", run.runId());
        m.put("mode", "paper-data");
        m.put("dataset", dataset.id());
        m.put("numbers_measured_on", dataset.device());
        m.put("source", dataset.source().cite());
        m.put("command_line", o.commandLine());
        m.put("ladder_ae_version", o.version());
        m.put("started", start.toString());
        m.put("elapsed_ms", elapsed.toMillis());
        m.put("machine", MachineSummary.capture());
        m.put("files", files.stream().map(f -> run.path().relativize(f).toString()).toList());
        return m;
    }
}
