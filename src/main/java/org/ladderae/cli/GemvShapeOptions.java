package org.ladderae.cli;

import org.ladderae.kernels.ActFormat;
import org.ladderae.kernels.WeightFormat;
import picocli.CommandLine.Option;

/** The formats and shape of one GEMV, shared by {@code bench gemv} and {@code tune gemv}. */
public class GemvShapeOptions {
    @Option(names = "--weights", defaultValue = "int4", description = "fp16, int8, int4, int2, int1, nf4, fp8 (E5M2), e4m3, mxfp8.")
    String weights;

    @Option(names = "--acts", defaultValue = "fp16", description = "fp16, int8 (INTx weights) or int4 (INT4/2/1 weights).")
    String acts;

    @Option(names = "-m", defaultValue = "1", description = "Rows of activations, 1..16.") int m;

    @Option(names = "-n", defaultValue = "28672") int n;

    @Option(names = "-k", defaultValue = "8192") int k;

    WeightFormat weightFormat() {
        try {
            return WeightFormat.parse(weights);
        } catch (IllegalArgumentException e) {
            throw new UserError(UserError.USAGE, "unknown weight format '" + weights + "': use fp16, int8, int4, int2, int1, nf4, fp8, e4m3 or mxfp8");
        }
    }

    ActFormat actFormat() {
        try {
            return ActFormat.parse(acts);
        } catch (IllegalArgumentException e) {
            throw new UserError(UserError.USAGE, "unknown activation format '" + acts + "': use fp16, int8 or int4");
        }
    }
}
