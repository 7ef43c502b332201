"""DeepSeek-V4 decode Q/KV projection + RoPE as plain PyTorch, for the graph
path (`tessel.compile_graph`, docs/graph.md).

The computation of kernels/dsv4/CONTRACT.md written like the golden
(reference.py): no `pl`, no scopes, no tile shapes. Tessel captures it with
torch.export and forms the scopes, grids and tiles itself. Two spellings
differ from the golden because they are what the cube computes:

- the bf16 projections are `x.float() @ w.float()` (f32 accumulation of bf16
  products; the graph path runs them on the cube in bf16);
- the int8 up-projection accumulates in int32 (`qr.int() @ wq_b.int()`, the
  golden's float64 product is exact and equal).

`make_graph(preset, T)` returns the compiled graph kernel (a
`tessel.graph.GraphKernel`): call it with the inputs in
`reference.INPUT_NAMES` order; it returns (q, kv, qr, qr_scale).
"""

from __future__ import annotations

import torch

INT8_SCALE_MAX = 127.0
INT8_AMAX_EPS = 1e-4


def make_fn(p):
    """The plain PyTorch function of preset `p` (reference.Preset)."""
    H, HD, ROPE, EPS = p.H, p.HEAD_DIM, p.ROPE_DIM, p.EPS
    NOPE = HD - ROPE
    HALF = ROPE // 2

    def rms_norm(a, gamma=None):
        r = a * torch.rsqrt(a.pow(2).mean(dim=-1, keepdim=True) + EPS)
        return r * gamma.float() if gamma is not None else r

    def rope_interleaved(t, cos, sin):
        even, odd = t[..., 0::2], t[..., 1::2]
        out = torch.empty_like(t)
        out[..., 0::2] = even * cos - odd * sin
        out[..., 1::2] = even * sin + odd * cos
        return out

    def decode_qkv_proj_rope(x, wq_a, wq_b, wq_b_scale, wkv, rope_cos,
                             rope_sin, gamma_cq, gamma_ckv):
        T = x.shape[0]
        cos = rope_cos.float()[:, :HALF]
        sin = rope_sin.float()[:, :HALF]
        xf = x.float()
        # q latent, RMSNorm, bf16, per-token int8 quantisation.
        a = xf @ wq_a.float()
        r = rms_norm(a, gamma_cq).to(torch.bfloat16).float()
        amax = r.abs().amax(dim=-1, keepdim=True).clamp_min(INT8_AMAX_EPS)
        s = torch.div(INT8_SCALE_MAX, amax)   # one division, as the contract (not 127.0 / amax: reciprocal * 127)
        qr = torch.round(r * s).to(torch.int32).to(torch.float16).to(torch.int8)
        qr_scale = 1.0 / s
        # int8 up-projection (exact in int32), dequant, per-head RMSNorm.
        p_int = qr.to(torch.int32) @ wq_b.to(torch.int32)
        qf = p_int.float() * qr_scale * wq_b_scale.float()[None, :]
        qf = rms_norm(qf.view(T, H, HD))
        rope = rope_interleaved(qf[..., NOPE:], cos[:, None, :], sin[:, None, :])
        rope = rope.to(torch.bfloat16).float()
        q = torch.cat([qf[..., :NOPE], rope], dim=-1).to(torch.bfloat16)
        # kv.
        k = rms_norm(xf @ wkv.float(), gamma_ckv)
        k_rope = rope_interleaved(k[:, NOPE:], cos, sin).to(torch.bfloat16).float()
        kv = torch.cat([k[:, :NOPE], k_rope], dim=-1).to(torch.bfloat16)
        return q, kv, qr, qr_scale

    return decode_qkv_proj_rope


def example_inputs(p, T):
    """Zero tensors of the input shapes (export needs shapes and dtypes
    only)."""
    import reference
    return tuple(torch.zeros(shape, dtype=dtype) for shape, dtype in
                 reference.input_specs(p, T).values())


def make_graph(p, T, target: str = "a2a3"):
    """The graph kernel of preset `p` and `T` tokens."""
    import tessel
    return tessel.compile_graph(make_fn(p), example_inputs(p, T),
                                target=target, name="decode_qkv_proj_rope")


def _flash_t8():
    """The FLASH, T=8 instance, for `tessel compile
    kernels/dsv4/graph.py::decode_qkv_proj_rope_graph --emit STAGE`."""
    import sys
    from pathlib import Path

    here = str(Path(__file__).resolve().parent)
    if here not in sys.path:
        sys.path.insert(0, here)
    from reference import PRESETS

    return make_graph(PRESETS["flash"], 8)


def __getattr__(name):
    # Compiled on first use: importing this file stays cheap.
    if name == "decode_qkv_proj_rope_graph":
        k = _flash_t8()
        globals()[name] = k
        return k
    raise AttributeError(name)
