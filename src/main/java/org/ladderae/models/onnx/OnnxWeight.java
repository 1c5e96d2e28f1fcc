package org.ladderae.models.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.ladderae.formats.Fp16;
import org.ladderae.models.DType;

/**
 * The values of one ONNX initializer, read in place (protobuf bytes or a mapped external-data file).
 * {@code transposed} marks a MatMul weight stored [K][N]: {@link #row} still returns Ladder's row n of W[N][K].
 */
public record OnnxWeight(String name, DType dtype, List<Integer> dims, ByteBuffer data, boolean transposed) {
    public OnnxWeight {
        dims = List.copyOf(dims);
        data = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long expected = elements(dims) * dtype.bytes();
        if (data.remaining() != expected) throw new OnnxImportException("initializer '" + name + "' holds " + data.remaining() + " bytes, its shape " + dims + " of " + dtype.token() + " needs " + expected);
    }

    static long elements(List<Integer> dims) {
        long e = 1;
        for (int d : dims) e *= d;
        return e;
    }

    public long elements() { return elements(dims); }

    public OnnxWeight asTransposed() { return new OnnxWeight(name, dtype, dims, data, true); }

    /** Element at a flat index of the stored (ONNX) layout, as a double. */
    public double element(long index) {
        int at = data.position() + (int) (index * dtype.bytes());
        switch (dtype) {
            case FP32: return data.getFloat(at);
            case FP16: return Fp16.INSTANCE.decode(data.getShort(at) & 0xffff);
            case BF16: return Float.intBitsToFloat((data.getShort(at) & 0xffff) << 16);
            case INT64: return data.getLong(at);
            case INT32: return data.getInt(at);
            case INT8: return data.get(at);
            case UINT8: case BOOL: return data.get(at) & 0xff;
            default: throw new IllegalStateException("no element reader for " + dtype);
        }
    }

    /** Row n of the weight as Ladder's W[N][K] (reads column n of a transposed [K][N] MatMul weight). */
    public double[] row(int n) {
        if (dims.size() != 2) throw new IllegalArgumentException("initializer '" + name + "' is not a matrix: " + dims);
        int rows = transposed ? dims.get(1) : dims.get(0), k = transposed ? dims.get(0) : dims.get(1);
        if (n < 0 || n >= rows) throw new IndexOutOfBoundsException("row " + n + " of " + rows);
        double[] out = new double[k];
        for (int i = 0; i < k; i++) out[i] = element(transposed ? (long) i * rows + n : (long) n * k + i);
        return out;
    }

    /** All values in stored order (for small weights: norm scales, biases, constants). */
    public double[] values() {
        long e = elements();
        if (e > Integer.MAX_VALUE) throw new IllegalArgumentException("initializer '" + name + "' is too large to read at once");
        double[] out = new double[(int) e];
        for (int i = 0; i < out.length; i++) out[i] = element(i);
        return out;
    }
}
