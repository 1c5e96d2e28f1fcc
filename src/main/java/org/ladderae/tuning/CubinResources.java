package org.ladderae.tuning;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * What ptxas gave one kernel of a cubin: registers per thread and the per-thread stack frame, read from
 * the cubin's {@code .nv.info} attributes (what {@code nvcc -Xptxas -v} prints, without running ptxas
 * again or needing cuobjdump). A non-zero frame in these kernels means spilled registers: the Ladder
 * GEMM kernels keep nothing on the stack on purpose, so the tuner drops such a candidate before timing it.
 */
public record CubinResources(int registers, int frameBytes) {
    private static final int EIFMT_SVAL = 0x04;
    private static final int EIATTR_FRAME_SIZE = 0x11;
    private static final int EIATTR_REGCOUNT = 0x2f;
    private static final int SHT_SYMTAB = 2;

    public boolean spills() { return frameBytes > 0; }

    /** The resources of {@code kernel} in {@code cubin}; IllegalArgumentException (one line) when it is not there. */
    public static CubinResources of(byte[] cubin, String kernel) {
        ByteBuffer b = ByteBuffer.wrap(cubin).order(ByteOrder.LITTLE_ENDIAN);
        if (cubin.length < 64 || b.getInt(0) != 0x464c457f || cubin[4] != 2 || cubin[5] != 1)
            throw new IllegalArgumentException("not a 64-bit little-endian ELF cubin");
        long shoff = b.getLong(0x28);
        int shentsize = Short.toUnsignedInt(b.getShort(0x3a));
        int shnum = Short.toUnsignedInt(b.getShort(0x3c));
        int shstrndx = Short.toUnsignedInt(b.getShort(0x3e));
        Section[] sections = new Section[shnum];
        for (int i = 0; i < shnum; i++) {
            int h = Math.toIntExact(shoff + (long) i * shentsize);
            sections[i] = new Section(b.getInt(h), b.getInt(h + 4), Math.toIntExact(b.getLong(h + 0x18)), Math.toIntExact(b.getLong(h + 0x20)),
                    b.getInt(h + 0x28), Math.toIntExact(b.getLong(h + 0x38)));
        }
        Section names = sections[shstrndx];
        Integer symbol = null;
        Section info = null;
        for (Section s : sections) {
            if (s.type == SHT_SYMTAB) symbol = symbolIndex(cubin, b, s, sections[s.link], kernel);
            if (string(cubin, names.offset + s.name).equals(".nv.info")) info = s;
        }
        if (symbol == null) throw new IllegalArgumentException("cubin has no kernel named " + kernel);
        if (info == null) throw new IllegalArgumentException("cubin has no .nv.info section");
        Integer registers = null;
        int frame = 0;
        // Entries: format byte, attribute byte, then a 16-bit size and payload (SVAL) or a 16-bit value; 4-byte aligned.
        for (int p = info.offset; p + 4 <= info.offset + info.size; ) {
            int format = cubin[p] & 0xff, attribute = cubin[p + 1] & 0xff;
            int size = format == EIFMT_SVAL ? Short.toUnsignedInt(b.getShort(p + 2)) : 0;
            if (format == EIFMT_SVAL && size >= 8 && b.getInt(p + 4) == symbol) {
                if (attribute == EIATTR_REGCOUNT) registers = b.getInt(p + 8);
                if (attribute == EIATTR_FRAME_SIZE) frame = b.getInt(p + 8);
            }
            p += 4 + size;
        }
        if (registers == null) throw new IllegalArgumentException("cubin records no register count for " + kernel);
        return new CubinResources(registers, frame);
    }

    private record Section(int name, int type, int offset, int size, int link, int entrySize) {}

    private static Integer symbolIndex(byte[] cubin, ByteBuffer b, Section symtab, Section strtab, String kernel) {
        int entry = symtab.entrySize > 0 ? symtab.entrySize : 24;
        for (int i = 0; i * entry + entry <= symtab.size; i++) {
            int at = symtab.offset + i * entry;
            if (string(cubin, strtab.offset + b.getInt(at)).equals(kernel)) return i;
        }
        return null;
    }

    private static String string(byte[] bytes, int from) {
        int end = from;
        while (end < bytes.length && bytes[end] != 0) end++;
        return new String(bytes, from, end - from, StandardCharsets.US_ASCII);
    }
}
