package org.ladderae.reports;

import java.util.List;

/**
 * The paper's claims that its figures and tables let a run test. Thresholds are the claims'
 * own words (e.g. "more than 3x"), checked against the numbers of whichever data set is given.
 */
public final class PaperClaims {
    private PaperClaims() {}

    public static List<Claim> all() {
        return List.of(
                new Claim("figure12", "INT4-weight GEMV (M0, batch 1) is at least 3x faster than Ladder FP16", "x", 3.0,
                        Claim.speedup("matmul", "M0", "Ladder", "Ladder-W_INT4A_FP16")),
                new Claim("figure12", "INT1-weight x INT8 GEMV (M0) is at least 8x faster than Ladder FP16", "x", 8.0,
                        Claim.speedup("matmul", "M0", "Ladder", "Ladder-W_INT1A_INT8")),
                new Claim("figure12", "Ladder FP16 GEMM (M2, 4096 tokens) runs at least at 0.9x cuBLAS", "x", 0.9,
                        Claim.speedup("matmul", "M2", "cuBLAS", "Ladder")),
                new Claim("figure9", "Ladder W_INT4A_FP16 beats Welder on the LLaMA layer at BS1 SEQ1 by 2x or more", "x", 2.0,
                        Claim.speedup("llama", "BS1 SEQ1", "Welder", "Ladder-W_INT4A_FP16")),
                new Claim("figure14", "W_INT1A_INT8 on the LLaMA FFN down-projection (M3, batch 1) is at least 8x faster than FP16", "x", 8.0,
                        Claim.speedup("matmul_bs1_seq1", "M3", "Ladder", "Ladder-W_INT1A_INT8")),
                new Claim("table1", "cuBLAS reaches at least 75% of the FP16 tensor-core peak at 16384^3", "%", 75.0,
                        Claim.value("a100", "W$_{FP16}$A$_{FP16}$", "cuBLAS")));
    }
}
