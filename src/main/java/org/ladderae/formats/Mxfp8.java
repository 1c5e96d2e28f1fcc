package org.ladderae.formats;

/**
 * OCP Microscaling MXFP8 with E5M2 elements: blocks of {@link #BLOCK} consecutive K elements share one
 * E8M0 exponent; value = 2^(e-127) * E5M2(element), decoded exactly (not the artifact's bit-trick stand-in).
 * Encoding follows the OCP MX v1.0 recipe: shared exponent = floor(log2(max |v|)) - emax(E5M2) with
 * emax = 15, elements = v / 2^X rounded to nearest even and saturated to +-57344.
 */
public final class Mxfp8 {
    public static final int BLOCK = 32;
    private static final int ELEMENT_EMAX = 15;

    private Mxfp8() {}

    /** One encoded block: the shared exponent code and BLOCK element codes. */
    public record Block(int exponent, int[] elements) {}

    public static double decode(int exponentCode, int elementCode) {
        return E8M0.decode(exponentCode) * Fp8E5M2.INSTANCE.decode(elementCode);
    }

    /** Encodes values[offset .. offset+BLOCK). NaN anywhere makes the block NaN (exponent 255), as OCP specifies. */
    public static Block encodeBlock(double[] values, int offset) {
        double maxAbs = 0;
        boolean nan = false;
        for (int i = 0; i < BLOCK; i++) {
            double v = values[offset + i];
            if (Double.isNaN(v) || Double.isInfinite(v)) nan = true;
            else maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        int[] el = new int[BLOCK];
        if (nan) return new Block(E8M0.NAN, el);
        int x = maxAbs == 0 ? -127 : Math.getExponent(maxAbs) - ELEMENT_EMAX;
        int e = E8M0.encodePowerOfTwo(x);
        double scale = E8M0.decode(e);
        for (int i = 0; i < BLOCK; i++) el[i] = Fp8E5M2.INSTANCE.encodeSaturating(values[offset + i] / scale);
        return new Block(e, el);
    }
}
