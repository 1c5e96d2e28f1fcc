package org.ladderae.formats;

/** Packs x-bit codes into bytes along K: element k sits in byte k*bits/8 at bit offset (k % (8/bits))*bits. */
public final class BitPacking {
    private BitPacking() {}

    /** Packs codes (each in its low {@code bits} bits); 16-bit codes become two little-endian bytes. */
    public static byte[] pack(int[] codes, int bits) {
        checkBits(bits);
        if ((long) codes.length * bits % 8 != 0) throw new IllegalArgumentException(codes.length + " codes of " + bits + " bits do not fill whole bytes");
        byte[] out = new byte[(int) ((long) codes.length * bits / 8)];
        if (bits == 16) {
            for (int i = 0; i < codes.length; i++) {
                out[2 * i] = (byte) codes[i];
                out[2 * i + 1] = (byte) (codes[i] >>> 8);
            }
            return out;
        }
        int per = 8 / bits, mask = (1 << bits) - 1;
        for (int i = 0; i < codes.length; i++) out[i / per] |= (byte) ((codes[i] & mask) << ((i % per) * bits));
        return out;
    }

    public static int[] unpack(byte[] packed, int bits, int count) {
        checkBits(bits);
        int[] out = new int[count];
        if (bits == 16) {
            for (int i = 0; i < count; i++) out[i] = (packed[2 * i] & 0xff) | ((packed[2 * i + 1] & 0xff) << 8);
            return out;
        }
        int per = 8 / bits, mask = (1 << bits) - 1;
        for (int i = 0; i < count; i++) out[i] = ((packed[i / per] & 0xff) >>> ((i % per) * bits)) & mask;
        return out;
    }

    private static void checkBits(int bits) {
        if (bits != 1 && bits != 2 && bits != 4 && bits != 8 && bits != 16) throw new IllegalArgumentException("cannot pack " + bits + "-bit codes");
    }
}
