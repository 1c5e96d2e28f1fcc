package org.ladderae.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Compares two runs of the same experiment point by point (panel, series, x) from their
 * {@code data.json}: which values moved by more than a factor, in which direction. Works for any
 * two runs, paper data or measured, because both are stored in the same shape.
 */
public final class RunComparison {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One point present in both runs. {@code ratio} = b / a. */
    public record Change(String panel, String series, String x, double a, double b, double ratio) {}

    public record Result(String experimentA, String experimentB, boolean lowerIsBetter, List<Change> better, List<Change> worse,
                         int compared, int onlyInOne) {}

    public static Result compare(Path runA, Path runB, double factor) throws IOException {
        if (factor <= 1.0) throw new IllegalArgumentException("--factor must be greater than 1, e.g. 1.1");
        JsonNode a = read(runA);
        JsonNode b = read(runB);
        String expA = a.path("experiment").asText();
        String expB = b.path("experiment").asText();
        if (!expA.equals(expB)) throw new IllegalArgumentException("the runs are of different experiments: " + expA + " and " + expB);
        boolean lowerIsBetter = !a.path("unit").asText().contains("%");
        List<Change> better = new ArrayList<>();
        List<Change> worse = new ArrayList<>();
        int compared = 0;
        int onlyInOne = 0;
        for (JsonNode panelA : a.path("dataset").path("panels")) {
            JsonNode panelB = find(b.path("dataset").path("panels"), "id", panelA.path("id").asText());
            for (JsonNode sA : panelA.path("series")) {
                JsonNode sB = panelB == null ? null : find(panelB.path("series"), "plain_name", sA.path("plain_name").asText());
                JsonNode xs = panelA.path("x");
                for (int i = 0; i < xs.size(); i++) {
                    JsonNode va = sA.path("values").get(i);
                    JsonNode vb = sB == null ? null : sB.path("values").get(i);
                    if (va == null || va.isNull() || vb == null || vb.isNull()) {
                        if ((va == null || va.isNull()) != (vb == null || vb.isNull())) onlyInOne++;
                        continue;
                    }
                    compared++;
                    double ratio = vb.asDouble() / va.asDouble();
                    Change c = new Change(panelA.path("id").asText(), sA.path("plain_name").asText(), xs.get(i).path("label").asText(),
                            va.asDouble(), vb.asDouble(), ratio);
                    boolean up = ratio > factor;
                    boolean down = ratio < 1 / factor;
                    if (up || down) ((up == lowerIsBetter) ? worse : better).add(c);
                }
            }
        }
        return new Result(expA, expB, lowerIsBetter, better, worse, compared, onlyInOne);
    }

    private static JsonNode read(Path run) throws IOException {
        Path data = Files.isDirectory(run) ? run.resolve("data.json") : run;
        if (!Files.exists(data)) throw new java.nio.file.NoSuchFileException(data.toString());
        return JSON.readTree(data.toFile());
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode n : array) if (n.path(field).asText().equals(value)) return n;
        return null;
    }
}
