#!/usr/bin/env python3
"""Export one LLaMA-2-70B decoder layer (random weights from a seed) to ONNX for `ladder-ae compile`.

Runs on the GPU machine (python3 + torch + transformers + onnx; no network: the layer is built from a
LlamaConfig, never from_pretrained). Writes into --out:
  input.npy            the FP16 hidden_states [B, S, H] fed to the layer
  output.npy           the layer's FP16 output from PyTorch (the reference `ladder-ae run` must match)
  layer.onnx           opset 17, one input `hidden_states`, one output `out`, static shapes
  (with --int4)        layer_int4.onnx: every linear as ladder.QuantLinear (see docs/quickstart.md), and
  output_int4_ref.npy  PyTorch's output with the DEQUANTISED weights (what the INT4 path must match)
  export.json          what was built: config, seed, shapes, versions

The graph has one input: the wrapper holds the rotary cos/sin tables and the causal mask as buffers
(so they export as constants for the fixed S), and uses eager attention, whose node sequence is the one
ladder-ae's importer fuses into Rotary + Attention.
"""
import argparse
import inspect
import json
import os
import sys


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default="quickstart-llama", help="output folder (default: %(default)s)")
    p.add_argument("--small", action="store_true", help="hidden 512, 8 heads, 2 kv heads, FFN 1792 (quick checks)")
    p.add_argument("--dims", metavar="H,HEADS,KV,FFN", help="any other layer size, e.g. 128,4,2,256 (the test fixture)")
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--seq", type=int, default=32, help="sequence length S (fixed in the export)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--int4", action="store_true", help="also write layer_int4.onnx with 4-bit group-quantised linears")
    p.add_argument("--group-size", type=int, default=128, choices=[32, 64, 128])
    p.add_argument("--opset", type=int, default=17)
    return p.parse_args()


def llama_config(small, custom=None):
    from transformers import LlamaConfig
    if custom:
        h, heads, kv, ffn = (int(x) for x in custom.split(","))
        dims = dict(hidden_size=h, num_attention_heads=heads, num_key_value_heads=kv, intermediate_size=ffn)
    elif small:
        dims = dict(hidden_size=512, num_attention_heads=8, num_key_value_heads=2, intermediate_size=1792)
    else:
        dims = dict(hidden_size=8192, num_attention_heads=64, num_key_value_heads=8, intermediate_size=28672)
    cfg = LlamaConfig(**dims, rms_norm_eps=1e-5, rope_theta=10000.0, max_position_embeddings=4096,
                      num_hidden_layers=1, vocab_size=32000, attention_bias=False, mlp_bias=False)
    # eager attention exports as MatMul/Mul/Add/Softmax/MatMul, the sequence the importer fuses; SDPA's export differs.
    cfg._attn_implementation = "eager"
    return cfg


def build_wrapper(torch, cfg, seq, device):
    from transformers.models.llama.modeling_llama import LlamaDecoderLayer, LlamaRotaryEmbedding

    class Wrapper(torch.nn.Module):
        """hidden_states [B, S, H] -> the layer's output; everything else the layer needs is a buffer."""

        def __init__(self):
            super().__init__()
            self.layer = LlamaDecoderLayer(cfg, layer_idx=0)
            rope = LlamaRotaryEmbedding(config=cfg)
            positions = torch.arange(seq).unsqueeze(0)
            probe = torch.zeros(1, seq, cfg.hidden_size)
            cos, sin = rope(probe, positions)  # [1, S, head_dim] each
            self.register_buffer("cos", cos, persistent=False)
            self.register_buffer("sin", sin, persistent=False)
            self.register_buffer("positions", positions, persistent=False)
            # HF's additive causal mask: 0 where key <= query, finfo.min above the diagonal.
            mask = torch.full((seq, seq), torch.finfo(torch.float16).min).triu(1)[None, None]
            self.register_buffer("mask", mask, persistent=False)
            params = inspect.signature(self.layer.forward).parameters
            self.accepts = set(params)

        def forward(self, hidden_states):
            kwargs = {}
            if "position_embeddings" in self.accepts:
                kwargs["position_embeddings"] = (self.cos.to(hidden_states.dtype), self.sin.to(hidden_states.dtype))
            if "position_ids" in self.accepts:
                kwargs["position_ids"] = self.positions
            if "use_cache" in self.accepts:
                kwargs["use_cache"] = False
            out = self.layer(hidden_states, attention_mask=self.mask.to(hidden_states.dtype), **kwargs)
            return out[0] if isinstance(out, (tuple, list)) else out

    return Wrapper().to(device)


