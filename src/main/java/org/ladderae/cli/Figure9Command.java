package org.ladderae.cli;

import org.ladderae.experiments.Figure9;
import picocli.CommandLine.Command;

/** {@code ladder-ae figure9}; its description is the experiment's summary (set in {@link Cli}). */
@Command(name = "figure9")
public final class Figure9Command extends ExperimentCommand {
    public Figure9Command() { super(new Figure9()); }
}
