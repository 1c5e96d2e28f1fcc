#!/usr/bin/env python3
"""PyTorch baselines for ladder-ae: one script, one subcommand per family, one JSON object per line.

  gemm   torch.matmul FP16 NT (C = A @ W.T), cuBLAS through PyTorch     (Figure 12, Table 1 cross-check)
  lowbit tinygemm INT4 (torch._weight_int4pack_mm), torch._int_mm INT8, FP8 torch._scaled_mm
  conv   torch.nn.functional.conv2d FP16 through cuDNN, NCHW and channels-last   (Figure 12 C0-C7)
  model  eager and torch.compile (Inductor) end-to-end models     (Figure 9); every model line also
         carries Figure 11's peak memory: the torch allocator's peak and the driver-level memory in
         use, polled on a thread while the timed calls run
  env    one line about the interpreter, torch, the GPU and the optional packages (for detectors)

Every line has system, workload, setting, formats and status ("ok", "na", "failed"); "ok" lines add
median_ms, cv, samples_ms, device, versions and extras; the others a reason. Timing: CUDA events
around each call after warm-up; inputs rotate among several sets where one set would fit in L2.
Weights are random: only performance is measured, as in the paper's artifact. No network access:
model configs are built locally, never downloaded.
"""
import argparse
import json
import math
import statistics
import sys
import threading
import time
import traceback

_STARTED = time.perf_counter()
import torch  # noqa: E402 - timed: the import is a large part of a short run


def device_name():
    return torch.cuda.get_device_name(0)


def versions(**more):
    v = {"torch": torch.__version__, "cuda": str(torch.version.cuda), "cudnn": str(torch.backends.cudnn.version())}
    v.update({k: str(x) for k, x in more.items()})
    return v


def emit(obj):
    print(json.dumps(obj), flush=True)


def emit_ok(system, workload, setting, formats, samples_ms, extras=None, more_versions=None):
    median = statistics.median(samples_ms)
    mean = statistics.fmean(samples_ms)
    cv = statistics.stdev(samples_ms) / mean if len(samples_ms) > 1 and mean > 0 else 0.0
    emit({"system": system, "workload": workload, "setting": setting, "formats": formats, "status": "ok",
          "median_ms": median, "cv": cv, "samples_ms": samples_ms, "device": device_name(),
          "versions": versions(**(more_versions or {})), "extras": extras or {}})


def emit_status(system, workload, setting, formats, status, reason):
    emit({"system": system, "workload": workload, "setting": setting, "formats": formats, "status": status,
          "reason": reason, "device": device_name() if torch.cuda.is_available() else None})


def progress(text):
    """A phase finished, on stderr: where a run stopped at its timeout shows in the tail the harness keeps."""
    print("torch_bench: " + text, file=sys.stderr, flush=True)


def short_error(e):
    lines = [l for l in str(e).strip().splitlines() if l.strip()]
    return (type(e).__name__ + ": " + (lines[0] if lines else ""))[:400]


def time_calls(fn_for_iter, warmup, iters):
    """Median-ready samples: one event pair around each call; fn_for_iter(i) runs call i."""
    for i in range(warmup):
        fn_for_iter(i)
    torch.cuda.synchronize()
    starts = [torch.cuda.Event(enable_timing=True) for _ in range(iters)]
    ends = [torch.cuda.Event(enable_timing=True) for _ in range(iters)]
    for i in range(iters):
        starts[i].record()
        fn_for_iter(i)
        ends[i].record()
    torch.cuda.synchronize()
    return [s.elapsed_time(e) for s, e in zip(starts, ends)]


def rotation_sets(bytes_per_set, cap=32):
    """Enough input sets that together they exceed 4x L2, so repeated calls miss the cache."""
    l2 = getattr(torch.cuda.get_device_properties(0), "L2_cache_size", 50 << 20) or (50 << 20)
    return max(1, min(cap, math.ceil(4 * l2 / max(1, bytes_per_set))))


def parse_shapes(specs):
    """NAME:a,b,c[,...] -> [(NAME, [ints])]."""
    out = []
    for spec in specs:
        name, _, dims = spec.partition(":")
        out.append((name, [int(x) for x in dims.split(",")]))
    return out


