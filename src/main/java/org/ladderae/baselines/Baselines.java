package org.ladderae.baselines;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.paperdata.NumberFormat;

/** The registry: every baseline family of the paper (EXPERIMENTS.md section 3), measured or n/a. */
public final class Baselines {
    private Baselines() {}

    public static List<BaselineRunner> all(String python, Path cacheDir) {
        FormatPair fp16 = FormatPair.FP16;
        FormatPair int4 = new FormatPair(NumberFormat.INT4, NumberFormat.FP16);
        List<BaselineWorkload> models = BaselineWorkload.figure9Models();
        List<BaselineWorkload> llms = BaselineWorkload.llmModels();
        List<BaselineWorkload> gemms = BaselineWorkload.figure12Gemms();
        List<BaselineWorkload> convs = BaselineWorkload.figure12Convs();
        BaselineWorkload table1 = BaselineWorkload.table1Gemm();
        List<BaselineWorkload> amosWorkloads = concat(BaselineWorkload.cnnModels(), convs, List.of(table1));
        List<BaselineWorkload> tirWorkloads = concat(BaselineWorkload.cnnModels(),
                models.stream().filter(w -> w.workload().equals("vit")).toList(), convs, List.of(table1));
        return List.of(
                new CublasRunner(),
                new TorchRunner(python, cacheDir),
                new OnnxRuntimeRunner(python),
                new NotAvailableRunner("TensorRT", fp16, models, Detectors.onPath("trtexec", "TensorRT")),
                new NotAvailableRunner("vLLM", fp16, llms, Detectors.pythonImport(python, "vllm", "vLLM")),
                new NotAvailableRunner("vLLM", int4, concat(llms, gemms), Detectors.pythonImport(python, "vllm", "vLLM (AWQ INT4)")),
                new NotAvailableRunner("Welder", fp16, models, Detectors.anyOf(List.of(
                        Detectors.onPath("nnfusion", "NNFusion, Welder's front end"),
                        Detectors.pythonImport(python, "welder", "Welder")))),
                new NotAvailableRunner("AMOS", fp16, amosWorkloads, Detectors.pythonImport(python, "tvm.auto_tensorize", "AMOS (TVM fork)")),
                new NotAvailableRunner("TensorIR", fp16, tirWorkloads, Detectors.pythonImport(python, "tvm.meta_schedule", "TVM with MetaSchedule")),
                new NotAvailableRunner("Roller", fp16, List.of(table1), Detectors.pythonImport(python, "roller", "Roller")),
                new NotAvailableRunner("CUTLASS", int4, gemms, Detectors.pythonImport(python, "tvm.relax",
                        "TVM Relax, through which the CUTLASS fpA_intB kernels run")));
    }

    /** Runners whose family name matches {@code only} (case-insensitive); all when {@code only} is null. */
    public static List<BaselineRunner> select(List<BaselineRunner> runners, String only) {
        if (only == null) return runners;
        String want = only.toLowerCase(Locale.ROOT);
        return runners.stream().filter(r -> r.system().toLowerCase(Locale.ROOT).equals(want)).toList();
    }

    @SafeVarargs
    private static List<BaselineWorkload> concat(List<BaselineWorkload>... parts) {
        return Stream.of(parts).flatMap(List::stream).toList();
    }
}
