package org.ladderae.reports;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.ladderae.paperdata.Dataset;
import org.ladderae.paperdata.PaperDataLoader;
import org.ladderae.results.AtomicFiles;

/**
 * The one-page summary of an {@code all} run: every figure and table it produced, the environment,
 * the baselines that could not run and why, and the paper's testable claims with a verdict.
 * Written as Markdown (links to the files) and as self-contained HTML (images inlined).
 */
public final class RunReport {

    /** One experiment's part of the run: its run directory and files, or why it failed. */
    public record Entry(String experiment, Path runDirectory, List<Path> files, String failure) {}

    /** A claim's row: the paper's value, and the measured one when this run measured anything. */
    public record ClaimRow(Claim claim, Optional<Double> paperValue, Optional<Double> measuredValue) {}

    private final String title;
    private final Map<String, Object> environment;
    private final List<Entry> entries;
    private final List<String> unavailableBaselines;
    private final List<ClaimRow> claims;

    public RunReport(String title, Map<String, Object> environment, List<Entry> entries, List<String> unavailableBaselines,
                     List<ClaimRow> claims) {
        this.title = title;
        this.environment = environment;
        this.entries = List.copyOf(entries);
        this.unavailableBaselines = List.copyOf(unavailableBaselines);
        this.claims = List.copyOf(claims);
    }

    /** Claims evaluated on the paper's data and, where this run measured the experiment, on the measured data set. */
    public static List<ClaimRow> claims(PaperDataLoader loader, Map<String, Dataset> measuredByExperiment) {
        List<ClaimRow> rows = new ArrayList<>();
        for (Claim c : PaperClaims.all()) {
            Dataset paper = loader.load(c.experiment()).requireDataset("paper");
            Dataset measured = measuredByExperiment.get(c.experiment());
            rows.add(new ClaimRow(c, c.valueIn(paper), measured == null ? Optional.empty() : c.valueIn(measured)));
        }
        return rows;
    }

