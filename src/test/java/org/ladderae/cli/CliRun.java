package org.ladderae.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One in-process {@code ladder-ae} invocation for tests: exit code and what it printed to stdout and stderr. */
public record CliRun(int code, String out, String err) {
    public static CliRun of(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Cli.execute(args, new PrintWriter(out), new PrintWriter(err));
        return new CliRun(code, out.toString(), err.toString());
    }
}
