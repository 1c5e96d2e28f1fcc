package org.ladderae.models.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ladderae.formats.Fp16;

class NpyArrayTest {
    @TempDir Path dir;

    @Test
    void fp16RoundTripsWithShapeAndAlignedHeader() throws IOException {
        double[] v = {1.0, -2.5, 0.0009765625, 65504, -0.333251953125, 7};
        Path f = dir.resolve("a.npy");
        new NpyArray(List.of(1, 2, 3), v).writeFp16(f);
        byte[] b = Files.readAllBytes(f);
        int headerLen = (b[8] & 0xff) | (b[9] & 0xff) << 8;
        assertThat((10 + headerLen) % 64).as("data starts 64-byte aligned, as numpy writes it").isZero();
        assertThat(new String(b, 10, headerLen, StandardCharsets.ISO_8859_1)).contains("'descr': '<f2'", "'shape': (1,2,3)");
        NpyArray back = NpyArray.read(f);
        assertThat(back.shape()).containsExactly(1, 2, 3);
        for (int i = 0; i < v.length; i++) assertThat(back.values()[i]).isEqualTo(Fp16.round(v[i]));
        new NpyArray(List.of(3), new double[] {1, 2, 3}).writeFp16(f);
        assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).contains("'shape': (3,)");
    }

    @Test
    void readsFloat32AsNumpyWritesIt() throws IOException {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }";
        String header = dict + " ".repeat(128 - 10 - dict.length() - 1) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length()).put(header.getBytes(StandardCharsets.ISO_8859_1));
        b.putFloat(0.5f).putFloat(-1.25f).putFloat(3f).putFloat(1e-3f);
        Path f = dir.resolve("f4.npy");
        Files.write(f, b.array());
        NpyArray a = NpyArray.read(f);
        assertThat(a.shape()).containsExactly(2, 2);
        assertThat(a.values()).containsExactly(0.5, -1.25, 3.0, (double) 1e-3f);
    }

    @Test
    void badFilesAreOneLineErrors() throws IOException {
        Path f = dir.resolve("bad.npy");
        Files.writeString(f, "not numpy at all");
        assertThatThrownBy(() -> NpyArray.read(f)).isInstanceOf(IOException.class).hasMessageContaining("not a .npy file");
        Path t = dir.resolve("trunc.npy");
        new NpyArray(List.of(4), new double[] {1, 2, 3, 4}).writeFp16(t);
        byte[] b = Files.readAllBytes(t);
        Files.write(t, java.util.Arrays.copyOf(b, b.length - 2));
        assertThatThrownBy(() -> NpyArray.read(t)).hasMessageContaining("data bytes").hasMessageContaining("needs 8");
    }
}
