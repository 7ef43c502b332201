"""A stepped loop's last index is lo + ((hi - 1 - lo) // step) * step, not
hi - 1: `for c in pl.range(0, 512, 128)` ends at 384, so a 128-wide slice at
c stays inside 512 columns (issue 14's first bug)."""

from __future__ import annotations

import pytest
import torch

import tessel.language as pl
from tessel import CompileError
from tessel.frontend.codegen import stepped_iv_bounds


@pytest.mark.parametrize("start,stop,step,want", [
    # range(0, 512, 128): 0, 128, 256, 384.
    ((0, 0), (512, 512), 128, (0, 384)),
    # range(3, 10, 4): 3, 7.
    ((3, 3), (10, 10), 4, (3, 7)),
    # step 1: stop - 1.
    ((0, 0), (16, 16), 1, (0, 15)),
    # A runtime stop in [100, 512]: the largest last index, 384.
    ((0, 0), (100, 512), 128, (0, 384)),
    # A runtime start in [0, 1]: start 1 ends at 9 (1, 5, 9), start 0 at 8,
    # so only stop - 1 = 9 is a bound.
    ((0, 1), (10, 10), 4, (0, 9)),
    # Empty and unknown ranges.
    ((5, 5), (5, 5), 1, None),
    ((None, None), (8, 8), 2, None),
])
def test_stepped_iv_bounds(start, stop, step, want):
    assert stepped_iv_bounds(start, stop, step) == want
    if want is not None and start[0] == start[1] and stop[0] == stop[1]:
        # Agrees with Python's range where everything is constant.
        r = range(start[0], stop[1], step)
        assert want == (r[0], r[-1])


@pl.jit
def stepped_load_store(x: pl.Tensor[[16, 512], pl.FP32],
                       y: pl.Out[pl.Tensor[[16, 512], pl.FP32]]):
    for b in pl.spmd(2):
        for c in pl.range(0, 512, 128):
            t = pl.load(x, [b * 8, c], [8, 128])
            pl.store(pl.mul(t, 2.0), [b * 8, c], y)


def test_stepped_range_load_store_runs():
    # Before the fix pl.load said "offsets 0..511 + 128 elements" > 512.
    x = torch.randn(16, 512)
    y = torch.zeros(16, 512)
    stepped_load_store(x, y)
    assert torch.equal(y, x * 2)


@pl.jit
def stepped_past_the_end(x: pl.Tensor[[8, 512], pl.FP32],
                         y: pl.Out[pl.Tensor[[8, 512], pl.FP32]]):
    for b in pl.spmd(1):
        for c in pl.range(0, 520, 128):  # 0 .. 512: the last load leaves x
            pl.store(pl.load(x, [0, c], [8, 128]), [0, c], y)


def test_stepped_range_past_the_end_is_still_an_error():
    # range(0, 520, 128) reaches 512, and 512 + 128 > 512.
    with pytest.raises(CompileError) as info:
        stepped_past_the_end.ir()
    err = info.value
    assert "slice out of bounds in dimension 1" in err.brief
    assert "offsets 0..512 + 128 elements" in str(err)


# A pipeline of at most one iteration is one stage: S stages of a loop that
# runs once overlap nothing and multiply its buffers (pypto-lib's
# decode_sparse_attn_hca `quant` pipeline, range(0, T, 8) with T = 8).
@pl.jit
def one_pass_pipelines(x: pl.Tensor[[16, 64], pl.FP32],
                       y: pl.Out[pl.Tensor[[16, 64], pl.FP32]]):
    for b in pl.spmd(2):
        t0 = b * 8
        for r in pl.pipeline(t0, t0 + 8, 8, stage=2):       # once: t0
            y[r:r + 8, 0:32] = pl.mul(x[r:r + 8, 0:32], 2.0)
        for c in pl.pipeline(32, 64, 32, stage=3):          # once: 32
            y[t0:t0 + 8, c:c + 32] = pl.add(x[t0:t0 + 8, c:c + 32], 1.0)


@pl.jit
def two_pass_pipeline(x: pl.Tensor[[16, 64], pl.FP32],
                      y: pl.Out[pl.Tensor[[16, 64], pl.FP32]]):
    for b in pl.spmd(2):
        t0 = b * 8
        for c in pl.pipeline(0, 64, 32, stage=2):           # twice
            y[t0:t0 + 8, c:c + 32] = pl.mul(x[t0:t0 + 8, c:c + 32], 2.0)


def test_one_iteration_pipeline_is_one_stage():
    ir = one_pass_pipelines.ir()
    assert ir.count("tile.pipeline") == 2, ir
    assert ir.count("stages(1)") == 2 and "stages(2)" not in ir \
        and "stages(3)" not in ir, ir
    # Two iterations keep their stages.
    assert two_pass_pipeline.ir().count("stages(2)") == 1
    x = torch.randn(16, 64)
    y = torch.zeros(16, 64)
    one_pass_pipelines(x, y)
    torch.testing.assert_close(y, torch.cat([x[:, :32] * 2, x[:, 32:] + 1], 1))
    y = torch.zeros(16, 64)
    two_pass_pipeline(x, y)
    torch.testing.assert_close(y, x * 2)
