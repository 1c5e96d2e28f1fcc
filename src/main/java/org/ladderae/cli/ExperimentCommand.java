package org.ladderae.cli;

import java.util.concurrent.Callable;
import org.ladderae.experiments.Experiment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Runs one experiment: draws it from logged data, or (with --reproduce) measures it on the GPU. */
@Command(mixinStandardHelpOptions = true, versionProvider = VersionProvider.class)
public abstract class ExperimentCommand implements Callable<Integer> {
    private final Experiment experiment;

    @Mixin CommonOptions options;

    @Spec CommandSpec spec;

    protected ExperimentCommand(Experiment experiment) { this.experiment = experiment; }

    public Experiment experiment() { return experiment; }

    @Override
    public Integer call() throws Exception {
        Cli.configureLogging(spec, options);
        Cli.checkReproduceOptions(options);
        if (options.dryRun) Cli.dryRun(experiment, spec, options);
        else Cli.run(experiment, spec, options);
        return 0;
    }
}
