package org.ladderae.cli;

import org.ladderae.experiments.Figure14;
import picocli.CommandLine.Command;

/** {@code ladder-ae figure14}; its description is the experiment's summary (set in {@link Cli}). */
@Command(name = "figure14")
public final class Figure14Command extends ExperimentCommand {
    public Figure14Command() { super(new Figure14()); }
}
