package org.ladderae.checkpoints;

/**
 * Limits for {@link CheckpointArchive#unpack}: sizes count the bytes actually extracted, not what
 * the tar headers claim. {@code force} lets the archive replace checkpoints already installed.
 */
public record UnpackOptions(boolean force, long maxEntryBytes, long maxTotalBytes, int maxEntries) {
    /** Generous for kernels (a fatbin is a few MB), small enough that a hostile archive cannot fill the disk. */
    public static final long DEFAULT_MAX_ENTRY_BYTES = 256L << 20;
    public static final long DEFAULT_MAX_TOTAL_BYTES = 4L << 30;
    public static final int DEFAULT_MAX_ENTRIES = 100_000;

    public UnpackOptions {
        if (maxEntryBytes <= 0 || maxTotalBytes <= 0 || maxEntries <= 0) throw new IllegalArgumentException("limits must be positive");
    }

    public static UnpackOptions defaults() {
        return new UnpackOptions(false, DEFAULT_MAX_ENTRY_BYTES, DEFAULT_MAX_TOTAL_BYTES, DEFAULT_MAX_ENTRIES);
    }

    public UnpackOptions withForce(boolean value) { return new UnpackOptions(value, maxEntryBytes, maxTotalBytes, maxEntries); }
}
