package org.ladderae.models;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ladderae.formats.BitPacking;
import org.ladderae.formats.Fp16;
import org.ladderae.formats.GroupQuantizer;
import org.ladderae.formats.Mxfp8;
import org.ladderae.kernels.ActFormat;
import org.ladderae.kernels.GemvConfig;
import org.ladderae.kernels.GemvStage;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.kernels.WeightLayout;
import org.ladderae.models.onnx.ImportedModel;
import org.ladderae.models.onnx.OnnxWeight;
import org.ladderae.models.onnx.QuantizedWeight;
import org.ladderae.results.AtomicFiles;

/**
 * Writes a compiled-model directory: {@code weights/} with every linear layer's weights repacked in its
 * format and in Ladder's transformed layout for FP16 activations ({@link WeightLayout#transform}), their
 * FP16 group scales and zero points beside them, every other weight as FP16, and {@code manifest.json}
 * (the graph as data, formats, files with their SHA-256, the source file's hash). The manifest is written
 * last, so a directory with one is complete. {@code ladder-ae run} executes it (models.io.CompiledModel reads it back).
 */
public final class CompiledModelWriter {
    public static final String MANIFEST = "manifest.json";
    /** Rows repacked at a time: bounds memory for the 28672 x 8192 layers of LLaMA-70B. */
    private static final int ROW_CHUNK = 64;

    private CompiledModelWriter() {}

    /** One file written, as listed in the manifest. */
    public record WrittenFile(String tensor, String role, String file, long bytes, String sha256) {}

    /**
     * Checks every linear layer against the GEMV kernels' K unit before anything is written.
     * @throws IllegalArgumentException naming the layer that cannot run
     */
    public static void checkKernelShapes(ModelGraph g) {
        for (Op.Linear l : g.linears()) {
            try {
                GemvConfig.of(l.format(), ActFormat.FP16, 1, GemvStage.TRANSFORM).validateShape(l.n(), l.k());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("linear layer '" + l.name() + "' (" + l.n() + "x" + l.k() + "): " + e.getMessage());
            }
        }
    }

    public static Path write(ImportedModel model, Path out) throws IOException {
        ModelGraph g = model.graph();
        checkKernelShapes(g);
        if (Files.exists(out.resolve(MANIFEST))) throw new IllegalArgumentException(out + " already holds a compiled model; choose another --out");
        Path weightsDir = out.resolve("weights");
        Files.createDirectories(weightsDir);
        List<WrittenFile> files = new ArrayList<>();
        Set<String> usedNames = new HashSet<>();
        Set<String> linearWeights = new HashSet<>();
        for (Op.Linear l : g.linears()) {
            linearWeights.add(l.weight());
            QuantizedWeight pre = model.quantizedWeights().get(l.weight());
            if (pre != null) writeQuantized(l, pre, weightsDir, usedNames, files);
            else writeLinear(l, model.weights().get(l.weight()), weightsDir, usedNames, files);
        }
        for (Tensor w : g.weights()) {
            if (linearWeights.contains(w.name())) continue;
            OnnxWeight data = model.weights().get(w.name());
            double[] values = data.values();
            int[] codes = new int[values.length];
            for (int i = 0; i < values.length; i++) codes[i] = Fp16.INSTANCE.encode(values[i]);
            files.add(writeFile(weightsDir, fileName(w.name(), ".f16", usedNames), w.name(), "fp16 values", s -> s.write(BitPacking.pack(codes, 16))));
        }
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("kind", "ladder-ae compiled model");
        manifest.put("version", 1);
        var src = model.source();
        manifest.put("source", Map.of("file", src.file().getFileName().toString(), "bytes", src.bytes(), "sha256", src.sha256(),
                "irVersion", src.irVersion(), "opset", src.opsetVersion(), "producer", src.producer()));
        manifest.put("linearWeightLayout", "codes packed along K, 32-bit words slot-permuted for FP16 activations (WeightLayout.transform); "
                + "INTx/NF4 scales (and INTx zero points) FP16 [N][K/group]; MXFP8 exponents E8M0 [N][K/32]");
        manifest.put("kernels", "built for the GPU found when the model first runs (nvcc), then loaded from the kernel cache");
        manifest.put("executor", "ladder-ae run DIR: the layer executor (LLaMA/BLOOM-style layers) on the GPU, or --cpu-reference");
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("opCounts", g.opCounts());
        summary.put("distinctLinearShapes", g.distinctLinearShapes().stream().map(LinearShape::toString).toList());
        summary.put("linearWeightBytes", g.linearWeightBytes());
        summary.put("otherWeightBytes", g.otherWeightBytes());
        summary.put("flops", g.flops());
        manifest.put("summary", summary);
        manifest.put("graph", g);
        manifest.put("files", files);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        AtomicFiles.write(out.resolve(MANIFEST), json.writeValueAsBytes(manifest));
        return out.resolve(MANIFEST);
    }

