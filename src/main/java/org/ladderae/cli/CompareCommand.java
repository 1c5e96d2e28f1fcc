package org.ladderae.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.ladderae.reports.RunComparison;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ladder-ae compare RUN_A RUN_B}: what got faster or slower between two runs of one experiment. */
@Command(name = "compare", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Show which points got faster or slower between two runs of the same experiment.")
public final class CompareCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN_A", description = "Earlier run directory (or its data.json).")
    Path runA;

    @Parameters(index = "1", paramLabel = "RUN_B", description = "Later run directory (or its data.json).")
    Path runB;

    @Option(names = "--factor", defaultValue = "1.1", description = "Report changes larger than this factor (default: ${DEFAULT-VALUE}).")
    double factor;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        RunComparison.Result r;
        try {
            r = RunComparison.compare(runA, runB, factor);
        } catch (IllegalArgumentException e) {
            throw new UserError(UserError.USAGE, e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%s: %d points compared, %d present in only one run; changes beyond %.2fx:%n", r.experimentA(), r.compared(), r.onlyInOne(), factor);
        print(out, "better", r.better());
        print(out, "worse", r.worse());
        if (r.better().isEmpty() && r.worse().isEmpty()) out.println("  none");
        out.flush();
        return 0;
    }

    private static void print(PrintWriter out, String label, java.util.List<RunComparison.Change> changes) {
        for (RunComparison.Change c : changes) {
            out.printf("  %-6s %-14s %-28s %-12s %12.4g -> %-12.4g (x%.3f)%n", label, c.panel(), c.series(), c.x(), c.a(), c.b(), c.ratio());
        }
    }
}
