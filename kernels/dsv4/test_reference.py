"""The golden's own invariants and the runner's input checking (no compiler
needed)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import reference  # noqa: E402
import run  # noqa: E402

SMALL = reference.Preset("small", D=256, H=2, HEAD_DIM=128, ROPE_DIM=64, Q_LORA=128)


def test_inputs_match_specs_and_are_seeded():
    a = reference.make_inputs(SMALL, 4, seed=3)
    b = reference.make_inputs(SMALL, 4, seed=3)
    c = reference.make_inputs(SMALL, 4, seed=4)
    for name, (shape, dtype) in reference.input_specs(SMALL, 4).items():
        assert tuple(a[name].shape) == shape and a[name].dtype == dtype, name
        assert torch.equal(a[name], b[name]), name
    assert not torch.equal(a["x"], c["x"])


def test_wq_b_quantisation_reconstructs_weights():
    w = torch.randn(64, 32) / 8
    q, scale = reference.quantize_per_column(w)
    assert q.dtype == torch.int8 and int(q.abs().max()) == 127
    # Each column is within half a quantisation step.
    assert torch.all((q.float() * scale - w).abs() <= scale / 2 + 1e-7)


def test_reference_outputs_and_invariants():
    inputs = reference.make_inputs(SMALL, 4, seed=0, random_gammas=True)
    out = reference.reference(SMALL, inputs)
    for name, (shape, dtype) in reference.output_specs(SMALL, 4).items():
        assert tuple(out[name].shape) == shape and out[name].dtype == dtype, name
    # Per token the largest |qr| is 127 (amax maps to 127 exactly).
    assert torch.all(out["qr"].abs().amax(dim=1) == 127)
    # Per-head RMSNorm without weight: rows of q have RMS ~ 1 (bf16 rounding).
    rms = out["q"].float().pow(2).mean(dim=-1).sqrt()
    assert torch.allclose(rms, torch.ones_like(rms), atol=1e-2)


def f32(x: torch.Tensor) -> torch.Tensor:
    """A float64 result rounded once to fp32 (for + - * / of fp32 operands this
    is the correctly rounded fp32 operation: 53 >= 2 * 24 + 2)."""
    return x.to(torch.float32).double()


def test_int8_quantisation_is_the_contracts_fp32_arithmetic():
    """Step 4 in fp32 as the contract writes it, one rounding per operation:
    s = 127 / amax is one division (torch's `127.0 / tensor` is a reciprocal
    and a multiply, two roundings, one ulp off for about a quarter of all
    amax: 957 of these 4096 rows); qr = rint(row * s). Rows of bf16 values
    (step 3) land on exact ties: amax = 1.703125, r = amax / 2 gives
    s = 74.56880950927734 and r * s = 63.5 exactly, rint -> 64; the
    reciprocal form's s = 74.56880187988281 gives 63.499996 -> 63 (225 rows
    here)."""
    g = torch.Generator().manual_seed(5)
    r = (torch.randn(4096, 64, generator=g) * 0.7).to(torch.bfloat16).float()
    r[:, 1] = r.abs().amax(dim=1) / 2          # exact: a tie when s is exact
    r[7, :] = 0.0                              # amax floored at 1e-4
    qr, qr_scale = reference.quantize_per_token(r)
    amax = r.double().abs().amax(dim=1, keepdim=True).clamp_min(
        f32(torch.tensor(reference.INT8_AMAX_EPS, dtype=torch.float64)))
    s = f32(reference.INT8_SCALE_MAX / amax)
    scaled = f32(r.double() * s)
    assert torch.equal(qr_scale.double(), f32(1.0 / s))
    assert torch.equal(qr, torch.round(scaled).to(torch.int8))
    # Exact ties do occur, and round half to even (63.5 -> 64).
    ties = scaled[:, 1] == 63.5
    assert int(ties.sum()) > 1000
    assert torch.all(qr[:, 1][ties] == 64)
    assert torch.all(qr.abs().amax(dim=1)[r.abs().amax(dim=1) > 0] == 127)


def test_rope_rotation_preserves_pair_norms():
    t = torch.randn(3, 8)
    ang = torch.rand(3, 4)
    r = reference.rope_interleaved(t, torch.cos(ang), torch.sin(ang))
    n0 = t[:, 0::2] ** 2 + t[:, 1::2] ** 2
    n1 = r[:, 0::2] ** 2 + r[:, 1::2] ** 2
    assert torch.allclose(n0, n1, atol=1e-5)


def test_compare_flags_out_of_tolerance_and_nan():
    inputs = reference.make_inputs(SMALL, 2, seed=0)
    want = reference.reference(SMALL, inputs)
    got = {k: v.clone() for k, v in want.items()}
    assert all(r["pass"] for r in reference.compare(got, want).values())
    got["qr"][0, 0] = got["qr"][0, 0] + 2 if got["qr"][0, 0] < 120 else got["qr"][0, 0] - 2
    got["kv"][1, 3] = float("nan")
    rep = reference.compare(got, want)
    assert rep["qr"]["mismatches"] == 1 and not rep["qr"]["pass"]
    assert rep["kv"]["mismatches"] == 1 and not rep["kv"]["pass"]
    assert rep["q"]["pass"] and rep["qr_scale"]["pass"]


def test_runner_rejects_wrong_input_naming_the_tensor(tmp_path):
    p = reference.PRESETS["flash"]
    inputs = {n: torch.zeros(shape, dtype=dtype)
              for n, (shape, dtype) in reference.input_specs(p, 1).items()}
    inputs["wkv"] = torch.zeros(3, 3, dtype=torch.bfloat16)
    path = tmp_path / "in.pt"
    torch.save(inputs, path)
    with pytest.raises(run.InputError, match=r"input wkv: expected shape \[4096, 512\]"):
        run.load_inputs(path, p, 1)
    del inputs["wkv"]
    torch.save(inputs, path)
    with pytest.raises(run.InputError, match="missing input"):
        run.load_inputs(path, p, 1)
