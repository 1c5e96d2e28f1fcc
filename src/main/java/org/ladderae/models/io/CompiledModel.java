package org.ladderae.models.io;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ladderae.checkpoints.Sha256;
import org.ladderae.formats.BitPacking;
import org.ladderae.formats.Fp16;
import org.ladderae.formats.GroupQuantizer;
import org.ladderae.formats.Mxfp8;
import org.ladderae.kernels.ActFormat;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.kernels.WeightLayout;
import org.ladderae.models.CompiledModelWriter;
import org.ladderae.models.ModelGraph;
import org.ladderae.models.Op;
import org.ladderae.models.Tensor;
import org.ladderae.models.reference.StoredLinearWeight;

/**
 * A compiled-model directory ({@link CompiledModelWriter}) read back: the graph from its manifest and each
 * weight on demand, every file checked against the SHA-256 the manifest recorded. Linear weights come back as
 * {@link StoredLinearWeight} (codes in natural order, scales, zero points, MX exponents): the form the
 * executor uploads and the CPU reference decodes.
 */
public final class CompiledModel {
    private final Path dir;
    private final ModelGraph graph;
    private final Map<String, Map<String, String>> filesByTensorAndRole;
    private final Map<String, String> sha256ByFile;

    private CompiledModel(Path dir, ModelGraph graph, Map<String, Map<String, String>> files, Map<String, String> hashes) {
        this.dir = dir;
        this.graph = graph;
        this.filesByTensorAndRole = files;
        this.sha256ByFile = hashes;
    }

    /** @throws IOException one line naming what is missing or wrong, and how to fix it */
    public static CompiledModel open(Path dir) throws IOException {
        Path manifest = dir.resolve(CompiledModelWriter.MANIFEST);
        if (!Files.isRegularFile(manifest))
            throw new IOException(dir + " is not a compiled model (no " + CompiledModelWriter.MANIFEST + "): run `ladder-ae compile MODEL.onnx --out " + dir + "` first");
        ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        JsonNode m;
        try {
            m = json.readTree(manifest.toFile());
        } catch (IOException e) {
            throw new IOException(manifest + " is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (!"ladder-ae compiled model".equals(m.path("kind").asText()) || m.path("version").asInt() != 1)
            throw new IOException(manifest + " is not a version-1 ladder-ae compiled model: recompile it with this ladder-ae");
        ModelGraph graph;
        try {
            graph = json.treeToValue(m.get("graph"), ModelGraph.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException(manifest + ": its graph does not read back (" + e.getMessage() + "): recompile it with this ladder-ae");
        }
        Map<String, Map<String, String>> files = new LinkedHashMap<>();
        Map<String, String> hashes = new LinkedHashMap<>();
        for (JsonNode f : m.path("files")) {
            String file = f.path("file").asText();
            if (file.startsWith("/") || file.contains("..")) throw new IOException(manifest + " names a file outside the model directory: " + file);
            files.computeIfAbsent(f.path("tensor").asText(), t -> new LinkedHashMap<>()).put(f.path("role").asText(), file);
            hashes.put(file, f.path("sha256").asText());
        }
        return new CompiledModel(dir, graph, files, hashes);
    }

    public ModelGraph graph() { return graph; }

    public Path directory() { return dir; }

    /** FP16 values of a weight that is not a linear layer's (norm weights, biases), as stored. */
    public double[] values(String tensor) throws IOException {
        Tensor t = graph.tensor(tensor);
        int[] codes = BitPacking.unpack(read(tensor, role -> role.equals("fp16 values")), 16, (int) t.elements());
        double[] v = new double[codes.length];
        for (int i = 0; i < v.length; i++) v[i] = Fp16.INSTANCE.decode(codes[i]);
        return v;
    }

    /** A linear layer's weight as the kernels take it: the transform undone, codes in natural order, side tensors beside. */
    public StoredLinearWeight linear(Op.Linear op) throws IOException {
        WeightFormat f = op.format();
        int n = op.n(), k = op.k();
        byte[] transformed = read(op.weight(), role -> role.startsWith(f.token() + " codes"));
        int[] codes = WeightLayout.unpackPlain(WeightLayout.inverse(transformed, f, ActFormat.FP16, n, k), f, n, k);
        if (Op.Linear.hasGroupScales(f)) {
            int g = op.groupSize() == GroupQuantizer.WHOLE_ROW ? k : op.groupSize();
            int groups = k / g;
            double[] scales = halves(read(op.weight(), role -> role.startsWith("fp16 scales")), n * groups);
            double[] zeros = has(op.weight(), "fp16 zero points") ? halves(read(op.weight(), role -> role.startsWith("fp16 zero points")), n * groups)
                    : new double[n * groups];
            return new StoredLinearWeight(f, n, k, g, codes, scales, zeros, null);
        }
        if (f == WeightFormat.MXFP8) {
            byte[] e = read(op.weight(), role -> role.startsWith("e8m0"));
            int[] exps = new int[e.length];
            for (int i = 0; i < e.length; i++) exps[i] = e[i] & 0xff;
            return new StoredLinearWeight(f, n, k, Mxfp8.BLOCK, codes, null, null, exps);
        }
        return new StoredLinearWeight(f, n, k, 0, codes, null, null, null);
    }

    private boolean has(String tensor, String rolePrefix) {
        return filesByTensorAndRole.getOrDefault(tensor, Map.of()).keySet().stream().anyMatch(r -> r.startsWith(rolePrefix));
    }

    private static double[] halves(byte[] b, int count) {
        int[] codes = BitPacking.unpack(b, 16, count);
        double[] v = new double[count];
        for (int i = 0; i < count; i++) v[i] = Fp16.INSTANCE.decode(codes[i]);
        return v;
    }

    private byte[] read(String tensor, java.util.function.Predicate<String> role) throws IOException {
        Map<String, String> byRole = filesByTensorAndRole.get(tensor);
        if (byRole == null) throw new IOException(dir + ": no stored file for weight '" + tensor + "': recompile the model");
        List<String> matches = byRole.entrySet().stream().filter(e -> role.test(e.getKey())).map(Map.Entry::getValue).toList();
        if (matches.size() != 1) throw new IOException(dir + ": weight '" + tensor + "' has " + matches.size() + " matching files among " + byRole.keySet());
        Path p = dir.resolve(matches.get(0));
        if (!Files.isRegularFile(p)) throw new IOException(p + " is missing: the compiled model is incomplete; recompile it");
        String want = sha256ByFile.get(matches.get(0));
        if (!Sha256.of(p).equals(want)) throw new IOException(p + " does not match the SHA-256 in its manifest: the file changed; recompile the model");
        return Files.readAllBytes(p);
    }
}
