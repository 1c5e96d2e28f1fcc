package org.ladderae.baselines;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.paperdata.NumberFormat;
import org.ladderae.results.Measurement;

class JsonLinesTest {
    static String fixture() throws IOException {
        try (InputStream in = JsonLinesTest.class.getResourceAsStream("/baselines/h100_base.jsonl")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void readsEveryRecordOfTheH100RunAndKeepsItsNumbers() throws IOException {
        JsonLines.Parsed p = JsonLines.parse(fixture());
        // The first line is torch_bench.py's env line (no system): the one expected problem.
        assertThat(p.problems()).singleElement().asString().startsWith("line 1: missing \"system\"");
        List<Measurement> ms = p.measurements();
        assertThat(ms).hasSize(100);
        Measurement fp16 = ms.stream().filter(m -> m.system().equals("cuBLAS") && m.workload().equals("T16384")
                && m.formats().equals(FormatPair.FP16)).findFirst().orElseThrow();
        assertThat(fp16.status()).isEqualTo(Measurement.Status.OK);
        assertThat(fp16.medianMs()).isCloseTo(12.9463, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(fp16.timing().samplesMs()).hasSize(10);
        assertThat(fp16.device()).isEqualTo("NVIDIA H100 80GB HBM3");
        assertThat(fp16.extras()).containsKey("tflops");
        Measurement intMm = ms.stream().filter(m -> m.system().equals("PyTorch-int_mm") && m.workload().equals("M0")).findFirst().orElseThrow();
        assertThat(intMm.status()).isEqualTo(Measurement.Status.NA);
        assertThat(intMm.reason()).contains("greater than 16");
        Measurement bloom = ms.stream().filter(m -> m.system().equals("PyTorch") && m.workload().equals("bloom")
                && m.setting().equals("BS1 SEQ4096")).findFirst().orElseThrow();
        assertThat(bloom.extras()).containsKeys("torch_peak_allocated_mb", "driver_used_peak_mb");
        assertThat(bloom.versions()).containsEntry("transformers", "5.17.0");
    }

    @Test
    void reportsBadAndPartialLinesAsProblemsNotNumbers() {
        String ok = "{\"system\":\"PyTorch\",\"workload\":\"vit\",\"setting\":\"BS1\",\"formats\":\"W_FP16A_FP16\",\"status\":\"ok\","
                + "\"median_ms\":2.0,\"samples_ms\":[1.0,2.0,3.0]}";
        String out = String.join("\n",
                ok,
                "Traceback (most recent call last):",
                "{\"system\":\"PyTorch\",\"workload\":\"vit\",\"setting\":\"BS128\",\"formats\":\"W_FP16A_FP16\",\"status\":\"ok\"}",
                "{\"system\":\"X\",\"workload\":\"w\",\"formats\":\"W_FP16A_FP16\",\"status\":\"failed\"}",
                "{\"system\":\"X\",\"workload\":\"w\",\"formats\":\"W_FOOA_FP16\",\"status\":\"na\",\"reason\":\"r\"}",
                "{\"system\":\"X\",\"workload\":\"w\",\"formats\":\"W_FP16A_FP16\",\"status\":\"ok\",\"median_ms\":9.0,\"samples_ms\":[1.0,2.0,3.0]}",
                "{\"system\":\"PyTorch\",\"workload\":\"resnet\",\"setting\":\"BS1\",\"formats\":\"W_FP16A_FP16\",\"status\":\"ok\",\"median_ms\":1.");
        JsonLines.Parsed p = JsonLines.parse(out);
        assertThat(p.measurements()).singleElement().satisfies(m -> {
            assertThat(m.setting()).isEqualTo("BS1");
            assertThat(m.medianMs()).isEqualTo(2.0);
            assertThat(m.timing().cv()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-12));
        });
        assertThat(p.problems()).hasSize(6);
        assertThat(p.problems().get(0)).startsWith("line 2: not JSON");
        assertThat(p.problems().get(1)).contains("without a numeric median_ms");
        assertThat(p.problems().get(2)).contains("without a reason");
        assertThat(p.problems().get(3)).contains("unknown formats");
        assertThat(p.problems().get(4)).contains("disagrees with its samples");
        assertThat(p.problems().get(5)).startsWith("line 7: not JSON");
    }

    @Test
    void parsesFormatLabelsIncludingE4M3AndBf16() {
        assertThat(JsonLines.parseFormats("W_FP8E4M3A_FP8E4M3")).contains(new FormatPair(NumberFormat.FP8_E4M3, NumberFormat.FP8_E4M3));
        assertThat(JsonLines.parseFormats("W_INT4A_BF16")).contains(new FormatPair(NumberFormat.INT4, NumberFormat.BF16));
        assertThat(JsonLines.parseFormats("FP16")).isEmpty();
    }
}
