package org.ladderae.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One launch configuration of the Ladder tensor-core GEMM ({@code kernels/gemm/ladder_gemm.cu} for the
 * portable mma.sync path, {@code kernels/gemm/ladder_gemm_wgmma.cu} for the sm_90a wgmma path).
 *
 * <p>Layout NT: {@code C[M,N] (FP16) = A[M,K] x W[N,K]^T}. The kernel's K tile is 128 bytes of A per row
 * (64 FP16 or 128 INT8 elements), so {@code bk} follows from the activation format. The grid is
 * one-dimensional over output tiles (grouped order for L2 reuse) times {@code splitK} in z; with
 * {@code splitK > 1} the kernel writes FP32 (INT32 for INT8 activations) partials to a workspace of
 * {@link #workspaceBytes()} and {@code ladder_gemm_splitk_reduce} sums them into C.
 *
 * @param weight     weight format (see {@link #supports} for the pairs; packed formats in {@link GemmWeightLayout}'s layouts)
 * @param activation activation format
 * @param path       tensor-core instruction family
 * @param m          rows of A and C (any value >= 1)
 * @param n          rows of W, columns of C (multiple of bn)
 * @param k          reduction length (multiple of bk * splitK)
 * @param bm         block tile rows (mma: multiple of 16 * warpsM; wgmma: 64 * warpgroups)
 * @param bn         block tile columns
 * @param warpsM     warps along M (wgmma: 4 * warpgroups, warpsN = 1)
 * @param warpsN     warps along N
 * @param stages     shared-memory pipeline depth
 * @param splitK     number of K slices (gridDim.z); mma path only
 * @param stage      Figure 13 stage of the kernel code ({@link GemvStage}'s meaning, ladder_gemm.cu's LADDER_STAGE):
 *                   BASELINE (plain row-major weight packing and shared-memory tiles, generic per-element decode) and
 *                   TRANSFORM (Ladder layouts, generic decode) exist on the mma path for {@link #hasStageSwitches the
 *                   Figure 13 pairs}; PTX and HOLISTIC run the same code (the fast decodes), HOLISTIC being the tuned or
 *                   heuristic launch configuration ({@link GemmKernels#forStage})
 * @param variant    what the kernel writes ({@link Variant}: PLAIN everywhere but the layer executor's linears)
 */
public record GemmConfig(Format weight, Format activation, Path path, int m, int n, int k, int bm, int bn,
                         int warpsM, int warpsN, int stages, int splitK, GemvStage stage, Variant variant) {

    /**
     * What the kernel writes, for the layer executor (ladder_gemm.cu's INT_OUT / W_CENTRED): {@link #PLAIN} FP16 C of
     * the raw codes; {@link #INT32_OUT} the exact INT32 sums (integer activations on mma.sync; C is M x N int32);
     * {@link #CENTRED_CODES} FP16 C of (code - 2^(bits-1)) x A for unsigned INT8/INT4/INT2/INT1 weights with FP16
     * activations (mma.sync, and INT4 on the TMA kernel), so sums stay centred and a zero point becomes zero - 2^(bits-1).
     */
    public enum Variant {
        PLAIN(""), INT32_OUT("_i32out"), CENTRED_CODES("_centred");

        private final String suffix;

        Variant(String suffix) { this.suffix = suffix; }

        /** The kernel name's suffix ("" for the plain kernel, so its name and cache key stay what they were). */
        public String suffix() { return suffix; }
    }

    /** The plain variant (FP16 C of the raw codes) of a Figure 13 stage: every configuration outside the layer executor. */
    public GemmConfig(Format weight, Format activation, Path path, int m, int n, int k, int bm, int bn,
                      int warpsM, int warpsN, int stages, int splitK, GemvStage stage) {
        this(weight, activation, path, m, n, k, bm, bn, warpsM, warpsN, stages, splitK, stage, Variant.PLAIN);
    }

    /**
     * Storage formats the GEMM kernels take. Weights: INT4, INT2 and INT1 are unsigned codes with no scale, as in the
     * artifact and the GEMV kernels ({@link WeightFormat}); INT8 weights are signed with INT8 activations (s8 x s8
     * MMA) and unsigned codes 0..255 with FP16 activations (the GEMV kernels' INT8 weight). Activations: INT8 is
     * signed; INT4 is signed (-8..7), stored packed two per byte, element 0 in the low nibble (the GEMV kernels'
     * {@link ActFormat#INT4}). FP8 E5M2 doubles as the MXFP8 element, whose E8M0 block exponents (one per 32 K
     * elements and row) follow the elements in the same buffer.
     */
    public enum Format {
        FP16(16), INT8(8), INT4(4), INT2(2), INT1(1), NF4(4), FP8_E5M2(8), FP8_E4M3(8), MXFP8(8);

        private final int bits;

        Format(int bits) { this.bits = bits; }

        public int bits() { return bits; }

        /** "fp8_e4m3", the spelling of kernel names and the CLI. */
        public String token() { return name().toLowerCase(Locale.ROOT); }
    }

    /**
     * Tensor-core instruction family: mma.sync m16n8k16 (f16), m16n8k32 (s8), Hopper wgmma fed by cp.async
     * ({@code ladder_gemm_wgmma.cu}), or Hopper wgmma fed by TMA with warp specialisation
     * ({@code ladder_gemm_wgmma_ws.cu}: FP16 x FP16, FP8 x FP8 (E4M3 or E5M2 on both sides) and INT8 x INT8 with both
     * operands from shared memory on 128x256 tiles; INT4 / NF4 / FP8 E5M2 / INT8 / INT2 / INT1 weights x FP16 and INT4 /
     * INT2 / INT1 weights x INT8 as C^T = W . A^T with the weights decoded into wgmma's register A operand, 256
     * activation rows x 128 weight rows).
     */
    public enum Path { MMA16816, MMA16832, WGMMA, WGMMA_TMA }

    /** Threads of a {@link Path#WGMMA_TMA} CTA: one producer and two consumer warpgroups. */
    public static final int TMA_THREADS = 384;

    /** Largest dynamic shared memory per block on H100/H200 (227 KiB). */
    public static final int MAX_SMEM_PER_BLOCK = 232_448;

    /** The full design (stage HOLISTIC): every configuration but the Figure 13 stage variants. */
    public GemmConfig(Format weight, Format activation, Path path, int m, int n, int k, int bm, int bn,
                      int warpsM, int warpsN, int stages, int splitK) {
        this(weight, activation, path, m, n, k, bm, bn, warpsM, warpsN, stages, splitK, GemvStage.HOLISTIC);
    }

    public GemmConfig {
        if (stage == null) throw new IllegalArgumentException("stage must be given (HOLISTIC for the full design)");
        if (!stage.fastDecode() && !(path == Path.MMA16816 || path == Path.MMA16832) || !stage.fastDecode() && !hasStageSwitches(weight, activation))
            throw new IllegalArgumentException("no " + stage + " stage kernel for W_" + weight + "A_" + activation + " on " + path
                    + " (Figure 13 stages exist on mma.sync for W_FP16A_FP16, W_INT4A_FP16, W_INT1A_INT8, W_MXFP8A_MXFP8)");
        if (m < 1 || n < 1 || k < 1) throw new IllegalArgumentException("shape must be positive: " + m + "x" + n + "x" + k);
        if (stages < 2 || splitK < 1 || warpsM < 1 || warpsN < 1) throw new IllegalArgumentException("bad stages/splitK/warps");
        if (!supports(weight, activation, path)) throw new IllegalArgumentException("no kernel for W_" + weight + " A_" + activation + " on " + path);
        if (variant == null) throw new IllegalArgumentException("variant must not be null");
        if (variant != Variant.PLAIN && !stage.fastDecode())
            throw new IllegalArgumentException("the " + variant + " variant is built on the full design only, not stage " + stage);
        if (!supportsVariant(weight, activation, path, variant))
            throw new IllegalArgumentException("no " + variant + " variant of W_" + weight + " A_" + activation + " on " + path);
        boolean skinny = path == Path.WGMMA_TMA && (bm == 32 || bm == 64);
        if (skinny) {
            if (!tmaSkinnySupports(weight, activation) || warpsM * warpsN * 32 != TMA_THREADS || (bn != 128 && bn != 256 && bn != 512))
                throw new IllegalArgumentException("wgmma TMA skinny: W_INT4/NF4/FP8_E5M2/INT1 A_FP16 or W_INT1A_INT8, 384 threads, "
                        + "32 or 64 activation rows x 128/256/512 weight rows, not W_" + weight + "A_" + activation + " " + bm + "x" + bn);
            if (k % (2 * bkOf(activation)) != 0)
                throw new IllegalArgumentException("wgmma TMA skinny: K=" + k + " not a multiple of " + 2 * bkOf(activation));
        } else if (path == Path.WGMMA_TMA) {
            boolean shared = tmaSharedOperands(weight, activation);
            if (warpsM * warpsN * 32 != TMA_THREADS || bm != (shared ? 128 : 256) || bn != (shared ? 256 : 128) || stages < 2 || splitK != 1)
                throw new IllegalArgumentException("wgmma TMA: 384 threads, tile " + (shared ? "128x256" : "256x128") + ", no split-K");
            // weights decoded in registers: two k tiles per loop round (alternating register sets)
            if (!shared && k % (2 * bkOf(activation)) != 0)
                throw new IllegalArgumentException("wgmma TMA low-bit weights: K=" + k + " not a multiple of " + 2 * bkOf(activation));
        } else if (path == Path.WGMMA) {
            if (warpsN != 1 || warpsM % 4 != 0 || bm != 16 * warpsM || (bn != 128 && bn != 256) || stages < 3 || splitK != 1)
                throw new IllegalArgumentException("wgmma: bm = 64 per warpgroup, bn 128/256, stages >= 3, no split-K");
        } else {
            if (bm % (16 * warpsM) != 0 || bn % (16 * warpsN) != 0)
                throw new IllegalArgumentException("warp tile must be a multiple of 16x16");
        }
        int bk = bkOf(activation);
        if (n % bn != 0) throw new IllegalArgumentException("N=" + n + " not a multiple of BN=" + bn);
        if (!skinny && k % (bk * splitK) != 0) throw new IllegalArgumentException("K=" + k + " not a multiple of BK*splitK=" + bk * splitK);
        if (sharedMemoryBytesOf(weight, activation, path, bm, bn, stages) > MAX_SMEM_PER_BLOCK)
            throw new IllegalArgumentException("shared memory " + sharedMemoryBytesOf(weight, activation, path, bm, bn, stages) + " B over the limit");
    }

    /**
     * Whether a kernel of {@code path} takes these formats: mma m16n8k16 FP16 activations with FP16, INT8, INT4,
     * INT2, INT1, NF4 or FP8 E5M2 weights (decoded to FP16 in registers); mma m16n8k32 s8 with INT8 activations and
     * INT8, INT4, INT2 or INT1 weights, or packed INT4 activations (unpacked to s8: Hopper has no INT4 MMA) and INT4,
     * INT2 or INT1 weights; mma m16n8k32 FP8 with the same FP8 (or MXFP8) on both sides; wgmma with both operands FP16,
     * INT8, FP8 E4M3 or FP8 E5M2.
     */
    public static boolean supports(Format weight, Format activation, Path path) {
        return switch (path) {
            case MMA16816 -> activation == Format.FP16 && weight != Format.FP8_E4M3 && weight != Format.MXFP8;
            case MMA16832 -> switch (activation) {
                case INT8 -> weight == Format.INT8 || weight == Format.INT4 || weight == Format.INT2 || weight == Format.INT1;
                case INT4 -> weight == Format.INT4 || weight == Format.INT2 || weight == Format.INT1;
                case FP8_E4M3, FP8_E5M2, MXFP8 -> weight == activation;
                default -> false;
            };
            case WGMMA -> weight == activation && weight != Format.MXFP8 && (weight.bits() == 16 || weight.bits() == 8);
            case WGMMA_TMA -> switch (activation) {
                case FP16 -> weight != Format.FP8_E4M3 && weight != Format.MXFP8;
                case FP8_E4M3, FP8_E5M2 -> weight == activation;
                case INT8 -> weight == Format.INT8 || weight == Format.INT4 || weight == Format.INT2 || weight == Format.INT1;
                default -> false;
            };
        };
    }

    /**
     * Whether ladder_gemm.cu has the BASELINE and TRANSFORM code of Figure 13 for the pair: the four formats the figure
     * shows (W_FP16A_FP16, W_INT4A_FP16, W_INT1A_INT8, W_MXFP8A_MXFP8).
     */
    public static boolean hasStageSwitches(Format weight, Format activation) {
        return weight == Format.FP16 && activation == Format.FP16 || weight == Format.INT4 && activation == Format.FP16
                || weight == Format.INT1 && activation == Format.INT8 || weight == Format.MXFP8 && activation == Format.MXFP8;
    }

    /** Whether W is in the plain row-major packing ({@code BitPacking.pack}) rather than a Ladder layout: the BASELINE stage. */
    public boolean plainWeightLayout() { return !stage.transformedLayout(); }

    /**
     * Whether the {@link Path#WGMMA_TMA} kernel of these formats takes both operands from shared memory (FP16, FP8 or
     * INT8 on both sides: 128x256 tiles, TMA for A and W) rather than decoding the weights into registers (256x128,
     * the weights in {@link GemmWeightLayout#wgmmaFragmentOrder}).
     */
    public static boolean tmaSharedOperands(Format weight, Format activation) {
        return weight == activation && (weight == Format.FP16 || weight == Format.FP8_E4M3 || weight == Format.FP8_E5M2 || weight == Format.INT8);
    }

    /**
     * Whether the kernel has {@code variant}: INT32 output on mma.sync m16n8k32 with INT8 or INT4 activations; centred
     * codes for unsigned INT8/INT4/INT2/INT1 weights with FP16 activations on mma.sync, and INT4 on the TMA kernel.
     */
    public static boolean supportsVariant(Format weight, Format activation, Path path, Variant variant) {
        return switch (variant) {
            case PLAIN -> true;
            case INT32_OUT -> path == Path.MMA16832 && (activation == Format.INT8 || activation == Format.INT4);
            case CENTRED_CODES -> activation == Format.FP16 && switch (path) {
                case MMA16816 -> weight == Format.INT8 || weight == Format.INT4 || weight == Format.INT2 || weight == Format.INT1;
                case WGMMA_TMA -> weight == Format.INT4;
                default -> false;
            };
        };
    }

    /** The same kernel writing {@code v} instead (IllegalArgumentException where it has no such variant). */
    public GemmConfig withVariant(Variant v) {
        return new GemmConfig(weight, activation, path, m, n, k, bm, bn, warpsM, warpsN, stages, splitK, stage, v);
    }

    /** Bytes of one output element: 4 for {@link Variant#INT32_OUT}, else 2 (FP16). */
    public int outputElementBytes() { return variant == Variant.INT32_OUT ? 4 : 2; }

    /**
     * Whether ladder_gemm_wgmma_ws.cu's skinny-M variant (WS_SKINNY) is built for the pair: the five Figure 12 M1/M4 pairs
     * measured on the H100 (docs/kernels/GEMM-NOTES.md, "wgmma skinny M"): INT4, NF4, FP8 E5M2 and INT1 weights x FP16
     * and INT1 x INT8. The other register-decoded pairs would compile too but have not run on a GPU.
     */
    public static boolean tmaSkinnySupports(Format weight, Format activation) {
        return activation == Format.FP16 && (weight == Format.INT4 || weight == Format.NF4 || weight == Format.FP8_E5M2 || weight == Format.INT1)
                || activation == Format.INT8 && weight == Format.INT1;
    }

    /**
     * Whether this is the skinny-M TMA kernel: {@code bm} (32 or 64) activation rows as wgmma N, {@code bn} = 128, 256 or
     * 512 weight rows (64 x bn/128 per consumer warpgroup), split-K over the grid with the partial sums added by atomics
     * into a zeroed workspace of {@link #tmaSkinnyWorkspaceBytes()} that the kernel leaves zeroed again.
     */
    public boolean tmaSkinny() { return path == Path.WGMMA_TMA && bm <= 64; }

    /** FP32 (INT32) sums M x N plus one counter per output tile for the skinny TMA kernel with split-K, else 0. */
    public long tmaSkinnyWorkspaceBytes() {
        return tmaSkinny() && splitK > 1 ? 4L * m * n + 4L * ((m + bm - 1) / bm) * (n / bn) : 0;
    }

    /**
     * The skinny-M TMA configuration ({@link #tmaSkinny()}) with as many stages as fit in 227 KiB (at most 48: ~100 KiB
     * or more of weights in flight per SM).
     */
    public static GemmConfig wgmmaTmaSkinny(Format weight, Format activation, int m, int n, int k, int bm, int bn, int splitK) {
        int stage = bm * 128 + bn * bkOf(activation) * weight.bits() / 8;
        int stages = Math.min(48, (MAX_SMEM_PER_BLOCK - 2048 - Math.max(1024, nf4TableBytes(weight, true))) / (stage + 16));
        return new GemmConfig(weight, activation, Path.WGMMA_TMA, m, n, k, bm, bn, TMA_THREADS / 32, 1, stages, splitK);
    }

    /** The LADDER_FMT code of ladder_gemm.cu (mma paths). */
    int mmaFormatCode() {
        if (activation == Format.FP16) return switch (weight) {
            case FP16 -> 0; case INT4 -> 1; case NF4 -> 3; case FP8_E5M2 -> 4; case INT8 -> 9; case INT2 -> 10; case INT1 -> 11;
            default -> throw new IllegalStateException(formatLabel());
        };
        if (activation == Format.INT4) return switch (weight) {
            case INT4 -> 14; case INT2 -> 15; case INT1 -> 16;
            default -> throw new IllegalStateException(formatLabel());
        };
        if (activation == Format.INT8) return switch (weight) {
            case INT8 -> 2; case INT1 -> 5; case INT4 -> 12; case INT2 -> 13;
            default -> throw new IllegalStateException(formatLabel());
        };
        return switch (weight) {
            case FP8_E4M3 -> 6; case FP8_E5M2 -> 7; case MXFP8 -> 8;
            default -> throw new IllegalStateException(formatLabel());
        };
    }

    /** The WG_ELEM code of ladder_gemm_wgmma.cu. */
    int wgmmaElementCode() {
        return switch (weight) {
            case FP16 -> 0; case FP8_E4M3 -> 1; case FP8_E5M2 -> 2; case INT8 -> 3;
            default -> throw new IllegalStateException(formatLabel());
        };
    }

    /** The WS_W code of ladder_gemm_wgmma_ws.cu. */
    int tmaWeightCode() {
        if (activation == Format.FP16) return switch (weight) {
            case FP16 -> 0; case INT4 -> 1; case NF4 -> 2; case FP8_E5M2 -> 3; case INT8 -> 7; case INT2 -> 8; case INT1 -> 9;
            default -> throw new IllegalStateException(formatLabel());
        };
        if (activation == Format.INT8) return switch (weight) {
            case INT8 -> 6; case INT4 -> 10; case INT2 -> 11; case INT1 -> 12;
            default -> throw new IllegalStateException(formatLabel());
        };
        return switch (weight) {
            case FP8_E4M3 -> 4; case FP8_E5M2 -> 5;
            default -> throw new IllegalStateException(formatLabel());
        };
    }

    /**
     * The TMA + warp-specialised wgmma configuration ({@link Path#WGMMA_TMA}) for FP16 activations: FP16 weights take
     * 128x256 tiles and 4 stages, INT4/NF4 weights 256x128 (activation rows x weight rows) and 6 stages, FP8 E5M2 5.
     */
    public static GemmConfig wgmmaTma(Format weight, int m, int n, int k) { return wgmmaTma(weight, Format.FP16, m, n, k); }

    /** {@link #wgmmaTma(Format, Format, int, int, int, int)} with the default stages ({@link #defaultTmaStages}). */
    public static GemmConfig wgmmaTma(Format weight, Format activation, int m, int n, int k) {
        return wgmmaTma(weight, activation, m, n, k, defaultTmaStages(weight, activation));
    }

    /**
     * The {@link Path#WGMMA_TMA} configuration of these formats with {@code stages} pipeline stages: 128x256 tiles where
     * both operands come from shared memory ({@link #tmaSharedOperands}), else 256x128 (activation rows x weight rows).
     */
    public static GemmConfig wgmmaTma(Format weight, Format activation, int m, int n, int k, int stages) {
        boolean shared = tmaSharedOperands(weight, activation);
        return new GemmConfig(weight, activation, Path.WGMMA_TMA, m, n, k, shared ? 128 : 256, shared ? 256 : 128, TMA_THREADS / 32, 1, stages, 1);
    }

    /**
     * The stages the TMA kernel takes untuned: 4 for shared-memory operands (48 KiB a stage), else 6 where a stage (weight
     * chunk + 32 KiB activation tile) is at most 36 KiB and 5 above (ladder_gemm_wgmma_ws.cu's default; measured in
     * docs/kernels/GEMM-NOTES.md).
     */
    public static int defaultTmaStages(Format weight, Format activation) {
        if (tmaSharedOperands(weight, activation)) return 4;
        int stage = 128 * bkOf(activation) * weight.bits() / 8 + 256 * 128;
        return stage <= 36_864 ? 6 : 5;
    }

    /** The mma.sync configuration with the default kernel for the formats. */
    public static GemmConfig mma(Format weight, Format activation, int m, int n, int k, int bm, int bn,
                                 int warpsM, int warpsN, int stages, int splitK) {
        Path p = activation == Format.FP16 ? Path.MMA16816 : Path.MMA16832;
        return new GemmConfig(weight, activation, p, m, n, k, bm, bn, warpsM, warpsN, stages, splitK);
    }

    /** The wgmma FP16 configuration: {@code warpgroups} x 64 rows, bn columns. */
    public static GemmConfig wgmma(int m, int n, int k, int warpgroups, int bn, int stages) {
        return wgmma(Format.FP16, m, n, k, warpgroups, bn, stages);
    }

    /** The wgmma configuration with both operands of {@code element} (FP16, INT8, FP8_E4M3, FP8_E5M2). */
    public static GemmConfig wgmma(Format element, int m, int n, int k, int warpgroups, int bn, int stages) {
        return new GemmConfig(element, element, Path.WGMMA, m, n, k, 64 * warpgroups, bn, 4 * warpgroups, 1, stages, 1);
    }

    /** K elements per pipeline stage: 64 with FP16 activations, 128 otherwise (128 bytes of A per row, 64 for packed INT4). */
    public int bk() { return bkOf(activation); }

    private static int bkOf(Format activation) { return activation == Format.FP16 ? 64 : 128; }

    public int threads() { return warpsM * warpsN * 32; }

    /** The CUDA source (resource path) that builds this configuration. */
    public String source() {
        return switch (path) {
            case WGMMA -> "kernels/gemm/ladder_gemm_wgmma.cu";
            case WGMMA_TMA -> "kernels/gemm/ladder_gemm_wgmma_ws.cu";
            default -> "kernels/gemm/ladder_gemm.cu";
        };
    }

    /**
     * CUTLASS-style symbol, e.g. {@code ladder_gemm_w_int4_a_fp16_mma16816_128x256x64_w2x4_4stage}, with {@code _base} or
     * {@code _transform} for those Figure 13 stages (PTX and HOLISTIC build the same code under the plain name). Split-K
     * is a launch choice, not part of the name.
     */
    public String kernelName() {
        String w = weight.token(), a = activation.token();
        String tile = bm + "x" + bn + "x" + bk();
        return switch (path) {
            case MMA16816, MMA16832 -> "ladder_gemm_w_" + w + "_a_" + a + "_" + path.name().toLowerCase(Locale.ROOT) + "_"
                    + tile + "_w" + warpsM + "x" + warpsN + "_" + stages + "stage" + (stage.fastDecode() ? "" : "_" + stage.token());
            case WGMMA -> "ladder_gemm_w_" + w + "_a_" + a + "_wgmma64x" + bn + "x16_" + tile + "_wg" + (warpsM / 4) + "_" + stages + "stage";
            // k16 for FP16 activations, k32 for 8-bit ones
            case WGMMA_TMA -> "ladder_gemm_w_" + w + "_a_" + a + "_wgmma64x" + (tmaSkinny() ? bm : 256) + "x" + (activation == Format.FP16 ? 16 : 32) + "_tma_ws_" + tile + "_"
                    + stages + "stage";
        } + variant.suffix();
    }

    /** nvcc flags for a standalone build: cubin, the sm_90a target and {@link #defineFlags()}. */
    public List<String> nvccFlags() {
        List<String> f = new ArrayList<>(List.of("-cubin", "-gencode=arch=compute_90a,code=sm_90a"));
        f.addAll(defineFlags());
        return f;
    }

    /**
     * -O3 and the -D macros: what {@link KernelCache} needs besides the source (it adds -cubin and the
     * target). They depend on the kernel, not on M, N, K, so one binary serves every shape it divides.
     */
    public List<String> defineFlags() {
        List<String> f = new ArrayList<>(List.of("-O3", "-DKNAME=" + kernelName()));
        if (path == Path.WGMMA_TMA) {
            f.add("-DWS_W=" + tmaWeightCode());
            f.add("-DSTAGES=" + stages);
            if (tmaSkinny()) {
                f.add("-DWS_SKINNY=" + bm);
                f.add("-DWS_MB=" + bn / 128);
                if (weight == Format.NF4) f.add("-DWS_NF4_LANE=1");   // the bank-replicated NF4 table (1.3x at M1 / M4)
            }
        } else if (path == Path.WGMMA) {
            if (weight != Format.FP16) f.add("-DWG_ELEM=" + wgmmaElementCode());   // FP16 keeps the flags (and cache key) it had
            f.add("-DWG=" + warpsM / 4);
            f.add("-DBN=" + bn);
            f.add("-DSTAGES=" + stages);
        } else {
            f.addAll(List.of("-DLADDER_FMT=" + mmaFormatCode(), "-DBM=" + bm, "-DBN=" + bn, "-DWARPS_M=" + warpsM, "-DWARPS_N=" + warpsN,
                    "-DSTAGES=" + stages));
            if (!stage.fastDecode()) f.add("-DLADDER_STAGE=" + stage.ordinal());   // the full design keeps its flags and cache key
        }
        if (variant == Variant.INT32_OUT) f.add("-DINT_OUT=1");
        if (variant == Variant.CENTRED_CODES) f.add("-DW_CENTRED=1");
        return f;
    }

    /** The same kernel and split-K at another shape (the correctness check runs the timed binary on a small one). */
    public GemmConfig withShape(int m, int n, int k) {
        return new GemmConfig(weight, activation, path, m, n, k, bm, bn, warpsM, warpsN, stages, splitK, stage, variant);
    }

    /** The same kernel and shape with the code of Figure 13 stage {@code s}. */
    public GemmConfig withStage(GemvStage s) {
        return new GemmConfig(weight, activation, path, m, n, k, bm, bn, warpsM, warpsN, stages, splitK, s, variant);
    }

    /** "W_INT4A_FP16", the format pair as the kernels name it. */
    public String formatLabel() { return "W_" + weight + "A_" + activation; }

    /** Grid {x, y, z}: x = output tiles (ceil(M/BM) * N/BN), z = split-K slices. */
    public int[] grid() {
        int tiles = ((m + bm - 1) / bm) * (n / bn);
        return tmaSkinny() ? new int[] {tiles * splitK, 1, 1} : new int[] {tiles, 1, splitK};   // skinny: split = x % splitK
    }

    public int[] block() { return new int[] {threads(), 1, 1}; }

    /** Dynamic shared memory in bytes (set as the function's max dynamic shared size before launch). */
    public int sharedMemoryBytes() { return sharedMemoryBytesOf(weight, activation, path, bm, bn, stages); }

    private static int sharedMemoryBytesOf(Format weight, Format activation, Path path, int bm, int bn, int stages) {
        if (path == Path.WGMMA_TMA) {
            // ladder_gemm_wgmma_ws.cu's SMEM_BYTES: stages of (weight tile + activation tile), full/empty mbarriers,
            // the NF4 half2 table, 1024 for the manual alignment. Weights in registers: bn rows x BK x bits/8.
            int wTile = tmaSharedOperands(weight, activation) ? bn * 128 : bn * bkOf(activation) * weight.bits() / 8;
            return stages * (bm * 128 + wTile) + 16 * stages + nf4TableBytes(weight, bm <= 64) + 1024;
        }
        // W bytes per row and K tile (64 K elements with FP16 activations, 128 otherwise): ladder_gemm.cu's W_ROWB,
        // = bits x BK / 8 for the packed formats, 128 for 8-bit weights with 8-bit activations
        int wRow = path == Path.WGMMA || weight.bits() == 16 || (weight.bits() == 8 && activation != Format.FP16) ? 128
                : weight.bits() * bkOf(activation) / 8;
        int aRow = activation == Format.INT4 ? 64 : 128;                // A_ROWB: packed INT4 activations are half as wide
        int exponents = weight == Format.MXFP8 ? 4 * (bm + bn) : 0;   // one E8M0 byte per k32 block and row
        int bytes = stages * (bm * aRow + bn * wRow + exponents);
        if (weight == Format.NF4) bytes += 1024;                        // the 256-entry half2 decode table
        return path == Path.WGMMA ? bytes + 1024 : bytes;  // wgmma aligns its tiles to 1024 B by hand
    }

    /**
     * The TMA kernel's NF4 decode table: 1 KiB (a half2 per byte value), or for the skinny kernel 32 KiB, the table
     * replicated once per shared-memory bank (WS_NF4_LANE) so that the lanes' random byte lookups never conflict: NF4 x
     * FP16 at Figure 12 M1 / M4 went from 52 / 48 % to 67 / 60 % of copy bandwidth with it on the H100.
     */
    private static int nf4TableBytes(Format weight, boolean skinny) {
        return weight != Format.NF4 ? 0 : skinny ? 32_768 : 1024;
    }

    /**
     * Split-K workspace (FP32 or INT32 partials) of the mma kernels, 0 without split-K and for the skinny TMA kernel (its
     * zeroed workspace, {@link #tmaSkinnyWorkspaceBytes()}, is owned by {@code GemmRunner}).
     */
    public long workspaceBytes() { return splitK == 1 || tmaSkinny() ? 0 : 4L * splitK * m * n; }

    /** Bytes of W as the kernel reads it (packed formats in their layout; MXFP8: elements, then N x K/32 exponents). */
    public long weightBytes() { return operandBytes(weight, n, k); }

    /** Bytes of A as the kernel reads it (MXFP8: elements, then M x K/32 exponents). */
    public long activationBytes() { return operandBytes(activation, m, k); }

    private static long operandBytes(Format f, int rows, int k) {
        long elements = (long) rows * k * f.bits() / 8;
        return f == Format.MXFP8 ? elements + (long) rows * (k / 32) : elements;
    }

    public double flops() { return 2.0 * m * n * k; }
}
