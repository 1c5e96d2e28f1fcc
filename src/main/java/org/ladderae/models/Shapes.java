package org.ladderae.models;

import java.util.ArrayList;
import java.util.List;

/** Shape rules shared by the ops; every failure is an IllegalArgumentException that names the op. */
final class Shapes {
    private Shapes() {}

    static void require(boolean ok, Op op, String what) {
        if (!ok) throw new IllegalArgumentException(op.kind() + " '" + op.name() + "': " + what);
    }

    /** Whether two dimensions can be the same (a dynamic one fits anything). */
    static boolean fits(int a, int b) { return a == b || a == Tensor.DYNAMIC || b == Tensor.DYNAMIC; }

    static boolean fits(List<Integer> a, List<Integer> b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) if (!fits(a.get(i), b.get(i))) return false;
        return true;
    }

    /** Product of all dimensions but the last (M of a linear layer); dynamic ones count as 1. */
    static long rows(Tensor t) {
        long m = 1;
        for (int i = 0; i < t.rank() - 1; i++) m *= Math.max(1, t.dim(i));
        return m;
    }

    static long elements(Tensor t) {
        long e = 1;
        for (int d : t.shape()) e *= Math.max(1, d);
        return e;
    }

    static List<Integer> broadcast(Op op, List<Integer> a, List<Integer> b) {
        int rank = Math.max(a.size(), b.size());
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < rank; i++) {
            int x = i < rank - a.size() ? 1 : a.get(i - (rank - a.size()));
            int y = i < rank - b.size() ? 1 : b.get(i - (rank - b.size()));
            if (x == y || y == 1) out.add(x);
            else if (x == 1) out.add(y);
            else if (x == Tensor.DYNAMIC || y == Tensor.DYNAMIC) out.add(x == Tensor.DYNAMIC ? y : x);
            else throw new IllegalArgumentException(op.kind() + " '" + op.name() + "': shapes " + Tensor.shapeText(a) + " and " + Tensor.shapeText(b) + " do not broadcast");
        }
        return out;
    }

    static Tensor normOutput(Op op, Tensor x, Tensor weight, Tensor bias, String output) {
        require(x.rank() >= 1, op, "input " + x + " has no axis to normalise");
        if (weight != null) require(weight.rank() == 1 && fits(weight.dim(0), x.dim(-1)), op, "weight " + weight + " does not match the last axis of " + x);
        if (bias != null) require(bias.shape().equals(weight.shape()), op, "bias " + bias + " does not match weight " + weight);
        return x.renamed(output);
    }

    static Tensor reshape(Op op, Tensor x, List<Long> target, String output) {
        List<Integer> out = new ArrayList<>();
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < target.size(); i++) {
            long d = target.get(i);
            if (d == -1) {
                require(inferred < 0, op, "more than one -1 in " + target);
                inferred = i;
                out.add(Tensor.DYNAMIC);
                continue;
            }
            if (d == 0) {
                require(i < x.rank(), op, "0 at axis " + i + " but the input " + x + " has no such axis");
                d = x.dim(i);
            }
            require(d >= 0 || d == Tensor.DYNAMIC, op, "bad dimension " + d + " in " + target);
            out.add((int) d);
            if (d != Tensor.DYNAMIC) known *= d;
        }
        long total = x.elements();
        long unknown = out.stream().filter(d -> d == Tensor.DYNAMIC).count();
        if (inferred >= 0 && total >= 0 && unknown == 1) {  // only the -1 is open: it takes what is left
            require(known > 0 && total % known == 0, op, x + " does not reshape to " + target);
            out.set(inferred, (int) (total / known));
        } else if (inferred < 0 && total >= 0 && unknown == 0) {
            require(total == known, op, x + " has " + total + " elements, " + target + " holds " + known);
        }
        return new Tensor(output, out, x.dtype());
    }
}
