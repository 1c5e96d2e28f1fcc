package org.ladderae.baselines;

import java.util.List;
import java.util.function.Supplier;
import org.ladderae.paperdata.FormatPair;
import org.ladderae.results.Measurement;

/**
 * A baseline this harness does not drive (TensorRT, vLLM, Welder, AMOS, TensorIR, Roller, CUTLASS
 * fpA_intB). Its detector still looks for the tool, so the reason says what is missing, or that the
 * tool is present but has no runner here; either way every workload is reported n/a with that
 * reason and never with a number.
 */
public final class NotAvailableRunner implements BaselineRunner {
    private final String system;
    private final FormatPair formats;
    private final List<BaselineWorkload> workloads;
    private final Supplier<String> detector;

    /** {@code detector} returns null when the tool was found, else why it is missing. */
    public NotAvailableRunner(String system, FormatPair formats, List<BaselineWorkload> workloads, Supplier<String> detector) {
        this.system = system;
        this.formats = formats;
        this.workloads = List.copyOf(workloads);
        this.detector = detector;
    }

    @Override public String system() { return system; }

    @Override public List<BaselineWorkload> workloads() { return workloads; }

    @Override
    public Detection detect() {
        String missing = detector.get();
        return Detection.notAvailable(missing != null ? missing
                : "found on this machine, but ladder-ae has no runner for " + system + " (no number is reported)");
    }

    @Override
    public List<Measurement> run(List<BaselineWorkload> requested, Options options) {
        String reason = detect().reason();
        return requested.stream().filter(workloads::contains)
                .map(w -> Measurement.notAvailable(system, formats, w.workload(), w.setting(), reason)).toList();
    }
}
