package org.ladderae.experiments;

import java.io.PrintWriter;

/** What a reproduction needs besides the GPU: where to print progress, the baselines' interpreter, and how hard to measure. */
public record ReproduceContext(PrintWriter out, String python, boolean quick, long seed, String version) {}
