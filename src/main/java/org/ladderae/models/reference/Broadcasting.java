package org.ladderae.models.reference;

import java.util.ArrayList;
import java.util.List;

/** NumPy broadcasting on concrete shapes (Add, Mul, MatMul's batch axes), as the IR's Add/Mul document. */
final class Broadcasting {
    private Broadcasting() {}

    static List<Integer> shape(String opName, List<Integer> a, List<Integer> b) {
        int rank = Math.max(a.size(), b.size());
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < rank; i++) {
            int x = dimAligned(a, i, rank), y = dimAligned(b, i, rank);
            if (x == y || y == 1) out.add(x);
            else if (x == 1) out.add(y);
            else throw new IllegalArgumentException(opName + ": shapes " + a + " and " + b + " do not broadcast");
        }
        return out;
    }

    /** For each flat index of {@code out}, the flat index of the (broadcast) element of {@code in}. */
    static int[] sourceIndex(List<Integer> out, List<Integer> in) {
        int rank = out.size();
        int[] outStrides = DenseTensor.strides(out), inStrides = DenseTensor.strides(in);
        int total = 1;
        for (int d : out) total *= d;
        int[] src = new int[total];
        for (int flat = 0; flat < total; flat++) {
            int rest = flat, off = 0;
            for (int axis = 0; axis < rank; axis++) {
                int coord = rest / outStrides[axis];
                rest %= outStrides[axis];
                int inAxis = axis - (rank - in.size());
                // A missing or size-1 input axis repeats its only element along the output axis.
                if (inAxis >= 0 && in.get(inAxis) != 1) off += coord * inStrides[inAxis];
            }
            src[flat] = off;
        }
        return src;
    }

    private static int dimAligned(List<Integer> s, int i, int rank) {
        int j = i - (rank - s.size());
        return j < 0 ? 1 : s.get(j);
    }
}
