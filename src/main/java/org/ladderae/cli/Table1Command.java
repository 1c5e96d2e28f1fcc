package org.ladderae.cli;

import org.ladderae.experiments.Table1;
import picocli.CommandLine.Command;

/** {@code ladder-ae table1}; its description is the experiment's summary (set in {@link Cli}). */
@Command(name = "table1")
public final class Table1Command extends ExperimentCommand {
    public Table1Command() { super(new Table1()); }
}
