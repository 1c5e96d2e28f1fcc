package org.ladderae.executor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.ladderae.formats.Fp16;
import org.ladderae.gpu.CudaContext;
import org.ladderae.gpu.CudaModule;
import org.ladderae.gpu.DeviceBuffer;
import org.ladderae.gpu.GpuTimer;
import org.ladderae.gpu.HalfPrecision;
import org.ladderae.gpu.Kernel;
import org.ladderae.gpu.KernelArgs;
import org.ladderae.gpu.LaunchConfig;
import org.ladderae.kernels.GemmRunner;
import org.ladderae.kernels.GemvConfig;
import org.ladderae.kernels.GemvRunner;
import org.ladderae.kernels.GemvStage;
import org.ladderae.kernels.KernelCache;
import org.ladderae.kernels.KernelSource;
import org.ladderae.kernels.TargetArch;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.models.ModelGraph;
import org.ladderae.models.Op;
import org.ladderae.models.reference.DenseTensor;
import org.ladderae.models.reference.SeededWeights;
import org.ladderae.results.TimingStats;

/**
 * Runs one LLM layer ({@link LayerPlan}) on the GPU as a fixed sequence of kernel launches on device buffers that are
 * allocated once: linears through Ladder's GEMV (M <= 16) or tensor-core GEMM (M > 16), the rest through
 * {@code kernels/llm/llm_ops.cu}. Weights are converted to their format offline, at construction:
 * <ul>
 * <li>{@link Weights.Seeded}: the graph's {@link SeededWeights} quantised by {@link StackedWeights} (the very values the
 *     CPU reference multiplies), for checked runs of small layers;</li>
 * <li>{@link Weights.DeviceRandom}: random valid codes generated on the device at the full layer's size (1.7 GB for the
 *     LLaMA-70B layer would not fit the host as doubles), scaled like a trained layer so the outputs stay finite;
 *     for timing only.</li>
 * </ul>
 * Every launch's arguments are built once, so a timed run is just the queued launches.
 */
public final class LayerExecutor implements AutoCloseable {
    /** Where the weights come from. */
    public sealed interface Weights {
        record Seeded(long seed) implements Weights {}
        record DeviceRandom(long seed) implements Weights {}
        /** Weights as a compiled model stores them: linear layers in their format (used as they are), the rest as values. */
        record Stored(Map<String, org.ladderae.models.reference.StoredLinearWeight> linears, Map<String, DenseTensor> others) implements Weights {}
    }

    /** Device memory: driver-level used bytes (cuMemGetInfo) before, after setup and at the peak of a sampled run; the executor's own allocations. */
    public record Memory(long usedBeforeBytes, long usedAfterSetupBytes, long peakUsedBytes, long ownAllocationBytes) {
        public double peakMib() { return peakUsedBytes / 1048576.0; }
        public double ownMib() { return ownAllocationBytes / 1048576.0; }
    }

    /**
     * Sequences from this length up go to the flash kernel (tensor cores, tiled); shorter ones (decode) to the per-warp kernel.
     * On the per-warp kernel ViT's 50-token attention took 0.18 ms per block at batch 128 (H100, a quarter of the model); 16
     * keeps ViT's 26-token check model on the flash kernel as well, so the check runs the kernel family that is timed.
     */
    public static final int FLASH_MIN_SEQ = 16;
    /** The LLM ops' source (under kernels/) and nvcc flags. */
    static final String OPS_SOURCE = "llm/llm_ops.cu";
    static final List<String> OPS_FLAGS = List.of("-O3");
    private static final int[] FLASH_HEAD_DIMS = {16, 32, 64, 128};
    /** Query rows per flash_attention2 block (FA2_BM in llm_ops.cu). */
    private static final int FLASH_BLOCK_ROWS = 128;

    private final CudaContext context;
    private final ModelGraph graph;
    private final LayerPlan plan;
    private final CudaModule ops;
    /** The encoder models' kernels (EncoderSteps), loaded only for a plan that has their steps. */
    private final CudaModule encoderOps;
    private final Map<String, DeviceBuffer> acts = new LinkedHashMap<>();
    private final Map<String, DeviceBuffer> params = new HashMap<>();
    /** Per-row FP32 activation scales and INT32 code sums of the integer-quantised activation buffers, by buffer name. */
    private final Map<String, DeviceBuffer> rowScales = new HashMap<>();
    private final Map<String, DeviceBuffer> codeSums = new HashMap<>();
    private final List<DeviceBuffer> owned = new ArrayList<>();
    private final List<Runnable> launches = new ArrayList<>();
    private final List<String> launchNames = new ArrayList<>();
    /** Each linear by the number of launches queued up to and including its last one (its epilogue). */
    private final Map<Integer, LayerPlan.Linear> linearEnds = new HashMap<>();
    private final Map<String, LinearChoice> choices = new LinkedHashMap<>();
    /** Linear weights stored in their format (a compiled model), or null when they are quantised here from master weights. */
    private Map<String, org.ladderae.models.reference.StoredLinearWeight> stored;
    /** The launches captured into a CUDA graph, at first use (null before). */
    private org.ladderae.gpu.CapturedLaunches captured;
    private final long usedBefore;
    private final long usedAfterSetup;
    private long ownBytes;
    private long weightBytes;

