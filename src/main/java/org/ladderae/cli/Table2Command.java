package org.ladderae.cli;

import org.ladderae.experiments.Table2;
import picocli.CommandLine.Command;

/** {@code ladder-ae table2}; its description is the experiment's summary (set in {@link Cli}). */
@Command(name = "table2")
public final class Table2Command extends ExperimentCommand {
    public Table2Command() { super(new Table2()); }
}
