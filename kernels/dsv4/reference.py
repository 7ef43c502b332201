"""PyTorch golden of the DeepSeek-V4 decode Q/KV projection + RoPE kernel.

The full contract is in kernels/dsv4/README.md; this file is its
executable form, with no compiler imports.

Shapes (per preset; T tokens, any of 1, 8, 16, 32, 64, 128):

    x           [T, D]               bf16   input tokens
    wq_a        [D, Q_LORA]          bf16   query down-projection
    wq_b        [Q_LORA, H*HEAD_DIM] int8   query up-projection (per-column quantised)
    wq_b_scale  [H*HEAD_DIM]         fp32   dequant scale of each wq_b column
    wkv         [D, HEAD_DIM]        bf16   key/value projection
    rope_cos    [T, ROPE_DIM]        bf16   rotary tables (first ROPE_DIM/2 columns used)
    rope_sin    [T, ROPE_DIM]        bf16
    gamma_cq    [Q_LORA]             bf16   RMSNorm weight of the query latent
    gamma_ckv   [HEAD_DIM]           bf16   RMSNorm weight of kv
  outputs:
    q           [T, H, HEAD_DIM]     bf16
    kv          [T, HEAD_DIM]        bf16
    qr          [T, Q_LORA]          int8
    qr_scale    [T, 1]               fp32
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Preset:
    name: str
    D: int
    H: int
    HEAD_DIM: int
    ROPE_DIM: int
    Q_LORA: int
    EPS: float = 1e-6

    @property
    def NOPE_DIM(self) -> int:
        return self.HEAD_DIM - self.ROPE_DIM


PRESETS = {
    "flash": Preset("flash", D=4096, H=64, HEAD_DIM=512, ROPE_DIM=64, Q_LORA=1024),
    "pro": Preset("pro", D=7168, H=128, HEAD_DIM=512, ROPE_DIM=64, Q_LORA=1536),
    "demo": Preset("demo", D=4096, H=64, HEAD_DIM=512, ROPE_DIM=64, Q_LORA=1024),
}

TOKEN_COUNTS = (1, 8, 16, 32, 64, 128)
INT8_SCALE_MAX = 127.0
INT8_AMAX_EPS = 1e-4

INPUT_NAMES = ("x", "wq_a", "wq_b", "wq_b_scale", "wkv", "rope_cos",
               "rope_sin", "gamma_cq", "gamma_ckv")
OUTPUT_NAMES = ("q", "kv", "qr", "qr_scale")


def input_specs(p: Preset, T: int) -> dict[str, tuple[tuple[int, ...], torch.dtype]]:
    """Shape and dtype of every input, by name."""
    return {
        "x": ((T, p.D), torch.bfloat16),
        "wq_a": ((p.D, p.Q_LORA), torch.bfloat16),
        "wq_b": ((p.Q_LORA, p.H * p.HEAD_DIM), torch.int8),
        "wq_b_scale": ((p.H * p.HEAD_DIM,), torch.float32),
        "wkv": ((p.D, p.HEAD_DIM), torch.bfloat16),
        "rope_cos": ((T, p.ROPE_DIM), torch.bfloat16),
        "rope_sin": ((T, p.ROPE_DIM), torch.bfloat16),
        "gamma_cq": ((p.Q_LORA,), torch.bfloat16),
        "gamma_ckv": ((p.HEAD_DIM,), torch.bfloat16),
    }


def output_specs(p: Preset, T: int) -> dict[str, tuple[tuple[int, ...], torch.dtype]]:
    """Shape and dtype of every output, by name."""
    return {
        "q": ((T, p.H, p.HEAD_DIM), torch.bfloat16),
        "kv": ((T, p.HEAD_DIM), torch.bfloat16),
        "qr": ((T, p.Q_LORA), torch.int8),
        "qr_scale": ((T, 1), torch.float32),
    }


def quantize_per_column(w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Symmetric per-output-column int8 quantisation: w ~ q * scale[col]."""
    amax = w.abs().amax(dim=0).clamp_min(INT8_AMAX_EPS)
    scale = amax / INT8_SCALE_MAX
    q = torch.round(w / scale).clamp(-127, 127).to(torch.int8)
    return q, scale.to(torch.float32)