    public List<Path> write(Path dir) throws IOException {
        Path md = dir.resolve("report.md");
        Path html = dir.resolve("report.html");
        // `all` writes its report into a new run directory and rewrites it after each experiment: no backups of its own drafts.
        AtomicFiles.rewrite(md, markdown(dir).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        AtomicFiles.rewrite(html, html().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return List.of(md, html);
    }

    String markdown(Path reportDir) throws IOException {
        StringBuilder b = new StringBuilder("# " + title + "\n\n## Environment\n\n| | |\n| --- | --- |\n");
        environment.forEach((k, v) -> b.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        for (Entry e : entries) {
            b.append("\n## ").append(e.experiment()).append("\n\n");
            if (e.failure() != null) {
                b.append("**Failed:** ").append(e.failure()).append("\n");
                continue;
            }
            b.append("Run directory: `").append(e.runDirectory()).append("`\n\n");
            for (Path f : e.files()) {
                String rel = reportDir.toAbsolutePath().relativize(f.toAbsolutePath()).toString();
                String name = f.getFileName().toString();
                if (name.endsWith(".png")) b.append("![").append(name).append("](").append(rel).append(")\n\n");
                else if (name.endsWith(".md")) b.append(Files.readString(f)).append("\n");
            }
        }
        b.append("\n## Baselines not available here\n\n");
        if (unavailableBaselines.isEmpty()) b.append("None: this run drew logged data only, or every baseline it needed ran.\n");
        unavailableBaselines.forEach(s -> b.append("- ").append(s).append("\n"));
        b.append("\n## Paper claims\n\n| claim | paper | measured | verdict |\n| --- | --- | --- | --- |\n");
        for (ClaimRow r : claims) {
            b.append("| ").append(r.claim().statement()).append(" (").append(r.claim().experiment()).append(") | ")
                    .append(fmt(r.paperValue(), r.claim().unit())).append(" | ").append(fmt(r.measuredValue(), r.claim().unit()))
                    .append(" | ").append(verdictText(r)).append(" |\n");
        }
        return b.toString();
    }

    String html() throws IOException {
        StringBuilder b = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(esc(title)).append("</title><style>body{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em}"
                        + "table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:3px 8px}img{max-width:100%;border:1px solid #ddd}.charts{display:flex;gap:8px;align-items:flex-start}.charts figure{flex:1;margin:0}"
                        + ".holds{color:#070}.fails{color:#b00}.nt{color:#777}pre{background:#f6f6f6;padding:8px;overflow:auto}</style></head><body>\n")
                .append("<h1>").append(esc(title)).append("</h1>\n<h2>Environment</h2>\n<table>");
        environment.forEach((k, v) -> b.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(String.valueOf(v))).append("</td></tr>"));
        b.append("</table>\n");
        for (Entry e : entries) {
            b.append("<h2 id=\"").append(esc(e.experiment())).append("\">").append(esc(e.experiment())).append("</h2>\n");
            if (e.failure() != null) {
                b.append("<p class=\"fails\">Failed: ").append(esc(e.failure())).append("</p>\n");
                continue;
            }
            b.append("<div class=\"charts\">");
            boolean beside = e.files().stream().anyMatch(RunReport::isPaperChart);
            for (Path f : e.files()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".png")) {
                    String caption = (isPaperChart(f) ? "paper numbers: " : beside ? "measured here: " : "") + name;
                    b.append("<figure><img alt=\"").append(esc(name)).append("\" src=\"data:image/png;base64,")
                            .append(Base64.getEncoder().encodeToString(Files.readAllBytes(f))).append("\"><figcaption>")
                            .append(esc(caption)).append("</figcaption></figure>\n");
                }
            }
            b.append("</div>\n");
            for (Path f : e.files()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".txt")) {
                    b.append("<pre>").append(esc(Files.readString(f))).append("</pre>\n");
                }
            }
        }
        b.append("<h2>Baselines not available here</h2>\n<ul>");
        if (unavailableBaselines.isEmpty()) b.append("<li>None: this run drew logged data only, or every baseline it needed ran.</li>");
        unavailableBaselines.forEach(s -> b.append("<li>").append(esc(s)).append("</li>"));
        b.append("</ul>\n<h2>Paper claims</h2>\n<table><tr><th>claim</th><th>paper</th><th>measured</th><th>verdict</th></tr>");
        for (ClaimRow r : claims) {
            Claim.Verdict v = r.claim().verdict(r.measuredValue());
            String cls = v == Claim.Verdict.HOLDS ? "holds" : v == Claim.Verdict.FAILS ? "fails" : "nt";
            b.append("<tr><td>").append(esc(r.claim().statement())).append(" (").append(esc(r.claim().experiment())).append(")</td><td>")
                    .append(esc(fmt(r.paperValue(), r.claim().unit()))).append("</td><td>").append(esc(fmt(r.measuredValue(), r.claim().unit())))
                    .append("</td><td class=\"").append(cls).append("\">").append(esc(verdictText(r))).append("</td></tr>");
        }
        return b.append("</table>\n</body></html>\n").toString();
    }

    /** A reproduction draws the paper's chart into paper/ beside its measured one. */
    static boolean isPaperChart(Path f) {
        return f.getParent() != null && f.getParent().getFileName().toString().equals("paper");
    }

    private static String verdictText(ClaimRow r) {
        Claim.Verdict measured = r.claim().verdict(r.measuredValue());
        if (measured != Claim.Verdict.NOT_TESTED) return measured == Claim.Verdict.HOLDS ? "holds (measured)" : "fails (measured)";
        Claim.Verdict paper = r.claim().verdict(r.paperValue());
        return "not tested here (paper data: " + (paper == Claim.Verdict.HOLDS ? "holds" : paper == Claim.Verdict.FAILS ? "fails" : "n/a") + ")";
    }

    private static String fmt(Optional<Double> v, String unit) {
        return v.map(x -> String.format("%.2f%s", x, unit)).orElse("n/a");
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