    /**
     * @param like the full-size layer's kernel choices by linear name (see {@link LinearChoice#select}), or an empty map
     */
    public LayerExecutor(CudaContext context, KernelCache cache, GemvRunner gemv, GemmRunner gemm, ModelGraph graph,
                         GemvStage stage, Weights weights, Map<String, LinearChoice> like) {
        this.context = context;
        this.graph = graph;
        this.plan = LayerPlan.lower(graph);
        this.usedBefore = usedBytes();
        this.ops = cache.load(context, KernelSource.fromClasspath(OPS_SOURCE), OPS_FLAGS);
        this.encoderOps = plan.steps().stream().anyMatch(EncoderSteps::isEncoderStep)
                ? cache.load(context, KernelSource.fromClasspath(EncoderSteps.SOURCE), OPS_FLAGS) : null;
        try {
            for (LayerPlan.BufferSpec b : plan.buffers().values()) {
                acts.put(b.name(), alloc((b.bytes() + 3) / 4 * 4));   // whole words: the run's poisoning fills them all
                if (b.layout().hasRowScales()) {
                    rowScales.put(b.name(), alloc(4L * b.rows()));
                    codeSums.put(b.name(), alloc(4L * b.rows()));
                }
            }
            TargetArch arch = TargetArch.forComputeCapability(context.device().ccMajor(), context.device().ccMinor());
            for (LayerPlan.Linear l : plan.linears()) choices.put(l.name(), LinearChoice.select(l, plan.rows(l), stage, arch, like.get(l.name())));
            long ws = 16;
            for (LinearChoice c : choices.values()) if (c.usesGemm()) ws = Math.max(ws, c.gemm().workspaceBytes());
            DeviceBuffer workspace = alloc(ws);
            Map<String, DenseTensor> master = weights instanceof Weights.Seeded s ? SeededWeights.masterWeights(graph, s.seed())
                    : weights instanceof Weights.Stored st ? st.others() : null;
            this.stored = weights instanceof Weights.Stored st ? st.linears() : null;
            long randomSeed = weights instanceof Weights.DeviceRandom r ? r.seed() : 0;
            for (LayerPlan.Step step : plan.steps()) build(step, gemv, gemm, workspace, master, randomSeed);
            if (master == null) for (String in : plan.inputs()) fillF16(acts.get(in), 0, 1, randomSeed ^ in.hashCode());
            context.synchronize();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        this.usedAfterSetup = usedBytes();
    }

    public LayerPlan plan() { return plan; }

    /** The kernel chosen for each (fused) linear, by name. */
    public Map<String, LinearChoice> choices() { return Map.copyOf(choices); }

    /** Bytes of every weight the layer reads per run (linear codes, scales, norms, biases). */
    public long weightBytes() { return weightBytes; }

    // ---- building the launches ----

    private void build(LayerPlan.Step step, GemvRunner gemv, GemmRunner gemm, DeviceBuffer workspace, Map<String, DenseTensor> master, long seed) {
        int rows = plan.rows();
        if (step instanceof LayerPlan.Norm n) {
            DeviceBuffer w = param(n.weight(), n.width(), master, 1, 0.1, seed);
            KernelArgs a = KernelArgs.of().buffer(act(n.x()));
            a = n.residual() == null ? a.i64(0) : a.buffer(act(n.residual()));
            a = n.sumOut() == null ? a.i64(0) : a.buffer(acts.get(n.sumOut()));
            a = a.buffer(w);
            if (!n.rms()) a = n.bias() == null ? a.i64(0) : a.buffer(param(n.bias(), n.width(), master, 0, 0.1, seed));
            String kernelName = n.rms() ? "add_rmsnorm" : "add_layernorm";
            if (layout(n.out()) == ActivationLayout.FP16) {
                a = a.buffer(acts.get(n.out())).i32(n.width()).f32((float) n.eps()).i32(rows);
                add(n.name(), kernel(kernelName), normLaunch(rows, n.width()), a);
            } else {
                a = quantOutput(a.i32(n.width()).f32((float) n.eps()), n.out());
                add(n.name(), kernel(kernelName + "_quant"), LaunchConfig.of1d(rows, 256), a);
            }
        } else if (step instanceof LayerPlan.Quantize q) {
            add(q.name(), kernel("quantize_rows"), LaunchConfig.of1d(plan.buffers().get(q.out()).rows(), 256),
                    quantOutput(KernelArgs.of().buffer(act(q.x())).i32(q.x().ld()).i32(q.x().colOffset()).i32(q.width()), q.out()));
        } else if (step instanceof LayerPlan.Linear l) {
            buildLinear(l, gemv, gemm, workspace, master, seed);
            linearEnds.put(launches.size(), l);
        } else if (step instanceof LayerPlan.Rotary r) {
            // Few rows (decode): split each row's pairs over blocks so about one wave of blocks runs.
            int pairs = r.heads() * (r.headDim() / 2), perRow = Math.max(1, Math.min((pairs + 127) / 128, (264 + rows - 1) / rows));
            add(r.name(), kernel("rotary_inplace"), new LaunchConfig(rows, perRow, 1, 128, 1, 1, 0),
                    KernelArgs.of().buffer(act(r.x())).i32(r.x().ld()).i32(r.x().colOffset()).i32(r.heads()).i32(r.headDim()).i32(plan.seq())
                            .f32((float) r.theta()));
        } else if (step instanceof LayerPlan.Attention at) {
            buildAttention(at);
        } else if (step instanceof LayerPlan.SiluGate sg) {
            if (sg.width() % 2 != 0 || sg.gate().colOffset() % 2 != 0 || sg.up().colOffset() % 2 != 0 || sg.gate().ld() % 2 != 0 || sg.up().ld() % 2 != 0)
                throw new IllegalArgumentException(sg.name() + ": SiLU gate needs even widths and offsets (half2 loads)");
            KernelArgs a = KernelArgs.of().buffer(act(sg.gate())).i32(sg.gate().ld()).i32(sg.gate().colOffset())
                    .buffer(act(sg.up())).i32(sg.up().ld()).i32(sg.up().colOffset());
            if (layout(sg.out()) == ActivationLayout.FP16)
                add(sg.name(), kernel("silu_gate"), elementwise((long) rows * sg.width() / 2), a.buffer(acts.get(sg.out())).i32(rows).i32(sg.width()));
            else   // one block per row: the quantiser needs the row's absmax before it writes
                add(sg.name(), kernel("silu_gate_quant"), LaunchConfig.of1d(rows, 256), quantOutput(a.i32(sg.width()), sg.out()));
        } else if (step instanceof LayerPlan.Gelu ge) {
            add(ge.name(), kernel("linear_epilogue"), elementwise((long) rows * ge.width()),
                    KernelArgs.of().buffer(act(ge.x())).i32(ge.x().ld()).buffer(acts.get(ge.out())).i32(ge.width()).i32(rows).i32(ge.width())
                            .i64(0).i64(0).i64(0).i64(0).i32(1).f32(0));
        } else if (step instanceof LayerPlan.Add ad) {
            long n = (long) rows * ad.width();
            if (n % 2 != 0) throw new IllegalArgumentException(ad.name() + ": odd element count");
            add(ad.name(), kernel("add_f16"), elementwise(n / 2),
                    KernelArgs.of().buffer(act(ad.a())).buffer(act(ad.b())).buffer(acts.get(ad.out())).i64(n));
        } else if (EncoderSteps.isEncoderStep(step)) {
            EncoderSteps.build(step, plan, encoderHost(master, seed));
        } else {
            throw new IllegalStateException("no launch for " + step);
        }
    }

    /** Rows of at most this many values (a multiple of 8) are normalised one warp per row (add_rmsnorm / add_layernorm). */
    static final int WARP_ROW_MAX_WIDTH = 1024;
    static final int WARP_ROWS_PER_BLOCK = 8;

    /**
     * The FP16 norms' launch: one warp per row, 8 rows per block, for rows that fit a warp's registers (the encoders'
     * widths); else one block of 512 threads per row, which holds up to 16384 values in registers (LLaMA's 8192, BLOOM's 14336).
     */
    static LaunchConfig normLaunch(int rows, int width) {
        if (width % 8 == 0 && width <= WARP_ROW_MAX_WIDTH)
            return new LaunchConfig((rows + WARP_ROWS_PER_BLOCK - 1) / WARP_ROWS_PER_BLOCK, 1, 1, 32, WARP_ROWS_PER_BLOCK, 1, 0);
        return LaunchConfig.of1d(rows, 512);
    }

    private void buildLinear(LayerPlan.Linear l, GemvRunner gemv, GemmRunner gemm, DeviceBuffer workspace, Map<String, DenseTensor> master, long seed) {
        int rows = plan.rows(l), n = l.nTotal(), k = l.k();
        LinearChoice c = choices.get(l.name());
        DeviceBuffer in = act(l.input()), out = acts.get(l.out());
        StackedWeights sw = stored != null ? StackedWeights.ofStored(l, stored, master) : master == null ? null : StackedWeights.of(l, master);
        boolean intActs = LinearChoice.integerActivations(l);
        double amp = Math.sqrt(3.0 / k);
        DeviceBuffer scale = null, zero = null, rowSum = null, bias = null;
        DeviceBuffer g = out;   // what the GEMV/GEMM writes: out itself, or a scratch with N padded to the GEMM tile (or INT32 sums)
        if (c.usesGemm()) {
            long wBytes = c.gemm().weightBytes();
            DeviceBuffer w = weightBuffer(wBytes, sw == null ? null : sw.gemmWeights(c.paddedN(), l.acts(), c.gemm()), l.format(), amp, seed ^ l.name().hashCode());
            if (sw == null && l.format() == WeightFormat.MXFP8) {
                // The elements' random E5M2 bytes also filled the exponent tail; exponents 2^0 keep the outputs finite.
                long elements = (long) c.paddedN() * k;
                launchFill("fill_u8", w, KernelArgs.of().buffer(w).i64(elements).i64(wBytes - elements).i32(127), wBytes - elements);
            }
            if (c.paddedN() != n || intActs) g = alloc((long) c.gemm().outputElementBytes() * rows * c.paddedN());
            if (Op.Linear.hasGroupScales(l.format())) {
                scale = upload(sw != null ? sw.rowScales() : constant(n, randomScale(l.format(), amp)));
                if (l.format().isUnsignedInt()) {
                    zero = upload(sw != null ? sw.rowZeros() : constant(n, randomZero(l.format())));
                    if (!intActs) {
                        rowSum = alloc(4L * rows);
                        add(l.name() + ".rowsum", kernel("row_sum"), LaunchConfig.of1d(rows, 256), KernelArgs.of().buffer(in).i32(k).buffer(rowSum));
                    }
                }
                weightBytes += (zero == null ? 2L : 4L) * n;
            }
            Runnable launch = gemm.prepare(c.gemm(), in, w, g, workspace);
            launches.add(launch);
            launchNames.add(l.name() + " (" + c.gemm().kernelName() + ")");
        } else {
            GemvConfig cfg = c.gemv();
            long wBytes = cfg.launch().tensorCores() ? (long) LinearChoice.roundUp(n, 8) * k * l.format().bits() / 8 : (long) n * k * l.format().bits() / 8;
            DeviceBuffer w = weightBuffer(wBytes, sw == null ? null : sw.gemvWeights(cfg), l.format(), amp, seed ^ l.name().hashCode());
            DeviceBuffer aux;
            if (intActs) {
                // The integer GEMV takes raw codes (aux unused); the whole-row scale and zero go to the dequantising epilogue.
                aux = alloc(16);
                scale = upload(sw != null ? sw.rowScales() : constant(n, randomScale(l.format(), amp)));
                zero = upload(sw != null ? sw.rowZeros() : constant(n, randomZero(l.format())));
                weightBytes += 4L * n;
                g = alloc((long) cfg.outputElementBytes() * rows * n);
            } else if (sw != null) {
                aux = upload(sw.gemvAux(cfg));
            } else if (cfg.grouped()) {
                aux = alloc(4L * n * cfg.groups(k));
                int word = (Fp16.INSTANCE.encode(randomScale(l.format(), amp)) & 0xffff) | Fp16.INSTANCE.encode(randomZero(l.format())) << 16;
                fillU32(aux, aux.bytes() / 4, word);
            } else if (l.format() == WeightFormat.MXFP8) {
                aux = alloc(LinearChoice.roundUp(n * (k / 32), 4));
                fillU32(aux, aux.bytes() / 4, 0x7f7f7f7f);   // E8M0 127 = 2^0
            } else {
                aux = alloc(16);
            }
            weightBytes += aux.bytes() > 16 ? aux.bytes() : 0;
            launches.add(gemv.prepare(cfg, in, w, aux, g, n, k));
            launchNames.add(l.name() + " (" + org.ladderae.kernels.GemvKernels.spec(cfg).kernelName() + ")");
        }
        if (l.hasBias()) {
            bias = upload(sw != null ? sw.biasFp16() : randomHalves(n, 0, 0.1, seed ^ 0xb1a5));
            weightBytes += 2L * n;
        }
        float zeroShift = (float) c.zeroShift(l);   // what the GEMM's codes already had taken off (centred / signed storage)
        if (intActs) {
            // (INT32 sum of codes - (zero - shift) * sum of activation codes) * weight scale * activation scale (+ bias) (+ GeLU).
            int ldg = c.usesGemm() ? c.paddedN() : n;
            KernelArgs a = KernelArgs.of().buffer(g).i32(ldg).buffer(out).i32(n).i32(rows).i32(n).buffer(scale).buffer(zero)
                    .buffer(rowScales.get(l.input().buffer())).buffer(codeSums.get(l.input().buffer()));
            a = bias == null ? a.i64(0) : a.buffer(bias);
            // INT32 sums from the GEMV and the full-design GEMM; FP16 ones from Figure 13's BASELINE/TRANSFORM GEMM stages
            boolean fp16Sums = c.usesGemm() && c.gemm().outputElementBytes() == 2;
            add(l.name() + ".dequantize", kernel(fp16Sums ? "dequant_epilogue_f16" : "dequant_epilogue_i32"), elementwise((long) rows * n),
                    a.i32(l.gelu() ? 1 : 0).f32(zeroShift));
        } else if (c.needsEpilogue(l)) {
            KernelArgs a = KernelArgs.of().buffer(g).i32(c.paddedN()).buffer(out).i32(n).i32(rows).i32(n);
            a = scale == null ? a.i64(0) : a.buffer(scale);
            a = zero == null ? a.i64(0) : a.buffer(zero);
            a = rowSum == null ? a.i64(0) : a.buffer(rowSum);
            a = bias == null ? a.i64(0) : a.buffer(bias);
            add(l.name() + ".epilogue", kernel("linear_epilogue"), elementwise((long) rows * n), a.i32(l.gelu() ? 1 : 0).f32(zeroShift));
        }
    }

    /** This executor's buffers, weights and launch list as the encoder steps see them. */
    private EncoderSteps.Host encoderHost(Map<String, DenseTensor> master, long seed) {
        return new EncoderSteps.Host() {
            @Override public DeviceBuffer act(LayerPlan.View v) { return LayerExecutor.this.act(v); }
            @Override public DeviceBuffer buffer(String name) { return acts.get(name); }
            @Override public DeviceBuffer param(String name, int n, double center, double amp) { return LayerExecutor.this.param(name, n, master, center, amp, seed); }
            @Override public DeviceBuffer upload(float[] values) {
                DeviceBuffer b = alloc(4L * values.length);
                b.copyFrom(values);
                weightBytes += b.bytes();
                return b;
            }
            @Override public Map<String, DenseTensor> master() { return master; }
            @Override public long seed() { return seed; }
            @Override public Kernel kernel(String name) { return encoderOps.kernel(name); }
            @Override public void add(String name, Kernel k, LaunchConfig lc, KernelArgs args) { LayerExecutor.this.add(name, k, lc, args); }
        };
    }

    private void buildAttention(LayerPlan.Attention at) {
        int d = at.headDim(), seq = plan.seq();
        int qhs = headStride(at.q(), d), khs = headStride(at.k(), d), vhs = headStride(at.v(), d);
        DeviceBuffer slopes = null;
        if (at.alibiSlopes() != null) {
            float[] s = new float[at.heads()];
            for (int h = 0; h < s.length; h++) s[h] = (float) at.alibiSlopes()[h];
            slopes = alloc(4L * s.length);
            slopes.copyFrom(s);
        }
        KernelArgs a = KernelArgs.of()
                .buffer(act(at.q())).i32(at.q().ld()).i32(at.q().colOffset()).i32(qhs)
                .buffer(act(at.k())).i32(at.k().ld()).i32(at.k().colOffset()).i32(khs)
                .buffer(act(at.v())).i32(at.v().ld()).i32(at.v().colOffset()).i32(vhs)
                .buffer(acts.get(at.out()));
        a = slopes == null ? a.i64(0) : a.buffer(slopes);
        float scale = (float) (1 / Math.sqrt(d));
        if (usesFlash(at, seq)) {
            a = a.i32(seq).i32(at.heads()).i32(at.kvHeads()).f32(scale).i32(at.causal() ? 1 : 0);
            // flash_attention2: 128 query rows per block of 8 warps (scripts/dev/flash_attn_check.py checks it
            // against torch SDPA; 2.8x the 64-row flash_attention_d* on the H100 at LLaMA-70B seq 4096)
            add(at.name() + " (flash d" + d + ")", kernel("flash_attention2_d" + d),
                    new LaunchConfig((seq + FLASH_BLOCK_ROWS - 1) / FLASH_BLOCK_ROWS, at.heads(), plan.batch(), 256, 1, 1, 0), a);
        } else {
            if (d > 128) throw new IllegalArgumentException(at.name() + ": head dim " + d + " over the short kernel's 128");
            a = a.i32(plan.batch()).i32(seq).i32(at.heads()).i32(at.kvHeads()).i32(d).f32(scale).i32(at.causal() ? 1 : 0);
            long warps = (long) plan.rows() * at.heads();
            add(at.name() + " (short)", kernel("attention_short"), LaunchConfig.covering(warps * 32, 128), a);
        }
    }

    /** Whether attention at this length takes the flash kernel (its head dims, and 8-element aligned q/k/v columns for 16-byte loads). */
    static boolean usesFlash(LayerPlan.Attention at, int seq) {
        boolean dimOk = false;
        for (int d : FLASH_HEAD_DIMS) dimOk |= d == at.headDim();
        boolean aligned = true;
        for (LayerPlan.View v : List.of(at.q(), at.k(), at.v()))
            aligned &= v.ld() % 8 == 0 && v.colOffset() % 8 == 0 && headStride(v, at.headDim()) % 8 == 0;
        return seq >= FLASH_MIN_SEQ && dimOk && aligned;
    }

    private static int headStride(LayerPlan.View v, int d) { return v.headStride() == 0 ? d : v.headStride(); }

    // ---- running ----

    /** Queues the whole layer once (no synchronisation). */
    public void enqueue() {
        for (Runnable r : launches) r.run();
    }

    /** The layer's launches captured into a CUDA graph (once, at first use). */
    private org.ladderae.gpu.CapturedLaunches captured() {
        if (captured == null) captured = new org.ladderae.gpu.CapturedLaunches(context, this::enqueue);
        return captured;
    }

    /** Queues one replay of the layer's CUDA graph (the same launches as {@link #enqueue}, one cuGraphLaunch). */
    public void enqueueGraph() { captured().launch(); }

    /**
     * Runs the layer once on the given inputs (activation buffers NaN-poisoned first) and returns its output; the mask
     * input, if the graph has one, must be all ones (the kernels take no padding).
     */
    public DenseTensor run(Map<String, DenseTensor> inputs) { return run(inputs, false); }

    /** {@link #run(Map)}, replaying the captured CUDA graph instead of launching kernel by kernel when {@code graph}. */
    public DenseTensor run(Map<String, DenseTensor> inputs, boolean graph) {
        prepareRun(inputs);
        if (graph) enqueueGraph();
        else enqueue();
        context.synchronize();
        return output();
    }

    /**
     * What one integer-activation linear read and wrote in a run, as the device holds it: its quantised input (INT8
     * codes, or INT4 codes two per byte, element 0 in the low nibble; rows x K), the per-row FP32 activation scales and
     * INT32 code sums beside it, and its FP16 output rows x N (after bias and GeLU, before any later step).
     *
     * @param quantizerInput where a quantize_rows launch (not a fused norm or SiLU quantiser) wrote the input: the FP16
     *                       values it read, rows x K; else null
     */
    public record IntegerLinearIo(LayerPlan.Linear linear, ActivationLayout layout, int rows, byte[] codes, float[] actScales, int[] codeSums,
                                  short[] output, short[] quantizerInput) {}

    /**
     * Runs the layer once as {@link #run(Map)} does, launch by launch, and copies each integer-activation linear's
     * input and output right after its last launch (rotary later rewrites q and k in place): the kernels' own
     * quantised operands, so a check can recompute every linear exactly from them.
     */
    public List<IntegerLinearIo> runCapturingIntegerLinears(Map<String, DenseTensor> inputs) {
        prepareRun(inputs);
        List<IntegerLinearIo> out = new ArrayList<>();
        for (int i = 0; i < launches.size(); i++) {
            launches.get(i).run();
            LayerPlan.Linear l = linearEnds.get(i + 1);
            if (l == null || !LinearChoice.integerActivations(l)) continue;
            context.synchronize();
            LayerPlan.BufferSpec in = plan.buffers().get(l.input().buffer()), o = plan.buffers().get(l.out());
            if (!l.input().contiguous() || in.width() != l.k() || o.width() != l.nTotal())
                throw new IllegalStateException(l.name() + ": integer activations in a strided view");
            int rows = plan.rows(l);
            byte[] codes = new byte[(int) in.bytes()];
            float[] scales = new float[rows];
            int[] sums = new int[rows];
            short[] y = new short[rows * l.nTotal()];
            copyPrefix(acts.get(in.name()), codes);
            rowScales.get(in.name()).copyTo(scales);
            codeSums.get(in.name()).copyTo(sums);
            copyPrefix(acts.get(o.name()), y);
            short[] x = null;
            for (LayerPlan.Step st : plan.steps())
                if (st instanceof LayerPlan.Quantize q && q.out().equals(in.name())) {
                    // the quantiser's FP16 source is written once per run, before it, and not touched after
                    LayerPlan.View v = q.x();
                    short[] all = new short[(int) (acts.get(v.buffer()).bytes() / 2)];
                    acts.get(v.buffer()).copyTo(all);
                    x = new short[rows * q.width()];
                    for (int r = 0; r < rows; r++) System.arraycopy(all, r * v.ld() + v.colOffset(), x, r * q.width(), q.width());
                }
            out.add(new IntegerLinearIo(l, in.layout(), rows, codes, scales, sums, y, x));
        }
        context.synchronize();
        return out;
    }

    /** The first {@code host.length} bytes of {@code b} (buffers are allocated in whole words). */
    private static void copyPrefix(DeviceBuffer b, byte[] host) {
        byte[] all = new byte[(int) b.bytes()];
        b.copyTo(all);
        System.arraycopy(all, 0, host, 0, host.length);
    }

    private static void copyPrefix(DeviceBuffer b, short[] host) {
        short[] all = new short[(int) (b.bytes() / 2)];
        b.copyTo(all);
        System.arraycopy(all, 0, host, 0, host.length);
    }

    /** Poisons the activation buffers, scales and code sums and uploads the inputs (see {@link #run(Map)}). */
    private void prepareRun(Map<String, DenseTensor> inputs) {
        if (plan.maskInput() != null) {
            DenseTensor m = inputs.get(plan.maskInput());
            if (m != null) for (double v : m.values()) if (v != 1) throw new IllegalArgumentException("attention mask with padding: the GPU executor takes all-ones masks only");
        }
        for (Map.Entry<String, DeviceBuffer> e : acts.entrySet()) if (!plan.inputs().contains(e.getKey())) e.getValue().fill16(HalfPrecision.POISON);
        // FP32 NaN scales and sums far off any code sum: a quantiser that skips a row cannot pass unnoticed.
        for (DeviceBuffer b : rowScales.values()) b.fill32(0x7FC00000);
        for (DeviceBuffer b : codeSums.values()) b.fill32(0x7FC00000);
        for (String in : plan.inputs()) {
            DenseTensor x = inputs.get(in);
            if (x == null) throw new IllegalArgumentException("no value for input " + in);
            acts.get(in).copyFrom(StackedWeights.fp16(x.values()));
        }
    }

    /** The output buffer's current contents. */
    public DenseTensor output() {
        DeviceBuffer ob = acts.get(plan.output());
        short[] raw = new short[(int) (ob.bytes() / 2)];
        ob.copyTo(raw);
        double[] v = new double[raw.length];
        for (int i = 0; i < v.length; i++) v[i] = Fp16.INSTANCE.decode(raw[i] & 0xffff);
        LayerPlan.BufferSpec spec = plan.buffers().get(plan.output());
        return new DenseTensor(List.of(plan.batch(), spec.rows() / plan.batch(), spec.width()), v);
    }

    /**
     * Times the whole layer launched kernel by kernel with {@link GpuTimer} (warm-up, CUDA events per run, median); L2
     * flushed unless the weights exceed it twice.
     */
    public TimingStats time() { return time(false); }

    /** {@link #time()} of the layer replayed as one CUDA graph launch ({@code graph}) or launched kernel by kernel. */
    public TimingStats time(boolean graph) {
        if (graph) captured();   // capture before the timer's warm-up
        try (GpuTimer timer = new GpuTimer(context)) {
            return timer.time(i -> { if (graph) enqueueGraph(); else enqueue(); }, GpuTimer.Options.defaults().withTargetMs(200)
                    .withCache(GpuTimer.cacheFor(weightBytes + plan.activationBytes(), context.device())));
        }
    }

    /** One launch's share of the layer: its median time over the timed runs (events around it, launches back to back). */
    public record OpTime(String name, double medianMs, double share) {}

    /**
     * Per-op profile: {@code runs} runs of the layer (after 3 warm-up runs) with an event between every two launches (no
     * L2 flush inside a run, as in the layer itself); each launch's median and its share of the sum of medians. The
     * events add a little time per launch, so their sum exceeds {@link #time()}'s median slightly.
     */
    public List<OpTime> timePerOp(int runs) {
        if (runs < 1) throw new IllegalArgumentException("runs must be positive");
        int n = launches.size();
        double[][] ms = new double[n][runs];
        jcuda.driver.CUevent[] ev = new jcuda.driver.CUevent[n + 1];
        context.bind();
        try {
            for (int i = 0; i <= n; i++) {
                ev[i] = new jcuda.driver.CUevent();
                org.ladderae.gpu.CudaDriver.check("cuEventCreate", jcuda.driver.JCudaDriver.cuEventCreate(ev[i], jcuda.driver.CUevent_flags.CU_EVENT_DEFAULT));
            }
            for (int w = 0; w < 3; w++) enqueue();
            for (int r = 0; r < runs; r++) {
                for (int i = 0; i < n; i++) {
                    org.ladderae.gpu.CudaDriver.check("cuEventRecord", jcuda.driver.JCudaDriver.cuEventRecord(ev[i], null));
                    launches.get(i).run();
                }
                org.ladderae.gpu.CudaDriver.check("cuEventRecord", jcuda.driver.JCudaDriver.cuEventRecord(ev[n], null));
                org.ladderae.gpu.CudaDriver.check("cuEventSynchronize", jcuda.driver.JCudaDriver.cuEventSynchronize(ev[n]));
                float[] t = new float[1];
                for (int i = 0; i < n; i++) {
                    org.ladderae.gpu.CudaDriver.check("cuEventElapsedTime", jcuda.driver.JCudaDriver.cuEventElapsedTime(t, ev[i], ev[i + 1]));
                    ms[i][r] = t[0];
                }
            }
        } finally {
            for (jcuda.driver.CUevent e : ev) if (e != null) jcuda.driver.JCudaDriver.cuEventDestroy(e);
        }
        double[] med = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++) {
            double[] s = ms[i].clone();
            java.util.Arrays.sort(s);
            med[i] = s[s.length / 2];
            total += med[i];
        }
        List<OpTime> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(new OpTime(launchNames.get(i), med[i], total > 0 ? med[i] / total : 0));
        return out;
    }

