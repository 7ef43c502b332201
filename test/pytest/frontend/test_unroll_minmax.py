"""`pl.unroll` (a compile-time unrolled loop) and the scalar `pl.min` /
`pl.max` on integers and runtime indices, against torch."""

from __future__ import annotations

import os

import pytest
import torch

import tessel.language as pl
from tessel import CompileError
from pysource import tagged_line

THIS_FILE = os.path.realpath(__file__)


def line_of(tag: str) -> int:
    return tagged_line(THIS_FILE, tag)


@pl.jit
def unrolled(x: pl.Tensor[[8, 64], pl.FP32],
             y: pl.Out[pl.Tensor[[8, 64], pl.FP32]],
             z: pl.Out[pl.Tensor[[8, 16], pl.FP32]]):
    for b in pl.spmd(2):
        r0 = b * 4
        # Four copies of the body, i = 0, 16, 32, 48 (Python ints).
        for i in pl.unroll(0, 64, 16):
            y[r0:r0 + 4, i:i + 16] = pl.mul(x[r0:r0 + 4, i:i + 16],
                                            float(i + 1))
        # min / max of a block index and constants: rows min(b * 4, 2) ..
        # and columns max(b * 8, 8) - 8 .. (b = 0: rows 0, cols 0; b = 1:
        # rows 2, cols 0).
        r = pl.min(b * 4, 2)
        c = pl.max(b * 8, 8) - 8
        z[r0:r0 + 4, :] = x[r:r + 4, c:c + 16]


def test_unroll_and_minmax_run():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(8, 64, generator=g)
    y, z = torch.zeros(8, 64), torch.zeros(8, 16)
    unrolled(x, y, z)
    want = torch.cat([x[:, i:i + 16] * (i + 1) for i in range(0, 64, 16)], 1)
    assert torch.equal(y, want)
    assert torch.equal(z[0:4], x[0:4, 0:16])
    assert torch.equal(z[4:8], x[2:6, 0:16])
    ir = unrolled.ir()
    assert "scf.for" not in ir          # unrolled, not a runtime loop
    assert "arith.minsi" in ir and "arith.maxsi" in ir


def test_compile_time_minmax_folds():
    @pl.jit
    def k(x: pl.Tensor[[8, 16], pl.FP32], y: pl.Out[pl.Tensor[[8, 16], pl.FP32]]):
        with pl.at(level=pl.Level.CORE_GROUP):
            y[:, :] = pl.mul(x[:, :], pl.max(2, 3) + pl.min(1.5, 4))
    x = torch.randn(8, 16)
    y = torch.zeros(8, 16)
    k(x, y)
    assert torch.equal(y, x * 4.5)


@pl.jit
def unroll_runtime(x: pl.Tensor[[8, 64], pl.FP32],
                   y: pl.Out[pl.Tensor[[8, 64], pl.FP32]]):
    for b in pl.spmd(2):
        for i in pl.unroll(b, 4):  # ERR-unroll
            y[:, :] = x[:, :]


@pl.jit
def min_of_tiles(x: pl.Tensor[[8, 64], pl.FP32],
                 y: pl.Out[pl.Tensor[[8, 64], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        y[:, :] = pl.min(x[:, :], x[:, :])  # ERR-min


@pytest.mark.parametrize("kernel,tag,brief", [
    (unroll_runtime, "ERR-unroll", "pl.unroll needs compile-time bounds"),
    (min_of_tiles, "ERR-min", "pl.min takes integers or runtime indices"),
])
def test_misuse(kernel, tag, brief):
    with pytest.raises(CompileError) as info:
        kernel.ir()
    err = info.value
    assert os.path.realpath(err.filename) == THIS_FILE
    assert err.line == line_of(tag), str(err)
    assert brief in err.brief, str(err)
