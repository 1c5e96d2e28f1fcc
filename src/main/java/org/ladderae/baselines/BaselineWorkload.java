package org.ladderae.baselines;

import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * One thing a baseline is asked to run, as data. {@code workload}/{@code setting} are the chart's
 * panel id and x category (e.g. "matmul"/"M0", "conv"/"C3", "llama"/"BS1 SEQ1"); {@code id} is the
 * short key the benchmark programs echo back ("M0", "C3", "T16384"; models use workload+setting).
 * {@code dims}: M,N,K for a GEMM (NT: C = A[M,K] W[N,K]^T); N,C,H,W,K,R,S,stride,pad for a conv.
 */
public record BaselineWorkload(Kind kind, String workload, String setting, String id, List<Integer> dims,
                               int batch, int seq) {
    public enum Kind { GEMM, CONV, MODEL }

    public BaselineWorkload { dims = List.copyOf(dims); }

    public static BaselineWorkload gemm(String workload, String setting, String id, int m, int n, int k) {
        return new BaselineWorkload(Kind.GEMM, workload, setting, id, List.of(m, n, k), 0, 0);
    }

    public static BaselineWorkload conv(String id, int... nchwkrsStridePad) {
        return new BaselineWorkload(Kind.CONV, "conv", id, id, IntStream.of(nchwkrsStridePad).boxed().toList(), 0, 0);
    }

    /** LLMs (llama, bloom) take a sequence length and are labelled "BS1 SEQ1"; the others "BS1". */
    public static BaselineWorkload model(String model, int batch, int seq) {
        boolean llm = model.equals("llama") || model.equals("bloom");
        String setting = llm ? "BS" + batch + " SEQ" + seq : "BS" + batch;
        return new BaselineWorkload(Kind.MODEL, model, setting, model, List.of(), batch, llm ? seq : 0);
    }

    /** How a benchmark's output line names this workload: the id, plus the setting for models. */
    public String lineKey() { return kind == Kind.MODEL ? workload + "|" + setting : id; }

    /** {@code NAME:d1,d2,...} as the benchmark programs take shapes. */
    public String shapeArgument() {
        return id + ":" + String.join(",", dims.stream().map(String::valueOf).toList());
    }

    /** Figure 12's matmul panel, M0-M5 (EXPERIMENTS.md 5.3). */
    public static List<BaselineWorkload> figure12Gemms() {
        return List.of(gemm("matmul", "M0", "M0", 1, 14336, 57344), gemm("matmul", "M1", "M1", 32, 14336, 57344),
                gemm("matmul", "M2", "M2", 4096, 14336, 57344), gemm("matmul", "M3", "M3", 1, 8192, 28672),
                gemm("matmul", "M4", "M4", 32, 8192, 28672), gemm("matmul", "M5", "M5", 4096, 8192, 28672));
    }

    /** Table 1's 16384^3 NT GEMM. */
    public static BaselineWorkload table1Gemm() {
        return gemm("gemm", "16384x16384x16384", "T16384", 16384, 16384, 16384);
    }

    /** Figure 12's conv panel, C0-C7: N,C,H,W,K,R,S,stride,pad (EXPERIMENTS.md 5.3). */
    public static List<BaselineWorkload> figure12Convs() {
        return List.of(conv("C0", 128, 64, 56, 56, 64, 3, 3, 1, 1), conv("C1", 128, 64, 56, 56, 64, 1, 1, 1, 0),
                conv("C2", 128, 128, 28, 28, 128, 3, 3, 1, 1), conv("C3", 128, 512, 28, 28, 128, 1, 1, 1, 0),
                conv("C4", 1, 64, 56, 56, 64, 3, 3, 1, 1), conv("C5", 1, 64, 56, 56, 64, 1, 1, 1, 0),
                conv("C6", 1, 128, 28, 28, 128, 3, 3, 1, 1), conv("C7", 1, 512, 28, 28, 128, 1, 1, 1, 0));
    }

    /** Figure 9 (and, for the LLMs, Figure 11): LLaMA/BLOOM in three settings, the CNNs etc. at BS1/BS128. */
    public static List<BaselineWorkload> figure9Models() {
        Stream<BaselineWorkload> llms = Stream.of("llama", "bloom").flatMap(m ->
                Stream.of(model(m, 1, 1), model(m, 32, 1), model(m, 1, 4096)));
        Stream<BaselineWorkload> others = Stream.of("resnet", "shufflenet", "conformer", "vit").flatMap(m ->
                Stream.of(model(m, 1, 0), model(m, 128, 0)));
        return Stream.concat(llms, others).toList();
    }

    public static List<BaselineWorkload> llmModels() {
        return figure9Models().stream().filter(w -> w.seq() > 0).toList();
    }

    public static List<BaselineWorkload> cnnModels() {
        return figure9Models().stream().filter(w -> w.workload().equals("resnet") || w.workload().equals("shufflenet")).toList();
    }

    /** Everything the baselines command measures by default. */
    public static List<BaselineWorkload> all() {
        return Stream.of(figure12Gemms(), List.of(table1Gemm()), figure12Convs(), figure9Models())
                .flatMap(List::stream).toList();
    }
}
