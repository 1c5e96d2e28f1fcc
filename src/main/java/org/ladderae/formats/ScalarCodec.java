package org.ladderae.formats;

/**
 * A storage format whose every element is an independent code of {@link #bits()} bits.
 * {@code decode} is exact (a double holds every value of these formats); {@code encode} rounds
 * to nearest, ties to even, unless the class says otherwise.
 */
public interface ScalarCodec {
    /** Short lower-case name, as used in kernel names and CLI options (e.g. "int4", "fp8_e5m2"). */
    String name();

    int bits();

    /** Code (in the low {@link #bits()} bits) of the representable value nearest to {@code v}. */
    int encode(double v);

    /** Exact value of a code. */
    double decode(int code);

    /** Number of distinct codes. */
    default int codeCount() { return 1 << bits(); }
}
