package org.ladderae.models;

import java.util.List;

/**
 * A named tensor of a model graph. A dimension of {@link #DYNAMIC} is not known when the graph is
 * built (an ONNX {@code dim_param} such as "batch"); shape checks accept anything there.
 */
public record Tensor(String name, List<Integer> shape, DType dtype) {
    public static final int DYNAMIC = -1;

    public Tensor {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("a tensor needs a name");
        shape = List.copyOf(shape);
        for (int d : shape) if (d < 0 && d != DYNAMIC) throw new IllegalArgumentException("tensor " + name + " has a negative dimension: " + shape);
    }

    public static Tensor of(String name, DType dtype, Integer... dims) { return new Tensor(name, List.of(dims), dtype); }

    public int rank() { return shape.size(); }

    /** Dimension i, counting from the end when negative (-1 = last). */
    public int dim(int i) { return shape.get(i < 0 ? shape.size() + i : i); }

    public boolean fullyKnown() { return !shape.contains(DYNAMIC); }

    /** Number of elements, or -1 when a dimension is dynamic. */
    public long elements() {
        long e = 1;
        for (int d : shape) { if (d == DYNAMIC) return -1; e *= d; }
        return e;
    }

    public Tensor renamed(String newName) { return new Tensor(newName, shape, dtype); }
    public Tensor withShape(List<Integer> newShape) { return new Tensor(name, newShape, dtype); }

    @Override public String toString() { return name + shapeText(shape) + " " + dtype.token(); }

    public static String shapeText(List<Integer> shape) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < shape.size(); i++) b.append(i == 0 ? "" : ",").append(shape.get(i) == DYNAMIC ? "?" : shape.get(i).toString());
        return b.append(']').toString();
    }
}
