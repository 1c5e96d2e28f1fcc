package org.ladderae.executor.cnn;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;
import org.ladderae.executor.LayerExecutor;
import org.ladderae.formats.Fp16;
import org.ladderae.gpu.CudaContext;
import org.ladderae.gpu.CudaModule;
import org.ladderae.gpu.DeviceBuffer;
import org.ladderae.gpu.CapturedLaunches;
import org.ladderae.gpu.GpuTimer;
import org.ladderae.gpu.HalfPrecision;
import org.ladderae.gpu.Kernel;
import org.ladderae.gpu.KernelArgs;
import org.ladderae.gpu.LaunchConfig;
import org.ladderae.kernels.ConvFormat;
import org.ladderae.kernels.KernelCache;
import org.ladderae.kernels.KernelSource;
import org.ladderae.kernels.WeightFormat;
import org.ladderae.models.CnnModels;
import org.ladderae.models.ModelGraph;
import org.ladderae.models.Op;
import org.ladderae.models.Tensor;
import org.ladderae.models.reference.DenseTensor;
import org.ladderae.results.TimingStats;

/**
 * Runs a CNN graph ({@link CnnModels}) on the GPU as a fixed list of kernel launches on NHWC FP16 device buffers that
 * are allocated once. Convs go to the first {@link ConvLauncher} that has a kernel for them (Ladder's tensor-core
 * implicit-GEMM convs first, the direct kernels of {@code kernels/cnn/cnn_ops.cu} for depthwise convs and the rest);
 * pooling, channel split / concat / shuffle and the classifier run on {@code cnn_ops.cu}. The batch norms arrive
 * already folded into the convs' weights and biases ({@link org.ladderae.models.reference.CnnWeights#fold}).
 *
 * <p>Activation buffers are reused by liveness, as {@link CnnPlan} lays them out.
 */
public final class CnnExecutor implements AutoCloseable {
    /** The launches captured into a CUDA graph, at first use (null before). */
    private CapturedLaunches captured;
    static final String OPS_SOURCE = "cnn/cnn_ops.cu";
    static final List<String> OPS_FLAGS = List.of("-O3");

    private final CudaContext context;
    private final CnnModels.CnnModel model;
    private final CudaModule ops;
    private final List<ConvLauncher> launchers;
    private final List<DeviceBuffer> owned = new ArrayList<>();
    private final Map<String, DeviceBuffer> buffers = new HashMap<>();
    private final Set<DeviceBuffer> activationBuffers = new HashSet<>();
    private final List<Runnable> launches = new ArrayList<>();
    private final List<String> launchNames = new ArrayList<>();
    private final Map<String, String> convKernels = new LinkedHashMap<>();
    private final Map<String, ConvFormat> convFormats = new LinkedHashMap<>();
    /** Each conv and the index of its launch (quantiser + conv), in launch order: what {@link #runCheckingConvs} stops at. */
    private final List<ConvStep> convSteps = new ArrayList<>();
    private record ConvStep(Op.Conv2d op, ConvFormat format, int launch) {}
    private final long usedBefore, usedAfterSetup;
    private long ownBytes, weightBytes, activationBytes;

