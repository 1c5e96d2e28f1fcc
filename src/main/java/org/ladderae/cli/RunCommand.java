package org.ladderae.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.ladderae.models.io.CompiledModel;
import org.ladderae.models.io.CompiledModelInputs;
import org.ladderae.models.io.NpyArray;
import org.ladderae.models.reference.DenseTensor;
import org.ladderae.models.reference.ReferenceExecutor;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ladder-ae run COMPILED_DIR}: runs a compiled model on one input and prints the output tensor the
 * way the quick start shows it (shape, first and last values), its latency, and with {@code --expect} the
 * maximum absolute and relative errors against a reference output (PyTorch's, saved by the export script).
 */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Run a compiled model (from `ladder-ae compile`) on one input and print its output tensor.",
                "--cpu-reference runs the double-precision CPU reference on the very weights the kernels use."})
public final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "COMPILED_DIR") Path dir;

    static final class InputChoice {
        @Option(names = "--input", paramLabel = "FILE.npy", description = "The model's input (NumPy .npy, float16/32/64).") Path input;
        @Option(names = "--random", description = "A random N(0,1) FP16 input from --seed.") boolean random;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1") InputChoice inputChoice;

    @Option(names = "--seed", defaultValue = "0") long seed;

    @Option(names = "--expect", paramLabel = "FILE.npy", description = "Reference output to compare with (max abs / rel error; exit 1 past --tolerance).")
    Path expect;

    @Option(names = "--tolerance", defaultValue = "0.01",
            description = "Largest relative Frobenius error ||out - expect|| / ||expect|| accepted with --expect (default: ${DEFAULT-VALUE}).")
    double tolerance;

    @Option(names = "--save", paramLabel = "FILE.npy", description = "Write the output tensor (float16).") Path save;

    @Option(names = "--cpu-reference", description = "Run the double-precision CPU reference instead of the GPU kernels.")
    boolean cpuReference;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        CompiledModel cm;
        try {
            cm = CompiledModel.open(dir);
        } catch (IOException e) {
            throw new UserError(UserError.USAGE, e.getMessage());
        }
        Map<String, DenseTensor> inputs;
        try {
            inputs = inputChoice != null && inputChoice.input != null ? CompiledModelInputs.fromNpy(cm.graph(), NpyArray.read(inputChoice.input))
                    : CompiledModelInputs.random(cm.graph(), seed);
        } catch (IOException | IllegalArgumentException e) {
            throw new UserError(UserError.USAGE, e.getMessage());
        }
        if (!cpuReference) {
            throw new UserError(UserError.RUN_FAILURE, "the GPU model executor is not part of this build: add --cpu-reference to run the CPU reference");
        }
        long t0 = System.nanoTime();
        Map<String, DenseTensor> weights = CompiledModelInputs.decodedWeights(cm);
        Map<String, DenseTensor> outputs = ReferenceExecutor.run(cm.graph(), inputs, weights);
        double ms = (System.nanoTime() - t0) / 1e6;
        String outName = cm.graph().outputs().get(0);
        DenseTensor y = outputs.get(outName);
        out.printf(Locale.ROOT, "%s on %s: output %s %s%n", cm.graph().name(), "the CPU (double-precision reference)", outName, y.shape());
        out.println(preview(y));
        out.printf(Locale.ROOT, "latency: %.1f ms (CPU reference, weights decoded included; not a GPU timing)%n", ms);
        if (save != null) new NpyArray(y.shape(), y.values()).writeFp16(save);
        if (expect != null) return compare(out, y, expect);
        return 0;
    }

    /** The first and last values, as the quick start prints them. */
    static String preview(DenseTensor y) {
        double[] v = y.values();
        StringBuilder b = new StringBuilder("values: [");
        int head = Math.min(4, v.length);
        for (int i = 0; i < head; i++) b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f", v[i]));
        if (v.length > 8) b.append(", ...");
        for (int i = Math.max(head, v.length - 4); i < v.length; i++) b.append(", ").append(String.format(Locale.ROOT, "%.4f", v[i]));
        return b.append(']').toString();
    }

    private int compare(PrintWriter out, DenseTensor y, Path expectFile) {
        NpyArray e;
        try {
            e = NpyArray.read(expectFile);
        } catch (IOException ex) {
            throw new UserError(UserError.USAGE, ex.getMessage());
        }
        if (!e.shape().equals(y.shape())) throw new UserError(UserError.USAGE, expectFile + " holds shape " + e.shape() + ", the output is " + y.shape());
        double maxAbs = 0, maxRef = 0, diff = 0, norm = 0;
        for (int i = 0; i < y.size(); i++) {
            double d = y.values()[i] - e.values()[i];
            maxAbs = Math.max(maxAbs, Math.abs(d));
            maxRef = Math.max(maxRef, Math.abs(e.values()[i]));
            diff += d * d;
            norm += e.values()[i] * e.values()[i];
        }
        double rel = Math.sqrt(diff / Math.max(norm, Double.MIN_NORMAL));
        out.printf(Locale.ROOT, "vs %s: max abs error %.3e (max |expected| %.3e), relative error %.3e (tolerance %.0e): %s%n",
                expectFile.getFileName(), maxAbs, maxRef, rel, tolerance, rel <= tolerance ? "MATCH" : "MISMATCH");
        return rel <= tolerance ? 0 : UserError.RUN_FAILURE;
    }
}
