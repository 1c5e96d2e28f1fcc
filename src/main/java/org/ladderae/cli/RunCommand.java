package org.ladderae.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.LinkedHashMap;
import org.ladderae.executor.LayerExecutor;
import org.ladderae.gpu.CudaContext;
import org.ladderae.kernels.GemmRunner;
import org.ladderae.kernels.GemvKernels;
import org.ladderae.kernels.GemvRunner;
import org.ladderae.kernels.GemvStage;
import org.ladderae.kernels.KernelCache;
import org.ladderae.models.Op;
import org.ladderae.models.Tensor;
import org.ladderae.models.reference.StoredLinearWeight;
import org.ladderae.results.TimingStats;
import org.ladderae.models.io.CompiledModel;
import org.ladderae.models.io.CompiledModelInputs;
import org.ladderae.models.io.NpyArray;
import org.ladderae.models.reference.DenseTensor;
import org.ladderae.models.reference.LayerComparison;
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
        description = {"Run a compiled model (from `ladder-ae compile`) on the GPU on one input and print its output tensor and latency.",
                "--cpu-reference runs the double-precision CPU reference on the very weights the kernels use instead."})
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

    @Option(names = "--device", defaultValue = "0") int device;

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
        NpyArray expected = null;
        if (expect != null) {
            try {
                expected = NpyArray.read(expect);   // read before the run: a bad file fails in one line, not after minutes
            } catch (IOException e) {
                throw new UserError(UserError.USAGE, e.getMessage());
            }
        }
        if (!cpuReference) return runOnGpu(out, cm, inputs, expected);
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
        if (expected != null) return compare(out, y, expect, expected);
        return 0;
    }

    /**
     * The compiled model on the GPU through the layer executor: its weights uploaded as stored (no re-quantisation),
     * one checked run on the input, then the layer timed with CUDA events (median).
     */
    private int runOnGpu(PrintWriter out, CompiledModel cm, Map<String, DenseTensor> inputs, NpyArray expected) throws IOException {
        CudaContext ctx = BenchCommand.openDevice(device);
        KernelCache cache = KernelCache.defaultCache();
        Map<String, StoredLinearWeight> linears = new LinkedHashMap<>();
        Map<String, DenseTensor> others = new LinkedHashMap<>();
        for (Op.Linear l : cm.graph().linears()) linears.put(l.weight(), cm.linear(l));
        for (Tensor t : cm.graph().weights()) if (!linears.containsKey(t.name())) others.put(t.name(), new DenseTensor(t.shape(), cm.values(t.name())));
        GemvRunner gemv = new GemvRunner(ctx, cache);
        GemmRunner gemm = new GemmRunner(ctx, cache);
        try (LayerExecutor ex = new LayerExecutor(ctx, cache, gemv, gemm, cm.graph(), GemvStage.HOLISTIC,
                new LayerExecutor.Weights.Stored(linears, others), Map.of())) {
            DenseTensor y = ex.run(inputs);
            TimingStats t = ex.time();
            String outName = cm.graph().outputs().get(0);
            out.printf(Locale.ROOT, "%s on %s: output %s %s%n", cm.graph().name(), ctx.device().name(), outName, y.shape());
            out.println(preview(y));
            out.printf(Locale.ROOT, "latency: %.4f ms median (min %.4f, cv %.1f%%) over %d runs, CUDA events; %d kernel launches%n",
                    t.medianMs(), t.minMs(), 100 * t.cv(), t.samplesMs().size(), ex.launchNames().size());
            for (var e : ex.choices().entrySet())
                out.println("  " + e.getKey() + ": " + (e.getValue().usesGemm() ? e.getValue().gemm().kernelName() : GemvKernels.spec(e.getValue().gemv()).kernelName()));
            if (save != null) new NpyArray(y.shape(), y.values()).writeFp16(save);
            if (!y.allFinite()) {
                out.println("the output holds non-finite values");
                return UserError.RUN_FAILURE;
            }
            return expected != null ? compare(out, y, expect, expected) : 0;
        } catch (IllegalArgumentException e) {
            throw new UserError(UserError.RUN_FAILURE, "the GPU executor cannot run " + cm.graph().name() + ": " + e.getMessage()
                    + " (--cpu-reference runs the CPU reference instead)");
        } finally {
            gemv.close();
            gemm.close();
        }
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

    private int compare(PrintWriter out, DenseTensor y, Path expectFile, NpyArray e) {
        if (!e.shape().equals(y.shape())) throw new UserError(UserError.USAGE, expectFile + " holds shape " + e.shape() + ", the output is " + y.shape());
        double maxAbs = 0, maxRef = 0;
        for (int i = 0; i < y.size(); i++) {
            maxAbs = Math.max(maxAbs, Math.abs(y.values()[i] - e.values()[i]));
            maxRef = Math.max(maxRef, Math.abs(e.values()[i]));
        }
        double rel = LayerComparison.relativeFrobeniusError(new DenseTensor(e.shape(), e.values()), y);
        out.printf(Locale.ROOT, "vs %s: max abs error %.3e (max |expected| %.3e), relative error %.3e (tolerance %.0e): %s%n",
                expectFile.getFileName(), maxAbs, maxRef, rel, tolerance, rel <= tolerance ? "MATCH" : "MISMATCH");
        return rel <= tolerance ? 0 : UserError.RUN_FAILURE;
    }
}