    /**
     * @param folded the graph's weights (folded convs, fc), FP16-representable values
     * @param tensorCoreConvs launchers tried before the direct kernels (may be empty); closed with the executor
     */
    public CnnExecutor(CudaContext context, KernelCache cache, CnnModels.CnnModel model, ConvFormat format, Map<String, DenseTensor> folded,
                       List<? extends ConvLauncherFactory> tensorCoreConvs) {
        this.context = context;
        this.model = model;
        this.usedBefore = usedBytes();
        this.ops = cache.load(context, KernelSource.fromClasspath(OPS_SOURCE), OPS_FLAGS);
        this.launchers = new ArrayList<>();
        try {
            for (ConvLauncherFactory f : tensorCoreConvs) launchers.add(f.open(context, cache));
            launchers.add(new DirectConvLauncher(ops));
            build(format, folded);
            context.synchronize();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        this.usedAfterSetup = usedBytes();
    }

    /**
     * The Ladder conv configurations {@code m}'s convs take at {@code format} on {@code arch} (as {@link LadderConvLauncher}
     * picks them; the direct kernels take the rest), distinct, so that a caller can build them all in parallel first
     * ({@link org.ladderae.kernels.ConvRunner#buildAll}) instead of one nvcc run after another as the executor loads them.
     */
    public static List<org.ladderae.kernels.ConvConfig> ladderConvConfigs(CnnModels.CnnModel m, ConvFormat format, org.ladderae.kernels.TargetArch arch) {
        org.ladderae.checkpoints.CheckpointStore checkpoints = org.ladderae.checkpoints.CheckpointStore.installed();
        Map<String, Tensor> t = m.graph().tensors();
        Set<org.ladderae.kernels.ConvConfig> out = new java.util.LinkedHashSet<>();
        for (Op op : m.graph().ops()) {
            if (!(op instanceof Op.Conv2d c)) continue;
            ConvSpec s = spec(c, t, format);
            if (LadderConvLauncher.whyNot(s, arch) == null) out.add(LadderConvLauncher.configFor(s, arch, checkpoints));
        }
        return new ArrayList<>(out);
    }

    /** Opens a tensor-core conv launcher on the executor's context (so the executor can own and close it). */
    public interface ConvLauncherFactory {
        ConvLauncher open(CudaContext context, KernelCache cache);
    }

    public CnnModels.CnnModel model() { return model; }

    /** Bytes of every weight the model reads per run (conv weights and folded biases in their formats, fc). */
    public long weightBytes() { return weightBytes; }

    /** The format each conv runs in ({@link CnnQuantization#convFormat}), by conv name, in graph order. */
    public Map<String, ConvFormat> convFormats() { return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(convFormats)); }

