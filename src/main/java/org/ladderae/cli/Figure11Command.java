package org.ladderae.cli;

import org.ladderae.experiments.Figure11;
import picocli.CommandLine.Command;

/** {@code ladder-ae figure11}; its description is the experiment's summary (set in {@link Cli}). */
@Command(name = "figure11")
public final class Figure11Command extends ExperimentCommand {
    public Figure11Command() { super(new Figure11()); }
}
