package org.ladderae.paperdata;

/** Weight and activation formats of one series, written W_xA_y as in the paper. */
public record FormatPair(NumberFormat weights, NumberFormat activations) {
    public static final FormatPair FP16 = new FormatPair(NumberFormat.FP16, NumberFormat.FP16);

    public String label() { return "W_" + weights.label() + "A_" + activations.label(); }

    @Override public String toString() { return label(); }
}