def guarded(system, workload, setting, formats, fn):
    """Run one measurement; an exception becomes a 'failed' line and the script goes on."""
    try:
        fn()
    except torch.cuda.OutOfMemoryError as e:
        emit_status(system, workload, setting, formats, "failed", "out of memory: " + short_error(e))
    except Exception as e:  # noqa: BLE001 - every failure is reported, none stops the sweep
        traceback.print_exc(file=sys.stderr)
        emit_status(system, workload, setting, formats, "failed", short_error(e))
    finally:
        torch.cuda.empty_cache()


# ---------------------------------------------------------------- gemm

def cmd_gemm(a):
    torch.backends.cuda.matmul.allow_tf32 = False
    for name, (m, n, k) in parse_shapes(a.shape):
        def run(m=m, n=n, k=k, name=name):
            sets = rotation_sets((m * k + n * k) * 2)
            As = [torch.randn(m, k, device="cuda", dtype=torch.float16) for _ in range(sets)]
            Ws = [torch.randn(n, k, device="cuda", dtype=torch.float16) for _ in range(sets)]
            samples = time_calls(lambda i: torch.matmul(As[i % sets], Ws[i % sets].t()), a.warmup, a.iters)
            med = statistics.median(samples)
            emit_ok("PyTorch-matmul", name, a.setting, "W_FP16A_FP16", samples,
                    {"tflops": 2 * m * n * k / (med * 1e-3) / 1e12, "M": m, "N": n, "K": k, "input_sets": sets})
        guarded("PyTorch-matmul", name, a.setting, "W_FP16A_FP16", run)


# ---------------------------------------------------------------- lowbit

