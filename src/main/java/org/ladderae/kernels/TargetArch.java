package org.ladderae.kernels;

import java.util.List;

/**
 * The machine code a cubin is built for. Hopper (9.0) gets the arch-specific {@code sm_90a} so
 * kernels may use wgmma/setmaxnreg; it is written as {@code -gencode=arch=compute_90a,code=sm_90a},
 * the form nvcc 13.0 accepts for those instructions.
 */
public record TargetArch(int major, int minor, boolean archSpecific) {

    public static TargetArch forComputeCapability(int major, int minor) {
        return new TargetArch(major, minor, major == 9 && minor == 0);
    }

    /** Parses "sm_90a", "sm_80", "90a", "8.0". */
    public static TargetArch parse(String s) {
        String t = s.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.startsWith("sm_")) t = t.substring(3);
        boolean a = t.endsWith("a");
        if (a) t = t.substring(0, t.length() - 1);
        if (t.contains(".")) {
            String[] p = t.split("\\.");
            return new TargetArch(Integer.parseInt(p[0]), Integer.parseInt(p[1]), a);
        }
        if (!t.matches("\\d{2,3}")) throw new IllegalArgumentException("not a CUDA architecture: " + s + " (expected e.g. sm_90a)");
        int v = Integer.parseInt(t);
        return new TargetArch(v / 10, v % 10, a);
    }

    /** Whether Hopper's wgmma and TMA can be compiled for this target: sm_90a (the arch-specific variant of 9.0). */
    public boolean hasWgmma() { return major == 9 && archSpecific; }

    /** "sm_90a". */
    public String smName() { return "sm_" + major + minor + (archSpecific ? "a" : ""); }

    public List<String> nvccFlags() {
        String n = "" + major + minor + (archSpecific ? "a" : "");
        return List.of("-gencode=arch=compute_" + n + ",code=sm_" + n);
    }

    /**
     * Null when {@code nvccVersion} can build for this arch, else why not. CUDA 13 dropped
     * Maxwell, Pascal and Volta (sm_50 to sm_72): sm_70 needs nvcc 12.x or older.
     */
    public String unsupportedReason(String nvccVersion) {
        int nvccMajor = NvccCompiler.majorVersion(nvccVersion);
        if (nvccMajor >= 13 && (major < 7 || (major == 7 && minor < 5))) {
            return "nvcc " + nvccVersion + " cannot build for " + smName() + ": CUDA 13 dropped sm_50 to sm_72; install CUDA 12.x (nvcc 12) to build for this GPU";
        }
        if (nvccMajor > 0 && nvccMajor < 12 && major >= 9) {
            return "nvcc " + nvccVersion + " is too old for " + smName() + ": install CUDA 12 or newer";
        }
        return null;
    }
}
