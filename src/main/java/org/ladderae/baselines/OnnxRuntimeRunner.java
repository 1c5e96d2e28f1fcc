package org.ladderae.baselines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ladderae.env.Subprocess;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.results.Measurement;

/**
 * ONNXRuntime for Figure 9/11. The paper ran it with the CUDA execution provider; a CPU-only
 * onnxruntime is no such baseline, so without {@code CUDAExecutionProvider} every model is n/a with
 * that reason. With a CUDA provider the models would first have to be exported to FP16 ONNX, which
 * this harness does not do yet: also n/a, saying so, rather than a number from another setup.
 */
public final class OnnxRuntimeRunner implements BaselineRunner {
    public static final String SYSTEM = "ONNXRuntime";
    static final String PROBE = "import json, onnxruntime as o; print(json.dumps({'version': o.__version__, "
            + "'providers': o.get_available_providers()}))";

    private final String python;

    public OnnxRuntimeRunner(String python) { this.python = python; }

    @Override public String system() { return SYSTEM; }

    @Override public List<BaselineWorkload> workloads() { return BaselineWorkload.figure9Models(); }

    @Override
    public Detection detect() {
        Subprocess.Result r;
        try {
            r = Subprocess.run(List.of(python, "-c", PROBE), Duration.ofMinutes(1));
        } catch (IOException e) {
            return Detection.notAvailable(python + " not found, so onnxruntime cannot be looked for");
        }
        if (!r.ok()) {
            return Detection.notAvailable("onnxruntime not importable in " + python + ": "
                    + (r.timedOut() ? "timed out" : BenchmarkProcess.lastLines(r.stderr(), 1)));
        }
        try {
            JsonNode info = new ObjectMapper().readTree(BenchmarkProcess.lastLines(r.stdout(), 1));
            List<String> providers = new ArrayList<>();
            info.path("providers").forEach(p -> providers.add(p.asText()));
            String version = info.path("version").asText("?");
            if (!providers.contains("CUDAExecutionProvider")) {
                return Detection.notAvailable("onnxruntime " + version + " has no CUDAExecutionProvider (providers: "
                        + String.join(", ", providers) + "); the paper's baseline runs on the GPU");
            }
            return new Detection(false, "onnxruntime " + version + " has a CUDA provider, but ladder-ae does not export the "
                    + "models to FP16 ONNX yet, so no number is reported", Map.of("onnxruntime", version));
        } catch (IOException e) {
            return Detection.notAvailable("onnxruntime probe printed no JSON: " + BenchmarkProcess.lastLines(r.stdout(), 1));
        }
    }

    @Override
    public List<Measurement> run(List<BaselineWorkload> requested, Options options) {
        String reason = detect().reason();
        return requested.stream().filter(w -> w.kind() == BaselineWorkload.Kind.MODEL)
                .map(w -> Measurement.notAvailable(SYSTEM, FormatPair.FP16, w.workload(), w.setting(), reason)).toList();
    }
}
