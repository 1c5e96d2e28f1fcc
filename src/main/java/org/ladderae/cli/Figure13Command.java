package org.ladderae.cli;

import org.ladderae.experiments.Figure13;
import picocli.CommandLine.Command;

/** {@code ladder-ae figure13}; its description is the experiment's summary (set in {@link Cli}). */
@Command(name = "figure13")
public final class Figure13Command extends ExperimentCommand {
    public Figure13Command() { super(new Figure13()); }
}
