package org.ladderae.checkpoints;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** One checkpoint on disk: {@code <root>/<arch>/<name>/} holding the manifest and the binary. */
public record Checkpoint(Path directory, CheckpointManifest manifest) {

    public Path binaryPath() { return directory.resolve(manifest.binaryFile()); }

    /** {@code <arch>/<name>}, how listings and messages name it. */
    public String id() { return manifest.arch() + "/" + manifest.name(); }

    /**
     * The kernel binary (cubin or fatbin), after checking it still has the SHA-256 the manifest
     * records; loading it needs only the driver.
     */
    public byte[] readVerifiedBinary() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(binaryPath());
        } catch (NoSuchFileException e) {
            throw new CheckpointException("checkpoint " + id() + " is missing its binary " + binaryPath());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String actual = Sha256.of(bytes);
        if (!actual.equals(manifest.binarySha256())) throw hashMismatch(actual);
        return bytes;
    }

    CheckpointException hashMismatch(String actual) {
        return new CheckpointException("checkpoint binary " + binaryPath() + " does not match its manifest: SHA-256 is "
                + abbreviate(actual) + " but the manifest says " + abbreviate(manifest.binarySha256())
                + " (the file was changed or corrupted; unpack the checkpoints again or rerun with --force-tune-ladder)");
    }

    private static String abbreviate(String sha) { return sha.substring(0, 12) + "..."; }
}
