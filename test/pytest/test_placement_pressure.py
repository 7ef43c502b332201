"""Placement under pressure (docs/placement.md "Under pressure"): reuses
tile-place-buffers tries only when a scope does not fit a2a3's UB (188416
usable bytes) with the regular rules.

- `dequant` (shaped like pypto-lib mtp_projection's `mtp_dequant`): a
  64x256 f32 block (65536 B) stays live while each of two i32 blocks is
  loaded and cast to f32: 3 x 65536 = 196608 with the regular rules; the
  cast computed in place over its one-width source: 131072.
- `pool` (shaped like decode_compressor_ratio128's pooling): two 128x128
  f32 states (65536 B each) filled block by block in a stage=2 pipeline,
  then a column softmax of one weights the other. The column exp-difference
  after the loop needs a third 65536 with the regular rules; under pressure
  it is computed over the first state's carried storage.

Both must match PyTorch; the cast kernel also on the NPU back end (the
strict PTO-ISA reference reports a missing synchronisation as a hazard).
A scope that cannot fit even so is a CompileError naming the largest tiles
live where the most bytes are.
"""

from __future__ import annotations

import re
import shutil

import pytest
import torch

import tessel.language as pl
from tessel.errors import CompileError

R, C, HC = 64, 256, 2


@pl.jit
def dequant(h: pl.Tensor[[R, C], pl.INT32],
            p: pl.Tensor[[HC * R, C], pl.INT32],
            out: pl.Out[pl.Tensor[[HC * R, C], pl.FP32]]):
    for b in pl.spmd(1, name_hint="dequant"):
        hidden = pl.mul(pl.cast(h[0:R, :], target_type=pl.FP32, mode="none"),
                        0.5)
        for hc in pl.range(HC):
            prev_i32 = p[hc * R:(hc + 1) * R, :]
            prev = pl.cast(prev_i32, target_type=pl.FP32, mode="none")
            out[hc * R:(hc + 1) * R, :] = pl.add(hidden, pl.mul(prev, 0.25))


def dequant_golden(h, p):
    hidden = h.float() * 0.5
    return torch.cat([hidden + p[i * R:(i + 1) * R].float() * 0.25
                      for i in range(HC)])


def dequant_inputs(seed=0):
    g = torch.Generator().manual_seed(seed)
    h = torch.randint(-1000, 1000, (R, C), generator=g, dtype=torch.int32)
    p = torch.randint(-1000, 1000, (HC * R, C), generator=g,
                      dtype=torch.int32)
    return h, p


S, D, BLK = 128, 128, 16


