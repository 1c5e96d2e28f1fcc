package org.ladderae.baselines;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.paperdata.NumberFormat;
import org.ladderae.results.Measurement;
import org.ladderae.results.TimingStats;

/**
 * Reads the JSON-lines output of every baseline program (cublas_bench, torch_bench.py). Each line
 * is one object with system, workload, setting, formats and status ("ok", "na", "failed"); "ok"
 * lines carry median_ms and samples_ms (cv, device, versions, extras optional), the others a reason.
 * Lines that are not such objects are reported as problems, never turned into numbers.
 */
public final class JsonLines {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern FORMATS = Pattern.compile("W_([A-Z0-9]+)A_([A-Z0-9]+)");

    private JsonLines() {}

    /** One understood line: the raw object (runners read extra fields such as cuBLAS's "type") and its record. */
    public record Line(JsonNode raw, Measurement measurement) {}

    /** {@code problems}: one message per line that was not understood (1-based line numbers). */
    public record Parsed(List<Line> lines, List<String> problems) {
        public List<Measurement> measurements() { return lines.stream().map(Line::measurement).toList(); }
    }

    public static Parsed parse(String output) {
        List<Line> lines = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        String[] text = output.split("\r?\n");
        for (int i = 0; i < text.length; i++) {
            String t = text[i].strip();
            if (t.isEmpty()) continue;
            try {
                JsonNode node = JSON.readTree(t);
                if (node == null || !node.isObject()) throw new IllegalArgumentException("not a JSON object");
                lines.add(new Line(node, toMeasurement(node)));
            } catch (JsonProcessingException e) {
                problems.add("line " + (i + 1) + ": not JSON (" + e.getOriginalMessage() + "): " + abbreviate(t));
            } catch (IllegalArgumentException e) {
                problems.add("line " + (i + 1) + ": " + e.getMessage() + ": " + abbreviate(t));
            }
        }
        return new Parsed(lines, problems);
    }

    /** One object -> record; throws IllegalArgumentException naming what is missing or wrong. */
    public static Measurement toMeasurement(JsonNode n) {
        String system = requireText(n, "system");
        String workload = requireText(n, "workload");
        String setting = n.path("setting").asText("");
        FormatPair formats = parseFormats(requireText(n, "formats"))
                .orElseThrow(() -> new IllegalArgumentException("unknown formats '" + n.path("formats").asText() + "'"));
        String status = requireText(n, "status");
        String device = n.hasNonNull("device") ? n.get("device").asText() : null;
        switch (status) {
            case "ok" -> {
                if (!n.path("median_ms").isNumber()) throw new IllegalArgumentException("status ok without a numeric median_ms");
                TimingStats timing = timing(n);
                return new Measurement(system, formats, workload, setting, Measurement.Status.OK, timing, null, device,
                        stringMap(n.path("versions")), numberMap(n.path("extras")));
            }
            case "na", "failed" -> {
                String reason = n.path("reason").asText("");
                if (reason.isBlank()) throw new IllegalArgumentException("status " + status + " without a reason");
                return new Measurement(system, formats, workload, setting,
                        status.equals("na") ? Measurement.Status.NA : Measurement.Status.FAILED, null, reason, device,
                        stringMap(n.path("versions")), null);
            }
            default -> throw new IllegalArgumentException("unknown status '" + status + "'");
        }
    }

    /** "W_INT4A_FP16" -> (INT4, FP16). */
    public static Optional<FormatPair> parseFormats(String label) {
        Matcher m = FORMATS.matcher(label.trim());
        if (!m.matches()) return Optional.empty();
        Optional<NumberFormat> w = NumberFormat.parse(m.group(1));
        Optional<NumberFormat> a = NumberFormat.parse(m.group(2));
        return w.isPresent() && a.isPresent() ? Optional.of(new FormatPair(w.get(), a.get())) : Optional.empty();
    }

    private static TimingStats timing(JsonNode n) {
        JsonNode samples = n.path("samples_ms");
        double median = n.get("median_ms").asDouble();
        if (!Double.isFinite(median) || median <= 0) throw new IllegalArgumentException("median_ms " + median + " is not a positive time");
        if (samples.isArray() && !samples.isEmpty()) {
            double[] s = new double[samples.size()];
            for (int i = 0; i < s.length; i++) {
                if (!samples.get(i).isNumber()) throw new IllegalArgumentException("samples_ms[" + i + "] is not a number");
                s[i] = samples.get(i).asDouble();
            }
            TimingStats t = TimingStats.of(s);
            // The program's median and ours are the same statistic of the same samples; a mismatch means a broken line.
            if (Math.abs(t.medianMs() - median) > 1e-6 * Math.max(1, median)) {
                throw new IllegalArgumentException("median_ms " + median + " disagrees with its samples (" + t.medianMs() + ")");
            }
            return t;
        }
        // Without samples only the median is known: keep it as the one sample rather than invent a spread.
        return TimingStats.of(new double[] {median});
    }

    private static String requireText(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) throw new IllegalArgumentException("missing \"" + field + "\"");
        return v.asText();
    }

    private static Map<String, String> stringMap(JsonNode n) {
        Map<String, String> m = new LinkedHashMap<>();
        if (n.isObject()) n.fields().forEachRemaining(e -> { if (!e.getValue().isNull()) m.put(e.getKey(), e.getValue().asText()); });
        return m;
    }

    private static Map<String, Double> numberMap(JsonNode n) {
        Map<String, Double> m = new LinkedHashMap<>();
        if (n.isObject()) n.fields().forEachRemaining(e -> { if (e.getValue().isNumber()) m.put(e.getKey(), e.getValue().asDouble()); });
        return m;
    }

    private static String abbreviate(String s) { return s.length() <= 160 ? s : s.substring(0, 157) + "..."; }
}
