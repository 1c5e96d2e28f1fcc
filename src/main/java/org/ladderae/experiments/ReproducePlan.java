package org.ladderae.experiments;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import org.ladderae.reports.Table;
import org.ladderae.reports.TableFormats;

/**
 * What {@code --reproduce} would run, for {@code --dry-run}: every point with a rough time, plus the
 * one-off costs (kernel builds, benchmark builds) that no single point owns. Estimates come from
 * {@link Estimates} and assume an H100; they are for planning, not results.
 */
public record ReproducePlan(List<PlannedPoint> points, List<OneOff> oneOffs, List<String> notes) {
    public ReproducePlan {
        points = List.copyOf(points);
        oneOffs = List.copyOf(oneOffs);
        notes = List.copyOf(notes);
    }

    /** One point: who runs it (system, formats), where it goes (workload, setting), its shape, and how long it should take. */
    public record PlannedPoint(String system, String formats, String workload, String setting, String shape, double seconds) {}

    /** A cost paid once per run, e.g. building the kernels in parallel. */
    public record OneOff(String what, double seconds) {}

    public static ReproducePlan notImplemented(String reason) { return new ReproducePlan(List.of(), List.of(), List.of(reason)); }

    public double totalSeconds() {
        return points.stream().mapToDouble(PlannedPoint::seconds).sum() + oneOffs.stream().mapToDouble(OneOff::seconds).sum();
    }

    /** Prints the points as a table, then the one-off costs, the notes and the total. */
    public void print(String experimentId, PrintWriter out) {
        Table.Builder t = Table.builder(experimentId + " --reproduce would run " + points.size() + " points",
                List.of("system", "formats", "workload", "setting", "shape", "~seconds"));
        for (PlannedPoint p : points) {
            t.row(List.of(p.system(), p.formats(), p.workload(), p.setting(), p.shape(), seconds(p.seconds())));
        }
        out.print(TableFormats.text(t.build()));
        for (OneOff o : oneOffs) out.println("once: " + o.what() + " ~" + seconds(o.seconds()) + " s");
        for (String n : notes) out.println("note: " + n);
        out.println("estimated total: ~" + Math.round(Math.ceil(totalSeconds() / 60)) + " min (rough: assumes an H100 SXM and a cold kernel cache)");
        out.flush();
    }

    private static String seconds(double s) { return String.format(Locale.ROOT, s < 10 ? "%.1f" : "%.0f", s); }
}
