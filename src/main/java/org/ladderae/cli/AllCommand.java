package org.ladderae.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.ladderae.experiments.Experiment;
import org.ladderae.experiments.ExperimentRunner;
import org.ladderae.experiments.Experiments;
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
        List<String> failed = new ArrayList<>();
        List<Experiment> all = Experiments.all();
        for (int i = 0; i < all.size(); i++) {
            Experiment e = all.get(i);
            LOG.info("[{}/{}] {}", i + 1, all.size(), e.id());
            try {
                if (options.reproduce && !e.reproduceSupport().available()) {
                    throw new UserError(UserError.USAGE, e.id() + " --reproduce is not available yet: " + e.reproduceSupport().reason());
                }
                ExperimentRunner.Outcome outcome = Cli.runner().drawFromData(e, Cli.runnerOptions(spec, options), spec.commandLine().getOut());
                spec.commandLine().getOut().println(e.id() + ": " + outcome.runDirectory().path());
            } catch (Exception ex) {
                String why = Cli.messageFor(ex);
                LOG.error("{} failed: {}", e.id(), why);
                LOG.debug("failure detail", ex);
                failed.add(e.id() + " (" + why + ")");
            }
        }
        spec.commandLine().getOut().flush();
        if (!failed.isEmpty()) {
            LOG.error("{} of {} experiments failed: {}", failed.size(), all.size(), String.join("; ", failed));
            return UserError.RUN_FAILURE;
        }
        return 0;
    }
}
