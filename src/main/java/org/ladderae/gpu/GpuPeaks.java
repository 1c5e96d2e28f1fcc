package org.ladderae.gpu;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Predicate;
import org.ladderae.paperdata.NumberFormat;

/**
 * Datasheet dense (not 2:4-sparse) tensor-core peaks per GPU model, in TFLOP/s (TOP/s for INT8),
 * for Table 1's percent of peak. NVIDIA's datasheets print the sparse figure with an asterisk; the
 * dense one is half of it. A GPU not listed has no peak here: callers report TFLOP/s and say so.
 */
public final class GpuPeaks {
    /** One model: how its device names look, its peaks per compute format, and where they come from. */
    public record Peaks(String model, Map<NumberFormat, Double> denseTflops, String source, String note) {
        public Peaks { denseTflops = Map.copyOf(denseTflops); }

        /** The peak for a format (FP8 E4M3 and E5M2 share one); empty when the GPU has no tensor cores for it. */
        public OptionalDouble peak(NumberFormat f) {
            Double v = denseTflops.get(f == NumberFormat.FP8_E4M3 ? NumberFormat.FP8 : f);
            return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
        }
    }

    private record Entry(Predicate<String> matches, Peaks peaks) {}

    private static final Map<NumberFormat, Double> H100_SXM = Map.of(NumberFormat.FP16, 989.4, NumberFormat.BF16, 989.4,
            NumberFormat.FP8, 1978.9, NumberFormat.INT8, 1978.9);
    private static final Map<NumberFormat, Double> A100 = Map.of(NumberFormat.FP16, 312.0, NumberFormat.BF16, 312.0, NumberFormat.INT8, 624.0);

    /** Most specific first: "H100 PCIe" and "H100 NVL" must not fall through to the SXM entry. */
    private static final List<Entry> TABLE = List.of(
            new Entry(n -> n.contains("H100") && (n.contains("PCIE") || n.contains("NVL")), null),
            new Entry(n -> n.contains("H100") && (n.contains("SXM") || n.contains("HBM3")), new Peaks("H100 SXM", H100_SXM,
                    "NVIDIA H100 Tensor Core GPU datasheet (SXM column; sparsity figures halved)", null)),
            new Entry(n -> n.contains("H200") && n.contains("NVL"), null),
            new Entry(n -> n.contains("H200"), new Peaks("H200 SXM", H100_SXM,
                    "NVIDIA H200 Tensor Core GPU datasheet (SXM column; sparsity figures halved)", "same tensor compute as the H100 SXM")),
            new Entry(n -> n.contains("A100"), new Peaks("A100", A100,
                    "NVIDIA A100 Tensor Core GPU datasheet (sparsity figures halved)", "no FP8 tensor cores")),
            new Entry(n -> n.contains("V100") && n.contains("PCIE"), new Peaks("V100 PCIe", Map.of(NumberFormat.FP16, 112.0),
                    "NVIDIA Tesla V100 datasheet (PCIe column)", "the paper's Table 1 used 112 TFLOPS for its V100")),
            new Entry(n -> n.contains("V100"), new Peaks("V100 SXM2", Map.of(NumberFormat.FP16, 125.0),
                    "NVIDIA Tesla V100 datasheet (SXM2 column)", "the paper's Table 1 used 112 TFLOPS (the PCIe figure), not 125")));

    private GpuPeaks() {}

    /**
     * The peaks of the GPU whose driver name is {@code deviceName} (e.g. "NVIDIA H100 80GB HBM3");
     * empty for a model not in the table, including H100 PCIe/NVL and H200 NVL whose clocks differ.
     */
    /**
     * The tensor precision whose peak a tensor-core GEMM with these activations (a GemmConfig.Format name) is measured
     * against: 8-bit activations compute in INT8 or FP8, FP16 ones (whatever the weights decode from) in FP16.
     */
    public static NumberFormat computeFormatOfGemm(String activationFormat) {
        return switch (activationFormat) {
            case "INT8", "INT4" -> NumberFormat.INT8;   // INT4 activations are unpacked to s8 (no INT4 MMA on Hopper)
            case "FP8_E4M3" -> NumberFormat.FP8_E4M3;
            case "FP8_E5M2", "MXFP8" -> NumberFormat.FP8;
            default -> NumberFormat.FP16;
        };
    }

    public static Optional<Peaks> forDevice(String deviceName) {
        String n = deviceName.toUpperCase(Locale.ROOT);
        for (Entry e : TABLE) if (e.matches().test(n)) return Optional.ofNullable(e.peaks());
        return Optional.empty();
    }

    /** The line to print when {@link #forDevice} is empty. */
    public static String unknownMessage(String deviceName) {
        return "peak of " + deviceName + " is unknown (not in ladder-ae's datasheet table): TFLOP/s only, no percent of peak";
    }
}
