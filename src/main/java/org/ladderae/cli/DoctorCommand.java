package org.ladderae.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.ladderae.env.Check;
import org.ladderae.env.ToolChecks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Says what this machine can do: ok/missing per component and how to fix what is missing. Exits 0
 * even when optional parts are missing (drawing paper data needs none of them).
 */
@Command(name = "doctor", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Check Java, the GPU and driver, nvcc and python3 + torch; say how to fix what is missing.")
public final class DoctorCommand implements Callable<Integer> {
    @Option(names = "--python", paramLabel = "PATH", defaultValue = "python3", description = "Python interpreter for the baselines (default: ${DEFAULT-VALUE}).")
    String python;

    @Spec CommandSpec spec;

    /** Checks in display order; the GPU runtime adds its own. */
    static List<Check> checks(String python) {
        List<Check> checks = new ArrayList<>();
        checks.add(ToolChecks.java());
        checks.add(ToolChecks.os());
        checks.add(org.ladderae.env.ChartCheck.headlessRendering());
        checks.addAll(org.ladderae.env.GpuChecks.all());
        checks.add(ToolChecks.nvcc());
        checks.add(ToolChecks.pythonTorch(python));
        return checks;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        for (Check c : checks(python)) {
            Check.Outcome o = c.run();
            out.printf("%-8s %-18s %s%n", "[" + o.status().name().toLowerCase() + "]", o.component(), o.detail());
            if (o.fix() != null) out.printf("%-8s %-18s fix: %s%n", "", "", o.fix());
            out.flush();
        }
        return 0;
    }
}
