package org.ladderae.baselines;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ladderae.env.Subprocess;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.paperdata.NumberFormat;
import org.ladderae.results.Measurement;

/**
 * cuBLAS / cuBLASLt through the project's own C++ benchmark ({@code baselines/cublas_bench.cu}),
 * built with nvcc on first use and cached: FP16 tensor-core GEMM NT with FP16 compute as the paper
 * ("cuBLAS"), the same with FP32 accumulation as torch.matmul uses ("cuBLAS-FP32acc"), FP32 without
 * TF32, INT8 IMMA and FP8 E4M3 through cuBLASLt. Covers Figure 12's M0-M5 and Table 1's 16384^3.
 */
public final class CublasRunner implements BaselineRunner {
    public static final String SYSTEM = "cuBLAS";
    /** FP16 inputs with FP32 accumulation: what torch.matmul calls, kept apart from the paper's FP16-compute series. */
    public static final String SYSTEM_FP32_ACC = "cuBLAS-FP32acc";
    static final List<String> TYPES = List.of("fp16", "fp16acc32", "fp32", "int8", "fp8");

    private final String nvcc;

    public CublasRunner() { this("nvcc"); }

    CublasRunner(String nvcc) { this.nvcc = nvcc; }

    @Override public String system() { return SYSTEM; }

    @Override
    public List<BaselineWorkload> workloads() {
        List<BaselineWorkload> w = new ArrayList<>(BaselineWorkload.figure12Gemms());
        w.add(BaselineWorkload.table1Gemm());
        return w;
    }

    @Override
    public boolean reports(String system) { return expected().stream().anyMatch(e -> e.system().equals(system)); }

    @Override
    public Detection detect() {
        if (!Subprocess.onPath(nvcc) && !java.nio.file.Files.isExecutable(java.nio.file.Path.of(nvcc))) {
            return Detection.notAvailable("nvcc not found (needed to build the cuBLAS benchmark); install the CUDA toolkit");
        }
        try {
            String arch = gpuArch();
            return arch == null ? Detection.notAvailable("no NVIDIA GPU visible (nvidia-smi lists none)")
                    : Detection.available(Map.of("arch", arch));
        } catch (IOException e) {
            return Detection.notAvailable("nvidia-smi not found: no NVIDIA driver on this machine");
        }
    }

    /** sm_XY of GPU 0 from nvidia-smi (sm_90a on Hopper, whose wgmma kernels cuBLAS may use); null if none. */
    static String gpuArch() throws IOException {
        Subprocess.Result r = Subprocess.run(List.of("nvidia-smi", "--query-gpu=compute_cap", "--format=csv,noheader"),
                Duration.ofSeconds(30));
        if (!r.ok() || r.stdout().isBlank()) return null;
        String cap = r.stdout().strip().split("\\R")[0].trim().replace(".", "");
        if (!cap.matches("\\d+")) return null;
        return "sm_" + cap + (cap.equals("90") ? "a" : "");
    }

    static List<BenchmarkProcess.Expected> expected() {
        return List.of(new BenchmarkProcess.Expected(SYSTEM, FormatPair.FP16),
                new BenchmarkProcess.Expected(SYSTEM_FP32_ACC, FormatPair.FP16),
                new BenchmarkProcess.Expected(SYSTEM, new FormatPair(NumberFormat.FP32, NumberFormat.FP32)),
                new BenchmarkProcess.Expected(SYSTEM, new FormatPair(NumberFormat.INT8, NumberFormat.INT8)),
                new BenchmarkProcess.Expected(SYSTEM, new FormatPair(NumberFormat.FP8_E4M3, NumberFormat.FP8_E4M3)));
    }

    /** The benchmark names every line "cuBLAS"; the FP32-accumulate variant gets its own system name here. */
    static Measurement relabel(JsonLines.Line line) {
        Measurement m = line.measurement();
        if (!"fp16acc32".equals(line.raw().path("type").asText())) return m;
        return new Measurement(SYSTEM_FP32_ACC, m.formats(), m.workload(), m.setting(), m.status(), m.timing(), m.reason(),
                m.device(), m.versions(), m.extras());
    }

    @Override
    public List<Measurement> run(List<BaselineWorkload> workloads, Options options) {
        List<BaselineWorkload> mine = workloads.stream().filter(w -> w.kind() == BaselineWorkload.Kind.GEMM).toList();
        if (mine.isEmpty()) return List.of();
        Detection d = detect();
        if (!d.available()) {
            return mine.stream().flatMap(w -> expected().stream()
                    .map(e -> Measurement.notAvailable(e.system(), e.formats(), w.workload(), w.setting(), d.reason()))).toList();
        }
        BenchCache.Build build;
        try {
            build = new BenchCache(options.cacheDir()).buildCublasBench(nvcc, d.versions().get("arch"), Duration.ofMinutes(5));
        } catch (IOException e) {
            build = new BenchCache.Build(null, e.getMessage());
        }
        if (build.binary() == null) return BenchmarkProcess.failAll(mine, expected(), "building cublas_bench failed: " + build.error());
        List<String> cmd = new ArrayList<>(List.of(build.binary().toString(), "--types", String.join(",", TYPES),
                "--warmup", String.valueOf(options.warmup()), "--iters", String.valueOf(options.iters())));
        for (BaselineWorkload w : mine) {
            cmd.add("--shape");
            cmd.add(w.shapeArgument());
        }
        return BenchmarkProcess.run(cmd, options, null, mine, expected(), CublasRunner::relabel);
    }
}
