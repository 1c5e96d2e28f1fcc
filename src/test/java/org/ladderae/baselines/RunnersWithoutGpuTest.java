package org.ladderae.baselines;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.ladderae.results.Measurement;

/** The n/a paths and the runners' handling of canned output, with fake interpreters instead of a GPU. */
@DisabledOnOs(OS.WINDOWS)
class RunnersWithoutGpuTest {
    @TempDir Path dir;

    BaselineRunner.Options options() {
        return new BaselineRunner.Options("unused", true, Duration.ofSeconds(20), dir.resolve("cache"));
    }

    @Test
    void torchWithoutAnInterpreterIsNotAvailableForEveryWorkload() {
        TorchRunner torch = new TorchRunner(dir.resolve("no-python").toString(), dir.resolve("cache"));
        Detection d = torch.detect();
        assertThat(d.available()).isFalse();
        assertThat(d.reason()).contains("not found").contains("--python");
        List<Measurement> ms = torch.run(List.of(BaselineWorkload.figure12Gemms().get(0), BaselineWorkload.model("llama", 1, 1)), options());
        // M0: matmul + three low-bit references; llama: eager + Inductor.
        assertThat(ms).hasSize(6).allSatisfy(m -> {
            assertThat(m.status()).isEqualTo(Measurement.Status.NA);
            assertThat(m.reason()).isEqualTo(d.reason());
        });
        assertThat(ms).extracting(Measurement::system)
                .containsExactly("PyTorch-matmul", "PyTorch-tinygemm", "PyTorch-int_mm", "PyTorch-scaled_mm", "PyTorch", "PyTorch-Inductor");
    }

    @Test
    void torchThatSeesNoGpuIsNotAvailable() throws Exception {
        Path python = FakePrograms.script(dir, "python", "echo '{\"torch\": \"2.11.0\", \"cuda_available\": false}'");
        Detection d = new TorchRunner(python.toString(), dir.resolve("cache")).detect();
        assertThat(d.available()).isFalse();
        assertThat(d.reason()).isEqualTo("torch 2.11.0 sees no CUDA device");
    }

    @Test
    void torchRunnerPassesShapesAndKeepsTheScriptsRecords() throws Exception {
        // The fake interpreter answers 'env' as available, and each model run with one canned line
        // naming the model and setting it was given; it echoes its arguments to a file for the check.
        Path args = dir.resolve("args.txt");
        Path python = FakePrograms.script(dir, "python", String.join("\n",
                "echo \"$@\" >> " + args,
                "case \"$*\" in",
                "  *' env'*) echo '{\"torch\": \"2.11.0\", \"cuda_available\": true, \"device\": \"Fake\"}' ;;",
                // eager prints its record, then Inductor crashes the process
                "  *'--modes eager,inductor --run vit:128:0'*) echo '{\"system\":\"PyTorch\",\"workload\":\"vit\",\"setting\":\"BS128\",\"formats\":\"W_FP16A_FP16\",\"status\":\"ok\",\"median_ms\":4.5,\"samples_ms\":[4.5],\"device\":\"Fake\",\"extras\":{\"driver_used_peak_mb\":1472.8}}'",
                "     echo 'torch._dynamo.exc.BackendCompilerFailed: boom' >&2; exit 1 ;;",
                "esac"));
        TorchRunner torch = new TorchRunner(python.toString(), dir.resolve("cache"));
        assertThat(torch.detect().available()).isTrue();
        List<Measurement> ms = torch.run(List.of(BaselineWorkload.model("vit", 128, 0)), options());
        assertThat(ms).hasSize(2);
        assertThat(ms.get(0).status()).isEqualTo(Measurement.Status.OK);
        assertThat(ms.get(0).extras()).containsEntry("driver_used_peak_mb", 1472.8);
        assertThat(ms.get(1).system()).isEqualTo("PyTorch-Inductor");
        assertThat(ms.get(1).status()).isEqualTo(Measurement.Status.FAILED);
        assertThat(ms.get(1).reason()).startsWith("exit status 1").contains("BackendCompilerFailed: boom");
        assertThat(java.nio.file.Files.readString(args)).contains("torch_bench.py --warmup 3 --iters 10 model --modes eager,inductor --run vit:128:0");
    }

