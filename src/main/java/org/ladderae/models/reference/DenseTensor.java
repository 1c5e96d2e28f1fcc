package org.ladderae.models.reference;

import java.util.Arrays;
import java.util.List;

/**
 * A concrete tensor of the reference executor: a row-major (last axis fastest) {@code double[]} and its
 * shape. Values are held in double whatever the graph's dtype says, because the reference is the
 * "exact" side of every comparison; the FP16 GPU result is judged against it with a tolerance.
 */
public record DenseTensor(List<Integer> shape, double[] values) {
    public DenseTensor {
        shape = List.copyOf(shape);
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("a dense tensor has concrete dimensions, got " + shape);
            n *= d;
        }
        if (n != values.length) throw new IllegalArgumentException("shape " + shape + " holds " + n + " values, got " + values.length);
    }

    public static DenseTensor of(double[] values, Integer... shape) { return new DenseTensor(List.of(shape), values); }

    public static DenseTensor zeros(List<Integer> shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return new DenseTensor(shape, new double[Math.toIntExact(n)]);
    }

    public int rank() { return shape.size(); }

    /** Dimension i, counting from the end when negative (-1 = last). */
    public int dim(int i) { return shape.get(i < 0 ? shape.size() + i : i); }

    public int size() { return values.length; }

    /** Product of all dimensions but the last: the number of rows a last-axis op (norm, linear) walks. */
    public int rows() { return rank() == 0 ? 1 : values.length / Math.max(1, dim(-1)); }

    public DenseTensor reshaped(List<Integer> newShape) { return new DenseTensor(newShape, values); }

    /** Row-major strides of a shape (elements, not bytes). */
    static int[] strides(List<Integer> shape) {
        int[] s = new int[shape.size()];
        int acc = 1;
        for (int i = shape.size() - 1; i >= 0; i--) { s[i] = acc; acc *= shape.get(i); }
        return s;
    }

    /** Whether every value is finite (a NaN or Inf anywhere means the layer blew up). */
    public boolean allFinite() {
        for (double v : values) if (!Double.isFinite(v)) return false;
        return true;
    }

    @Override public boolean equals(Object o) {
        return o instanceof DenseTensor t && shape.equals(t.shape) && Arrays.equals(values, t.values);
    }

    @Override public int hashCode() { return 31 * shape.hashCode() + Arrays.hashCode(values); }

    @Override public String toString() { return "DenseTensor" + shape + (values.length <= 8 ? Arrays.toString(values) : ""); }
}