    private static void writeLinear(Op.Linear l, OnnxWeight w, Path dir, Set<String> usedNames, List<WrittenFile> files) throws IOException {
        WeightFormat f = l.format();
        int n = l.n(), k = l.k();
        boolean grouped = Op.Linear.hasGroupScales(f);
        GroupQuantizer q = grouped ? new GroupQuantizer(f.elementCodec(), l.groupSize(), true) : null;
        int groupsPerRow = grouped ? k / q.groupLength(k) : f == WeightFormat.MXFP8 ? k / Mxfp8.BLOCK : 0;
        // One pass over the rows fills the codes file and the per-group side files together.
        int[] scaleCodes = new int[n * groupsPerRow], zeroCodes = new int[n * groupsPerRow];
        byte[] exponents = new byte[n * groupsPerRow];
        files.add(writeFile(dir, fileName(l.weight(), "." + f.token(), usedNames), l.weight(), f.token() + " codes, transformed", out -> {
            for (int r0 = 0; r0 < n; r0 += ROW_CHUNK) {
                int rows = Math.min(ROW_CHUNK, n - r0);
                int[] codes = new int[rows * k];
                for (int r = 0; r < rows; r++) {
                    double[] row = w.row(r0 + r);
                    int base = r * k, side = (r0 + r) * groupsPerRow;
                    if (grouped) {
                        GroupQuantizer.Quantized qr = q.quantizeRow(row);
                        System.arraycopy(qr.codes(), 0, codes, base, k);
                        for (int g = 0; g < groupsPerRow; g++) {
                            scaleCodes[side + g] = Fp16.INSTANCE.encode(qr.scales()[g]);
                            zeroCodes[side + g] = Fp16.INSTANCE.encode(qr.zeros()[g]);
                        }
                    } else if (f == WeightFormat.MXFP8) {
                        for (int b = 0; b < groupsPerRow; b++) {
                            Mxfp8.Block blk = Mxfp8.encodeBlock(row, b * Mxfp8.BLOCK);
                            System.arraycopy(blk.elements(), 0, codes, base + b * Mxfp8.BLOCK, Mxfp8.BLOCK);
                            exponents[side + b] = (byte) blk.exponent();
                        }
                    } else {
                        for (int i = 0; i < k; i++) codes[base + i] = f.elementCodec().encode(row[i]);
                    }
                }
                out.write(WeightLayout.transform(WeightLayout.packPlain(codes, f, rows, k), f, ActFormat.FP16, rows, k));
            }
        }));
        if (grouped) {
            files.add(writeFile(dir, fileName(l.weight(), ".scales.f16", usedNames), l.weight(), "fp16 scales [N][K/" + q.groupLength(k) + "]",
                    out -> out.write(BitPacking.pack(scaleCodes, 16))));
            if (f.isUnsignedInt()) files.add(writeFile(dir, fileName(l.weight(), ".zeros.f16", usedNames), l.weight(), "fp16 zero points [N][K/" + q.groupLength(k) + "]",
                    out -> out.write(BitPacking.pack(zeroCodes, 16))));
        } else if (f == WeightFormat.MXFP8) {
            files.add(writeFile(dir, fileName(l.weight(), ".e8m0", usedNames), l.weight(), "e8m0 exponents [N][K/32]", out -> out.write(exponents)));
        }
    }

    /** A weight quantised before export: its codes, scales and zeros as they are, laid out like {@link #writeLinear}'s. */
    private static void writeQuantized(Op.Linear l, QuantizedWeight w, Path dir, Set<String> usedNames, List<WrittenFile> files) throws IOException {
        WeightFormat f = l.format();
        int n = l.n(), k = l.k(), groups = w.groupsPerRow();
        files.add(writeFile(dir, fileName(l.weight(), "." + f.token(), usedNames), l.weight(), f.token() + " codes from the model's qweight, transformed", out -> {
            for (int r0 = 0; r0 < n; r0 += ROW_CHUNK) {
                int rows = Math.min(ROW_CHUNK, n - r0);
                int[] codes = new int[rows * k];
                for (int r = 0; r < rows; r++) System.arraycopy(w.codes(r0 + r), 0, codes, r * k, k);
                out.write(WeightLayout.transform(WeightLayout.packPlain(codes, f, rows, k), f, ActFormat.FP16, rows, k));
            }
        }));
        int[] scaleCodes = new int[n * groups], zeroCodes = new int[n * groups];
        for (int r = 0; r < n; r++)
            for (int g = 0; g < groups; g++) {
                scaleCodes[r * groups + g] = Fp16.INSTANCE.encode(w.scale(r, g));
                zeroCodes[r * groups + g] = Fp16.INSTANCE.encode(w.zero(r, g));
            }
        String per = "[N][K/" + (w.groupSize() == GroupQuantizer.WHOLE_ROW ? k : w.groupSize()) + "]";
        files.add(writeFile(dir, fileName(l.weight(), ".scales.f16", usedNames), l.weight(), "fp16 scales " + per + " from the model", out -> out.write(BitPacking.pack(scaleCodes, 16))));
        files.add(writeFile(dir, fileName(l.weight(), ".zeros.f16", usedNames), l.weight(), "fp16 zero points " + per + " from the model", out -> out.write(BitPacking.pack(zeroCodes, 16))));
    }

    private static WrittenFile writeFile(Path dir, String name, String tensor, String role, AtomicFiles.IoConsumer<OutputStream> body) throws IOException {
        Path p = AtomicFiles.write(dir.resolve(name), body);
        return new WrittenFile(tensor, role, "weights/" + name, Files.size(p), org.ladderae.checkpoints.Sha256.of(p));
    }

    /** A file name from a tensor name ("/model/layers.0/Mul_output_0" has slashes); distinct per directory. */
    static String fileName(String tensor, String suffix, Set<String> used) {
        String base = tensor.replaceAll("[^A-Za-z0-9._-]", "_").replaceAll("^[._]+", "");
        if (base.isEmpty()) base = "weight";
        String name = base + suffix;
        for (int i = 2; !used.add(name.toLowerCase(java.util.Locale.ROOT)); i++) name = base + "_" + i + suffix;
        return name;
    }
}
