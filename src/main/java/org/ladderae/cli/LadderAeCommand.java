package org.ladderae.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ladder-ae}: the top-level command; every feature is a subcommand. */
@Command(name = "ladder-ae", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Artifact evaluation for Ladder (OSDI'24): draws the paper's figures and tables from its logged",
                "numbers, or measures them on this machine's GPU with --reproduce."},
        subcommands = {
            Figure9Command.class,
            Figure11Command.class,
            Figure12Command.class,
            Figure13Command.class,
            Figure14Command.class,
            Table1Command.class,
            Table2Command.class,
            AllCommand.class,
            ListCommand.class,
            DoctorCommand.class,
            SelftestCommand.class,
            CompareCommand.class,
            CheckpointsCommand.class,
            BaselinesCommand.class,
            BenchCommand.class,
            TuneCommand.class,
            CompileCommand.class,
            RunCommand.class,
            HelpCommand.class,
        })
public final class LadderAeCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: choose one of "
                + String.join(", ", spec.subcommands().keySet()));
    }
}
