package org.ladderae.models.onnx;

import org.ladderae.kernels.WeightFormat;
import org.ladderae.models.DType;

/**
 * A linear weight W[N][K] quantised before export, as a node {@code ladder.QuantLinear(x, <w>.qweight, <w>.scales,
 * <w>.zeros[, bias])} with attributes {@code bits} (2, 4 or 8) and {@code group_size} (32, 64 or 128, or -1 for one
 * group per row) carries it:
 * <ul>
 *   <li>{@code <w>.qweight}: UINT8 [N, K*bits/8], codes packed along K, element 0 in the lowest bits of its byte
 *       (for 4 bits: byte j of a row holds code 2j in its low nibble and code 2j+1 in its high nibble);</li>
 *   <li>{@code <w>.scales}: FLOAT16 (or FLOAT) [N, K/group_size];</li>
 *   <li>{@code <w>.zeros}: FLOAT16, FLOAT or UINT8 [N, K/group_size], the zero point in code units;</li>
 * </ul>
 * and W[n][k] = (code[n][k] - zeros[n][k/G]) * scales[n][k/G], y = x W^T (+ bias): the convention of
 * {@link org.ladderae.formats.GroupQuantizer}, so the codes, scales and zeros are carried into the compiled model
 * as they are, never re-quantised. The logical weight is named {@code <w>} ("q_proj.weight" for
 * "q_proj.weight.qweight").
 */
public record QuantizedWeight(String name, WeightFormat format, int groupSize, int n, int k,
                              OnnxWeight qweight, OnnxWeight scales, OnnxWeight zeros) {
    public static final String DOMAIN = "ladder";
    public static final String OP_TYPE = "QuantLinear";
    public static final String QWEIGHT_SUFFIX = ".qweight";

    static String logicalName(String qweightName) {
        return qweightName.endsWith(QWEIGHT_SUFFIX) ? qweightName.substring(0, qweightName.length() - QWEIGHT_SUFFIX.length()) : qweightName + ":dequantized";
    }

    /** Checks the three tensors against each other; IllegalArgumentException says what does not fit. */
    static QuantizedWeight of(String name, int bits, int groupSize, OnnxWeight qweight, OnnxWeight scales, OnnxWeight zeros) {
        WeightFormat f = switch (bits) {
            case 2 -> WeightFormat.INT2;
            case 4 -> WeightFormat.INT4;
            case 8 -> WeightFormat.INT8;
            default -> throw new IllegalArgumentException("bits = " + bits + "; 2, 4 or 8 are read");
        };
        if (qweight.dtype() != DType.UINT8 || qweight.dims().size() != 2)
            throw new IllegalArgumentException("qweight '" + qweight.name() + "' is " + qweight.dtype().token() + " " + qweight.dims() + ", not uint8 [N, K*" + bits + "/8]");
        int n = qweight.dims().get(0), k = qweight.dims().get(1) * 8 / bits;
        if (groupSize != -1 && (groupSize < 1 || k % groupSize != 0))
            throw new IllegalArgumentException("group_size " + groupSize + " does not divide K = " + k);
        int groups = groupSize == -1 ? 1 : k / groupSize;
        for (OnnxWeight side : new OnnxWeight[] {scales, zeros}) {
            if (!side.dims().equals(java.util.List.of(n, groups)))
                throw new IllegalArgumentException("'" + side.name() + "' is " + side.dims() + ", not [N, K/group_size] = [" + n + ", " + groups + "]");
        }
        if (!scales.dtype().isFloat()) throw new IllegalArgumentException("scales '" + scales.name() + "' are " + scales.dtype().token() + ", not float16");
        if (!zeros.dtype().isFloat() && zeros.dtype() != DType.UINT8) throw new IllegalArgumentException("zeros '" + zeros.name() + "' are " + zeros.dtype().token() + ", not float16 or uint8");
        return new QuantizedWeight(name, f, groupSize, n, k, qweight, scales, zeros);
    }

    private int bits() { return format.bits(); }

    /** Row n's K codes, unpacked. */
    public int[] codes(int row) {
        int perByte = 8 / bits(), mask = (1 << bits()) - 1, bytesPerRow = k / perByte;
        int[] out = new int[k];
        int base = qweight.data().position() + row * bytesPerRow;
        for (int i = 0; i < k; i++) out[i] = (qweight.data().get(base + i / perByte) >> ((i % perByte) * bits())) & mask;
        return out;
    }

    public int groupsPerRow() { return groupSize == -1 ? 1 : k / groupSize; }

    public double scale(int row, int group) { return scales.element((long) row * groupsPerRow() + group); }

    public double zero(int row, int group) { return zeros.element((long) row * groupsPerRow() + group); }

    /** W[row][i] as the quantisation defines it (for checks; the compiled model keeps the codes). */
    public double[] dequantizedRow(int row) {
        int[] c = codes(row);
        double[] w = new double[k];
        int g = groupSize == -1 ? k : groupSize;
        for (int i = 0; i < k; i++) w[i] = (c[i] - zero(row, i / g)) * scale(row, i / g);
        return w;
    }
}
