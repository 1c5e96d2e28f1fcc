package org.ladderae.env;

import java.util.List;

/**
 * The GPU lines of {@code doctor}. Empty until the GPU runtime registers its checks; kept here so
 * the CLI does not depend on JCuda being loadable.
 */
public final class GpuChecks {
    private GpuChecks() {}

    public static List<Check> all() {
        return List.of(() -> Check.Outcome.missing("GPU", "GPU detection is not built yet", "update ladder-ae"));
    }
}
