package org.ladderae.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.ladderae.formats.GroupQuantizer;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.models.CompiledModelWriter;
import org.ladderae.models.LinearShape;
import org.ladderae.models.ModelGraph;
import org.ladderae.models.onnx.ImportedModel;
import org.ladderae.models.onnx.OnnxImportException;
import org.ladderae.models.onnx.OnnxImporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ladder-ae compile MODEL.onnx}: imports an ONNX model onto the model IR and writes a compiled-model
 * directory (graph, repacked weights, manifest) that {@code ladder-ae run} executes.
 */
@Command(name = "compile", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Import an ONNX model and write it as a compiled model (weights repacked in a low-precision format).",
                "CPU only; `ladder-ae run DIR` runs the result on the GPU."})
public final class CompileCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "The ONNX model (external-data files beside it are read too).")
    Path model;

    @Option(names = "--weights", defaultValue = "fp16", paramLabel = "FORMAT",
            description = "Format of the linear layers' weights: fp16, int8, int4, int2, int1, nf4, fp8_e4m3, fp8_e5m2 (fp8), mxfp8 (default: ${DEFAULT-VALUE}).")
    String weights;

    @Option(names = "--group-size", defaultValue = "128", paramLabel = "N",
            description = "K elements per scale for INTx/NF4: 32, 64, 128, or -1 for one per row (default: ${DEFAULT-VALUE}).")
    int groupSize;

    @Option(names = "--out", paramLabel = "DIR", description = "Directory to write (default: compiled/<model name>).")
    Path out;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        WeightFormat format;
        try {
            format = WeightFormat.parse(weights);
        } catch (IllegalArgumentException e) {
            throw new UserError(UserError.USAGE, "unknown --weights '" + weights + "': choose one of fp16, int8, int4, int2, int1, nf4, fp8_e4m3, fp8_e5m2, mxfp8");
        }
        if (groupSize != GroupQuantizer.WHOLE_ROW && groupSize != 32 && groupSize != 64 && groupSize != 128)
            throw new UserError(UserError.USAGE, "--group-size must be 32, 64, 128 or -1 (one per row), not " + groupSize);
        ImportedModel im;
        try {
            im = OnnxImporter.importFile(model, format, groupSize);
        } catch (OnnxImportException e) {
            throw new UserError(UserError.RUN_FAILURE, e.getMessage());
        }
        ModelGraph g = im.graph();
        PrintWriter o = spec.commandLine().getOut();
        o.printf("%s: %d ops (%s)%n", g.name(), g.ops().size(), g.opCounts().toString().replaceAll("[{}]", ""));
        o.printf("  linear layers: %d, distinct N x K: %s%n", g.linears().size(),
                String.join(", ", g.distinctLinearShapes().stream().map(LinearShape::toString).toList()));
        String fmt = format.token() + (g.linears().isEmpty() || g.linears().get(0).groupSize() == 0 ? "" : ", group " + (groupSize < 0 ? "row" : groupSize));
        o.printf("  weights: %,d bytes of linear weights (%s) + %,d bytes of others (fp16 as written)%n", g.linearWeightBytes(), fmt, g.otherWeightBytes());
        o.printf("  %,d FLOPs per forward pass (dynamic dimensions counted as 1)%n", g.flops());
        Path dir = out != null ? out : Path.of("compiled", model.getFileName().toString().replaceFirst("\\.onnx$", ""));
        Path manifest;
        try {
            manifest = CompiledModelWriter.write(im, dir);
        } catch (IllegalArgumentException e) {
            throw new UserError(UserError.RUN_FAILURE, e.getMessage());
        }
        o.printf("wrote %s (run it: ladder-ae run %s --input X.npy)%n", manifest, manifest.getParent());
        o.flush();
        return 0;
    }
}
