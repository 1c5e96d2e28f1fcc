package org.ladderae.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.List;
import org.ladderae.experiments.ExperimentRunner;
import org.ladderae.paperdata.PaperDataException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Builds the command line and maps failures to one clear line and an exit code: 0 ok, 1 run
 * failure, 2 usage error. Tests call {@link #execute} in-process with their own writers.
 */
public final class Cli {
    private static final Logger LOG = LoggerFactory.getLogger(Cli.class);
    private static final ThreadLocal<String[]> ARGS = new ThreadLocal<>();

    private Cli() {}

    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        ARGS.set(args.clone());
        ConsoleAppender.redirect(err, ch.qos.logback.classic.Level.INFO);
        try {
            CommandLine cmd = commandLine();
            cmd.setOut(out);
            cmd.setErr(err);
            return cmd.execute(args);
        } finally {
            out.flush();
            err.flush();
            ARGS.remove();
        }
    }

    public static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new LadderAeCommand());
        for (CommandLine sub : cmd.getSubcommands().values()) {
            if (sub.getCommand() instanceof ExperimentCommand ec) {
                sub.getCommandSpec().usageMessage().description(ec.experiment().summary().replace("%", "%%") + ".");
            }
        }
        cmd.setExecutionExceptionHandler((ex, line, parsed) -> {
            PrintWriter err = line.getErr();
            int code = exitCodeFor(ex);
            err.println("ladder-ae: " + messageFor(ex));
            LOG.debug("failure detail", ex);
            return code;
        });
        cmd.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            CommandSpec where = ex.getCommandLine().getCommandSpec();
            if (ex instanceof CommandLine.UnmatchedArgumentException u && where.parent() == null
                    && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")) {
                err.println("ladder-ae: unknown command '" + u.getUnmatched().get(0) + "': choose one of "
                        + String.join(", ", where.subcommands().keySet()));
            } else {
                err.println("ladder-ae: " + ex.getMessage());
            }
            err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return UserError.USAGE;
        });
        return cmd;
    }

    static int exitCodeFor(Throwable ex) {
        if (ex instanceof UserError ue) return ue.exitCode();
        if (ex instanceof org.ladderae.paperdata.UnknownDatasetException) return UserError.USAGE;
        return UserError.RUN_FAILURE;
    }

    static String messageFor(Throwable ex) {
        if (ex instanceof UncheckedIOException u) ex = u.getCause();
        if (ex instanceof UserError || ex instanceof PaperDataException) return ex.getMessage();
        if (ex instanceof NoSuchFileException n) return "no such file: " + n.getFile();
        if (ex instanceof java.nio.file.AccessDeniedException a) return "permission denied: " + a.getFile() + " (choose another --out)";
        if (ex instanceof java.nio.file.FileSystemException f) return "cannot write " + f.getFile() + ": " + f.getReason();
        if (ex instanceof IOException) return "I/O error: " + ex.getMessage();
        return "internal error: " + ex + " (rerun with --verbose; the run log has the details)";
    }

    static void configureLogging(CommandSpec spec, CommonOptions options) {
        ConsoleAppender.redirect(spec.commandLine().getErr(), options.logLevel());
    }

    /** --dry-run and --resume only qualify --reproduce. */
    static void checkReproduceOptions(CommonOptions o) {
        if (!o.reproduce && (o.dryRun || o.resume != null)) {
            throw new UserError(UserError.USAGE, (o.dryRun ? "--dry-run" : "--resume") + " goes with --reproduce");
        }
    }

    /** With --reproduce --dry-run: prints the plan; needs no GPU and writes nothing. */
    static void dryRun(org.ladderae.experiments.Experiment e, CommandSpec spec, CommonOptions o) {
        runner().dryRun(e, runnerOptions(spec, o), o.quick, spec.commandLine().getOut());
    }

    /** Draws from logged data, or measures with --reproduce (after checking it can run here). */
    static ExperimentRunner.Outcome run(org.ladderae.experiments.Experiment e, CommandSpec spec, CommonOptions o) throws IOException {
        return run(e, spec, o, null);
    }

    /** As {@link #run(org.ladderae.experiments.Experiment, CommandSpec, CommonOptions)}, sharing whole-model records through {@code pool}. */
    static ExperimentRunner.Outcome run(org.ladderae.experiments.Experiment e, CommandSpec spec, CommonOptions o,
                                        org.ladderae.experiments.ModelRecordPool pool) throws IOException {
        checkReproduceOptions(o);
        if (!o.reproduce) return runner().drawFromData(e, runnerOptions(spec, o), spec.commandLine().getOut());
        if (o.resume != null) {
            String problem = ExperimentRunner.resumeProblem(e, o.resume);
            if (problem != null) throw new UserError(UserError.USAGE, problem);
        }
        org.ladderae.experiments.ReproduceSupport support = e.reproduceSupport();
        if (!support.available()) throw new UserError(UserError.USAGE, e.id() + " --reproduce is not available here: " + support.reason());
        // The runner opens the measurement log in the run directory it picks (new, or the resumed one).
        var rc = new org.ladderae.experiments.ReproduceContext(spec.commandLine().getOut(), o.python, o.quick, o.seed, VersionProvider.version(), null,
                o.forceTuneLadder, null);
        try {
            return runner().reproduce(e, runnerOptions(spec, o), rc, spec.commandLine().getOut(), pool);
        } catch (org.ladderae.gpu.GpuUnavailableException | org.ladderae.kernels.KernelBuildException ex) {
            throw new UserError(UserError.RUN_FAILURE, ex.getMessage());
        }
    }

    static ExperimentRunner runner() {
        return new ExperimentRunner(RunLog::open);
    }

    static ExperimentRunner.Options runnerOptions(CommandSpec spec, CommonOptions o) {
        String[] args = ARGS.get();
        List<String> commandLine = args == null ? List.of() : Arrays.asList(args);
        return new ExperimentRunner.Options(o.dataset, o.out, o.chartFormats(), o.paperData,
                java.util.stream.Stream.concat(java.util.stream.Stream.of("ladder-ae"), commandLine.stream()).toList(),
                VersionProvider.version(), o.resume);
    }
}