def quantize_per_token(r: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The contract's step 4 on fp32 rows r: (qr int8, qr_scale fp32 [rows, 1]).

    `s = 127 / amax` is one fp32 division, as the contract writes it. Not
    `INT8_SCALE_MAX / amax`: torch computes a Python number divided by a
    tensor as the tensor's reciprocal times the number, two roundings, one
    ulp off the division for about a quarter of all amax; with bf16 rows
    (step 3) `r * s` often lands exactly on a .5 tie, where that ulp decides
    the int8 value (kernels/dsv4/README.md, "Rounding boundaries")."""
    amax = r.abs().amax(dim=-1, keepdim=True).clamp_min(INT8_AMAX_EPS)
    s = torch.div(INT8_SCALE_MAX, amax)      # one division (see above)
    qr = torch.round(r * s).to(torch.int32).to(torch.float16).to(torch.int8)
    return qr, 1.0 / s


def make_inputs(p: Preset, T: int, seed: int = 0,
                random_gammas: bool = False) -> dict[str, torch.Tensor]:
    """Inputs drawn as the accuracy contract says, from a seeded generator."""
    g = torch.Generator().manual_seed(seed)

    def randn(*shape):
        return torch.randn(*shape, generator=g, dtype=torch.float32)

    hd = p.H * p.HEAD_DIM
    w_b = ((randn(p.Q_LORA, hd) - 0.5) / math.sqrt(hd)).to(torch.bfloat16)
    wq_b, wq_b_scale = quantize_per_column(w_b.float())
    angles = 0.001 * torch.arange(T * p.ROPE_DIM, dtype=torch.float32)
    angles = angles.reshape(T, p.ROPE_DIM)
    if random_gammas:
        gamma_cq = (1.0 + 0.1 * randn(p.Q_LORA)).to(torch.bfloat16)
        gamma_ckv = (1.0 + 0.1 * randn(p.HEAD_DIM)).to(torch.bfloat16)
    else:
        gamma_cq = torch.ones(p.Q_LORA, dtype=torch.bfloat16)
        gamma_ckv = torch.ones(p.HEAD_DIM, dtype=torch.bfloat16)
    return {
        "x": (randn(T, p.D) - 0.5).to(torch.bfloat16),
        "wq_a": ((randn(p.D, p.Q_LORA) - 0.5) / math.sqrt(p.D)).to(torch.bfloat16),
        "wq_b": wq_b,
        "wq_b_scale": wq_b_scale,
        "wkv": (randn(p.D, p.HEAD_DIM) / math.sqrt(p.D)).to(torch.bfloat16),
        "rope_cos": torch.cos(angles).to(torch.bfloat16),
        "rope_sin": torch.sin(angles).to(torch.bfloat16),
        "gamma_cq": gamma_cq,
        "gamma_ckv": gamma_ckv,
    }


def rms_norm(a: torch.Tensor, eps: float,
             gamma: torch.Tensor | None = None) -> torch.Tensor:
    """a * rsqrt(mean(a^2, last dim) + eps) [* gamma], all in fp32."""
    r = a * torch.rsqrt(a.pow(2).mean(dim=-1, keepdim=True) + eps)
    return r * gamma.float() if gamma is not None else r


def rope_interleaved(t: torch.Tensor, cos: torch.Tensor,
                     sin: torch.Tensor) -> torch.Tensor:
    """RoPE on interleaved pairs of the last dim of t [..., T?, ROPE_DIM].

    Pair i is columns (2i, 2i+1); c = cos[t, i], s = sin[t, i] of the first
    ROPE_DIM/2 columns of the tables (already broadcastable to t's pairs).
    """
    even, odd = t[..., 0::2], t[..., 1::2]
    out = torch.empty_like(t)
    out[..., 0::2] = even * cos - odd * sin
    out[..., 1::2] = even * sin + odd * cos
    return out


def reference(p: Preset, inputs: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The contract's steps 1-9, in fp32 unless stated."""
    x = inputs["x"].float()
    T = x.shape[0]
    half = p.ROPE_DIM // 2
    cos = inputs["rope_cos"].float()[:, :half]
    sin = inputs["rope_sin"].float()[:, :half]

    # 1-3. q latent, RMSNorm with gamma_cq, rounded to bf16.
    a = x @ inputs["wq_a"].float()
    r = rms_norm(a, p.EPS, inputs["gamma_cq"]).to(torch.bfloat16).float()
    # 4. per-token int8 quantisation.
    qr, qr_scale = quantize_per_token(r)
    # 5. exact int32 up-projection (float64 is exact for these magnitudes),
    #    then dequant.
    p_int = (qr.double() @ inputs["wq_b"].double()).to(torch.int32)
    qf = p_int.float() * qr_scale * inputs["wq_b_scale"].float()[None, :]
    qf = qf.view(T, p.H, p.HEAD_DIM)
    # 6. per-head RMSNorm without weight.
    qf = rms_norm(qf, p.EPS)
    # 7-8. RoPE on the last ROPE_DIM columns of each head, rounded to bf16.
    rope = rope_interleaved(qf[..., p.NOPE_DIM:], cos[:, None, :], sin[:, None, :])
    rope = rope.to(torch.bfloat16).float()
    q = torch.cat([qf[..., :p.NOPE_DIM], rope], dim=-1).to(torch.bfloat16)
    # 9. kv.
    k = rms_norm(x @ inputs["wkv"].float(), p.EPS, inputs["gamma_ckv"])
    k_rope = rope_interleaved(k[:, p.NOPE_DIM:], cos, sin).to(torch.bfloat16).float()
    kv = torch.cat([k[:, :p.NOPE_DIM], k_rope], dim=-1).to(torch.bfloat16)
    return {"q": q, "kv": kv, "qr": qr, "qr_scale": qr_scale.to(torch.float32)}


def tolerance(name: str, want: torch.Tensor) -> torch.Tensor:
    """The per-element allowed |got - want| of the accuracy contract."""
    w = want.double().abs()
    if name in ("q", "kv"):
        return 1e-4 + w / 128.0
    if name == "qr":
        return torch.ones_like(w)
    if name == "qr_scale":
        return 2.5e-5 + 5e-3 * w
    raise KeyError(f"no accuracy rule for output {name!r}")


def compare(got: dict[str, torch.Tensor],
            want: dict[str, torch.Tensor]) -> dict[str, dict]:
    """Per output: max abs error, max rel error, elements out of tolerance,
    and whether it passes the contract (NaN anywhere fails)."""
    report = {}
    for name in OUTPUT_NAMES:
        g, w = got[name].double(), want[name].double()
        if g.shape != w.shape:
            raise ValueError(f"output {name}: shape {tuple(g.shape)} != "
                             f"expected {tuple(w.shape)}")
        err = (g - w).abs()
        err = torch.where(torch.isnan(err), torch.full_like(err, math.inf), err)
        rel = err / w.abs().clamp_min(1e-30)
        bad = int((err > tolerance(name, want[name])).sum())
        report[name] = {
            "max_abs_err": float(err.max()) if err.numel() else 0.0,
            "max_rel_err": float(rel.max()) if rel.numel() else 0.0,
            "mismatches": bad,
            "pass": bad == 0,
        }
    return report
