package org.ladderae.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.io.PrintWriter;

/**
 * The console half of logging: plain messages (no timestamps) at INFO, "warning:"/"error:" prefixes
 * above, to the writer of the command being run, so in-process callers (tests) see the same output
 * a terminal does. The threshold follows --quiet/--verbose.
 */
public class ConsoleAppender extends AppenderBase<ILoggingEvent> {
    private static volatile PrintWriter out = new PrintWriter(System.err, true);
    private static volatile Level threshold = Level.INFO;

    public static void redirect(PrintWriter writer, Level level) {
        out = writer;
        threshold = level;
    }

    @Override
    protected void append(ILoggingEvent e) {
        if (!e.getLevel().isGreaterOrEqual(threshold)) return;
        String prefix = e.getLevel() == Level.WARN ? "warning: " : e.getLevel() == Level.ERROR ? "error: " : "";
        PrintWriter w = out;
        w.println(prefix + e.getFormattedMessage());
        w.flush();
    }
}
