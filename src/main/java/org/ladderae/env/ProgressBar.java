package org.ladderae.env;

import java.io.PrintWriter;
import java.time.Duration;

/**
 * Progress with an ETA. On a terminal it redraws one line; otherwise (logs, CI, pipes) it prints a
 * plain line every tenth of the way so the output stays readable.
 */
public final class ProgressBar {
    private final PrintWriter out;
    private final String label;
    private final int total;
    private final boolean terminal;
    private final long startNanos = System.nanoTime();
    private int done;
    private int lastDecile = -1;

    public ProgressBar(PrintWriter out, String label, int total, boolean terminal) {
        this.out = out;
        this.label = label;
        this.total = Math.max(1, total);
        this.terminal = terminal;
    }

    public static boolean isTerminal() { return System.console() != null; }

    public synchronized void step() {
        done = Math.min(total, done + 1);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
        String eta = done == 0 ? "?" : format(elapsed.multipliedBy(total - done).dividedBy(done));
        if (terminal) {
            int width = 30;
            int filled = done * width / total;
            out.print("\r" + label + " [" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + done + "/" + total
                    + " ETA " + eta + (done == total ? "\n" : ""));
            out.flush();
        } else {
            int decile = done * 10 / total;
            if (decile != lastDecile) {
                lastDecile = decile;
                out.println(label + ": " + done + "/" + total + " (" + decile * 10 + "%), elapsed " + format(elapsed) + ", ETA " + eta);
                out.flush();
            }
        }
    }

    public static String format(Duration d) {
        long s = d.toSeconds();
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String.format("%d:%02d", s / 60, s % 60);
    }
}
