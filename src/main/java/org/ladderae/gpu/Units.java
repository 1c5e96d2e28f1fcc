package org.ladderae.gpu;

import java.util.Locale;

/** Human-readable sizes and rates for messages and tables. */
public final class Units {
    private Units() {}

    public static String bytes(long n) {
        if (n < 1024) return n + " B";
        String[] unit = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int i = -1;
        while (v >= 1024 && i < unit.length - 1) { v /= 1024; i++; }
        return String.format(Locale.ROOT, "%.1f %s", v, unit[i]);
    }

    /** Bytes over milliseconds as decimal GB/s (the unit bandwidth datasheets use). */
    public static double gbPerSecond(double bytes, double ms) { return bytes / (ms * 1e-3) / 1e9; }
}
