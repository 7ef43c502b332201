"""`pl.reshape` of a view taken outside the scopes (a GM tensor sliced at
function level, PyPTO's tensor view at an offset): deepseek_v3_2
decode_back's `[1, B, A]` slice of the combine buffer at a node index
read from GM, reshaped to `[B, A]`. A reshape that drops or adds unit
dimensions is the viewed tensor reshaped (builtins.squeeze_plan);
checked against torch on the CPU simulation and the NPU back end; any
other reshape of such a view is a CompileError at the author's line."""

from __future__ import annotations

import os

import pytest
import torch

import tessel.language as pl
from tessel import CompileError
from tessel.frontend.builtins import squeeze_plan
from pysource import tagged_line

THIS_FILE = os.path.realpath(__file__)


def line_of(tag: str) -> int:
    return tagged_line(THIS_FILE, tag)


E, BATCH, A, BT = 4, 16, 64, 8


# The node index comes from GM (a data-dependent offset, clamped into the
# tensor). For node n and row block b0 the view is buf[n, b0:b0 + 8, :];
# as [8, 64] it is the tensor viewed as [4 * 16, 64] at rows n * 16 + b0.
# A second view adds unit dimensions: buf[n, b0, 0:64] as [1, 1, 64] then
# [1, 64] (a row of the [16, 64] node slice).
@pl.jit
def node_rows(buf: pl.Tensor[[E, BATCH, A], pl.FP32],
              node_t: pl.Tensor[[1], pl.INT32],
              y: pl.Out[pl.Tensor[[BATCH, A], pl.FP32]],
              first: pl.Out[pl.Tensor[[BATCH // BT, A], pl.FP32]]):
    node = pl.cast(pl.tensor.read(node_t, [0]), pl.INDEX)
    for b0 in pl.range(0, BATCH, BT):
        v3 = pl.slice(buf, [1, BT, A], [node, b0, 0])
        v2 = pl.reshape(v3, [BT, A])
        row = pl.reshape(pl.slice(buf, [1, 1, A], [node, b0, 0]), [1, A])
        with pl.at(level=pl.Level.CORE_GROUP):
            y[b0:b0 + BT, :] = pl.mul(v2[:, :], 3.0)
            first[b0 // BT:b0 // BT + 1, :] = row[:, :]


def run_node_rows(n, **kw):
    g = torch.Generator().manual_seed(n)
    buf = torch.randn(E, BATCH, A, generator=g)
    y = torch.zeros(BATCH, A)
    first = torch.zeros(BATCH // BT, A)
    node_rows(buf, torch.tensor([n], dtype=torch.int32), y, first, **kw)
    assert torch.equal(y, buf[n] * 3.0)
    assert torch.equal(first, buf[n, 0:BATCH:BT])


@pytest.mark.parametrize("n", [0, 2, 3])
def test_reshaped_node_view_matches_torch(n):
    run_node_rows(n)


def test_reshaped_node_view_on_the_npu_back_end():
    run_node_rows(1, target="a2a3", backend="pto")


def test_reshape_across_dimensions_is_an_error():
    @pl.jit
    def bad(buf: pl.Tensor[[E, BATCH, A], pl.FP32],
            y: pl.Out[pl.Tensor[[1, BT * A], pl.FP32]]):
        v3 = pl.slice(buf, [1, BT, A], [1, 2, 0])
        flat = pl.reshape(v3, [1, BT * A])  # ERR-across
        with pl.at(level=pl.Level.CORE_GROUP):
            y[:, :] = flat[:, :]
    with pytest.raises(CompileError) as info:
        bad.ir()
    assert info.value.line == line_of("ERR-across")
    assert "moves elements across dimensions" in str(info.value)


def _mul_add(a, k, b):
    return a * k + b


@pytest.mark.parametrize("extents, offsets, view, shape, want", [
    # decode_back: [1, 8, 64] at [n, b0, 0] of [4, 16, 64] -> [8, 64]:
    # rows n * 16 + b0 of [64, 64] (n = 3, b0 = 8: row 56).
    ([4, 16, 64], [3, 8, 0], [1, 8, 64], [8, 64], ([64, 64], [56, 0])),
    # adding unit dimensions: [8, 64] at [5, 0] of [16, 64] -> [1, 8, 1, 64]
    ([16, 64], [5, 0], [8, 64], [1, 8, 1, 64],
     ([1, 16, 1, 64], [0, 5, 0, 0])),
    # two unit dimensions in front: [1, 1, 4, 8] at [1, 2, 3, 0] of
    # [2, 3, 8, 8] -> [4, 8]: rows (1 * 3 + 2) * 8 + 3 = 43 of [48, 8]
    ([2, 3, 8, 8], [1, 2, 3, 0], [1, 1, 4, 8], [4, 8], ([48, 8], [43, 0])),
    # every unit dimension merged, one added back: [1, 1, 64] at [1, 2, 0]
    # of [4, 16, 64] -> [1, 64]: element (1 * 16 + 2) * 64 = 1152 of 4096
    ([4, 16, 64], [1, 2, 0], [1, 1, 64], [1, 64], ([1, 4096], [0, 1152])),
    # moving elements across dimensions: not a squeeze
    ([4, 16, 64], [0, 0, 0], [1, 8, 64], [1, 512], None),
    # dropping a trailing unit dimension: the view's column is strided
    ([16, 8], [0, 3], [16, 1], [16], None),
])
def test_squeeze_plan(extents, offsets, view, shape, want):
    assert squeeze_plan(extents, offsets, view, shape, _mul_add) == want
