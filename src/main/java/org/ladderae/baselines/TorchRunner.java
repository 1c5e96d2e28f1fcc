package org.ladderae.baselines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ladderae.env.Subprocess;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.paperdata.NumberFormat;
import org.ladderae.results.Measurement;

/**
 * Everything measured through PyTorch by the shipped {@code baselines/torch_bench.py}, each group in
 * its own process with a timeout: torch.matmul (cuBLAS through PyTorch), the low-bit references
 * (tinygemm INT4, torch._int_mm, FP8 torch._scaled_mm), cuDNN conv2d in NCHW and channels-last,
 * and the end-to-end models in eager mode ("PyTorch") and under torch.compile ("PyTorch-Inductor"),
 * whose records also carry Figure 11's peak memory in their extras. One process per model and
 * setting (eager first, then Inductor), so one crash or hang costs at most that setting's records.
 */
public final class TorchRunner implements BaselineRunner {
    public static final String SYSTEM = "PyTorch";
    public static final String INDUCTOR = "PyTorch-Inductor";
    static final String SCRIPT = "torch_bench.py";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String python;
    private final Path cacheDir;
    private Detection detection;

    public TorchRunner(String python, Path cacheDir) {
        this.python = python;
        this.cacheDir = cacheDir;
    }

    @Override public String system() { return SYSTEM; }

    @Override public List<BaselineWorkload> workloads() { return BaselineWorkload.all(); }

    private static BenchmarkProcess.Expected ex(String system, NumberFormat w, NumberFormat a) {
        return new BenchmarkProcess.Expected(system, new FormatPair(w, a));
    }

    static final List<BenchmarkProcess.Expected> GEMM = List.of(ex("PyTorch-matmul", NumberFormat.FP16, NumberFormat.FP16));
    static final List<BenchmarkProcess.Expected> LOWBIT = List.of(ex("PyTorch-tinygemm", NumberFormat.INT4, NumberFormat.BF16),
            ex("PyTorch-int_mm", NumberFormat.INT8, NumberFormat.INT8),
            ex("PyTorch-scaled_mm", NumberFormat.FP8_E4M3, NumberFormat.FP8_E4M3));
    static final List<BenchmarkProcess.Expected> CONV = List.of(ex("cuDNN", NumberFormat.FP16, NumberFormat.FP16),
            ex("cuDNN-NHWC", NumberFormat.FP16, NumberFormat.FP16));

    @Override
    public boolean reports(String system) {
        return system.equals(SYSTEM) || system.equals(INDUCTOR)
                || java.util.stream.Stream.of(GEMM, LOWBIT, CONV).flatMap(List::stream).anyMatch(e -> e.system().equals(system));
    }

    /** Runs {@code torch_bench.py env}: torch present, CUDA visible, and the model packages' versions. */
    @Override
    public synchronized Detection detect() {
        if (detection != null) return detection;
        Path script;
        try {
            script = new BenchCache(cacheDir).script(SCRIPT);
        } catch (IOException e) {
            return detection = Detection.notAvailable("cannot unpack " + SCRIPT + ": " + e.getMessage());
        }
        Subprocess.Result r;
        try {
            r = Subprocess.run(List.of(python, script.toString(), "env"), Duration.ofMinutes(2));
        } catch (IOException e) {
            return detection = Detection.notAvailable(python + " not found (pass --python PATH to an interpreter with torch)");
        }
        if (!r.ok()) {
            return detection = Detection.notAvailable(python + " cannot run the PyTorch baselines: "
                    + (r.timedOut() ? "timed out" : BenchmarkProcess.lastLines(r.stderr().isBlank() ? r.stdout() : r.stderr(), 1).strip()));
        }
        try {
            JsonNode env = JSON.readTree(BenchmarkProcess.lastLines(r.stdout(), 1));
            if (!env.path("cuda_available").asBoolean(false)) {
                return detection = Detection.notAvailable("torch " + env.path("torch").asText("?") + " sees no CUDA device");
            }
            Map<String, String> versions = new LinkedHashMap<>();
            env.fields().forEachRemaining(e -> { if (!e.getValue().isNull()) versions.put(e.getKey(), e.getValue().asText()); });
            return detection = Detection.available(versions);
        } catch (IOException e) {
            return detection = Detection.notAvailable(SCRIPT + " env printed no JSON: " + BenchmarkProcess.lastLines(r.stdout(), 1));
        }
    }