def quantize_int4(torch, w, group):
    """Asymmetric 4-bit per group along K: W ~ (q - zero) * scale, scale and zero FP16 (GroupQuantizer's rule)."""
    n, k = w.shape
    g = w.float().reshape(n, k // group, group)
    lo, hi = g.amin(-1), g.amax(-1)
    scale = torch.where(hi > lo, (hi - lo) / 15, torch.ones_like(hi)).half().float()
    zero = torch.round(-lo / scale).clamp(0, 15).half().float()
    q = torch.round(g / scale[..., None] + zero[..., None]).clamp(0, 15).to(torch.uint8)
    deq = ((q.float() - zero[..., None]) * scale[..., None]).reshape(n, k).half()
    q = q.reshape(n, k)
    packed = (q[:, 0::2] | (q[:, 1::2] << 4)).contiguous()  # element 0 in the low nibble
    return packed, scale.half(), zero.half(), deq


def make_quant_linear(torch, group):
    class QuantLinearFn(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, qweight, scales, zeros):
            low, high = qweight & 0xF, qweight >> 4
            q = torch.stack((low, high), dim=-1).reshape(qweight.shape[0], -1).float()
            n, k = q.shape
            w = ((q.reshape(n, k // group, group) - zeros.float()[..., None]) * scales.float()[..., None]).reshape(n, k)
            return torch.nn.functional.linear(x, w.to(x.dtype))

        @staticmethod
        def symbolic(g, x, qweight, scales, zeros):
            return g.op("ladder::QuantLinear", x, qweight, scales, zeros, bits_i=4, group_size_i=group)

    class QuantLinear(torch.nn.Module):
        def __init__(self, packed, scales, zeros):
            super().__init__()
            # Buffer names become the ONNX initializer names: <module path>.qweight / .scales / .zeros.
            self.register_buffer("qweight", packed)
            self.register_buffer("scales", scales)
            self.register_buffer("zeros", zeros)

        def forward(self, x):
            return QuantLinearFn.apply(x, self.qweight, self.scales, self.zeros)

    return QuantLinear


def export(torch, model, x, path, opset, custom_opsets=None):
    kwargs = dict(input_names=["hidden_states"], output_names=["out"], opset_version=opset, do_constant_folding=True)
    if custom_opsets:
        kwargs["custom_opsets"] = custom_opsets
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False  # the TorchScript exporter: its node sequences are the ones the importer documents
    with torch.no_grad():
        torch.onnx.export(model, (x,), path, **kwargs)
    try:
        import onnx
        m = onnx.load(path)
        if m.ByteSize() > (1 << 30):
            # Keep the .onnx under protobuf's 2 GiB limit: weights beside it, which the importer maps.
            onnx.save_model(m, path, save_as_external_data=True, all_tensors_to_one_file=True,
                            location=os.path.basename(path) + ".data")
    except ImportError:
        print("onnx is not installed: the export is left as torch wrote it", file=sys.stderr)


def main():
    args = parse_args()
    import numpy as np
    import torch
    import transformers

    if not torch.cuda.is_available():
        sys.exit("export_llama_layer.py: no CUDA device; the reference output is an FP16 CUDA run")
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(args.seed)
    cfg = llama_config(args.small, args.dims)
    model = build_wrapper(torch, cfg, args.seq, "cpu")
    # nn.Linear's default init with S x 8192 inputs gives outputs far beyond FP16 after 3 matmuls; LLaMA's own 0.02 does not.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 2:
                p.normal_(0.0, cfg.initializer_range)
    model = model.half().cuda().eval()  # torch is imported in main() so that --help works without it
    x = (torch.randn(args.batch, args.seq, cfg.hidden_size, generator=torch.Generator().manual_seed(args.seed + 1))).half().cuda()
    with torch.no_grad():
        y = model(x)
    np.save(os.path.join(args.out, "input.npy"), x.cpu().numpy())
    np.save(os.path.join(args.out, "output.npy"), y.float().cpu().numpy().astype(np.float16))
    export(torch, model, x, os.path.join(args.out, "layer.onnx"), args.opset)

    config = {k: getattr(cfg, k) for k in ("hidden_size", "num_attention_heads", "num_key_value_heads", "intermediate_size", "rms_norm_eps")}
    # transformers 5 keeps theta in rope_parameters; 4.x has rope_theta
    rope = getattr(cfg, "rope_parameters", None) or {}
    config["rope_theta"] = rope.get("rope_theta") if isinstance(rope, dict) and "rope_theta" in rope else getattr(cfg, "rope_theta", None)
    meta = dict(config=config,
                seed=args.seed, batch=args.batch, seq=args.seq, opset=args.opset, small=args.small, dims=args.dims,
                torch=torch.__version__, transformers=transformers.__version__, files=["input.npy", "output.npy", "layer.onnx"])
    if args.int4:
        QuantLinear = make_quant_linear(torch, args.group_size)
        linears = [(name, m) for name, m in model.named_modules() if isinstance(m, torch.nn.Linear)]
        quantized = {}
        for name, lin in linears:
            packed, scales, zeros, deq = quantize_int4(torch, lin.weight.data, args.group_size)
            lin.weight.data.copy_(deq)  # the float model now holds exactly what the codes mean
            # Keep these codes: quantising deq again can pick a slightly different scale per group
            # (its min and max are rounded values), which is what broke the check at full size.
            quantized[name] = (packed, scales, zeros)
        with torch.no_grad():
            y_ref = model(x)
        np.save(os.path.join(args.out, "output_int4_ref.npy"), y_ref.float().cpu().numpy().astype(np.float16))
        for name, lin in linears:
            packed, scales, zeros = quantized[name]
            parent_name, _, attr = name.rpartition(".")
            parent = model.get_submodule(parent_name) if parent_name else model
            setattr(parent, attr, QuantLinear(packed, scales, zeros))
        with torch.no_grad():
            y_q = model(x)
        err = (y_q.float() - y_ref.float()).abs().max().item()
        scale = max(1.0, y_ref.float().abs().max().item())
        if err > 1e-3 * scale:  # same FP16 weights on both sides: only summation order may differ
            sys.exit(f"export_llama_layer.py: QuantLinear modules disagree with the dequantised model by {err} (max |y| {scale})")
        export(torch, model, x, os.path.join(args.out, "layer_int4.onnx"), args.opset, custom_opsets={"ladder": 1})
        meta.update(int4=dict(group_size=args.group_size, bits=4, linears=[n for n, _ in linears]))
        meta["files"] += ["layer_int4.onnx", "output_int4_ref.npy"]
    with open(os.path.join(args.out, "export.json"), "w") as f:
        json.dump(meta, f, indent=2)
    print(f"wrote {', '.join(meta['files'])} to {args.out}")


if __name__ == "__main__":
    main()
