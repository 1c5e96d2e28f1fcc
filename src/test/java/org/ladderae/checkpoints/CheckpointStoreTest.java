package org.ladderae.checkpoints;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.ladderae.checkpoints.CheckpointFixtures.GEMV_INT4;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {
    @TempDir Path root;

    @Test
    void savedCheckpointIsFoundByKeyAndLoadsItsBinary() throws Exception {
        Checkpoint saved = CheckpointFixtures.saveSample(root, "sm_90a", "gemv_a");
        CheckpointStore store = new CheckpointStore(root);

        assertThat(saved.directory()).isEqualTo(root.resolve("sm_90a/gemv_a"));
        assertThat(store.list()).containsExactly(saved);
        assertThat(store.find("sm_90a", GEMV_INT4)).contains(saved);
        assertThat(store.loadBinary("sm_90a", GEMV_INT4)).isEqualTo(CheckpointFixtures.binary("sm_90agemv_a"));
        assertThat(store.verify()).singleElement().satisfies(v -> assertThat(v.ok()).isTrue());
        assertThat(Files.list(root.resolve("sm_90a")).map(p -> p.getFileName().toString())).containsExactly("gemv_a");
    }

    @Test
    void alteredBinaryIsAClearError() throws Exception {
        Checkpoint saved = CheckpointFixtures.saveSample(root, "sm_90a", "gemv_a");
        Files.write(saved.binaryPath(), new byte[] {1, 2, 3});
        CheckpointStore store = new CheckpointStore(root);

        assertThatThrownBy(() -> store.loadBinary("sm_90a", GEMV_INT4))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("checkpoint binary " + saved.binaryPath() + " does not match its manifest: SHA-256 is ");
        assertThat(store.verify()).singleElement().satisfies(v -> {
            assertThat(v.ok()).isFalse();
            assertThat(v.file()).isEqualTo(saved.binaryPath());
        });
    }

    @Test
    void checkpointsForAnotherArchAreRefusedWithWhatToRun() throws Exception {
        CheckpointFixtures.saveSample(root, "sm_80", "gemv_a");
        assertThatThrownBy(() -> new CheckpointStore(root).require("sm_90a", GEMV_INT4))
                .isInstanceOf(CheckpointException.class)
                .hasMessageEndingWith("/sm_80 were tuned for sm_80 but this GPU is sm_90a: rerun with --force-tune-ladder to tune for it")
                .hasMessageStartingWith("checkpoints in ");
    }

    @Test
    void missingCheckpointSaysWhatToRun() {
        assertThatThrownBy(() -> new CheckpointStore(root).require("sm_90a", GEMV_INT4))
                .hasMessageStartingWith("no checkpoint for gemv 1x16384x16384 W_INT4 A_FP16 stage ladder in ")
                .hasMessageEndingWith(": rerun with --force-tune-ladder to tune it");
    }

    @Test
    void manifestInTheWrongArchDirectoryIsRefused() throws Exception {
        Checkpoint saved = CheckpointFixtures.saveSample(root, "sm_80", "gemv_a");
        Files.createDirectories(root.resolve("sm_90a/gemv_a"));
        for (String f : new String[] {"manifest.json", "gemv_a.cubin"}) {
            Files.copy(saved.directory().resolve(f), root.resolve("sm_90a/gemv_a").resolve(f));
        }
        assertThatThrownBy(() -> new CheckpointStore(root).find("sm_90a", GEMV_INT4))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("describes sm_80/gemv_a but lies in sm_90a/gemv_a");
    }

    @Test
    void saveNeverReplacesWithoutForce() throws Exception {
        CheckpointFixtures.saveSample(root, "sm_90a", "gemv_a");
        CheckpointStore store = new CheckpointStore(root);
        CheckpointManifest retuned = CheckpointFixtures.manifest("sm_90a", "gemv_b", GEMV_INT4);
        Map<String, String> before = CheckpointFixtures.snapshot(root);

        assertThatThrownBy(() -> store.save(retuned, CheckpointFixtures.binary("new"), false))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("a checkpoint for gemv 1x16384x16384 W_INT4 A_FP16 stage ladder already exists at ");
        assertThat(CheckpointFixtures.snapshot(root)).isEqualTo(before);

        // Same key under a new name: the old directory goes, so a key never has two checkpoints.
        Checkpoint replaced = store.save(retuned, CheckpointFixtures.binary("new"), true);
        assertThat(store.list()).containsExactly(replaced);
        assertThat(store.loadBinary("sm_90a", GEMV_INT4)).isEqualTo(CheckpointFixtures.binary("new"));
        assertThat(Files.list(root.resolve("sm_90a")).map(p -> p.getFileName().toString())).containsExactly("gemv_b");
    }

    @Test
    void defaultRootFollowsTheLauncher() {
        assertThat(CheckpointStore.defaultRoot(Map.of("LADDER_AE_HOME", "/opt/ladder-ae"))).isEqualTo(Path.of("/opt/ladder-ae/checkpoints"));
        assertThat(CheckpointStore.defaultRoot(Map.of())).isEqualTo(Path.of("checkpoints"));
    }
}