    @Test
    void cpuOnlyOnnxRuntimeIsNotAvailableWithItsProviders() throws Exception {
        Path python = FakePrograms.script(dir, "python", "echo '{\"version\": \"1.30.0\", \"providers\": [\"AzureExecutionProvider\", \"CPUExecutionProvider\"]}'");
        OnnxRuntimeRunner ort = new OnnxRuntimeRunner(python.toString());
        assertThat(ort.detect().reason()).contains("onnxruntime 1.30.0 has no CUDAExecutionProvider")
                .contains("CPUExecutionProvider");
        List<Measurement> ms = ort.run(BaselineWorkload.all(), options());
        assertThat(ms).hasSize(BaselineWorkload.figure9Models().size())
                .allSatisfy(m -> assertThat(m.status()).isEqualTo(Measurement.Status.NA));
    }

    @Test
    void notAvailableRunnersSayWhatIsMissingAndNeverGiveANumber() throws Exception {
        Path python = FakePrograms.script(dir, "python", "echo \"ModuleNotFoundError: No module named 'vllm'\" >&2; exit 1");
        NotAvailableRunner vllm = new NotAvailableRunner("vLLM", org.ladderae.paperdata.FormatPair.FP16, BaselineWorkload.llmModels(),
                Detectors.pythonImport(python.toString(), "vllm", "vLLM"));
        assertThat(vllm.detect().reason()).isEqualTo("'import vllm' fails in " + python + " (vLLM not installed): ModuleNotFoundError: No module named 'vllm'");
        List<Measurement> ms = vllm.run(BaselineWorkload.all(), options());
        assertThat(ms).hasSize(6).allSatisfy(m -> {
            assertThat(m.status()).isEqualTo(Measurement.Status.NA);
            assertThat(m.timing()).isNull();
        });

        NotAvailableRunner trt = new NotAvailableRunner("TensorRT", org.ladderae.paperdata.FormatPair.FP16, BaselineWorkload.figure9Models(),
                Detectors.onPath("ladder-ae-no-such-trtexec", "TensorRT"));
        assertThat(trt.detect().reason()).isEqualTo("ladder-ae-no-such-trtexec not on PATH (TensorRT not installed)");

        NotAvailableRunner present = new NotAvailableRunner("Roller", org.ladderae.paperdata.FormatPair.FP16,
                List.of(BaselineWorkload.table1Gemm()), () -> null);
        assertThat(present.detect().reason()).contains("found on this machine, but ladder-ae has no runner for Roller");
    }

    @Test
    void cublasWithoutNvccIsNotAvailable() {
        CublasRunner cublas = new CublasRunner(dir.resolve("no-nvcc").toString());
        assertThat(cublas.detect().reason()).startsWith("nvcc not found");
        List<Measurement> ms = cublas.run(List.of(BaselineWorkload.table1Gemm()), options());
        assertThat(ms).hasSize(CublasRunner.expected().size()).allSatisfy(m -> assertThat(m.status()).isEqualTo(Measurement.Status.NA));
    }

    @Test
    void cublasFp32AccumulateLinesGetTheirOwnSystemName() throws Exception {
        JsonLines.Parsed p = JsonLines.parse(JsonLinesTest.fixture());
        List<Measurement> relabelled = p.lines().stream().map(CublasRunner::relabel)
                .filter(m -> m.system().startsWith("cuBLAS") && m.workload().equals("T16384")).toList();
        assertThat(relabelled).extracting(m -> m.system() + " " + m.formats().label()).containsExactly(
                "cuBLAS W_FP16A_FP16", "cuBLAS-FP32acc W_FP16A_FP16", "cuBLAS W_FP32A_FP32", "cuBLAS W_INT8A_INT8",
                "cuBLAS W_FP8E4M3A_FP8E4M3");
    }

    @Test
    void theRegistryCoversEveryBaselineOfThePaper() {
        List<String> families = Baselines.all("python3", dir).stream().map(BaselineRunner::system).distinct().toList();
        assertThat(families).containsExactly("cuBLAS", "PyTorch", "ONNXRuntime", "TensorRT", "vLLM", "Welder", "AMOS",
                "TensorIR", "Roller", "CUTLASS");
        assertThat(Baselines.select(Baselines.all("python3", dir), "vllm")).hasSize(2);
    }
}
