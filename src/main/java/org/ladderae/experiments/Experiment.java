package org.ladderae.experiments;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * One of the paper's results (a figure or a table). An experiment knows what it measures, how to
 * draw itself from a data set, and (once its reproduce support exists) how to measure it.
 * Subclasses hold only what is particular to their figure; drawing goes through the shared
 * builders in {@code org.ladderae.charts} and {@code org.ladderae.reports}.
 */
public abstract class Experiment {

    /** Command name and data file stem, e.g. {@code figure9}. */
    public abstract String id();

    /** One line: what the paper's result shows. */
    public abstract String summary();

    /**
     * Draws the experiment from {@code ctx.dataset()} into {@code ctx.outputDir()} and returns the
     * files written (charts, tables). Tables are also printed to {@code ctx.out()}.
     */
    public abstract List<Path> render(RenderContext ctx) throws IOException;

    /** Whether {@code --reproduce} can run here, and if not, why. */
    public ReproduceSupport reproduceSupport() {
        return ReproduceSupport.unavailable("reproduction of " + id() + " is not implemented yet");
    }

    /**
     * Measures the experiment on this machine and returns the result in the shape of the paper's
     * data set {@code paper} (same panels, x and series), so the same charts draw it.
     */
    public Reproduction reproduce(org.ladderae.paperdata.Dataset paper, ReproduceContext context) {
        throw new UnsupportedOperationException(reproduceSupport().reason());
    }

    /**
     * What {@link #reproduce} would run, for {@code --dry-run}: derived from the paper's data set
     * alone, so it works on a machine without a GPU. {@code quick} as in {@link ReproduceContext}.
     */
    public ReproducePlan plan(org.ladderae.paperdata.Dataset paper, boolean quick) {
        return ReproducePlan.notImplemented("reproduction of " + id() + " is not implemented yet");
    }

    /** Plain name of the series the figure is normalised to (its speedup baseline), or null. */
    public String baselineSeries() { return null; }

    /** Support for experiments that measure on the GPU: available when the CUDA driver and a device are. */
    protected static ReproduceSupport gpuSupport(String what) {
        org.ladderae.gpu.CudaDriver.Availability a = org.ladderae.gpu.CudaDriver.availability();
        return a.available() ? ReproduceSupport.available(what) : ReproduceSupport.unavailable("no usable GPU: " + a.reason());
    }
}
