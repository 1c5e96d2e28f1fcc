package org.ladderae.models.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ladderae.cli.Cli;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.models.Op;
import org.ladderae.models.onnx.OnnxImporter;
import org.ladderae.models.onnx.OnnxModels;
import org.ladderae.models.reference.StoredLinearWeight;

/** A compiled model reads back as the graph and the very weights the writer stored. */
class CompiledModelTest {
    @TempDir Path dir;

    private Path compile(String... extra) throws IOException {
        Path model = dir.resolve("mlp.onnx");
        Files.write(model, OnnxModels.rmsNormMlp(128, 256).toByteArray());
        Path out = dir.resolve("compiled" + extra.length);
        String[] args = new String[4 + extra.length];
        args[0] = "compile"; args[1] = model.toString(); args[2] = "--out"; args[3] = out.toString();
        System.arraycopy(extra, 0, args, 4, extra.length);
        assertThat(Cli.execute(args, new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()))).isZero();
        return out;
    }

    @Test
    void int4LinearsReadBackAsTheQuantisedCodesScalesAndZerosOfTheSource() throws Exception {
        Path out = compile("--weights", "int4", "--group-size", "64");
        CompiledModel cm = CompiledModel.open(out);
        var imported = OnnxImporter.importFile(dir.resolve("mlp.onnx"), WeightFormat.INT4, 64);
        assertThat(cm.graph()).isEqualTo(imported.graph());
        for (Op.Linear l : cm.graph().linears()) {
            StoredLinearWeight got = cm.linear(l);
            var source = imported.weights().get(l.weight());
            double[] rowMajor = new double[l.n() * l.k()];   // ONNX may store W as [K][N]: row() gives row n of W[N][K]
            for (int n = 0; n < l.n(); n++) System.arraycopy(source.row(n), 0, rowMajor, n * l.k(), l.k());
            StoredLinearWeight want = StoredLinearWeight.encode(l, rowMajor);
            assertThat(got.codes()).isEqualTo(want.codes());
            assertThat(got.scales()).isEqualTo(want.scales());
            assertThat(got.zeros()).isEqualTo(want.zeros());
            assertThat(got.groupLength()).isEqualTo(64);
        }
        assertThat(cm.values("norm.weight")).hasSize(128);
    }

    @Test
    void aChangedWeightFileOrAMissingManifestIsOneClearError() throws Exception {
        Path out = compile();
        CompiledModel cm = CompiledModel.open(out);
        Op.Linear first = cm.graph().linears().get(0);
        Path f;
        try (var s = Files.list(out.resolve("weights"))) {
            f = s.filter(p -> p.getFileName().toString().endsWith(".fp16")).findFirst().orElseThrow();
        }
        byte[] b = Files.readAllBytes(f);
        b[0] ^= 1;
        Files.write(f, b);
        List<Op.Linear> linears = cm.graph().linears();
        assertThatThrownBy(() -> { for (Op.Linear l : linears) cm.linear(l); })
                .isInstanceOf(IOException.class).hasMessageContaining("does not match the SHA-256");
        assertThatThrownBy(() -> CompiledModel.open(dir.resolve("nothing-here")))
                .isInstanceOf(IOException.class).hasMessageContaining("is not a compiled model").hasMessageContaining("ladder-ae compile");
        assertThat(first).isNotNull();
    }
}
