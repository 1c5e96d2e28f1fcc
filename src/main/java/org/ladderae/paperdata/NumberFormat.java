package org.ladderae.paperdata;

import java.util.Arrays;
import java.util.Optional;

/**
 * The number formats that appear in the paper's series labels (W_xA_y). Only names live here;
 * the bit-exact codecs are in {@code org.ladderae.formats}.
 */
public enum NumberFormat {
    FP32(32), FP16(16),
    /** Only in baseline records: PyTorch's tinygemm INT4 kernel takes bfloat16 activations. */
    BF16(16),
    INT8(8), INT4(4), INT2(2), INT1(1), NF4(4),
    /** The artifact's FP8 is E5M2 (EXPERIMENTS.md §2.2). */
    FP8(8),
    FP8_E4M3(8),
    MXFP8(8);

    private final int bits;

    NumberFormat(int bits) { this.bits = bits; }

    public int bits() { return bits; }

    /** The label as the paper spells it inside W_xA_y. */
    public String label() { return this == FP8_E4M3 ? "FP8E4M3" : name(); }

    public static Optional<NumberFormat> parse(String text) {
        if (text == null) return Optional.empty();
        String t = text.trim().toUpperCase().replace("-", "_");
        if (t.equals("FP8E4M3")) return Optional.of(FP8_E4M3);
        if (t.equals("FP8_E5M2") || t.equals("E5M2")) return Optional.of(FP8);
        return Arrays.stream(values()).filter(f -> f.name().equals(t)).findFirst();
    }
}
