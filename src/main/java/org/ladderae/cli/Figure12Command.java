package org.ladderae.cli;

import org.ladderae.experiments.Figure12;
import picocli.CommandLine.Command;

/** {@code ladder-ae figure12}; its description is the experiment's summary (set in {@link Cli}). */
@Command(name = "figure12")
public final class Figure12Command extends ExperimentCommand {
    public Figure12Command() { super(new Figure12()); }
}
