package org.ladderae.checkpoints;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CheckpointManifestTest {
    private final CheckpointManifest saved = CheckpointFixtures.manifest("sm_90a", "ladder_gemv_int4_fp16_1x16384x16384_n4_k512",
            CheckpointFixtures.GEMV_INT4).withBinary(CheckpointFixtures.binary("x"), "2026-11-25T18:00:00Z");

    @Test
    void roundTripsThroughJsonWithSnakeCaseFields() {
        byte[] json = saved.toJson();
        String text = new String(json, StandardCharsets.UTF_8);
        assertThat(text).contains("\"schema_version\" : 1", "\"binary_sha256\" : \"" + saved.binarySha256() + "\"",
                "\"shared_memory_bytes\" : 0", "\"candidates_tried\" : 48");
        assertThat(CheckpointManifest.fromJson(json, Path.of("manifest.json"))).isEqualTo(saved);
    }

    @Test
    void normalisesCaseSoKeysCompareEqual() {
        CheckpointKey lower = new CheckpointKey("GEMV", new KernelShape(1, 16384, 16384), "int4", "fp16", "Ladder");
        assertThat(lower).isEqualTo(saved.key());
        assertThat(lower.describe()).isEqualTo("gemv 1x16384x16384 W_INT4 A_FP16 stage ladder");
    }

    @Test
    void refusesANameThatIsNotOnePathSegment() {
        assertThatThrownBy(() -> CheckpointFixtures.manifest("sm_90a", "../evil", CheckpointFixtures.GEMV_INT4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name '../evil'");
    }

    @Test
    void refusesANewerSchemaWithOneLine() {
        String json = new String(saved.toJson(), StandardCharsets.UTF_8).replace("\"schema_version\" : 1", "\"schema_version\" : 2");
        assertThatThrownBy(() -> CheckpointManifest.fromJson(json.getBytes(StandardCharsets.UTF_8), Path.of("m.json")))
                .isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith("manifest m.json is not valid: schema_version 2 is not supported");
    }

    @Test
    void refusesAManifestWithoutItsHash() {
        String json = new String(saved.toJson(), StandardCharsets.UTF_8).replaceAll("\"binary_sha256\" : \"[0-9a-f]+\"", "\"binary_sha256\" : null");
        assertThatThrownBy(() -> CheckpointManifest.fromJson(json.getBytes(StandardCharsets.UTF_8), Path.of("m.json")))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("binary_sha256 and created_at are required");
    }
}
