package org.ladderae.models;

/** One GEMV/GEMM weight shape C[M][N] = A[M][K] * W[N][K]^T: what the tuner tunes (M comes from batch x sequence). */
public record LinearShape(int n, int k) {
    @Override public String toString() { return n + "x" + k; }
}
