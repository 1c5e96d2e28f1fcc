package org.ladderae.models.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ladderae.formats.Fp16;
import org.ladderae.results.AtomicFiles;

/**
 * A NumPy {@code .npy} array (format 1.0/2.0, C order), the quick start's way of passing tensors between
 * PyTorch and ladder-ae. Reads little-endian float16, float32 and float64; writes float16. Values are
 * held as doubles (exact for all three).
 */
public record NpyArray(List<Integer> shape, double[] values) {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern ORDER = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    public NpyArray {
        shape = List.copyOf(shape);
        long n = 1;
        for (int d : shape) n *= d;
        if (n != values.length) throw new IllegalArgumentException("shape " + shape + " holds " + n + " values, not " + values.length);
    }

    /** @throws IOException with one line saying what is wrong with the file */
    public static NpyArray read(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        String where = file + ": ";
        if (b.length < 10) throw new IOException(where + "not a .npy file (too short)");
        for (int i = 0; i < MAGIC.length; i++) if (b[i] != MAGIC[i]) throw new IOException(where + "not a .npy file (no \\x93NUMPY magic)");
        int major = b[6];
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen, offset;
        if (major == 1) { headerLen = buf.getShort(8) & 0xffff; offset = 10; }
        else if (major == 2 || major == 3) { headerLen = buf.getInt(8); offset = 12; }
        else throw new IOException(where + ".npy format version " + major + " is not supported");
        if (offset + headerLen > b.length) throw new IOException(where + "truncated header");
        String header = new String(b, offset, headerLen, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header), o = ORDER.matcher(header), s = SHAPE.matcher(header);
        if (!d.find() || !o.find() || !s.find()) throw new IOException(where + "header lacks descr/fortran_order/shape: " + header.trim());
        if (o.group(1).equals("True")) throw new IOException(where + "Fortran-order arrays are not supported (save with np.ascontiguousarray)");
        List<Integer> shape = new ArrayList<>();
        for (String part : s.group(1).split(",")) if (!part.isBlank()) shape.add(Integer.parseInt(part.trim()));
        long count = 1;
        for (int x : shape) count *= x;
        String descr = d.group(1);
        int width = switch (descr) {
            case "<f2" -> 2;
            case "<f4" -> 4;
            case "<f8" -> 8;
            default -> throw new IOException(where + "dtype " + descr + " is not supported (use float16, float32 or float64)");
        };
        int data = offset + headerLen;
        if ((long) b.length - data != count * width)
            throw new IOException(where + "holds " + (b.length - data) + " data bytes, shape " + shape + " of " + descr + " needs " + count * width);
        double[] v = new double[(int) count];
        for (int i = 0; i < v.length; i++) {
            int p = data + i * width;
            v[i] = switch (width) {
                case 2 -> Fp16.INSTANCE.decode(buf.getShort(p) & 0xffff);
                case 4 -> buf.getFloat(p);
                default -> buf.getDouble(p);
            };
        }
        return new NpyArray(shape, v);
    }

    /** Writes the values rounded to float16 (format 1.0), atomically. */
    public void writeFp16(Path file) throws IOException {
        StringBuilder shapeText = new StringBuilder("(");
        for (int d : shape) shapeText.append(d).append(',');
        if (shape.size() > 1) shapeText.setLength(shapeText.length() - 1);
        shapeText.append(')');
        String dict = "{'descr': '<f2', 'fortran_order': False, 'shape': " + shapeText + ", }";
        int total = 10 + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteBuffer out = ByteBuffer.allocate(10 + header.length() + 2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length()).put(header.getBytes(StandardCharsets.ISO_8859_1));
        for (double v : values) out.putShort((short) Fp16.INSTANCE.encode(v));
        AtomicFiles.write(file, out.array());
    }
}