    /** Which kernel each conv runs on, by conv name, in graph order. */
    public Map<String, String> convKernels() { return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(convKernels)); }

    public List<String> launchNames() { return List.copyOf(launchNames); }

    /** {@link ConvLauncher#checkPrepared} of every launcher: the first conv kernel of this model that fails its check, or null. */
    public ConvLauncher.KernelCheck checkConvKernels(long seed) {
        for (ConvLauncher l : launchers) {
            ConvLauncher.KernelCheck k = l.checkPrepared(seed);
            if (k != null) return k;
        }
        return null;
    }

    // ---- building ----

    private void build(ConvFormat format, Map<String, DenseTensor> w) {
        ModelGraph g = model.graph();
        Map<String, Tensor> t = g.tensors();
        CnnPlan plan = CnnPlan.of(g);
        List<DeviceBuffer> slots = new ArrayList<>();
        for (long bytes : plan.slotBytes()) slots.add(alloc(bytes));
        activationBuffers.addAll(slots);
        activationBytes = plan.activationBytes();
        plan.slotOf().forEach((tensor, slot) -> buffers.put(tensor, slots.get(slot)));
        // Scratch first (activation codes of the low-bit convs): every launcher learns the convs it will take, then allocates.
        for (CnnPlan.Step step : plan.steps()) {
            if (step.concatShuffle() || !(step.op() instanceof Op.Conv2d c)) continue;
            ConvSpec spec = spec(c, t, format);
            for (ConvLauncher l : launchers) {
                if (l.whyNot(spec) != null) continue;
                l.reserve(spec);
                break;
            }
        }
        for (ConvLauncher l : launchers) activationBytes += l.allocateScratch(this::alloc);
        for (CnnPlan.Step step : plan.steps()) {
            if (step.concatShuffle()) {
                Op.ChannelConcat cat = (Op.ChannelConcat) step.op();
                long rows = rows(t.get(cat.a()));
                int half = t.get(cat.a()).dim(-1);
                add(cat.name() + "+" + step.ops().get(1).name(), "concat_shuffle2", elementwise(rows * half),
                        KernelArgs.of().buffer(buf(cat.a())).buffer(buf(cat.b())).buffer(buf(step.outputs().get(0))).i64(rows).i32(half));
            } else {
                buildOp(step.op(), t, w, format);
            }
        }
    }

    private void buildOp(Op op, Map<String, Tensor> t, Map<String, DenseTensor> w, ConvFormat format) {
        if (op instanceof Op.Conv2d c) {
            ConvSpec spec = spec(c, t, format);
            List<String> why = new ArrayList<>();
            for (ConvLauncher l : launchers) {
                String no = l.whyNot(spec);
                if (no != null) { why.add(no); continue; }
                ConvLauncher.Prepared p = l.prepare(spec, w.get(c.weight()).values(), w.get(c.bias()).values(), buf(c.input()),
                        c.residual() == null ? null : buf(c.residual()), buf(c.output()), this::allocWeights);
                weightBytes += p.weightBytes();
                convKernels.put(c.name(), p.kernel());
                convFormats.put(c.name(), spec.format());
                launches.add(p.launch());
                convSteps.add(new ConvStep(c, spec.format(), launches.size() - 1));
                launchNames.add(c.name() + " (" + p.kernel() + ")");
                return;
            }
            throw new IllegalArgumentException(c.name() + ": no conv kernel for " + spec + ": " + String.join("; ", why));
        } else if (op instanceof Op.MaxPool2d m) {
            Tensor x = t.get(m.input()), y = t.get(m.output());
            add(m.name(), "maxpool_nhwc", elementwise(y.elements()), KernelArgs.of().buffer(buf(m.input())).buffer(buf(m.output()))
                    .i32(x.dim(0)).i32(x.dim(1)).i32(x.dim(2)).i32(x.dim(3)).i32(m.kernel()).i32(m.stride()).i32(m.pad()).i32(y.dim(1)).i32(y.dim(2)));
        } else if (op instanceof Op.GlobalAvgPool a) {
            Tensor x = t.get(a.input());
            add(a.name(), "global_avgpool_nhwc", new LaunchConfig((x.dim(3) + 31) / 32, x.dim(0), 1, 256, 1, 1, 0),
                    KernelArgs.of().buffer(buf(a.input())).buffer(buf(a.output())).i32(x.dim(0)).i32(x.dim(1) * x.dim(2)).i32(x.dim(3)));
        } else if (op instanceof Op.ChannelSplit s) {
            Tensor x = t.get(s.input());
            add(s.name(), "channel_split", elementwise(x.elements()),
                    KernelArgs.of().buffer(buf(s.input())).buffer(buf(s.first())).buffer(buf(s.second())).i64(rows(x)).i32(x.dim(-1)));
        } else if (op instanceof Op.ChannelConcat c) {
            Tensor a = t.get(c.a()), b = t.get(c.b());
            add(c.name(), "channel_concat", elementwise(rows(a) * (a.dim(-1) + b.dim(-1))),
                    KernelArgs.of().buffer(buf(c.a())).buffer(buf(c.b())).buffer(buf(c.output())).i64(rows(a)).i32(a.dim(-1)).i32(b.dim(-1)));
        } else if (op instanceof Op.ChannelShuffle s) {
            Tensor x = t.get(s.input());
            add(s.name(), "channel_shuffle", elementwise(x.elements()),
                    KernelArgs.of().buffer(buf(s.input())).buffer(buf(s.output())).i64(rows(x)).i32(x.dim(-1)).i32(s.groups()));
        } else if (op instanceof Op.Linear l) {
            if (l.format() != WeightFormat.FP16) throw new IllegalArgumentException(l.name() + ": the classifier runs FP16 weights only");
            int m = (int) rows(t.get(l.input()));
            DeviceBuffer wb = uploadHalves(w.get(l.weight()).values(), this::allocWeights);
            DeviceBuffer bb = l.bias() == null ? null : uploadHalves(w.get(l.bias()).values(), this::allocWeights);
            weightBytes += wb.bytes() + (bb == null ? 0 : bb.bytes());
            KernelArgs a = KernelArgs.of().buffer(buf(l.input())).buffer(wb);
            a = bb == null ? a.i64(0) : a.buffer(bb);
            add(l.name(), "linear_bias", new LaunchConfig((l.n() + 63) / 64, (m + 63) / 64, 1, 256, 1, 1, 0), a.buffer(buf(l.output())).i32(m).i32(l.n()).i32(l.k()));
        } else {
            throw new IllegalArgumentException("the CNN executor has no kernel for " + op.kind() + " '" + op.name() + "'");
        }
    }

    private static ConvSpec spec(Op.Conv2d c, Map<String, Tensor> t, ConvFormat format) {
        Tensor x = t.get(c.input());
        return ConvSpec.of(c, x, CnnQuantization.convFormat(c, x, format));
    }

    private void add(String name, String kernel, LaunchConfig lc, KernelArgs args) {
        Kernel k = ops.kernel(kernel);
        launches.add(() -> k.launch(lc, args));
        launchNames.add(name + " (" + kernel + ")");
    }

    private DeviceBuffer buf(String tensor) {
        DeviceBuffer b = buffers.get(tensor);
        if (b == null) throw new IllegalStateException("no buffer for " + tensor);
        return b;
    }

    private DeviceBuffer alloc(long bytes) {
        DeviceBuffer b = context.allocate(bytes);
        owned.add(b);
        ownBytes += bytes;
        return b;
    }

    private DeviceBuffer allocWeights(long bytes) { return alloc(bytes); }

    static DeviceBuffer uploadHalves(double[] v, LongFunction<DeviceBuffer> alloc) {
        short[] h = new short[v.length];
        for (int i = 0; i < v.length; i++) h[i] = (short) Fp16.INSTANCE.encode(v[i]);
        DeviceBuffer b = alloc.apply(2L * h.length);
        b.copyFrom(h);
        return b;
    }

    static long rows(Tensor t) { return t.elements() / t.dim(-1); }

    /** Grid-stride launch over {@code items}: at most 32 blocks of 256 per SM of an H100-class GPU. */
    static LaunchConfig elementwise(long items) {
        return LaunchConfig.of1d((int) Math.max(1, Math.min(132L * 32, (items + 255) / 256)), 256);
    }

    // ---- running ----

    /** Queues the whole model once (no synchronisation). */
    public void enqueue() {
        for (Runnable r : launches) r.run();
    }

    /** Runs once on {@code image} (NHWC, FP16 values) with every activation buffer NaN-poisoned first; returns the logits. */
    public DenseTensor run(DenseTensor image) {
        upload(image);
        enqueue();
        context.synchronize();
        return output();
    }

    /** The output buffer's current contents ([N, classes]). */
    public DenseTensor output() { return download(model.graph().outputs().get(0)); }

    /** The current contents of an activation tensor's buffer (FP16 values). */
    private DenseTensor download(String tensor) {
        Tensor out = model.graph().tensor(tensor);
        short[] raw = new short[(int) out.elements()];
        DeviceBuffer b = buf(tensor);
        short[] all = new short[(int) (b.bytes() / 2)];
        b.copyTo(all);
        System.arraycopy(all, 0, raw, 0, raw.length);
        double[] v = new double[raw.length];
        for (int i = 0; i < v.length; i++) v[i] = Fp16.INSTANCE.decode(raw[i] & 0xffff);
        return new DenseTensor(out.shape(), v);
    }

    /** One conv's output against the double-precision reference conv on the GPU's own input. */
    public record ConvCheck(String conv, ConvFormat format, double error, boolean finite) {}

    /**
     * Runs the model once on {@code image} (activations NaN-poisoned first), launch by launch; after each conv, compares
     * its output with the double-precision reference conv applied to that conv's input as the GPU stored it (FP16),
     * quantised as the device quantises it for the conv's format ({@link CnnQuantization#quantizeActivations}: the same
     * codes, bit for bit), with the stored (decoded) weights {@code w}, bias and residual. Unlike a whole-model
     * comparison this is not thrown off by quantisation steps that one FP16 ulp of an earlier tensor flips. Returns
     * every conv's relative Frobenius error, in launch order; the logits are in {@link #output} afterwards.
     */
    public List<ConvCheck> runCheckingConvs(DenseTensor image, Map<String, DenseTensor> w) {
        upload(image);
        List<ConvCheck> out = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < launches.size(); i++) {
            launches.get(i).run();
            for (; next < convSteps.size() && convSteps.get(next).launch() == i; next++) {
                context.synchronize();
                ConvStep cs = convSteps.get(next);
                Op.Conv2d c = cs.op();
                DenseTensor x = download(c.input()), y = download(c.output());
                if (cs.format().actBits() < 16) x = new DenseTensor(x.shape(), CnnQuantization.quantizeActivations(cs.format(), x.values(), x.dim(-1)));
                Map<String, DenseTensor> v = new HashMap<>();
                v.put(c.input(), x);
                v.put(c.weight(), w.get(c.weight()));
                if (c.bias() != null) v.put(c.bias(), w.get(c.bias()));
                if (c.residual() != null) v.put(c.residual(), download(c.residual()));
                DenseTensor ref = org.ladderae.models.reference.ReferenceExecutor.execute(c, v).get(0);
                out.add(new ConvCheck(c.name(), cs.format(), org.ladderae.models.reference.LayerComparison.relativeFrobeniusError(ref, y), y.allFinite()));
            }
        }
        context.synchronize();
        return out;
    }

    private void upload(DenseTensor image) {
        Tensor in = model.graph().inputs().get(0);
        if (!image.shape().equals(in.shape())) throw new IllegalArgumentException("image " + image.shape() + " is not " + in);
        for (DeviceBuffer b : activationBuffers) b.fill16(HalfPrecision.POISON);
        short[] h = new short[image.size()];
        for (int i = 0; i < h.length; i++) h[i] = (short) Fp16.INSTANCE.encode(image.values()[i]);
        buffers.get(in.name()).copyFrom(h);
    }

    /** Times the whole model (GpuTimer: warm-up, CUDA events per run, median); L2 flushed unless the working set exceeds it twice. */
    public TimingStats time() { return time(false); }

    /** {@link #time()} of the model replayed as one CUDA graph ({@code graph}) or launched kernel by kernel. */
    public TimingStats time(boolean graph) {
        if (graph) captured();   // capture before the timer's warm-up
        try (GpuTimer timer = new GpuTimer(context)) {
            return timer.time(i -> { if (graph) captured.launch(); else enqueue(); }, GpuTimer.Options.defaults().withTargetMs(300)
                    .withCache(GpuTimer.cacheFor(weightBytes + activationBytes, context.device())));
        }
    }

    /** {@link #run} with the launches replayed as one captured CUDA graph (the timed path of {@link #time(boolean)}). */
    public DenseTensor runGraph(DenseTensor image) {
        upload(image);
        captured().launch();
        context.synchronize();
        return output();
    }

    /**
     * The model's launches captured into a CUDA graph, at first use: at batch 1 a ResNet-50 or ShuffleNet is ~60-200 short
     * kernels, and one graph launch removes the CPU's per-launch cost, as a serving engine does.
     */
    private CapturedLaunches captured() {
        if (captured == null) captured = new CapturedLaunches(context, this::enqueue);
        return captured;
    }

    /** Runs once more, synchronising after every launch to sample the driver's used memory. */
    public LayerExecutor.Memory memory() {
        long peak = usedBytes();
        for (Runnable r : launches) {
            r.run();
            context.synchronize();
            peak = Math.max(peak, usedBytes());
        }
        return new LayerExecutor.Memory(usedBefore, usedAfterSetup, peak, ownBytes);
    }

    private long usedBytes() { return context.device().totalMemoryBytes() - context.freeMemoryBytes(); }

    @Override
    public void close() {
        if (captured != null) captured.close();
        captured = null;
        for (ConvLauncher l : launchers) if (!(l instanceof DirectConvLauncher)) l.close();
        launchers.clear();
        for (DeviceBuffer b : owned) b.close();
        owned.clear();
        if (ops != null) ops.close();
    }
}
