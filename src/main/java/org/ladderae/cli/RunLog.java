package org.ladderae.cli;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/** The full log of one run, at DEBUG with timestamps, written into the run directory. */
public final class RunLog implements AutoCloseable {
    private final FileAppender<ILoggingEvent> appender;

    private RunLog(FileAppender<ILoggingEvent> appender) { this.appender = appender; }

    public static RunLog open(Path file) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        PatternLayoutEncoder enc = new PatternLayoutEncoder();
        enc.setContext(ctx);
        enc.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{36} - %msg%n");
        enc.start();
        FileAppender<ILoggingEvent> fa = new FileAppender<>();
        fa.setContext(ctx);
        fa.setName("run-" + file);
        fa.setFile(file.toString());
        fa.setEncoder(enc);
        fa.start();
        ctx.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(fa);
        return new RunLog(fa);
    }

    @Override
    public void close() {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(appender);
        appender.stop();
    }
}
