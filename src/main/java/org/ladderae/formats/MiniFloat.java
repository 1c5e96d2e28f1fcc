package org.ladderae.formats;

/**
 * Sign / exponent / mantissa formats narrower than a double (FP16, FP8 E5M2, FP8 E4M3), exact
 * decode and round-to-nearest-even encode with subnormals. Two families of special values:
 * IEEE-like (all-ones exponent = Inf or NaN; FP16, E5M2) and OCP E4M3 (no infinities, only
 * S.1111.111 is NaN; the all-ones exponent otherwise holds normal numbers).
 */
public class MiniFloat implements ScalarCodec {
    private final String name;
    private final int expBits, manBits, bias;
    private final boolean ieeeSpecials;

    protected MiniFloat(String name, int expBits, int manBits, boolean ieeeSpecials) {
        this.name = name;
        this.expBits = expBits;
        this.manBits = manBits;
        this.bias = (1 << (expBits - 1)) - 1;
        this.ieeeSpecials = ieeeSpecials;
    }

    @Override public String name() { return name; }
    @Override public int bits() { return 1 + expBits + manBits; }

    private int expMask() { return (1 << expBits) - 1; }
    private int manMask() { return (1 << manBits) - 1; }

    /** The canonical quiet NaN code (positive sign). */
    public int nanCode() { return ieeeSpecials ? (expMask() << manBits) | (1 << (manBits - 1)) : (expMask() << manBits) | manMask(); }

    /** Code of +infinity; E4M3 has none and returns {@link #nanCode()}. */
    public int infCode() { return ieeeSpecials ? expMask() << manBits : nanCode(); }

    /** Largest finite value. */
    public double maxFinite() {
        int code = ieeeSpecials ? ((expMask() - 1) << manBits) | manMask() : (expMask() << manBits) | (manMask() - 1);
        return decode(code);
    }

    @Override
    public double decode(int code) {
        int sign = (code >>> (expBits + manBits)) & 1;
        int e = (code >>> manBits) & expMask();
        int m = code & manMask();
        double v;
        if (e == expMask() && ieeeSpecials) {
            v = m == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else if (e == expMask() && m == manMask()) {
            v = Double.NaN; // E4M3: S.1111.111
        } else if (e == 0) {
            v = Math.scalb((double) m, 1 - bias - manBits);
        } else {
            v = Math.scalb((double) ((1 << manBits) | m), e - bias - manBits);
        }
        return sign == 1 ? -v : v;
    }

    /** Round to nearest even; overflow gives Inf (IEEE-like) or NaN (E4M3, OCP non-saturating mode). */
    @Override
    public int encode(double v) {
        int sign = (Double.doubleToRawLongBits(v) < 0 ? 1 : 0) << (expBits + manBits);
        if (Double.isNaN(v)) return nanCode();
        double a = Math.abs(v);
        if (Double.isInfinite(a)) return sign | infCode();
        if (a == 0.0) return sign;
        int minExp = 1 - bias;
        int e = Math.max(Math.getExponent(a), minExp);
        double r = Math.rint(Math.scalb(a, manBits - e)); // exact scaling; rint = ties to even
        if (r >= (1 << (manBits + 1))) { // rounding carried into the next binade
            e++;
            r /= 2;
        }
        int m = (int) r;
        if (m < (1 << manBits)) return sign | m; // subnormal or zero (only possible at e == minExp)
        int field = e + bias;
        int mant = m - (1 << manBits);
        boolean overflow = ieeeSpecials ? field >= expMask() : field > expMask() || (field == expMask() && mant == manMask());
        if (overflow) return sign | infCode();
        return sign | (field << manBits) | mant;
    }

    /** Like {@link #encode} but values beyond the largest finite magnitude become +-max (NaN stays NaN). */
    public int encodeSaturating(double v) {
        if (Double.isNaN(v)) return nanCode();
        double max = maxFinite();
        return encode(Math.max(-max, Math.min(max, v)));
    }
}
