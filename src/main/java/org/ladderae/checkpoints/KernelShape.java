package org.ladderae.checkpoints;

/** The problem size a kernel was tuned for, in GEMM terms: C[M,N] = A[M,K] x B[K,N]. */
public record KernelShape(int m, int n, int k) {
    public KernelShape {
        if (m <= 0 || n <= 0 || k <= 0) {
            throw new IllegalArgumentException("shape dimensions must be positive: " + m + "x" + n + "x" + k);
        }
    }

    /** {@code MxNxK}, the way tables and kernel names show it. */
    @Override
    public String toString() { return m + "x" + n + "x" + k; }
}
