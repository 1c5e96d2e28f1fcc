package org.ladderae.results;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * {@code <out>/<experiment>/<run-id>/}: one directory per run, never reused. The id is the UTC time
 * plus a counter, so runs sort by time and two runs in the same second still get their own folder.
 */
public record RunDirectory(String runId, Path path) {
    private static final DateTimeFormatter ID = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    public static RunDirectory create(Path outRoot, String experiment) throws IOException {
        Path parent = outRoot.resolve(experiment);
        Files.createDirectories(parent);
        String stamp = ZonedDateTime.now(ZoneOffset.UTC).format(ID);
        for (int n = 0; n < 1000; n++) {
            String id = n == 0 ? stamp : stamp + "-" + n;
            try {
                return new RunDirectory(id, Files.createDirectory(parent.resolve(id)));
            } catch (FileAlreadyExistsException taken) {
                // another run in the same second: try the next suffix
            }
        }
        throw new IOException("cannot create a new run directory under " + parent);
    }
}
