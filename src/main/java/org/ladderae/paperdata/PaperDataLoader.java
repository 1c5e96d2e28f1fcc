package org.ladderae.paperdata;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads and validates the bundled paper data ({@code artifact/paper-data/*.json}, on the classpath
 * under {@code paper-data/}). Every problem is reported as one {@link PaperDataException} whose
 * message names the file and the JSON path of the field, so a user sees what to fix.
 */
public final class PaperDataLoader {
    public static final String SCHEMA = "ladder-ae/paper-data/v1";
    private static final Set<String> X_ATTRIBUTE_ARRAYS = Set.of("x_settings", "x_shapes", "x_formats");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path overrideDir;

    /** Loads from the classpath. */
    public PaperDataLoader() { this(null); }

    /** Loads from {@code dir} when not null (used by tests and {@code --paper-data}). */
    public PaperDataLoader(Path dir) { this.overrideDir = dir; }

    public ExperimentData load(String experiment) {
        String file = experiment + ".json";
        byte[] bytes = read(file);
        JsonNode root;
        try {
            root = MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new PaperDataException(where(file) + ": not valid JSON (line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + "): " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new PaperDataException(where(file) + ": cannot be read: " + e.getMessage(), e);
        }
        return parse(file, root);
    }

    private String where(String file) {
        return overrideDir == null ? "paper data " + file : overrideDir.resolve(file).toString();
    }

    private byte[] read(String file) {
        try {
            if (overrideDir != null) {
                Path p = overrideDir.resolve(file);
                if (!Files.exists(p)) throw new PaperDataException(p + ": file not found");
                return Files.readAllBytes(p);
            }
            try (InputStream in = PaperDataLoader.class.getResourceAsStream("/paper-data/" + file)) {
                if (in == null) throw new PaperDataException("paper data " + file + " is not bundled in this build (rebuild with mvn package)");
                return in.readAllBytes();
            }
        } catch (IOException e) {
            throw new PaperDataException(where(file) + ": cannot be read: " + e.getMessage(), e);
        }
    }

    private ExperimentData parse(String file, JsonNode root) {
        Ctx c = new Ctx(where(file));
        String schema = c.text(root, "schema");
        if (!SCHEMA.equals(schema)) throw c.error("schema", "expected '" + SCHEMA + "' but found '" + schema + "'");
        List<Dataset> datasets = new ArrayList<>();
        JsonNode ds = c.array(root, "datasets");
        if (ds.isEmpty()) throw c.error("datasets", "is empty");
        for (int i = 0; i < ds.size(); i++) datasets.add(dataset(c.at("datasets[" + i + "]"), ds.get(i)));
        JsonNode transcribed = root.path("transcribed_from");
        return new ExperimentData(c.text(root, "experiment"), c.text(root, "paper_figure"), c.text(root, "title"),
                c.text(root, "metric"), c.text(root, "unit"), c.bool(root, "lower_is_better"),
                root.path("layout"), transcribed.path("file").asText(null), datasets);
    }

    private Dataset dataset(Ctx c, JsonNode n) {
        JsonNode src = c.object(n, "source");
        Dataset.Source source = new Dataset.Source(c.text(src, "repository"), c.text(src, "branch"),
                c.text(src, "commit"), c.text(src, "path"));
        List<Panel> panels = new ArrayList<>();
        JsonNode ps = c.array(n, "panels");
        for (int i = 0; i < ps.size(); i++) panels.add(panel(c.at("panels[" + i + "]"), ps.get(i)));
        return new Dataset(c.text(n, "id"), c.text(n, "label"), c.text(n, "device"),
                n.path("device_note").asText(null), source, n.path("provenance").asText(null), panels);
    }

    private Panel panel(Ctx c, JsonNode n) {
        JsonNode xs = c.array(n, "x");
        int width = xs.size();
        if (width == 0) throw c.error("x", "is empty");
        List<String> plain = n.has("x_plain") ? c.strings(n, "x_plain", width) : null;
        List<Map<String, Object>> attrs = new ArrayList<>();
        for (int i = 0; i < width; i++) attrs.add(new LinkedHashMap<>());
        for (String key : X_ATTRIBUTE_ARRAYS) {
            if (!n.has(key)) continue;
            JsonNode arr = c.array(n, key);
            if (arr.size() != width) throw c.error(key, "has " + arr.size() + " entries but x has " + width);
            for (int i = 0; i < width; i++) {
                JsonNode e = arr.get(i);
                if (!e.isObject()) throw c.error(key + "[" + i + "]", "must be an object");
                for (Iterator<Map.Entry<String, JsonNode>> it = e.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> f = it.next();
                    JsonNode v = f.getValue();
                    if (key.equals("x_formats")) checkFormat(c.at(key + "[" + i + "]"), f.getKey(), v);
                    attrs.get(i).put(f.getKey(), v.isNumber() ? v.numberValue() : v.isNull() ? null : v.asText());
                }
            }
        }
        List<XCategory> x = new ArrayList<>();
        for (int i = 0; i < width; i++) {
            if (!xs.get(i).isTextual()) throw c.error("x[" + i + "]", "must be a string");
            String label = xs.get(i).asText();
            x.add(new XCategory(label, plain == null ? label : plain.get(i), attrs.get(i)));
        }
        List<String> plotted = n.has("plotted_x") ? c.strings(n, "plotted_x", -1) : null;
        if (plotted != null) {
            for (String p : plotted) {
                if (!xs.toString().contains("\"" + p + "\"")) throw c.error("plotted_x", "names '" + p + "', which is not in x");
            }
        }
        Map<String, Double> peaks = new LinkedHashMap<>();
        n.path("peak_tflops_used").fields().forEachRemaining(e -> peaks.put(e.getKey(), e.getValue().asDouble()));
        List<Series> series = new ArrayList<>();
        JsonNode ss = c.array(n, "series");
        for (int i = 0; i < ss.size(); i++) series.add(series(c.at("series[" + i + "]"), ss.get(i), width));
        return new Panel(c.text(n, "id"), c.text(n, "title"), n.path("workload").asText(null),
                n.path("device").asText(null), x, plotted, peaks, series);
    }

    private Series series(Ctx c, JsonNode n, int width) {
        JsonNode vs = c.array(n, "values");
        if (vs.size() != width) throw c.error("values", "has " + vs.size() + " values but the panel's x axis has " + width);
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < width; i++) {
            JsonNode v = vs.get(i);
            if (v.isNull()) values.add(null);
            else if (v.isNumber()) values.add(v.asDouble());
            else throw c.error("values[" + i + "]", "must be a number or null, found " + v);
        }
        List<String> reasons = n.has("null_reason") ? c.nullableStrings(n, "null_reason", width) : null;
        FormatPair formats = null;
        JsonNode w = n.get("weight_format"), a = n.get("activation_format");
        if (w != null && !w.isNull() || a != null && !a.isNull()) {
            formats = new FormatPair(checkFormat(c, "weight_format", w), checkFormat(c, "activation_format", a));
        }
        List<String> raw = n.has("raw") ? c.nullableStrings(n, "raw", width) : null;
        return new Series(c.text(n, "name"), c.text(n, "plain_name"), c.text(n, "system"), formats,
                n.path("stage").asText(null), values, reasons, raw);
    }

    private static NumberFormat checkFormat(Ctx c, String field, JsonNode v) {
        if (v == null || v.isNull()) throw c.error(field, "is missing");
        return NumberFormat.parse(v.asText()).orElseThrow(() -> c.error(field,
                "unknown format '" + v.asText() + "' (known: FP32, FP16, INT8, INT4, INT2, INT1, NF4, FP8, FP8E4M3, MXFP8)"));
    }

    /** The file and JSON path being read, for error messages. */
    private record Ctx(String file, String path) {
        Ctx(String file) { this(file, ""); }

        Ctx at(String sub) { return new Ctx(file, path.isEmpty() ? sub : path + "." + sub); }

        PaperDataException error(String field, String what) {
            String p = path.isEmpty() ? field : path + "." + field;
            return new PaperDataException(file + ": field '" + p + "' " + what);
        }

        JsonNode require(JsonNode n, String field) {
            JsonNode v = n.get(field);
            if (v == null || v.isNull()) throw error(field, "is missing");
            return v;
        }

        String text(JsonNode n, String field) {
            JsonNode v = require(n, field);
            if (!v.isTextual()) throw error(field, "must be a string");
            return v.asText();
        }

        boolean bool(JsonNode n, String field) {
            JsonNode v = require(n, field);
            if (!v.isBoolean()) throw error(field, "must be true or false");
            return v.asBoolean();
        }

        JsonNode array(JsonNode n, String field) {
            JsonNode v = require(n, field);
            if (!v.isArray()) throw error(field, "must be an array");
            return v;
        }

        JsonNode object(JsonNode n, String field) {
            JsonNode v = require(n, field);
            if (!v.isObject()) throw error(field, "must be an object");
            return v;
        }

        List<String> strings(JsonNode n, String field, int expected) {
            List<String> out = nullableStrings(n, field, expected);
            for (int i = 0; i < out.size(); i++) if (out.get(i) == null) throw error(field + "[" + i + "]", "must be a string");
            return out;
        }

        List<String> nullableStrings(JsonNode n, String field, int expected) {
            JsonNode arr = array(n, field);
            if (expected >= 0 && arr.size() != expected) throw error(field, "has " + arr.size() + " entries but x has " + expected);
            List<String> out = new ArrayList<>();
            for (JsonNode e : arr) out.add(e.isNull() ? null : e.asText());
            return out;
        }
    }
}