@pl.jit
def pool(score: pl.Tensor[[S, D], pl.FP32], kv: pl.Tensor[[S, D], pl.FP32],
         out: pl.Out[pl.Tensor[[1, D], pl.FP32]]):
    for b in pl.spmd(1, name_hint="pool"):
        score_state = pl.full([S, D], dtype=pl.FP32, value=0.0)
        kv_state = pl.full([S, D], dtype=pl.FP32, value=0.0)
        for i in pl.pipeline(S // BLK, stage=2):
            s0 = i * BLK
            score_state[s0:s0 + BLK, :] = score[s0:s0 + BLK, :]
            kv_state[s0:s0 + BLK, :] = kv[s0:s0 + BLK, :]
        score_max = pl.col_max(score_state)
        score_exp = pl.col_expand_expdif(score_state, score_max)
        prob = pl.col_expand_mul(score_exp, pl.recip(pl.col_sum(score_exp)))
        out[0:1, :] = pl.col_sum(pl.mul(kv_state, prob))


def places(kernel, target):
    """op name -> list of `place` attributes, in program order, and the
    scopes' UB peaks."""
    text = kernel.ir(stage="placed", target=target)
    out = {}
    for m in re.finditer(r"(tile\.[a-z_]+) .*\{place = (#tile\.place<[^>]*>)",
                         text):
        out.setdefault(m.group(1), []).append(m.group(2))
    peaks = [int(m) for m in re.findall(r"ub = (\d+) : i64", text)]
    return out, peaks


def test_dequant_cast_is_in_place_under_pressure():
    p, peaks = places(dequant, "a2a3")
    # The loop's i32 block and its f32 cast share their bytes; the first
    # block's cast (hidden) too.
    loads, casts = p["tile.load"], p["tile.cast"]
    assert len(loads) == 2 and len(casts) == 2
    assert casts == loads
    # 2 x 65536 live at once (hidden, the block and its cast), not 3.
    assert max(peaks) == 2 * 65536


def test_dequant_cast_keeps_its_own_storage_on_a5():
    # a5's UB (245760 usable) holds 3 x 65536 with the regular rules: no
    # pressure, the cast gets storage of its own.
    p, peaks = places(dequant, "a5")
    assert p["tile.cast"][1] != p["tile.load"][1]
    assert max(peaks) == 3 * 65536


@pytest.mark.parametrize("target", ("a2a3", "a5"))
def test_dequant_matches_torch(target):
    h, p = dequant_inputs()
    out = torch.full((HC * R, C), float("nan"))
    dequant(h, p, out, target=target, backend="cpu")
    # Exact: |x| < 2^24 converts exactly, and * 0.5, * 0.25 and one add
    # round as torch does.
    assert torch.equal(out, dequant_golden(h, p))


@pytest.mark.skipif(shutil.which("g++") is None and
                    shutil.which("clang++") is None,
                    reason="the PTO back end builds emitted kernels with a "
                           "host C++ compiler")
def test_dequant_npu_back_end_matches_the_simulation():
    h, p = dequant_inputs(1)
    outs = {}
    for backend in ("cpu", "pto"):
        out = torch.full((HC * R, C), float("nan"))
        dequant(h, p, out, target="a2a3", backend=backend)
        outs[backend] = out
    assert torch.equal(outs["pto"], outs["cpu"])


def test_pool_softmax_over_a_finished_pipeline_state():
    p, peaks = places(pool, "a2a3")
    # The column exp-difference is computed over the score state's carried
    # storage (the pipeline has finished), and the scaling over it.
    pipeline_places = re.search(
        r"tile\.pipeline .*places = \[([^\]]*)\]",
        pool.ir(stage="placed", target="a2a3")).group(1)
    assert p["tile.col_expand_expdif"][0] in pipeline_places
    assert p["tile.col_expand_mul"][0] == p["tile.col_expand_expdif"][0]
    assert max(peaks) <= 188416


@pytest.mark.parametrize("target", ("a2a3", "a5"))
def test_pool_matches_torch(target):
    g = torch.Generator().manual_seed(2)
    score = torch.randn(S, D, generator=g)
    kv = torch.randn(S, D, generator=g)
    out = torch.full((1, D), float("nan"))
    pool(score, kv, out, target=target, backend="cpu")
    want = (kv * torch.softmax(score, dim=0)).sum(0, keepdim=True)
    torch.testing.assert_close(out, want, rtol=1e-5, atol=1e-6)


RB = 96  # 96x256 f32 = 98304 B


@pl.jit
def too_big(h: pl.Tensor[[RB, C], pl.FP32], p: pl.Tensor[[RB, C], pl.INT32],
            out: pl.Out[pl.Tensor[[RB, C], pl.FP32]]):
    for b in pl.spmd(1, name_hint="too_big"):
        hidden = h[0:RB, :]
        prev_i32 = p[0:RB, :]
        prev = pl.cast(prev_i32, target_type=pl.FP32, mode="none")
        out[0:RB, :] = pl.add(hidden, prev)


def test_too_big_names_the_largest_live_tiles():
    # hidden and the i32 block are live at once however the cast is placed:
    # 2 x 98304 = 196608 > 188416.
    h = torch.zeros(RB, C)
    p = torch.zeros(RB, C, dtype=torch.int32)
    with pytest.raises(CompileError) as info:
        too_big(h, p, torch.zeros(RB, C), target="a2a3", backend="cpu")
    message = str(info.value)
    assert ("vector UB exceeded: 196608 > 188416 bytes; 196608 bytes are "
            "live at once") in message
    assert re.search(r"largest there 'hidden' 98304 \(line \d+\), "
                     r"'prev_i32' 98304 \(line \d+\)", message), message