    /** Runs once more, synchronising after every launch to sample the driver's used memory; returns the memory record. */
    public Memory memory() {
        long peak = usedBytes();
        for (Runnable r : launches) {
            r.run();
            context.synchronize();
            peak = Math.max(peak, usedBytes());
        }
        return new Memory(usedBefore, usedAfterSetup, peak, ownBytes);
    }

    /** Launch names in order (for logs). */
    public List<String> launchNames() { return List.copyOf(launchNames); }

    // ---- helpers ----

    private long usedBytes() { return context.device().totalMemoryBytes() - context.freeMemoryBytes(); }

    private Kernel kernel(String name) { return ops.kernel(name); }

    private void add(String name, Kernel k, LaunchConfig lc, KernelArgs args) {
        launches.add(() -> k.launch(lc, args));
        launchNames.add(name);
    }

    private static LaunchConfig elementwise(long items) {
        return LaunchConfig.of1d((int) Math.max(1, Math.min(132L * 32, (items + 255) / 256)), 256);
    }

    private DeviceBuffer act(LayerPlan.View v) { return acts.get(v.buffer()); }

    private ActivationLayout layout(String buffer) { return plan.buffers().get(buffer).layout(); }

    /** The trailing arguments of the quantising kernels: codes, row scales, code sums (null without), layout code. */
    private KernelArgs quantOutput(KernelArgs a, String buffer) {
        ActivationLayout layout = layout(buffer);
        a = a.buffer(acts.get(buffer));
        a = layout.hasRowScales() ? a.buffer(rowScales.get(buffer)).buffer(codeSums.get(buffer)) : a.i64(0).i64(0);
        return a.i32(layout.kernelCode());
    }

