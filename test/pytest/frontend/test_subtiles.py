"""Tile subscripts (`t[a:b, c:d]` read: tile.extract; assigned:
tile.insert, placed on the tile's own bytes), `pl.log` and `pl.arange`,
against PyTorch through the CPU simulation, and their CompileErrors."""

from __future__ import annotations

import os
import re

import pytest
import torch

import tessel.language as pl
from tessel import CompileError
from pysource import tagged_line

THIS_FILE = os.path.realpath(__file__)


def line_of(tag: str) -> int:
    return tagged_line(THIS_FILE, tag)


@pl.jit
def subtiles(x: pl.Tensor[[8, 64], pl.FP32],
             win: pl.Out[pl.Tensor[[4, 32], pl.FP32]],
             cols: pl.Out[pl.Tensor[[8, 64], pl.FP32]],
             built: pl.Out[pl.Tensor[[8, 64], pl.FP32]],
             lg: pl.Out[pl.Tensor[[8, 64], pl.FP32]],
             ar: pl.Out[pl.Tensor[[2, 24], pl.INT32]],
             arf: pl.Out[pl.Tensor[[1, 40], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        t = x[:, :]
        # A constant window: rows 4..8, columns 16..48.
        win[:, :] = t[4:8, 16:48]
        # A runtime window: c in 0, 16, 32, 48 (the stepped loop's last
        # index 48 keeps c + 16 inside 64 columns).
        for c in pl.range(0, 64, 16):
            cols[:, c:c + 16] = pl.mul(t[:, c:c + 16], 2.0)
        # Building a tile column block by column block: `acc` is carried
        # through the loop, each tile.insert writes one 16-column window.
        acc = pl.full([8, 64], dtype=pl.FP32, value=0.0)
        for j in pl.range(4):
            acc[:, j * 16:j * 16 + 16] = pl.add(t[:, j * 16:j * 16 + 16],
                                                 float(1))
        acc[0:1, 0:8] = 5.0
        built[:, :] = acc
        lg[:, :] = pl.log(pl.abs(t))
        ar[:, :] = pl.arange(-5, [2, 24], dtype=pl.INT32)
        arf[:, :] = pl.arange(3, [1, 40], dtype=pl.FP32)


@pytest.fixture(scope="module")
def run():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(8, 64, generator=g)
    x[0, 0] = 0.0   # log(0) = -inf
    outs = [torch.zeros(4, 32), torch.zeros(8, 64), torch.zeros(8, 64),
            torch.zeros(8, 64), torch.zeros(2, 24, dtype=torch.int32),
            torch.zeros(1, 40)]
    subtiles(x, *outs)
    return x, outs


def test_constant_window(run):
    x, (win, *_) = run
    assert torch.equal(win, x[4:8, 16:48])


def test_runtime_window(run):
    x, (_, cols, *_) = run
    assert torch.equal(cols, x * 2)


def test_inserted_windows(run):
    x, (_, _, built, *_) = run
    want = x + 1
    want[0, 0:8] = 5.0
    assert torch.equal(built, want)


def test_log_and_arange(run):
    x, (_, _, _, lg, ar, arf) = run
    # The host libm's logf, within 2 ulp (docs/numerics.md).
    torch.testing.assert_close(lg, torch.log(x.abs()), rtol=3e-7, atol=0)
    assert lg[0, 0].item() == float("-inf")
    assert torch.equal(ar, torch.arange(-5, 43, dtype=torch.int32).reshape(2, 24))
    assert torch.equal(arf, torch.arange(3, 43, dtype=torch.float32).reshape(1, 40))


def test_insert_is_placed_on_the_tile_it_updates():
    """The loop-carried acc is updated in place: the tile.insert in the
    loop is placed at the carried storage, so each iteration writes only
    its 16-column window (no copy of the [8, 64] tile)."""
    placed = subtiles.ir(stage="placed")
    lines = placed.splitlines()
    loop = [l for l in lines if "iter_args(" in l and "8x64xf32" in l]
    assert len(loop) == 1, loop
    carried = re.search(r"places = \[(#tile.place<[^>]*>)\]", loop[0]).group(1)
    inserts = [l for l in lines if "tile.insert" in l and "into %arg" in l]
    assert len(inserts) == 1, inserts
    assert f"{{place = {carried}}}" in inserts[0], (carried, inserts[0])
    # The scalar assignment is a constant window.
    assert any("tile.full 5.000000e+00" in l for l in lines)


# -- misuse --------------------------------------------------------------

@pl.jit
def may_leave(x: pl.Tensor[[8, 64], pl.FP32],
              y: pl.Out[pl.Tensor[[8, 64], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        t = x[:, :]
        for j in pl.range(5):
            y[:, 0:16] = t[:, j * 16:j * 16 + 16]  # ERR-leave


@pl.jit
def wrong_dtype(x: pl.Tensor[[8, 64], pl.FP32],
                y: pl.Out[pl.Tensor[[8, 64], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        t = x[:, :]
        t[:, 0:16] = pl.cast(x[:, 0:16], target_type=pl.FP16)  # ERR-dtype
        y[:, :] = t


@pl.jit
def wrong_shape(x: pl.Tensor[[8, 64], pl.FP32],
                y: pl.Out[pl.Tensor[[8, 64], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        t = x[:, :]
        t[:, 0:16] = x[:, 0:32]  # ERR-shape
        y[:, :] = t


@pl.jit
def arange_inexact(y: pl.Out[pl.Tensor[[1, 16], pl.FP16]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        y[:, :] = pl.arange(2040, [1, 16], dtype=pl.FP16)  # ERR-arange


@pytest.mark.parametrize("kernel,tag,brief", [
    # j * 16 in 0..64 and 64 + 16 > 64.
    (may_leave, "ERR-leave", "tile subscript may leave dimension 1 of tile "
     "[8, 64] FP32"),
    (wrong_dtype, "ERR-dtype", "dtype mismatch in a tile subscript assignment"),
    (wrong_shape, "ERR-shape", "shape mismatch in a tile subscript assignment"),
    (arange_inexact, "ERR-arange", "pl.arange values 2040..2055 are not all "
     "exact in FP16"),
])
def test_misuse_is_a_compile_error_at_the_line(kernel, tag, brief):
    with pytest.raises(CompileError) as info:
        kernel.ir()
    err = info.value
    assert os.path.realpath(err.filename) == THIS_FILE, str(err)
    assert err.line == line_of(tag), str(err)
    assert brief in err.brief, str(err)
