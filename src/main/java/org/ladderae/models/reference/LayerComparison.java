package org.ladderae.models.reference;

/** How a layer computed elsewhere (the GPU, in FP16) is judged against the double-precision reference. */
public final class LayerComparison {
    /**
     * Relative Frobenius error a whole FP16 layer may show: FP16 carries 11 significant bits (unit roundoff
     * ~4.9e-4), and a layer chains seven GEMMs, two norms, softmax and activations whose roundings add up to
     * a few 1e-3 in practice; 1e-2 leaves room for that and still fails a wrong layout or convention (those give O(1)).
     * Measured on the small seeded layers: rounding every intermediate tensor to FP16 costs ~6e-4; INT4 weights
     * (group 128) against the FP16 layer differ by ~0.1, which is why a low-bit layer is compared with the
     * reference on its own decoded weights, not with the FP16 layer.
     */
    public static final double FP16_LAYER_TOLERANCE = 1e-2;

    /**
     * The same check for layers whose activations are quantised to MXFP8 (E5M2 elements: two mantissa bits, so
     * one rounding step is 25 % of an element). The reference quantises its own activations, which differ from the
     * GPU's by FP16 rounding (~1e-3), so a few elements round to the neighbouring code on one side only. Measured on
     * the H100 (2026-11-26): 1.3e-2 to 2.7e-2 at M > 16 (the MXFP8 x MXFP8 GEMM), below 1e-2 at M <= 16; a wrong
     * exponent or layout gives errors of order 1.
     */
    public static final double MXFP8_ACTIVATION_LAYER_TOLERANCE = 5e-2;

    private LayerComparison() {}

    /** ||actual - reference||_F / ||reference||_F over every element; the shapes must agree. */
    public static double relativeFrobeniusError(DenseTensor reference, DenseTensor actual) {
        if (!reference.shape().equals(actual.shape())) throw new IllegalArgumentException("shapes differ: " + reference.shape() + " vs " + actual.shape());
        double diff = 0, norm = 0;
        for (int i = 0; i < reference.size(); i++) {
            double r = reference.values()[i], d = actual.values()[i] - r;
            diff += d * d;
            norm += r * r;
        }
        if (norm == 0) return diff == 0 ? 0 : Double.POSITIVE_INFINITY;
        return Math.sqrt(diff / norm);
    }
}
