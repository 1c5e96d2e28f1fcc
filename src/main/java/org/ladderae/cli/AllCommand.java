package org.ladderae.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.ladderae.experiments.Experiment;
import org.ladderae.experiments.ExperimentRunner;
import org.ladderae.env.ProgressBar;
import org.ladderae.experiments.Experiments;
import org.ladderae.paperdata.PaperDataLoader;
import org.ladderae.reports.RunReport;
import org.ladderae.results.MachineSummary;
import org.ladderae.results.RunDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Runs every experiment in order and keeps going past a failed one, saying which failed and why. */
@Command(name = "all", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Run every experiment (Figures 9, 11-14, Tables 1-2).")
public final class AllCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(AllCommand.class);

    @Mixin CommonOptions options;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        Cli.configureLogging(spec, options);
        Cli.checkReproduceOptions(options);
        if (options.resume != null) throw new UserError(UserError.USAGE, "--resume takes one experiment's run directory: use it with that experiment's command");
        if (options.dryRun) {
            for (Experiment e : Experiments.all()) Cli.dryRun(e, spec, options);
            return 0;
        }
        List<String> failed = new ArrayList<>();
        List<RunReport.Entry> entries = new ArrayList<>();
        Map<String, org.ladderae.paperdata.Dataset> measured = new LinkedHashMap<>();
        List<Experiment> all = Experiments.all();
        // Figure 11 reads its memory from the same model runs Figure 9 times: measure each model once.
        org.ladderae.experiments.ModelRecordPool modelRecords = new org.ladderae.experiments.ModelRecordPool();
        RunDirectory reportDir = reportDirectory();
        long start = System.nanoTime();
        for (int i = 0; i < all.size(); i++) {
            Experiment e = all.get(i);
            java.time.Duration elapsed = java.time.Duration.ofNanos(System.nanoTime() - start);
            String eta = i == 0 ? "" : ", ETA " + ProgressBar.format(elapsed.multipliedBy(all.size() - i).dividedBy(i));
            LOG.info("[{}/{}] {} (elapsed {}{})", i + 1, all.size(), e.id(), ProgressBar.format(elapsed), eta);
            try {
                ExperimentRunner.Outcome outcome = Cli.run(e, spec, options, modelRecords);
                if (outcome.measured() != null) measured.put(e.id(), outcome.measured());
                spec.commandLine().getOut().println(e.id() + ": " + outcome.runDirectory().path());
                entries.add(new RunReport.Entry(e.id(), outcome.runDirectory().path(), outcome.files(), null));
            } catch (Exception ex) {
                String why = Cli.messageFor(ex);
                LOG.error("{} failed: {}", e.id(), why);
                LOG.debug("failure detail", ex);
                failed.add(e.id() + " (" + why + ")");
                entries.add(new RunReport.Entry(e.id(), null, List.of(), why));
            }
            // Rewritten after every experiment, so a run stopped from outside (a time limit, a lost machine)
            // still leaves a report of what finished, with the rest marked as not reached.
            writeReport(reportDir, withPending(entries, all), measured, i == all.size() - 1);
        }
        spec.commandLine().getOut().flush();
        if (!failed.isEmpty()) {
            LOG.error("{} of {} experiments failed: {}", failed.size(), all.size(), String.join("; ", failed));
            return UserError.RUN_FAILURE;
        }
        return 0;
    }

    /** Each baseline series that a reproduction could not measure, once, with its reason. */
    private static List<String> unavailable(Map<String, org.ladderae.paperdata.Dataset> measured) {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        for (var d : measured.values()) {
            for (var p : d.panels()) {
                for (var s : p.series()) {
                    if (s.isLadder()) continue;
                    for (int i = 0; i < s.values().size(); i++) {
                        if (s.value(i) == null) {
                            out.add(s.plainName() + ": " + s.nullReason(i));
                            break;
                        }
                    }
                }
            }
        }
        return List.copyOf(out);
    }

    static final String NOT_REACHED = "not reached: the run ended before this experiment started (stopped from outside, or still running)";

    /** {@code done} followed by an entry for each experiment of {@code all} not run yet, saying so. */
    static List<RunReport.Entry> withPending(List<RunReport.Entry> done, List<Experiment> all) {
        List<RunReport.Entry> out = new ArrayList<>(done);
        for (Experiment e : all.subList(done.size(), all.size())) out.add(new RunReport.Entry(e.id(), null, List.of(), NOT_REACHED));
        return out;
    }

    private RunDirectory reportDirectory() {
        try {
            return RunDirectory.create(options.out, "all");
        } catch (java.io.IOException ex) {
            throw new UserError(UserError.RUN_FAILURE, "cannot create the report directory under " + options.out + ": " + ex.getMessage()
                    + " (choose a writable --out)");
        }
    }

    private void writeReport(RunDirectory dir, List<RunReport.Entry> entries, Map<String, org.ladderae.paperdata.Dataset> measured, boolean last) {
        try {
            Map<String, Object> env = new LinkedHashMap<>();
            env.put("ladder-ae", VersionProvider.version());
            env.put("mode", options.reproduce ? "reproduce (measured on this machine)" : "paper data (no GPU used)");
            env.put("dataset", options.dataset);
            env.putAll(MachineSummary.capture());
            if (options.reproduce && org.ladderae.gpu.CudaDriver.availability().available()) {
                env.put("gpu", org.ladderae.gpu.CudaContext.forDevice(0).device().describe());
            }
            RunReport report = new RunReport("ladder-ae: Ladder (OSDI'24) artifact, all experiments", env, entries, unavailable(measured),
                    RunReport.claims(new PaperDataLoader(options.paperData), measured));
            List<java.nio.file.Path> files = report.write(dir.path());
            if (last) for (java.nio.file.Path f : files) spec.commandLine().getOut().println("report: " + f);
        } catch (Exception ex) {
            LOG.error("could not write the report: {}", Cli.messageFor(ex));
        }
    }
}
