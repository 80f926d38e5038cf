"""The llama forward pass on GGUF-named weights in torch layout, mirroring llama.cpp's LLM_ARCH_LLAMA.

RMSNorm with a weight multiply, RoPE in llama.cpp's NORM mode (ADJACENT pairs x[2i], x[2i+1] rotated by
position * rope_freq_base^(-2i/head_dim); GGUF q/k weights are already permuted for it), causal attention with
grouped-query heads, SwiGLU FFN down(silu(gate(x)) * up(x)), final RMSNorm, logits = x @ output.weight.T
(token_embd.weight when output.weight is absent). A linear layer is y = x @ W.T.
"""

import math

import torch
import torch.nn.functional as F

BLOCK_MATRICES = ("attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down")
BLOCK_VECTORS = ("attn_norm", "ffn_norm")


class ModelError(ValueError):
    """The weights do not form the llama model that config.json describes."""


def expected_shapes(cfg):
    """{name: shape} of every tensor a llama model with this config must have (output.weight optional)."""
    e, ff, v = cfg["n_embd"], cfg["n_ff"], cfg["n_vocab"]
    hd = e // cfg["n_head"]
    kv = cfg["n_head_kv"] * hd
    shapes = {"token_embd.weight": [v, e], "output_norm.weight": [e]}
    for i in range(cfg["n_layer"]):
        p = f"blk.{i}."
        shapes[p + "attn_norm.weight"] = [e]
        shapes[p + "attn_q.weight"] = [e, e]
        shapes[p + "attn_k.weight"] = [kv, e]
        shapes[p + "attn_v.weight"] = [kv, e]
        shapes[p + "attn_output.weight"] = [e, e]
        shapes[p + "ffn_norm.weight"] = [e]
        shapes[p + "ffn_gate.weight"] = [ff, e]
        shapes[p + "ffn_up.weight"] = [ff, e]
        shapes[p + "ffn_down.weight"] = [e, ff]
    return shapes


def check_weights(cfg, weights):
    """Raise ModelError naming the first missing or mis-shaped tensor."""
    shapes = expected_shapes(cfg)
    if "output.weight" in weights:
        shapes["output.weight"] = [cfg["n_vocab"], cfg["n_embd"]]
    for name, shape in shapes.items():
        if name not in weights:
            raise ModelError(f"base.safetensors has no tensor {name}")
        if list(weights[name].shape) != shape:
            raise ModelError(f"tensor {name} has shape {list(weights[name].shape)}, config.json implies {shape}")
    extra = sorted(set(weights) - set(shapes))
    if extra:
        raise ModelError(f"base.safetensors has tensors a llama model does not use: {', '.join(extra[:5])}")


def rope_tables(cfg, n_pos):
    """cos and sin of shape [n_pos, head_dim/2] for NORM-mode RoPE."""
    hd = cfg["n_embd"] // cfg["n_head"]
    i = torch.arange(0, hd // 2, dtype=torch.float64)
    theta = cfg["rope_freq_base"] ** (-2.0 * i / hd)
    ang = torch.arange(n_pos, dtype=torch.float64)[:, None] * theta[None, :]
    return torch.cos(ang).float(), torch.sin(ang).float()


def apply_rope(x, cos, sin):
    """x: [batch, heads, T, head_dim]; rotate adjacent pairs (x[2i], x[2i+1])."""
    x0 = x[..., 0::2]
    x1 = x[..., 1::2]
    r0 = x0 * cos - x1 * sin
    r1 = x0 * sin + x1 * cos
    return torch.stack((r0, r1), dim=-1).flatten(-2)


def rms_norm(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


class Lora:
    """LoRA factors for a set of matrices: delta W = (alpha / rank) * B @ A, A [rank, in], B [out, rank]."""

    def __init__(self, weights, targets, rank, alpha, generator):
        self.scale = alpha / rank
        self.a = {}
        self.b = {}
        for name in targets:
            out_dim, in_dim = weights[name].shape
            # A: Kaiming-uniform like PEFT (bound 1/sqrt(in)); B: zeros, so the adapter starts as the identity.
            bound = 1.0 / math.sqrt(in_dim)
            a = (torch.rand((rank, in_dim), generator=generator) * 2 - 1) * bound
            self.a[name] = a.requires_grad_(True)
            self.b[name] = torch.zeros((out_dim, rank)).requires_grad_(True)

    def parameters(self):
        """(name, tensor) pairs in a fixed order, named like the adapter file."""
        for name in sorted(self.a):
            yield f"{name}.lora_a", self.a[name]
            yield f"{name}.lora_b", self.b[name]


def linear(x, weights, name, lora):
    y = x @ weights[name].t()
    if lora is not None and name in lora.a:
        y = y + ((x @ lora.a[name].t()) @ lora.b[name].t()) * lora.scale
    return y


def forward(cfg, weights, tokens, lora=None, rope=None):
    """Logits [batch, T, n_vocab] for int64 tokens [batch, T]."""
    bsz, t = tokens.shape
    e = cfg["n_embd"]
    nh, nkv = cfg["n_head"], cfg["n_head_kv"]
    hd = e // nh
    eps = cfg["rms_eps"]
    cos, sin = rope if rope is not None else rope_tables(cfg, t)
    cos, sin = cos[:t], sin[:t]
    mask = torch.full((t, t), float("-inf")).triu(1)
    x = F.embedding(tokens, weights["token_embd.weight"])
    for i in range(cfg["n_layer"]):
        p = f"blk.{i}."
        h = rms_norm(x, weights[p + "attn_norm.weight"], eps)
        q = linear(h, weights, p + "attn_q.weight", lora).view(bsz, t, nh, hd).transpose(1, 2)
        k = linear(h, weights, p + "attn_k.weight", lora).view(bsz, t, nkv, hd).transpose(1, 2)
        v = linear(h, weights, p + "attn_v.weight", lora).view(bsz, t, nkv, hd).transpose(1, 2)
        q = apply_rope(q, cos, sin)
        k = apply_rope(k, cos, sin)
        if nkv != nh:
            k = k.repeat_interleave(nh // nkv, dim=1)
            v = v.repeat_interleave(nh // nkv, dim=1)
        att = (q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(hd)) + mask
        att = torch.softmax(att, dim=-1)
        o = (att @ v).transpose(1, 2).reshape(bsz, t, e)
        x = x + linear(o, weights, p + "attn_output.weight", lora)
        h = rms_norm(x, weights[p + "ffn_norm.weight"], eps)
        g = linear(h, weights, p + "ffn_gate.weight", lora)
        u = linear(h, weights, p + "ffn_up.weight", lora)
        x = x + linear(F.silu(g) * u, weights, p + "ffn_down.weight", lora)
    x = rms_norm(x, weights["output_norm.weight"], eps)
    out = weights.get("output.weight", weights["token_embd.weight"])
    return x @ out.t()
