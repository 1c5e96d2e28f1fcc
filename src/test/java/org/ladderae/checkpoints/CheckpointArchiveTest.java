package org.ladderae.checkpoints;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CheckpointArchiveTest {
    /** Small limits so the size cases need only a few KB. */
    private static final UnpackOptions LIMITS = new UnpackOptions(false, 1024, 4096, 6);

    @TempDir Path tmp;
    private Path source;
    private Path dest;

    @BeforeEach
    void setUp() throws IOException {
        source = tmp.resolve("source");
        dest = tmp.resolve("dest");
        CheckpointFixtures.saveSample(source, "sm_90a", "gemv_a");
        CheckpointFixtures.saveSample(source, "sm_80", "gemv_a");
        Files.writeString(source.resolve("README.md"), "not packed");
        // The destination already holds a checkpoint, so "unchanged" below means something.
        CheckpointFixtures.saveSample(dest, "sm_89", "existing");
    }

    @Test
    void packThenUnpackIsByteIdenticalAndDeterministic() throws IOException {
        Path archive = tmp.resolve("ckpt.tar.gz");
        CheckpointArchive.PackResult packed = CheckpointArchive.pack(source, archive);
        assertThat(packed.checkpoints()).containsExactly("sm_80/gemv_a", "sm_90a/gemv_a");
        assertThat(packed.files()).isEqualTo(4);

        Path fresh = tmp.resolve("fresh");
        CheckpointArchive.UnpackResult result = CheckpointArchive.unpack(archive, fresh, UnpackOptions.defaults());
        assertThat(result.installed()).containsExactly("sm_80/gemv_a", "sm_90a/gemv_a");
        assertThat(result.replaced()).isEmpty();
        Map<String, String> expected = CheckpointFixtures.snapshot(source);
        expected.remove("README.md");
        assertThat(CheckpointFixtures.snapshot(fresh)).isEqualTo(expected);

        Path again = tmp.resolve("again.tar.gz");
        CheckpointArchive.pack(source, again);
        assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(archive));
    }

    static Stream<Arguments> hostileArchives() throws IOException {
        String ok = "sm_90a/k/";
        return Stream.of(
                Arguments.of("absolute path", new HostileArchives().file("/tmp/evil/sm_90a/k/x", "x").finish(), "has an absolute path"),
                Arguments.of("dot-dot escape", new HostileArchives().file("../escape", "x").finish(), "escapes the destination"),
                Arguments.of("nested escape", new HostileArchives().file("sm_90a/a/../../escape", "x").finish(), "escapes the destination"),
                Arguments.of("symlink", new HostileArchives().link(ok + "manifest.json", HostileArchives.SYMLINK, "/etc/passwd").finish(),
                        "is a symbolic link (to '/etc/passwd')"),
                Arguments.of("hard link", new HostileArchives().link(ok + "manifest.json", HostileArchives.HARD_LINK, "/etc/shadow").finish(),
                        "is a hard link (to '/etc/shadow')"),
                Arguments.of("fifo", new HostileArchives().special(ok + "pipe", HostileArchives.FIFO).finish(), "is a device or FIFO"),
                Arguments.of("char device", new HostileArchives().special(ok + "null", HostileArchives.CHAR_DEVICE).finish(), "is a device or FIFO"),
                Arguments.of("duplicate", new HostileArchives().file(ok + "a.cubin", "1").file(ok + "a.cubin", "2").finish(),
                        "entry 'sm_90a/k/a.cubin' appears more than once"),
                Arguments.of("entry over limit", new HostileArchives().file(ok + "big.cubin", new byte[1025]).finish(),
                        "entry 'sm_90a/k/big.cubin' is larger than the limit of 1024 bytes"),
                Arguments.of("total over limit", manyEntries(5, 1000), "it expands to more than the limit of 4096 bytes"),
                Arguments.of("too many entries", manyEntries(7, 1), "it has more than 6 entries"),
                Arguments.of("file then directory", new HostileArchives().file(ok + "a", "1").file(ok + "a/b", "2").finish(),
                        "entry 'sm_90a/k/a/b' clashes with another entry's path"),
                Arguments.of("outside the layout", new HostileArchives().file("README.md", "x").finish(), "is not inside an <arch>/<checkpoint>/"),
                Arguments.of("not an arch", new HostileArchives().file("etc/k/passwd", "x").finish(), "is not under an arch directory"),
                Arguments.of("broken checkpoint", new HostileArchives().file(ok + "notes.txt", "no manifest").finish(),
                        "checkpoint sm_90a/k in it is broken"),
                Arguments.of("truncated gzip", truncated(), "it is truncated or corrupt"),
                Arguments.of("plain text", "just some notes\n".repeat(100).getBytes(StandardCharsets.UTF_8), "is not a gzip-compressed tar archive"),
                Arguments.of("gzipped text", gzip("just some notes\n".repeat(100)), "is not a gzip-compressed tar archive"),
                Arguments.of("empty tar", new HostileArchives().finish(), "it contains no checkpoints"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileArchives")
    void hostileArchiveIsRefusedAndLeavesTheDestinationUnchanged(String label, byte[] archiveBytes, String expected) throws IOException {
        Path archive = tmp.resolve("hostile.tar.gz");
        Files.write(archive, archiveBytes);
        Map<String, String> before = CheckpointFixtures.snapshot(dest);

        assertThatThrownBy(() -> CheckpointArchive.unpack(archive, dest, LIMITS))
                .isInstanceOf(CheckpointException.class).hasMessageContaining(expected)
                .hasMessageNotContaining("\n");
        assertThat(CheckpointFixtures.snapshot(dest)).isEqualTo(before);
        assertThat(tmp.resolve("escape")).doesNotExist();
    }

    @Test
    void refusedArchiveDoesNotCreateAMissingDestination() throws IOException {
        Path archive = tmp.resolve("evil.tar.gz");
        Files.write(archive, new HostileArchives().file("../escape", "x").finish());
        Path missing = tmp.resolve("new/checkpoints");
        assertThatThrownBy(() -> CheckpointArchive.unpack(archive, missing, LIMITS)).isInstanceOf(CheckpointException.class);
        assertThat(tmp.resolve("new")).doesNotExist();
    }

    @Test
    void existingCheckpointIsReplacedOnlyWithForce() throws IOException {
        Path archive = tmp.resolve("ckpt.tar.gz");
        CheckpointArchive.pack(source, archive);
        CheckpointArchive.unpack(archive, dest, UnpackOptions.defaults());
        // A locally re-tuned kernel for the same key, under another name, must not be silently lost.
        new CheckpointStore(dest).save(CheckpointFixtures.manifest("sm_90a", "retuned", CheckpointFixtures.GEMV_INT4),
                CheckpointFixtures.binary("local"), true);
        Map<String, String> before = CheckpointFixtures.snapshot(dest);

        assertThatThrownBy(() -> CheckpointArchive.unpack(archive, dest, UnpackOptions.defaults()))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("checkpoint sm_80/gemv_a already exists in ")
                .hasMessageEndingWith("(as sm_80/gemv_a); pass --force to replace it");
        assertThat(CheckpointFixtures.snapshot(dest)).isEqualTo(before);

        CheckpointArchive.UnpackResult forced = CheckpointArchive.unpack(archive, dest, UnpackOptions.defaults().withForce(true));
        assertThat(forced.replaced()).containsExactly("sm_80/gemv_a", "sm_90a/retuned");
        CheckpointStore store = new CheckpointStore(dest);
        assertThat(store.list()).extracting(Checkpoint::id).containsExactly("sm_80/gemv_a", "sm_89/existing", "sm_90a/gemv_a");
        assertThat(store.loadBinary("sm_90a", CheckpointFixtures.GEMV_INT4)).isEqualTo(CheckpointFixtures.binary("sm_90agemv_a"));
        try (Stream<Path> left = Files.list(dest)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("."));
        }
    }

    @Test
    void packRefusesSymbolicLinks() throws IOException {
        Path link = source.resolve("sm_90a/gemv_a/extra");
        Files.createSymbolicLink(link, source.resolve("README.md"));
        assertThatThrownBy(() -> CheckpointArchive.pack(source, tmp.resolve("x.tar.gz")))
                .isInstanceOf(CheckpointException.class).hasMessageStartingWith("refusing to pack symbolic link ");
    }

    private static byte[] manyEntries(int count, int size) throws IOException {
        HostileArchives a = new HostileArchives();
        for (int i = 0; i < count; i++) a.file("sm_90a/k/part" + i, new byte[size]);
        return a.finish();
    }

    private static byte[] truncated() throws IOException {
        byte[] whole = new HostileArchives().file("sm_90a/k/a.cubin", new byte[600]).file("sm_90a/k/b.cubin", "b").finish();
        return Arrays.copyOf(whole, whole.length / 2);
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GzipCompressorOutputStream gz = new GzipCompressorOutputStream(out)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }
}
