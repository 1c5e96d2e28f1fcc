package org.ladderae.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.ladderae.experiments.Experiment;
import org.ladderae.experiments.Experiments;
import org.ladderae.experiments.ReproduceSupport;
import org.ladderae.paperdata.Dataset;
import org.ladderae.paperdata.ExperimentData;
import org.ladderae.paperdata.PaperDataLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Lists what each experiment measures, the data sets bundled, and whether --reproduce can run here. */
@Command(name = "list", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "List the experiments, their bundled data sets and whether --reproduce can run here.")
public final class ListCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PaperDataLoader loader = new PaperDataLoader();
        for (Experiment e : Experiments.all()) {
            ExperimentData data = loader.load(e.id());
            out.printf("%-9s %s%n", e.id(), e.summary());
            out.printf("          %s, metric: %s (%s)%n", data.paperFigure(), data.metric(), data.unit());
            for (Dataset d : data.datasets()) {
                out.printf("          --dataset %-15s numbers from %s: %s%n", d.id(), d.device(), d.label());
            }
            ReproduceSupport r = e.reproduceSupport();
            out.printf("          --reproduce: %s%n%n", r.available() ? "yes (" + r.reason() + ")" : "no: " + r.reason());
        }
        out.flush();
        return 0;
    }
}