def cmd_lowbit(a):
    for name, (m, n, k) in parse_shapes(a.shape):
        dims = {"M": m, "N": n, "K": k}

        # tinygemm: 4-bit weights, one bf16 scale+zero per 128-element group, bf16 activations
        # (the kernel only takes bf16). The closest PyTorch analogue of W_INT4A_FP16.
        def tinygemm(m=m, n=n, k=k, name=name):
            group = 128
            inner_k_tiles = 8
            w_u8 = torch.randint(0, 256, (n, k // 2), dtype=torch.uint8, device="cuda")
            try:
                packed = torch._convert_weight_to_int4pack(w_u8, inner_k_tiles)
            except Exception as e:  # noqa: BLE001
                emit_status("PyTorch-tinygemm", name, a.setting, "W_INT4A_BF16", "na",
                            "torch._convert_weight_to_int4pack rejected this shape or build: " + short_error(e))
                return
            sz = torch.rand(k // group, n, 2, device="cuda", dtype=torch.bfloat16)
            sets = rotation_sets(m * k * 2 + n * k // 2)
            xs = [torch.randn(m, k, device="cuda", dtype=torch.bfloat16) for _ in range(sets)]
            samples = time_calls(lambda i: torch._weight_int4pack_mm(xs[i % sets], packed, group, sz), a.warmup, a.iters)
            emit_ok("PyTorch-tinygemm", name, a.setting, "W_INT4A_BF16", samples, dict(dims, group_size=group))
        guarded("PyTorch-tinygemm", name, a.setting, "W_INT4A_BF16", tinygemm)

        def int_mm(m=m, n=n, k=k, name=name):
            sets = rotation_sets(m * k + n * k)
            xs = [torch.randint(-127, 128, (m, k), dtype=torch.int8, device="cuda") for _ in range(sets)]
            ws = [torch.randint(-127, 128, (n, k), dtype=torch.int8, device="cuda") for _ in range(sets)]
            try:
                torch._int_mm(xs[0], ws[0].t())
            except RuntimeError as e:
                emit_status("PyTorch-int_mm", name, a.setting, "W_INT8A_INT8", "na",
                            "torch._int_mm does not take this shape: " + short_error(e))
                return
            samples = time_calls(lambda i: torch._int_mm(xs[i % sets], ws[i % sets].t()), a.warmup, a.iters)
            emit_ok("PyTorch-int_mm", name, a.setting, "W_INT8A_INT8", samples, dims)
        guarded("PyTorch-int_mm", name, a.setting, "W_INT8A_INT8", int_mm)

        def scaled_mm(m=m, n=n, k=k, name=name):
            f8 = torch.float8_e4m3fn
            sets = rotation_sets(m * k + n * k)
            xs = [torch.randn(m, k, device="cuda").to(f8) for _ in range(sets)]
            ws = [torch.randn(n, k, device="cuda").to(f8) for _ in range(sets)]  # W.t() is column-major, as required
            one = torch.tensor(1.0, device="cuda")
            try:
                torch._scaled_mm(xs[0], ws[0].t(), scale_a=one, scale_b=one, out_dtype=torch.float16)
            except RuntimeError as e:
                emit_status("PyTorch-scaled_mm", name, a.setting, "W_FP8E4M3A_FP8E4M3", "na",
                            "torch._scaled_mm does not take this shape: " + short_error(e))
                return
            samples = time_calls(lambda i: torch._scaled_mm(xs[i % sets], ws[i % sets].t(), scale_a=one, scale_b=one,
                                                            out_dtype=torch.float16), a.warmup, a.iters)
            emit_ok("PyTorch-scaled_mm", name, a.setting, "W_FP8E4M3A_FP8E4M3", samples, dims)
        guarded("PyTorch-scaled_mm", name, a.setting, "W_FP8E4M3A_FP8E4M3", scaled_mm)


# ---------------------------------------------------------------- conv

def cmd_conv(a):
    torch.backends.cudnn.enabled = True
    torch.backends.cudnn.allow_tf32 = False
    # cuDNN picks its fastest algorithm per shape (the artifact left this off; on by default here so
    # the baseline is not handicapped; recorded in extras).
    torch.backends.cudnn.benchmark = not a.no_cudnn_benchmark
    for name, (n, c, h, w, k, r, s, stride, pad) in parse_shapes(a.shape):
        for layout in a.layouts.split(","):
            system = "cuDNN" if layout == "nchw" else "cuDNN-NHWC"

            def run(n=n, c=c, h=h, w=w, k=k, r=r, s=s, stride=stride, pad=pad, layout=layout, system=system, name=name):
                fmt = torch.channels_last if layout == "nhwc" else torch.contiguous_format
                sets = rotation_sets(n * c * h * w * 2 + k * c * r * s * 2)
                xs = [torch.randn(n, c, h, w, device="cuda", dtype=torch.float16).to(memory_format=fmt) for _ in range(sets)]
                ws = [torch.randn(k, c, r, s, device="cuda", dtype=torch.float16).to(memory_format=fmt) for _ in range(sets)]
                conv = torch.nn.functional.conv2d
                samples = time_calls(lambda i: conv(xs[i % sets], ws[i % sets], stride=stride, padding=pad), a.warmup, a.iters)
                emit_ok(system, name, layout.upper(), "W_FP16A_FP16", samples,
                        {"input_sets": sets, "cudnn_benchmark": int(torch.backends.cudnn.benchmark)})
            guarded(system, name, layout.upper(), "W_FP16A_FP16", run)


# ---------------------------------------------------------------- models

LLAMA_70B = dict(vocab_size=32000, hidden_size=8192, intermediate_size=28672, num_hidden_layers=1,
                 num_attention_heads=64, num_key_value_heads=8, hidden_act="silu", max_position_embeddings=4096,
                 rms_norm_eps=1e-5, tie_word_embeddings=False)
# bigscience/bloom's config.json values (EXPERIMENTS.md 1.2), n_layer forced to 1.
BLOOM_176B = dict(vocab_size=250880, hidden_size=14336, n_layer=1, n_head=112, layer_norm_epsilon=1e-5,
                  apply_residual_connection_post_layernorm=False, hidden_dropout=0.0, attention_dropout=0.0,
                  pretraining_tp=1, slow_but_exact=False)


class OneLayerLM(torch.nn.Module):
    """One decoder layer/block of a transformers model fed with hidden states ([B, S, H] FP16), as the
    artifact exported it: no embedding, no LM head, no KV cache. The model class still builds the
    rotary/ALiBi terms and the causal mask, which the exported ONNX graph also contained or took as input."""

    def __init__(self, base):
        super().__init__()
        self.base = base

    def forward(self, hidden):
        return self.base(inputs_embeds=hidden, use_cache=False).last_hidden_state


def build_model(name, batch, seq):
    """-> (module, example inputs tuple, versions dict). Built directly on the GPU in FP16."""
    more = {}
    if name in ("llama", "bloom"):
        import transformers
        more["transformers"] = transformers.__version__
        if name == "llama":
            # vocab shrunk: the embedding is never used (inputs_embeds) and must not count in Figure 11's memory.
            cfg = transformers.LlamaConfig(**dict(LLAMA_70B, vocab_size=8))
            cls, hidden = transformers.LlamaModel, 8192
        else:
            cfg = transformers.BloomConfig(**dict(BLOOM_176B, vocab_size=8))
            cls, hidden = transformers.BloomModel, 14336
        cfg.use_cache = False
        with torch.device("cuda"):
            base = cls(cfg).to(torch.float16)
        # Keep exactly one layer: drop the final norm (and BLOOM's embedding LayerNorm), which are
        # not part of the exported layer.
        if name == "llama":
            base.norm = torch.nn.Identity()
        else:
            base.word_embeddings_layernorm = torch.nn.Identity()
            base.ln_f = torch.nn.Identity()
        model = OneLayerLM(base)
        inputs = (torch.randn(batch, seq, hidden, device="cuda", dtype=torch.float16),)
    elif name in ("resnet", "shufflenet"):
        import torchvision
        more["torchvision"] = torchvision.__version__
        ctor = torchvision.models.resnet50 if name == "resnet" else torchvision.models.shufflenet_v2_x1_0
        with torch.device("cuda"):
            model = ctor(weights=None).to(torch.float16)
        inputs = (torch.randn(batch, 3, 224, 224, device="cuda", dtype=torch.float16),)
    elif name == "conformer":
        import torchaudio
        more["torchaudio"] = torchaudio.__version__
        from torchaudio.models import Conformer
        with torch.device("cuda"):
            model = Conformer(input_dim=512, num_heads=8, ffn_dim=512, num_layers=12,
                              depthwise_conv_kernel_size=31).to(torch.float16)
        inputs = (torch.randn(batch, 512, 512, device="cuda", dtype=torch.float16),
                  torch.full((batch,), 512, device="cuda", dtype=torch.int32))
    elif name == "vit":
        import timm
        more["timm"] = timm.__version__
        with torch.device("cuda"):
            model = timm.create_model("vit_small_patch32_224", pretrained=False).to(torch.float16)
        inputs = (torch.randn(batch, 3, 224, 224, device="cuda", dtype=torch.float16),)
    else:
        raise ValueError("unknown model " + name)
    return model.eval(), inputs, more


class DriverMemoryPoller:
    """Peak whole-GPU memory in use (what nvidia-smi's memory.used shows, CUDA context included),
    sampled every few milliseconds on a thread while the model runs. NVML when present, else cudaMemGetInfo."""

    def __init__(self, period_s=0.01):
        self.period_s, self.peak_bytes, self._stop, self.source = period_s, 0, threading.Event(), None
        try:
            import pynvml
            pynvml.nvmlInit()
            handle = pynvml.nvmlDeviceGetHandleByIndex(torch.cuda.current_device())
            self._read = lambda: pynvml.nvmlDeviceGetMemoryInfo(handle).used
            self.source = "nvml"
        except Exception:  # noqa: BLE001 - fall back to the runtime's view
            self._read = lambda: (lambda f, t: t - f)(*torch.cuda.mem_get_info())
            self.source = "cudaMemGetInfo"

    def __enter__(self):
        self.peak_bytes = self._read()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def _loop(self):
        while not self._stop.is_set():
            self.peak_bytes = max(self.peak_bytes, self._read())
            time.sleep(self.period_s)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak_bytes = max(self.peak_bytes, self._read())


def measure_model(a, name, batch, seq, mode, memory_only=False):
    setting = f"BS{batch} SEQ{seq}" if name in ("llama", "bloom") else f"BS{batch}"
    system = {"eager": "PyTorch", "inductor": "PyTorch-Inductor"}[mode]

    def run():
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
        t_build = time.perf_counter()
        model, inputs, more = build_model(name, batch, seq)
        torch.cuda.synchronize()
        build_s = time.perf_counter() - t_build
        progress(f"{name} {setting} {mode}: model built in {build_s:.1f} s")
        fn = model
        compile_s = None
        if mode == "inductor":
            fn = torch.compile(model)  # default mode, as the artifact
        with torch.inference_mode():
            t0 = time.perf_counter()
            fn(*inputs)  # first call: compiles under Inductor
            torch.cuda.synchronize()
            first_s = time.perf_counter() - t0
            if mode == "inductor":
                compile_s = first_s
            progress(f"{name} {setting} {mode}: first call (compile under Inductor) {first_s:.1f} s")
            torch.cuda.reset_peak_memory_stats()
            with DriverMemoryPoller() as poller:
                samples = time_calls(lambda i: fn(*inputs), a.warmup, a.iters)
        extras = {"torch_peak_allocated_mb": torch.cuda.max_memory_allocated() / 2**20,
                  "torch_peak_reserved_mb": torch.cuda.max_memory_reserved() / 2**20,
                  "driver_used_peak_mb": poller.peak_bytes / 2**20,
                  "batch": batch, "seq": seq, "build_s": build_s}
        if compile_s is not None:
            extras["compile_s"] = compile_s
        more["memory_source"] = poller.source
        emit_ok(system, name, setting, "W_FP16A_FP16", samples, extras, more)
        del fn, model, inputs
        if mode == "inductor":
            torch._dynamo.reset()

    guarded(system, name, setting, "W_FP16A_FP16", run)


def cmd_model(a):
    for spec in a.run:  # MODEL:BATCH:SEQ
        name, batch, seq = spec.split(":")
        for mode in a.modes.split(","):
            measure_model(a, name, int(batch), int(seq), mode)


def cmd_env(a):
    """One line describing the interpreter and GPU, for detectors."""
    info = {"torch": torch.__version__, "cuda": str(torch.version.cuda), "cuda_available": torch.cuda.is_available()}
    if torch.cuda.is_available():
        info["device"] = device_name()
        info["capability"] = ".".join(map(str, torch.cuda.get_device_capability(0)))
    for mod in ("transformers", "torchvision", "torchaudio", "timm", "onnxruntime"):
        try:
            info[mod] = __import__(mod).__version__
        except Exception as e:  # noqa: BLE001
            info[mod] = None
            info[mod + "_error"] = short_error(e)
    emit(info)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--iters", type=int, default=50)
    p.add_argument("--setting", default="", help="setting label copied into every line (gemm/lowbit)")
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gemm")
    g.add_argument("--shape", action="append", required=True, help="NAME:M,N,K (NT: C = A[M,K] @ W[N,K].T)")
    l = sub.add_parser("lowbit")
    l.add_argument("--shape", action="append", required=True, help="NAME:M,N,K")
    c = sub.add_parser("conv")
    c.add_argument("--shape", action="append", required=True, help="NAME:N,C,H,W,K,R,S,stride,pad")
    c.add_argument("--layouts", default="nchw,nhwc")
    c.add_argument("--no-cudnn-benchmark", action="store_true")
    m = sub.add_parser("model")
    m.add_argument("--run", action="append", required=True, help="MODEL:BATCH:SEQ (MODEL: llama bloom resnet shufflenet conformer vit)")
    m.add_argument("--modes", default="eager,inductor")
    sub.add_parser("env")
    a = p.parse_args(argv)
    if a.cmd == "model":
        progress(f"torch {torch.__version__} imported {time.perf_counter() - _STARTED:.1f} s after start")
    if a.cmd != "env" and not torch.cuda.is_available():
        print("torch_bench: no CUDA device visible to torch " + torch.__version__, file=sys.stderr)
        return 4
    {"gemm": cmd_gemm, "lowbit": cmd_lowbit, "conv": cmd_conv, "model": cmd_model, "env": cmd_env}[a.cmd](a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
