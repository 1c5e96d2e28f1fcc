package org.ladderae.models.reference;

import java.util.ArrayList;
import java.util.List;
import org.ladderae.models.Op;

/** Reshape and Transpose: data movement only. */
final class LayoutOps {
    private LayoutOps() {}

    /** ONNX Reshape (allowzero = 0), as the IR documents: 0 copies the input's dimension, one -1 takes the rest. */
    static DenseTensor reshape(Op.Reshape op, DenseTensor x) {
        List<Integer> out = new ArrayList<>();
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < op.shape().size(); i++) {
            long d = op.shape().get(i);
            if (d == -1) {
                if (inferred >= 0) throw new IllegalArgumentException(op.name() + ": more than one -1 in " + op.shape());
                inferred = i;
                out.add(0);
                continue;
            }
            if (d == 0) {
                if (i >= x.rank()) throw new IllegalArgumentException(op.name() + ": 0 at axis " + i + " but the input " + x.shape() + " has no such axis");
                d = x.dim(i);
            }
            if (d < 0) throw new IllegalArgumentException(op.name() + ": bad dimension " + d + " in " + op.shape());
            out.add((int) d);
            known *= d;
        }
        if (inferred >= 0) {
            if (known == 0 || x.size() % known != 0) throw new IllegalArgumentException(op.name() + ": " + x.shape() + " does not reshape to " + op.shape());
            out.set(inferred, (int) (x.size() / known));
        } else if (known != x.size()) {
            throw new IllegalArgumentException(op.name() + ": " + x.shape() + " has " + x.size() + " elements, " + op.shape() + " holds " + known);
        }
        return x.reshaped(out);
    }

    /** Output axis i is input axis perm[i] (ONNX / numpy.transpose). */
    static DenseTensor transpose(Op.Transpose op, DenseTensor x) {
        List<Integer> perm = op.perm();
        if (perm.size() != x.rank()) throw new IllegalArgumentException(op.name() + ": perm " + perm + " does not fit " + x.shape());
        List<Integer> outShape = new ArrayList<>();
        for (int p : perm) outShape.add(x.dim(p));
        int[] inStrides = DenseTensor.strides(x.shape()), outStrides = DenseTensor.strides(outShape);
        double[] out = new double[x.size()];
        for (int flat = 0; flat < out.length; flat++) {
            int rest = flat, src = 0;
            for (int axis = 0; axis < perm.size(); axis++) {
                int coord = rest / outStrides[axis];
                rest %= outStrides[axis];
                src += coord * inStrides[perm.get(axis)];
            }
            out[flat] = x.values()[src];
        }
        return new DenseTensor(outShape, out);
    }
}
