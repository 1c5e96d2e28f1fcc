package org.ladderae.formats;

/** OCP MX shared scale E8M0: an unsigned biased exponent, value 2^(e-127); 255 is NaN; no sign, no zero. */
public final class E8M0 {
    public static final int NAN = 255;

    private E8M0() {}

    public static double decode(int e) {
        e &= 0xff;
        return e == NAN ? Double.NaN : Math.scalb(1.0, e - 127);
    }

    /** Code for 2^x, x clamped to the representable range [-127, 127]. */
    public static int encodePowerOfTwo(int x) { return Math.max(-127, Math.min(127, x)) + 127; }
}
