package org.ladderae.models.reference;

import java.util.ArrayList;
import java.util.List;
import org.ladderae.models.Op;

/** Linear (x W^T + b, as nn.Linear) and batched MatMul (torch.matmul / ONNX MatMul), accumulated in double. */
final class LinearOps {
    private LinearOps() {}

    /** C[..., N] = A[..., K] * W[N][K]^T (+ bias[N]); {@code weight} holds the decoded weight values row by row. */
    static DenseTensor linear(Op.Linear op, DenseTensor a, DenseTensor weight, DenseTensor bias) {
        int n = op.n(), k = op.k();
        if (a.dim(-1) != k) throw new IllegalArgumentException(op.name() + ": input " + a.shape() + " does not end in K = " + k);
        if (!weight.shape().equals(List.of(n, k))) throw new IllegalArgumentException(op.name() + ": weight " + weight.shape() + " is not [" + n + ", " + k + "]");
        int m = a.rows();
        double[] x = a.values(), w = weight.values(), c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = bias == null ? 0 : bias.values()[j];
                for (int kk = 0; kk < k; kk++) s += x[i * k + kk] * w[j * k + kk];
                c[i * n + j] = s;
            }
        }
        List<Integer> out = new ArrayList<>(a.shape());
        out.set(out.size() - 1, n);
        return new DenseTensor(out, c);
    }

    /** A[..., M, K] x B[..., K, N] with the batch axes broadcast. */
    static DenseTensor matMul(Op.MatMul op, DenseTensor a, DenseTensor b) {
        if (a.rank() < 2 || b.rank() < 2) throw new IllegalArgumentException(op.name() + ": operands must have rank >= 2");
        int m = a.dim(-2), k = a.dim(-1), n = b.dim(-1);
        if (b.dim(-2) != k) throw new IllegalArgumentException(op.name() + ": inner dimensions differ: " + a.shape() + " x " + b.shape());
        List<Integer> aBatch = a.shape().subList(0, a.rank() - 2), bBatch = b.shape().subList(0, b.rank() - 2);
        List<Integer> batch = Broadcasting.shape(op.name(), aBatch, bBatch);
        int[] aSrc = Broadcasting.sourceIndex(batch, aBatch), bSrc = Broadcasting.sourceIndex(batch, bBatch);
        double[] c = new double[aSrc.length * m * n];
        for (int bi = 0; bi < aSrc.length; bi++) {
            int aBase = aSrc[bi] * m * k, bBase = bSrc[bi] * k * n, cBase = bi * m * n;
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int kk = 0; kk < k; kk++) s += a.values()[aBase + i * k + kk] * b.values()[bBase + kk * n + j];
                    c[cBase + i * n + j] = s;
                }
        }
        List<Integer> out = new ArrayList<>(batch);
        out.add(m);
        out.add(n);
        return new DenseTensor(out, c);
    }
}
