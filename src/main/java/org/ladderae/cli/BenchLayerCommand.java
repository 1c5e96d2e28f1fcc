package org.ladderae.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.ladderae.executor.EncoderBench;
import org.ladderae.executor.LayerBench;
import org.ladderae.gpu.CudaContext;
import org.ladderae.kernels.GemmRunner;
import org.ladderae.kernels.GemvRunner;
import org.ladderae.kernels.GemvStage;
import org.ladderae.kernels.KernelBuildException;
import org.ladderae.kernels.KernelCache;
import org.ladderae.formats.ActivationFormat;
import org.ladderae.kernels.WeightFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ladder-ae bench layer}: one LLaMA-2-70B decoder layer or BLOOM-176B block on our kernels. Each format is first
 * checked on the small layer of the same structure (same kernel configurations) against the double-precision CPU
 * reference on the same decoded weights, then the full-size layer is timed; the FP16 layer runs in the same
 * invocation so the ratio to FP16 is measured, not assumed.
 */
@Command(name = "layer", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"One LLM layer (LLaMA-2-70B decoder layer or BLOOM-176B block) on Ladder's kernels: checked on the small layer of "
                + "the same structure and format against the CPU reference, then timed at full size beside the FP16 layer."})
public final class BenchLayerCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "llama",
            description = "llama or bloom (one layer), or vit or conformer (the whole encoder model at --batch; --seq and --stage do not apply).")
    String model;

    @Option(names = "--batch", defaultValue = "1") int batch;

    @Option(names = "--seq", defaultValue = "1") int seq;

    @Option(names = "--weights", defaultValue = "fp16", split = ",",
            description = "fp16, int8, int4, int2, int1, nf4, fp8 (E5M2), mxfp8; several, comma-separated. INTx/NF4 carry one FP16 scale (and zero) per output row.")
    List<String> weights;

    @Option(names = "--acts", defaultValue = "fp16",
            description = "fp16, int8, int4 or mxfp8: activations quantised before every linear (per-token INT8/INT4 with INTx weights, MXFP8 with MXFP8 weights).")
    String acts;

    @Option(names = "--stage", defaultValue = "holistic", description = "baseline, transform, ptx or holistic (GEMV layers, M <= 16; the GEMM has the holistic kernel only).")
    String stage;

    @Option(names = "--build-only", paramLabel = "ARCH",
            description = "Only compile every kernel these points load for ARCH (e.g. sm_90a) into the kernel cache; needs nvcc, no GPU.")
    String buildOnlyArch;

    @Option(names = "--per-op", description = "Also profile the full-size layer op by op (events between launches; median of 20 runs): op, ms, share.")
    boolean perOp;

    @Option(names = "--device", defaultValue = "0") int device;

    @Option(names = "--seed", defaultValue = "20261125") long seed;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (!List.of("llama", "bloom", "vit", "conformer").contains(model))
            throw new UserError(UserError.USAGE, "--model must be llama, bloom, vit or conformer, not '" + model + "'");
        boolean encoder = model.equals("vit") || model.equals("conformer");
        if (batch < 1 || seq < 1) throw new UserError(UserError.USAGE, "--batch and --seq must be positive");
        GemvStage st = null;
        for (GemvStage g : GemvStage.values()) if (g.token().equalsIgnoreCase(stage) || g.name().equalsIgnoreCase(stage)) st = g;
        if (st == null) throw new UserError(UserError.USAGE, "unknown stage '" + stage + "': use baseline, transform, ptx or holistic");
        List<WeightFormat> formats = new ArrayList<>();
        try {
            for (String w : weights) formats.add(WeightFormat.parse(w));
        } catch (IllegalArgumentException e) {
            throw new UserError(UserError.USAGE, "unknown weight format in " + weights + ": use fp16, int8, int4, int2, int1, nf4, fp8 or mxfp8");
        }
        ActivationFormat a;
        try {
            a = ActivationFormat.parse(acts);
        } catch (IllegalArgumentException e) {
            throw new UserError(UserError.USAGE, "unknown activation format '" + acts + "': use fp16, int8, int4 or mxfp8");
        }
        // The "vs FP16" column needs the W_FP16A_FP16 layer measured in this run: it goes first.
        List<Layer> layers = new ArrayList<>(List.of(new Layer(WeightFormat.FP16, ActivationFormat.FP16)));
        for (WeightFormat w : formats) if (w != WeightFormat.FP16 || a != ActivationFormat.FP16) layers.add(new Layer(w, a));
        if (buildOnlyArch != null) return buildOnly(out, st, layers, encoder);
        CudaContext ctx = BenchCommand.openDevice(device);
        KernelCache cache = KernelCache.defaultCache();
        out.println((encoder ? "model " + model + " BS" + batch : "layer " + model + " BS" + batch + " SEQ" + seq + ", stage " + st.token())
                + ", on " + ctx.device().describe());
        out.printf(Locale.ROOT, "%-14s %-7s %10s %11s %8s %12s %12s %10s %9s %9s  %s%n", "formats", "check", "median ms", "launched ms", "cv %",
                "weights MiB", "peak MiB", "own MiB", "GB/s", "vs FP16", "check detail");
        boolean allOk = true;
        Double fp16Ms = null;
        GemvRunner gemv = new GemvRunner(ctx, cache);
        try (GemmRunner gemm = new GemmRunner(ctx, cache)) {
            for (Layer layer : layers) {
                WeightFormat w = layer.weights();
                String label = layer.label();
                LayerBench.Result r;
                try {
                    r = encoder ? EncoderBench.measure(ctx, cache, gemv, gemm, model, batch, w, layer.acts(), seed)
                            : LayerBench.measure(ctx, cache, gemv, gemm, model, batch, seq, w, layer.acts(), st, seed);
                } catch (IllegalArgumentException e) {
                    out.printf(Locale.ROOT, "%-14s %-7s %10s  n/a: %s%n", label, "-", "-", e.getMessage());
                    continue;
                } catch (KernelBuildException e) {
                    throw new UserError(UserError.RUN_FAILURE, e.getMessage());
                }
                if (!r.ok()) {
                    allOk = false;
                    out.printf(Locale.ROOT, "%-14s %-7s %10s  not timed%s  %s%n", label, "FAIL", "-",
                            r.timing() != null && !r.fullOutputFinite() ? " (full-size output not finite)" : "", r.check().describe());
                    continue;
                }
                double ms = r.timing().medianMs();
                if (w == WeightFormat.FP16 && layer.acts() == ActivationFormat.FP16) fp16Ms = ms;
                out.printf(Locale.ROOT, "%-14s %-7s %10.4f %11.4f %8.1f %12.1f %12.1f %10.1f %9.0f %9s  %s%n", label, "pass", ms,
                        r.launchTiming().medianMs(), 100 * r.timing().cv(), r.weightBytes() / 1048576.0, r.memory().peakMib(), r.memory().ownMib(),
                        r.weightBytes() / (ms * 1e-3) / 1e9, fp16Ms == null ? "n/a" : String.format(Locale.ROOT, "%.2fx", fp16Ms / ms), r.check().describe());
                if (r.graphFailure() != null) out.println("  median ms is kernel by kernel: " + r.graphFailure());
                out.println("  launches: " + String.join(", ", r.launches()));
                if (perOp) printPerOp(out, encoder ? EncoderBench.profile(ctx, cache, gemv, gemm, model, batch, w, layer.acts(), seed, 20)
                        : LayerBench.profile(ctx, cache, gemv, gemm, model, batch, seq, w, layer.acts(), st, seed, 20));
                out.flush();
            }
        } finally {
            gemv.close();
        }
        out.println("median ms: the layer replayed as one CUDA graph (cuGraphLaunch); launched ms: the same launches queued one by one (cuLaunchKernel). "
                + "peak MiB: device memory in use (cuMemGetInfo) sampled after every launch of one run, the CUDA context included; own MiB: the executor's allocations. "
                + "GB/s: weight bytes per median time. vs FP16: FP16 layer time / this time, same run.");
        return allOk ? 0 : UserError.RUN_FAILURE;
    }

    /** Longer profiles (a whole encoder model) are summed over repeated blocks: op names with their numbers replaced by '#'. */
    static final int MAX_LISTED_OPS = 40;

    /** The per-op table of {@code --per-op}: op, median ms, share of the summed medians (ops of repeated blocks summed when long). */
    private static void printPerOp(PrintWriter out, List<org.ladderae.executor.LayerExecutor.OpTime> ops) {
        double total = 0;
        for (var o : ops) total += o.medianMs();
        java.util.Map<String, double[]> rows = new java.util.LinkedHashMap<>();   // name -> {ms, count}
        boolean grouped = ops.size() > MAX_LISTED_OPS;
        for (var o : ops) {
            double[] r = rows.computeIfAbsent(grouped ? opKind(o.name()) : o.name(), k -> new double[2]);
            r[0] += o.medianMs();
            r[1]++;
        }
        List<java.util.Map.Entry<String, double[]>> list = new ArrayList<>(rows.entrySet());
        if (grouped) list.sort((x, y) -> Double.compare(y.getValue()[0], x.getValue()[0]));
        out.printf(Locale.ROOT, "  %-60s %10s %8s%s%n", grouped ? "op (summed over its repeats)" : "op", "ms", "share", grouped ? "  launches" : "");
        for (var e : list)
            out.printf(Locale.ROOT, "  %-60s %10.4f %7.1f%%%s%n", e.getKey(), e.getValue()[0], 100 * e.getValue()[0] / total,
                    grouped ? String.format(Locale.ROOT, "  %9d", (int) e.getValue()[1]) : "");
        out.printf(Locale.ROOT, "  %-60s %10.4f %7.1f%%%n", "sum (events between launches, no L2 flush)", total, 100.0);
    }

    /** An op's name with block and layer numbers replaced by '#' ("blocks.3.ffn1 (k)" -> "blocks.#.ffn1 (k)"). */
    static String opKind(String name) { return name.replaceAll("(?<=\\.)\\d+(?=[. ]|$)", "#"); }

    /** One layer format of the run. */
    private record Layer(WeightFormat weights, ActivationFormat acts) {
        String label() { return "W_" + weights + "A_" + acts; }
    }

    private int buildOnly(PrintWriter out, GemvStage st, List<Layer> layers, boolean encoder) {
        org.ladderae.kernels.TargetArch arch;
        try {
            arch = org.ladderae.kernels.TargetArch.parse(buildOnlyArch);
        } catch (IllegalArgumentException e) {
            throw new UserError(UserError.USAGE, e.getMessage());
        }
        KernelCache cache = KernelCache.defaultCache();
        if (cache.nvcc().isEmpty()) throw new UserError(UserError.RUN_FAILURE, "--build-only needs nvcc on PATH");
        String point = model + " BS" + batch + (encoder ? "" : " SEQ" + seq);   // the encoders run whole models: no --seq
        for (Layer layer : layers) {
            try {
                int n = encoder ? EncoderBench.build(cache, arch, model, batch, layer.weights(), layer.acts())
                        : LayerBench.build(cache, arch, model, batch, seq, layer.weights(), layer.acts(), st);
                out.printf(Locale.ROOT, "built %d kernels for %s %s (%s) into %s%n", n, point, layer.label(), arch.smName(), cache.root());
            } catch (IllegalArgumentException e) {
                out.printf(Locale.ROOT, "n/a: %s %s: %s%n", point, layer.label(), e.getMessage());
            } catch (KernelBuildException e) {
                throw new UserError(UserError.RUN_FAILURE, e.getMessage());
            }
        }
        return 0;
    }
}
