"""pl.relu, pl.lrelu, pl.maximums, pl.minimums (and their pl.tile
spellings) against torch in every vector dtype, and their misuses."""

from __future__ import annotations

import pytest
import torch

import tessel.language as pl
from tessel import CompileError


@pl.jit
def activations(x: pl.Tensor, r: pl.Out[pl.Tensor], l: pl.Out[pl.Tensor],
                mx: pl.Out[pl.Tensor], mn: pl.Out[pl.Tensor]):
    with pl.at(level=pl.Level.VECTOR):
        t = pl.load(x, [0, 0], [8, 32])
        pl.store(pl.relu(t), [0, 0], r)
        pl.store(pl.tile.lrelu(t, 0.25), [0, 0], l)
        pl.store(pl.maximums(t, 2), [0, 0], mx)
        pl.store(pl.tile.minimums(t, -3), [0, 0], mn)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.int32])
def test_activations_match_torch(dtype):
    torch.manual_seed(2)
    # Integers are multiples of 4 so that 0.25 * x is exact in INT32.
    x = (torch.randn(8, 32) * 8).round().to(dtype) * (4 if dtype is
                                                      torch.int32 else 1)
    if dtype is torch.int32:
        with pytest.raises(CompileError, match="integer scalar"):
            activations.compile(x, *[torch.empty_like(x) for _ in range(4)])
        return
    outs = [torch.empty_like(x) for _ in range(4)]
    activations(x, *outs)
    xf = x.float()
    want = [torch.relu(xf), torch.where(xf > 0, xf, 0.25 * xf),
            torch.clamp(xf, min=2), torch.clamp(xf, max=-3)]
    for got, w in zip(outs, want):
        torch.testing.assert_close(got, w.to(dtype))


@pl.jit
def int_relu(x: pl.Tensor, r: pl.Out[pl.Tensor], mx: pl.Out[pl.Tensor]):
    with pl.at(level=pl.Level.VECTOR):
        t = pl.load(x, [0, 0], [8, 32])
        pl.store(pl.relu(t), [0, 0], r)
        pl.store(pl.maximums(t, 5), [0, 0], mx)


def test_int32_relu_and_maximums():
    x = torch.arange(-128, 128, dtype=torch.int32).reshape(8, 32)
    r, mx = torch.empty_like(x), torch.empty_like(x)
    int_relu(x, r, mx)
    assert torch.equal(r, torch.relu(x))
    assert torch.equal(mx, torch.clamp(x, min=5))


def test_misuse():
    @pl.jit
    def two_tiles(x: pl.Tensor[[8, 32], pl.FP32],
                  y: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            t = pl.load(x, [0, 0], [8, 32])
            pl.store(pl.maximums(t, t), [0, 0], y)
    with pytest.raises(CompileError, match="pl.maximums takes a tile and a "
                       "compile-time number") as info:
        two_tiles.ir()
    assert "use pl.maximum for two tiles" in str(info.value)

    @pl.jit
    def tile_slope(x: pl.Tensor[[8, 32], pl.FP32],
                   y: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            t = pl.load(x, [0, 0], [8, 32])
            pl.store(pl.lrelu(t, t), [0, 0], y)
    with pytest.raises(CompileError, match="compile-time slope"):
        tile_slope.ir()

    @pl.jit
    def bf16(x: pl.Tensor[[8, 32], pl.BF16],
             y: pl.Out[pl.Tensor[[8, 32], pl.BF16]]):
        with pl.at(level=pl.Level.VECTOR):
            pl.store(pl.relu(pl.load(x, [0, 0], [8, 32])), [0, 0], y)
    with pytest.raises(CompileError, match="does not compute in BF16"):
        bf16.ir()