    private DeviceBuffer alloc(long bytes) {
        DeviceBuffer b = context.allocate(bytes);
        owned.add(b);
        ownBytes += bytes;
        return b;
    }

    private DeviceBuffer upload(short[] v) {
        DeviceBuffer b = alloc(2L * v.length);
        b.copyFrom(v);
        return b;
    }

    private DeviceBuffer upload(byte[] v) {
        DeviceBuffer b = alloc(v.length);
        b.copyFrom(v);
        return b;
    }

    /** A norm weight or bias: the seeded values, or random ones around {@code center}. */
    private DeviceBuffer param(String name, int width, Map<String, DenseTensor> master, double center, double amp, long seed) {
        DeviceBuffer b = params.get(name);
        if (b != null) return b;
        b = upload(master != null ? StackedWeights.fp16(master.get(name).values()) : randomHalves(width, center, amp, seed ^ name.hashCode()));
        params.put(name, b);
        weightBytes += b.bytes();
        return b;
    }

    private DeviceBuffer weightBuffer(long bytes, byte[] host, WeightFormat f, double amp, long seed) {
        weightBytes += bytes;
        if (host != null) {
            if (host.length != bytes) throw new IllegalStateException("weight layout gives " + host.length + " bytes, expected " + bytes);
            return upload(host);
        }
        DeviceBuffer b = alloc(bytes);
        long n = bytes;
        if (f == WeightFormat.FP16) fillF16(b, 0, amp, seed);
        else if (f == WeightFormat.FP8_E5M2 || f == WeightFormat.MXFP8)
            launchFill("fill_e5m2", b, KernelArgs.of().buffer(b).i64(n).i64(seed).f32((float) amp), n);
        else launchFill("fill_bytes", b, KernelArgs.of().buffer(b).i64(n).i64(seed), n);
        return b;
    }

