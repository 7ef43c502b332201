"""Pipeline slots only for values that cross pipes (docs/placement.md
"Slots") and load CSE across a store to another tensor (tile-cse-loads),
on a stage=2 quantisation loop shaped like pypto-lib's sparse attention
`quant` scope: each 8-row block is loaded, its row amax reduced and its
scale stored, the same block loaded again, scaled, rounded to i32, cast to
f16 and stored.

Only the load (MTE2 -> V) and the values a store reads (V -> MTE3) get two
slots; |a| and the amax chain stay on the vector pipe and get one. The kernel must match PyTorch, and the NPU back end (the emitted
PTO-ISA kernel on the strict reference, which reports a missing
synchronisation as a hazard) must give the CPU simulation's bits.
"""

from __future__ import annotations

import re
import shutil

import pytest
import torch

import tessel.language as pl

ROWS, COLS, BLOCK = 64, 256, 8


@pl.jit
def quant_rows(x: pl.Tensor[[ROWS, COLS], pl.FP32],
               scale: pl.Out[pl.Tensor[[1, ROWS], pl.FP32]],
               y: pl.Out[pl.Tensor[[ROWS, COLS], pl.FP16]]):
    for b in pl.spmd(1, name_hint="quant"):
        for t in pl.pipeline(0, ROWS, BLOCK, stage=2):
            a = x[t:t + BLOCK, :]
            amax = pl.row_max(pl.abs(a))
            amax = pl.reshape(amax, [1, BLOCK])
            amax = pl.maximum(pl.full([1, BLOCK], dtype=pl.FP32, value=1e-4),
                              amax)
            inv = pl.div(pl.full([1, BLOCK], dtype=pl.FP32, value=127.0),
                         amax)
            scale[0:1, t:t + BLOCK] = pl.mul(amax, 1.0 / 127.0)
            q = x[t:t + BLOCK, :]
            qs = pl.row_expand_mul(q, pl.reshape(inv, [BLOCK, 1]))
            qi = pl.cast(qs, target_type=pl.INT32, mode="rint")
            y[t:t + BLOCK, :] = pl.cast(qi, target_type=pl.FP16,
                                        mode="round")


def golden(x):
    amax = x.abs().amax(1).clamp_min(1e-4)
    scale = (amax * torch.tensor(1.0 / 127.0, dtype=torch.float32))
    inv = torch.tensor(127.0) / amax
    # rint: half to even; through i32 as the kernel (no -0.0 survives).
    q = torch.round(x * inv[:, None]).to(torch.int32)
    return scale.reshape(1, ROWS), q.to(torch.float16)


def inputs(seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(ROWS, COLS, generator=g) * 3


def placements(target):
    """op name -> list of `place` attributes, in program order."""
    text = quant_rows.ir(stage="placed", target=target)
    out = {}
    for m in re.finditer(r"(tile\.[a-z_]+) .*\{place = (#tile\.place<[^>]*>)",
                         text):
        out.setdefault(m.group(1), []).append(m.group(2))
    return out


@pytest.mark.parametrize("target", ("a2a3", "a5"))
def test_only_values_that_cross_pipes_get_slots(target):
    p = placements(target)
    # tile-cse-loads merged the second load of the block across the store
    # of the scale (another tensor): one load, two slots (MTE2 -> V).
    assert len(p["tile.load"]) == 1
    assert "slots = 2" in p["tile.load"][0]
    # |a| (8x256xf32 = 8192 B; `a` is read again later, so not in place) is
    # made by V and read by the row max on V only: one slot.
    assert "slots" not in p["tile.abs"][0]
    # The i32 intermediate (8x256xi32 = 8192 B) is made and used by casts
    # on V only: one slot. The f16 result a store reads: two.
    cast_i32, cast_f16 = p["tile.cast"]
    assert "slots" not in cast_i32
    assert "slots = 2" in cast_f16
    # The amax chain (1x8xf32) is V only; the scale it stores crosses.
    assert all("slots" not in s for s in p["tile.row_max"])
    assert "slots = 2" in p["tile.muls"][0]
    # The scaled block is computed in place over the load's slots.
    assert p["tile.row_expand_mul"][0] == p["tile.load"][0]


@pytest.mark.parametrize("target", ("a2a3", "a5"))
def test_cpu_simulation_matches_torch(target):
    x = inputs()
    scale = torch.full((1, ROWS), float("nan"))
    y = torch.full((ROWS, COLS), float("nan"), dtype=torch.float16)
    quant_rows(x, scale, y, target=target, backend="cpu")
    want_scale, want_y = golden(x)
    # The same f32 operations in the same order as torch: equal bits.
    assert torch.equal(scale.view(torch.int32), want_scale.view(torch.int32))
    assert torch.equal(y.view(torch.int16), want_y.view(torch.int16))


@pytest.mark.skipif(shutil.which("g++") is None and
                    shutil.which("clang++") is None,
                    reason="the PTO back end builds emitted kernels with a "
                           "host C++ compiler")
@pytest.mark.parametrize("target", ("a2a3", "a5"))
def test_npu_back_end_matches_the_simulation_bit_for_bit(target):
    x = inputs(1)
    outs = {}
    for backend in ("cpu", "pto"):
        scale = torch.full((1, ROWS), float("nan"))
        y = torch.full((ROWS, COLS), float("nan"), dtype=torch.float16)
        quant_rows(x, scale, y, target=target, backend=backend)
        outs[backend] = (scale, y)
    assert torch.equal(outs["pto"][0].view(torch.int32),
                       outs["cpu"][0].view(torch.int32))
    assert torch.equal(outs["pto"][1].view(torch.int16),
                       outs["cpu"][1].view(torch.int16))
