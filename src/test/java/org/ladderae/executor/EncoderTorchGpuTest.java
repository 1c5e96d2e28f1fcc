package org.ladderae.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.ladderae.formats.ActivationFormat;
import org.ladderae.gpu.CudaContext;
import org.ladderae.gpu.GpuTestSupport;
import org.ladderae.kernels.GemmRunner;
import org.ladderae.kernels.GemvRunner;
import org.ladderae.kernels.GemvStage;
import org.ladderae.kernels.KernelCache;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.models.ModelGraph;
import org.ladderae.models.io.NpyArray;
import org.ladderae.models.reference.DenseTensor;
import org.ladderae.models.reference.LayerComparison;
import org.ladderae.models.reference.SeededWeights;

/**
 * The full ViT-S/32 and Conformer on the executor against PyTorch on the same GPU with the same weights: the seeded
 * weights (decoded from their format: FP16, or FP8 E5M2 values that PyTorch then runs in FP16) and input go out as .npy,
 * {@code baselines/torch_encoder_check.py} builds the model the PyTorch baseline builds (timm / torchaudio), loads them and
 * writes its FP16 output and an FP32 one (TF32 off).
 * <p>Tolerance: PyTorch's FP16 output is itself an approximation, at relative distance e16 from its FP32 output; two
 * FP16 implementations that round differently can each be that far from the exact result, so ours must be within
 * max(1e-2, 2 e16) of PyTorch FP16 (1e-2: the executor's whole-layer FP16 tolerance) and no further than that from FP32.
 */
@Tag("gpu")
class EncoderTorchGpuTest {
    private static CudaContext context;
    private static KernelCache cache;
    private static GemvRunner gemv;
    private static GemmRunner gemm;
    @TempDir static Path dir;

    @BeforeAll
    static void open() throws Exception {
        context = GpuTestSupport.context();
        String why = missingPython();
        if (why != null) System.out.println("[skip] PyTorch comparison: " + why);
        Assumptions.assumeTrue(why == null, () -> "PyTorch comparison: " + why);
        cache = KernelCache.defaultCache();
        gemv = new GemvRunner(context, cache);
        gemm = new GemmRunner(context, cache);
        for (String s : List.of("torch_bench.py", "torch_encoder_check.py"))
            try (InputStream in = EncoderTorchGpuTest.class.getResourceAsStream("/baselines/" + s)) {
                Files.copy(in, dir.resolve(s));
            }
    }

    @AfterAll
    static void close() {
        if (gemv != null) gemv.close();
        if (gemm != null) gemm.close();
    }

    private static String missingPython() throws InterruptedException {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import torch, timm, torchaudio, numpy; assert torch.cuda.is_available()").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor() == 0 ? null : "python3 lacks torch with CUDA, timm, torchaudio or numpy: " + out.lines().reduce((a, b) -> b).orElse("");
        } catch (IOException e) {
            return "no python3: " + e.getMessage();
        }
    }

    static Stream<Arguments> points() {
        return Stream.of(Arguments.of("vit", 1, WeightFormat.FP16), Arguments.of("vit", 128, WeightFormat.FP16), Arguments.of("vit", 128, WeightFormat.FP8_E5M2),
                Arguments.of("conformer", 1, WeightFormat.FP16), Arguments.of("conformer", 128, WeightFormat.FP16));
    }

    @ParameterizedTest(name = "{0} BS{1} W_{2}")
    @MethodSource("points")
    void fullModelMatchesPyTorch(String model, int batch, WeightFormat w) throws Exception {
        long seed = 23;
        ModelGraph g = EncoderBench.graph(model, true, batch, w, ActivationFormat.FP16);
        EncoderExecutorGpuTest.prebuild(cache, context, g, null);
        Path run = Files.createDirectories(dir.resolve(model + batch + w)), weights = Files.createDirectories(run.resolve("weights"));
        for (Map.Entry<String, DenseTensor> e : SeededWeights.decodedWeights(g, seed).entrySet())
            new NpyArray(e.getValue().shape(), e.getValue().values()).writeFp16(weights.resolve(e.getKey() + ".npy"));
        Map<String, DenseTensor> inputs = SeededWeights.inputs(g, seed);
        DenseTensor x = inputs.values().iterator().next();
        new NpyArray(x.shape(), x.values()).writeFp16(run.resolve("input.npy"));

        Process p = new ProcessBuilder("python3", dir.resolve("torch_encoder_check.py").toString(), "--model", model, "--weights", weights.toString(),
                "--input", run.resolve("input.npy").toString(), "--out", run.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
        System.out.println(log.strip());
        assertThat(p.exitValue()).as(log).isZero();

        DenseTensor ours;
        try (LayerExecutor ex = new LayerExecutor(context, cache, gemv, gemm, g, GemvStage.HOLISTIC, new LayerExecutor.Weights.Seeded(seed), Map.of())) {
            ours = ex.run(inputs);
        }
        DenseTensor t16 = npy(run.resolve("expected_fp16.npy")), t32 = npy(run.resolve("expected_fp32.npy"));
        double e16 = LayerComparison.relativeFrobeniusError(t32, t16), vs16 = LayerComparison.relativeFrobeniusError(t16, ours),
                vs32 = LayerComparison.relativeFrobeniusError(t32, ours), tol = Math.max(LayerComparison.FP16_LAYER_TOLERANCE, 2 * e16);
        System.out.printf(Locale.ROOT, "%s BS%d W_%s vs PyTorch: ours-torch16 %.2e, ours-torch32 %.2e, torch16-torch32 %.2e (tolerance %.1e)%n",
                model, batch, w, vs16, vs32, e16, tol);
        assertThat(ours.allFinite()).isTrue();
        assertThat(vs16).as("relative error against PyTorch FP16").isLessThanOrEqualTo(tol);
        assertThat(vs32).as("relative error against PyTorch FP32").isLessThanOrEqualTo(tol);
    }

    private static DenseTensor npy(Path f) throws IOException {
        NpyArray a = NpyArray.read(f);
        return new DenseTensor(a.shape(), a.values());
    }
}