    private void fillF16(DeviceBuffer b, double center, double amp, long seed) {
        long n = b.bytes() / 2;
        launchFill("fill_f16", b, KernelArgs.of().buffer(b).i64(n).i64(seed).f32((float) center).f32((float) amp), n);
    }

    private void fillU32(DeviceBuffer b, long words, int value) {
        launchFill("fill_u32", b, KernelArgs.of().buffer(b).i64(words).i32(value), words);
    }

    private void launchFill(String kernel, DeviceBuffer b, KernelArgs a, long items) {
        kernel(kernel).launch(elementwise(items), a);
    }

    /** Scale of random whole-row groups: the codes' range maps onto +-amp. */
    private static double randomScale(WeightFormat f, double amp) {
        return f.isUnsignedInt() ? amp / Math.max(0.5, randomZero(f)) : amp;
    }

    /** Zero point of random groups: the middle of the unsigned code range (NF4 is symmetric: 0). */
    private static double randomZero(WeightFormat f) { return f.isUnsignedInt() ? ((1 << f.bits()) - 1) / 2.0 : 0; }

    private static short[] constant(int n, double v) {
        short[] s = new short[n];
        java.util.Arrays.fill(s, (short) Fp16.INSTANCE.encode(v));
        return s;
    }

    private static short[] randomHalves(int n, double center, double amp, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        short[] s = new short[n];
        for (int i = 0; i < n; i++) s[i] = (short) Fp16.INSTANCE.encode(center + amp * rnd.nextDouble(-1, 1));
        return s;
    }

    @Override
    public void close() {
        if (captured != null) captured.close();
        captured = null;
        for (DeviceBuffer b : owned) b.close();
        owned.clear();
        if (ops != null) ops.close();
        if (encoderOps != null) encoderOps.close();
    }
}
