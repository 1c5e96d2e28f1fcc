package org.ladderae.baselines;

import java.util.Map;

/** What a detector found: available (with versions worth recording) or not, with the reason. */
public record Detection(boolean available, String reason, Map<String, String> versions) {
    public Detection { versions = versions == null ? Map.of() : Map.copyOf(versions); }

    public static Detection available(Map<String, String> versions) { return new Detection(true, null, versions); }

    public static Detection notAvailable(String reason) { return new Detection(false, reason, Map.of()); }
}
