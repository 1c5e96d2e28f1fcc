package org.ladderae.results;

import java.util.Map;
import org.ladderae.paperdata.FormatPair;

/**
 * One measured point, the same record for our kernels and every baseline: who ran (system, formats),
 * what ran (workload and setting, e.g. "llama" / "BS1 SEQ1" or "M0"), the outcome, and where.
 * Exactly one of {@code timing} (status OK), or {@code reason} (status NA or FAILED) is set.
 */
public record Measurement(String system, FormatPair formats, String workload, String setting,
                          Status status, TimingStats timing, String reason, String device,
                          Map<String, String> versions, Map<String, Double> extras) {

    public enum Status { OK, NA, FAILED }

    public Measurement {
        versions = versions == null ? Map.of() : Map.copyOf(versions);
        extras = extras == null ? Map.of() : Map.copyOf(extras);
        if (status == Status.OK && timing == null) throw new IllegalArgumentException("OK measurement without timing");
        if (status != Status.OK && (reason == null || reason.isBlank())) throw new IllegalArgumentException(status + " measurement needs a reason");
    }

    public static Measurement ok(String system, FormatPair formats, String workload, String setting,
                                 TimingStats timing, String device, Map<String, String> versions) {
        return new Measurement(system, formats, workload, setting, Status.OK, timing, null, device, versions, null);
    }

    public static Measurement notAvailable(String system, FormatPair formats, String workload, String setting, String reason) {
        return new Measurement(system, formats, workload, setting, Status.NA, null, reason, null, null, null);
    }

    public static Measurement failed(String system, FormatPair formats, String workload, String setting, String reason) {
        return new Measurement(system, formats, workload, setting, Status.FAILED, null, reason, null, null, null);
    }

    public Double medianMs() { return timing == null ? null : timing.medianMs(); }
}
