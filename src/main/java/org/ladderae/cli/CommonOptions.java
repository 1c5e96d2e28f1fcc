package org.ladderae.cli;

import ch.qos.logback.classic.Level;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.ladderae.experiments.RenderContext.ChartFormat;
import picocli.CommandLine.Option;

/** Options every experiment command (and {@code all}) takes. */
public class CommonOptions {
    @Option(names = "--reproduce", description = "Measure on this machine's GPU instead of drawing the paper's logged numbers.")
    boolean reproduce;

    @Option(names = "--dataset", paramLabel = "ID", defaultValue = "paper",
            description = "Logged data set to draw: 'paper' (default) or another one the experiment bundles (see 'ladder-ae list').")
    String dataset;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "results", description = "Where results go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--formats", paramLabel = "png,pdf", split = ",", defaultValue = "png,pdf",
            description = "Chart formats to write (default: ${DEFAULT-VALUE}).")
    List<String> formats;

    @Option(names = "--paper-data", paramLabel = "DIR", hidden = true,
            description = "Read paper data from DIR instead of the bundled copy (for testing edited data).")
    Path paperData;

    @Option(names = "--python", paramLabel = "PATH", defaultValue = "python3",
            description = "With --reproduce: interpreter with torch for the PyTorch/cuDNN baselines (default: ${DEFAULT-VALUE}).")
    String python;

    @Option(names = "--quick", description = "With --reproduce: fewer baseline repetitions (a smoke run, not numbers to report).")
    boolean quick;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "20261125", description = "With --reproduce: seed of the random inputs.")
    long seed;

    @Option(names = "--dry-run", description = "With --reproduce: list every point that would be measured and a rough time, then stop "
            + "(no GPU needed, nothing written).")
    boolean dryRun;

    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "With --reproduce: continue the interrupted run in RUN_DIR "
            + "(<out>/<experiment>/<run-id>), measuring only the points its measurements.json does not hold as OK.")
    Path resume;

    @Option(names = "--force-tune-ladder", description = "With --reproduce: re-tune Ladder's kernels on this GPU instead of loading "
            + "the shipped checkpoints; the new checkpoints go into the run directory.")
    boolean forceTuneLadder;

    @Option(names = {"-q", "--quiet"}, description = "Only warnings and errors.")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "Debug output.")
    boolean verbose;

    Level logLevel() { return verbose ? Level.DEBUG : quiet ? Level.WARN : Level.INFO; }

    Set<ChartFormat> chartFormats() {
        Set<ChartFormat> set = EnumSet.noneOf(ChartFormat.class);
        for (String f : formats) {
            String name = f.trim().toUpperCase();
            try {
                set.add(ChartFormat.valueOf(name));
            } catch (IllegalArgumentException e) {
                throw new UserError(UserError.USAGE, "unknown chart format '" + f.trim() + "': use png, pdf or png,pdf");
            }
        }
        if (set.isEmpty()) throw new UserError(UserError.USAGE, "--formats is empty: use png, pdf or png,pdf");
        return set;
    }
}
