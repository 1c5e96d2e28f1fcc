package org.ladderae.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.ladderae.checkpoints.Checkpoint;
import org.ladderae.checkpoints.CheckpointArchive;
import org.ladderae.checkpoints.CheckpointException;
import org.ladderae.checkpoints.CheckpointManifest;
import org.ladderae.checkpoints.CheckpointStore;
import org.ladderae.checkpoints.UnpackOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ladder-ae checkpoints list|verify|pack|unpack}: the tuned kernels shipped with (or added to) the install. */
@Command(name = "checkpoints", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "List, verify, check on the GPU, pack or unpack the tuned-kernel checkpoints.",
        subcommands = {CheckpointsCommand.ListCheckpoints.class, CheckpointsCommand.Verify.class,
            CheckpointsCommand.Pack.class, CheckpointsCommand.Unpack.class, CheckpointsCommand.CheckOnGpu.class})
public final class CheckpointsCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: choose one of "
                + String.join(", ", spec.subcommands().keySet()));
    }

    /** {@code --dir}, defaulting to the install's checkpoints directory. */
    static class DirOption {
        @Option(names = "--dir", paramLabel = "DIR",
                description = "Checkpoints directory (default: $LADDER_AE_HOME/checkpoints, else ./checkpoints).")
        Path dir;

        Path resolve() { return dir != null ? dir : CheckpointStore.defaultRoot(System.getenv()); }
    }

    /** Checkpoint problems are the user's to fix: one line, exit 1. */
    static <T> T reported(Callable<T> action) throws Exception {
        try {
            return action.call();
        } catch (CheckpointException e) {
            throw new UserError(UserError.RUN_FAILURE, e.getMessage());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Table of the checkpoints, all arches.")
    static final class ListCheckpoints implements Callable<Integer> {
        @picocli.CommandLine.Mixin DirOption dir = new DirOption();
        @Spec CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            List<Checkpoint> all = reported(() -> new CheckpointStore(dir.resolve()).list());
            PrintWriter out = spec.commandLine().getOut();
            if (all.isEmpty()) {
                out.println("no checkpoints in " + dir.resolve());
                return 0;
            }
            String row = "%-8s %-40s %-6s %-18s %-19s %-8s %9s  %s%n";
            out.printf(row, "ARCH", "NAME", "OP", "SHAPE (MxNxK)", "FORMATS", "STAGE", "BEST MS", "GPU");
            for (Checkpoint c : all) {
                CheckpointManifest m = c.manifest();
                out.printf(row, m.arch(), m.name(), m.operator(), m.shape(), m.weightFormat() + "x" + m.activationFormat(),
                        m.stage(), String.format("%.4f", m.tuning().bestMs()), m.gpuName());
            }
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Recompute every binary's SHA-256 and compare it with its manifest; exit 1 on any mismatch.")
    static final class Verify implements Callable<Integer> {
        @picocli.CommandLine.Mixin DirOption dir = new DirOption();
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            List<CheckpointStore.Verification> results = new CheckpointStore(dir.resolve()).verify();
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            long failed = 0;
            for (CheckpointStore.Verification v : results) {
                if (v.ok()) {
                    out.println("ok      " + v.id());
                } else {
                    failed++;
                    err.println("ladder-ae: FAILED " + v.id() + ": " + v.problem());
                }
            }
            if (failed > 0) {
                throw new UserError(UserError.RUN_FAILURE, failed + " of " + results.size() + " checkpoints failed verification");
            }
            out.println(results.isEmpty() ? "no checkpoints in " + dir.resolve() : "all " + results.size() + " checkpoints verified");
            return 0;
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Run every checkpoint of this GPU's arch from its binary alone (no compiler) against the CPU reference; exit 1 on any failure.")
    static final class CheckOnGpu implements Callable<Integer> {
        @picocli.CommandLine.Mixin DirOption dir = new DirOption();
        @Option(names = "--device", defaultValue = "0") int device;
        @Option(names = "--seed", defaultValue = "20261125") long seed;
        @Spec CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            org.ladderae.gpu.CudaContext ctx = BenchCommand.openDevice(device);
            List<org.ladderae.tuning.ShippedCheckpointCheck.Result> results =
                    reported(() -> org.ladderae.tuning.ShippedCheckpointCheck.run(ctx, new CheckpointStore(dir.resolve()), seed));
            out.println("checkpoints in " + dir.resolve() + " on " + ctx.device().describe() + " (binaries only, no compiler)");
            out.printf(java.util.Locale.ROOT, "%-8s %-18s %-22s %9s %9s  %s%n", "operator", "shape", "formats", "error", "tolerance", "result");
            long failed = 0;
            for (var r : results) {
                if (!r.passed()) failed++;
                out.printf(java.util.Locale.ROOT, "%-8s %-18s %-22s %9.2e %9.0e  %s%n", r.operator(), r.shape(), r.formats(), r.error(), r.tolerance(),
                        r.passed() ? "pass" : "FAILED" + (r.problem() == null ? "" : ": " + r.problem()));
            }
            if (results.isEmpty()) throw new UserError(UserError.RUN_FAILURE, "no checkpoints for this GPU's arch in " + dir.resolve()
                    + ": run an experiment with --force-tune-ladder, `ladder-ae tune gemv --into-shipped` or `ladder-ae tune gemm --figures --checkpoints DIR`");
            if (failed > 0) throw new UserError(UserError.RUN_FAILURE, failed + " of " + results.size() + " checkpoints failed their check");
            out.println("all " + results.size() + " checkpoints passed their check");
            return 0;
        }
    }

    @Command(name = "pack", mixinStandardHelpOptions = true, description = "Write the checkpoints into a .tar.gz (verified first).")
    static final class Pack implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "ARCHIVE", description = "The .tar.gz to write.") Path archive;
        @picocli.CommandLine.Mixin DirOption dir = new DirOption();
        @Spec CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            // Packing a corrupted kernel would only move the failure to another machine.
            for (CheckpointStore.Verification v : new CheckpointStore(dir.resolve()).verify()) {
                if (!v.ok()) throw new UserError(UserError.RUN_FAILURE, "refusing to pack: " + v.problem());
            }
            CheckpointArchive.PackResult r = reported(() -> CheckpointArchive.pack(dir.resolve(), archive));
            spec.commandLine().getOut().println("packed " + r.checkpoints().size() + " checkpoints (" + r.files() + " files) into " + archive);
            return 0;
        }
    }

    @Command(name = "unpack", mixinStandardHelpOptions = true,
            description = "Extract a checkpoints .tar.gz safely; existing checkpoints are kept unless --force.")
    static final class Unpack implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "ARCHIVE", description = "The .tar.gz to extract.") Path archive;
        @picocli.CommandLine.Mixin DirOption dir = new DirOption();
        @Option(names = "--force", description = "Replace checkpoints that already exist.") boolean force;
        @Spec CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            CheckpointArchive.UnpackResult r = reported(() -> unpack());
            PrintWriter out = spec.commandLine().getOut();
            for (String id : r.installed()) out.println("installed " + id);
            for (String id : r.replaced()) out.println("replaced  " + id);
            return 0;
        }

        private CheckpointArchive.UnpackResult unpack() throws IOException {
            return CheckpointArchive.unpack(archive, dir.resolve(), UnpackOptions.defaults().withForce(force));
        }
    }
}