    @Override
    public List<Measurement> run(List<BaselineWorkload> workloads, Options options) {
        Detection d = detect();
        List<BaselineWorkload> gemms = ofKind(workloads, BaselineWorkload.Kind.GEMM);
        List<BaselineWorkload> convs = ofKind(workloads, BaselineWorkload.Kind.CONV);
        List<BaselineWorkload> models = ofKind(workloads, BaselineWorkload.Kind.MODEL);
        List<Measurement> out = new ArrayList<>();
        if (!d.available()) {
            addNotAvailable(out, gemms, GEMM, d.reason());
            addNotAvailable(out, gemms, LOWBIT, d.reason());
            addNotAvailable(out, convs, CONV, d.reason());
            addNotAvailable(out, models, List.of(ex(SYSTEM, NumberFormat.FP16, NumberFormat.FP16),
                    ex(INDUCTOR, NumberFormat.FP16, NumberFormat.FP16)), d.reason());
            return out;
        }
        Path script;
        try {
            script = new BenchCache(cacheDir).script(SCRIPT);
        } catch (IOException e) {
            return BenchmarkProcess.failAll(workloads, GEMM, "cannot unpack " + SCRIPT + ": " + e.getMessage());
        }
        if (!gemms.isEmpty()) {
            out.addAll(BenchmarkProcess.run(withShapes(base(script, options, "gemm"), gemms), options, null, gemms, GEMM, JsonLines.Line::measurement));
            out.addAll(BenchmarkProcess.run(withShapes(base(script, options, "lowbit"), gemms), options, null, gemms, LOWBIT, JsonLines.Line::measurement));
        }
        if (!convs.isEmpty()) {
            out.addAll(BenchmarkProcess.run(withShapes(base(script, options, "conv"), convs), options, null, convs, CONV, JsonLines.Line::measurement));
        }
        // One process per model and setting runs eager, then Inductor: torch's import and the model build
        // (7-8 s for the LLaMA layer) are paid once, not twice. Records are printed as each mode finishes,
        // so an Inductor crash or timeout keeps the eager record and fails only the Inductor point.
        for (BaselineWorkload m : models) {
            List<String> cmd = base(script, options, "model");
            cmd.addAll(List.of("--modes", "eager,inductor", "--run", m.workload() + ":" + m.batch() + ":" + m.seq()));
            out.addAll(BenchmarkProcess.run(cmd, options, null, List.of(m),
                    List.of(ex(SYSTEM, NumberFormat.FP16, NumberFormat.FP16), ex(INDUCTOR, NumberFormat.FP16, NumberFormat.FP16)),
                    JsonLines.Line::measurement));
        }
        return out;
    }

    private List<String> base(Path script, Options options, String subcommand) {
        return new ArrayList<>(List.of(python, script.toString(), "--warmup", String.valueOf(options.warmup()),
                "--iters", String.valueOf(options.iters()), subcommand));
    }

    private static List<String> withShapes(List<String> cmd, List<BaselineWorkload> workloads) {
        for (BaselineWorkload w : workloads) {
            cmd.add("--shape");
            cmd.add(w.shapeArgument());
        }
        return cmd;
    }

    static List<BaselineWorkload> ofKind(List<BaselineWorkload> workloads, BaselineWorkload.Kind kind) {
        return workloads.stream().filter(w -> w.kind() == kind).toList();
    }

    static void addNotAvailable(List<Measurement> out, List<BaselineWorkload> workloads, List<BenchmarkProcess.Expected> expected, String reason) {
        for (BaselineWorkload w : workloads) {
            for (BenchmarkProcess.Expected e : expected) {
                out.add(Measurement.notAvailable(e.system(), e.formats(), w.workload(), w.setting(), reason));
            }
        }
    }
}
