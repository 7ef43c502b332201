"""`pl.read` outside the core scopes (PyPTO's orchestration-level reads):
the value read, and scalar arithmetic on it, is used inside the scopes —
as a slice offset, in a further read, as a scalar operand. The frontend
sinks the read into each scope that uses it (frontend/orchestration.py);
results against torch, the IR checked for where the reads land, and uses
that cannot be sunk are a CompileError at the read."""

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


B, S, D = 4, 32, 64


# qwen3's RoPE step: per batch row, the position is read from seq_lens in the
# function-level pl.parallel body and used for the cos / sin rows of the
# scope below it (a subscript and a pl.slice with the INT32 scalar offset).
@pl.jit
def rope_rows(seq_lens: pl.Tensor[[B], pl.INT32],
              cos: pl.Tensor[[S, D], pl.FP32],
              sin: pl.Tensor[[S, D], pl.FP32],
              x: pl.Tensor[[B, D], pl.FP32],
              out: pl.Out[pl.Tensor[[B, D], pl.FP32]]):
    for b in pl.parallel(B):
        pos = pl.read(seq_lens, [b]) - 1
        with pl.at(level=pl.Level.CORE_GROUP):
            c = cos[pos:pos + 1, :]
            s = pl.slice(sin, [1, D], [pos, 0])
            xb = x[b:b + 1, :]
            out[b:b + 1, :] = pl.add(pl.mul(xb, c), pl.mul(xb, s))
    return out


def test_position_read_in_the_parallel_body_offsets_the_scope():
    seq = torch.tensor([3, 1, 32, 7], dtype=torch.int32)
    cos, sin, x = torch.randn(S, D), torch.randn(S, D), torch.randn(B, D)
    out = torch.zeros(B, D)
    rope_rows(seq, cos, sin, x, out)
    rows = (seq - 1).long()
    # Elementwise FP32 mul and add: the CPU simulation rounds as torch does.
    torch.testing.assert_close(out, x * cos[rows] + x * sin[rows],
                               rtol=0, atol=0)
    ir = rope_rows.ir()
    # One read (load + get) per block, inside the core scope: nothing is
    # left at the spmd level.
    at = ir.index("tile.at")
    assert ir.count("tile.get") == 1 and ir.index("tile.get") > at, ir


# A configuration read at function level, used by two scopes: a row offset
# (`base + 2`, the same index atom as `base`, so the slice has the static
# size 2), an FP32 scale read through it, and a second read whose index is
# the first value read.
@pl.jit
def two_scopes(cfg: pl.Tensor[[2], pl.INT32],
               table: pl.Tensor[[8], pl.INT32],
               scale: pl.Tensor[[S, 1], pl.FP32],
               x: pl.Tensor[[S, D], pl.FP32],
               y: pl.Out[pl.Tensor[[4, D], pl.FP32]]):
    base = pl.read(cfg, [0])
    row = pl.read(table, [base])
    k = pl.read(scale, [row, 0])
    with pl.at(level=pl.Level.CORE_GROUP):
        y[0:2, :] = pl.mul(x[base:base + 2, :], k)
    with pl.at(level=pl.Level.CORE_GROUP):
        y[2:4, :] = x[row:row + 2, :]
    return y


def test_a_function_level_read_reaches_every_scope_that_uses_it():
    cfg = torch.tensor([5, 0], dtype=torch.int32)
    table = torch.tensor([0, 1, 2, 3, 4, 9, 6, 7], dtype=torch.int32)
    scale, x = torch.randn(S, 1), torch.randn(S, D)
    y = torch.zeros(4, D)
    two_scopes(cfg, table, scale, x, y)
    torch.testing.assert_close(y[0:2], x[5:7] * scale[9, 0], rtol=0, atol=0)
    torch.testing.assert_close(y[2:4], x[9:11], rtol=0, atol=0)
    ir = two_scopes.ir()
    # Scope 1 needs cfg[0], table[cfg[0]] and scale[...] (3 reads), scope 2
    # cfg[0] and table[cfg[0]] (2 reads): 5 tile.get, none before the first
    # scope.
    assert ir.count("tile.get") == 5, ir
    assert ir.index("tile.get") > ir.index("tile.at"), ir


# Slices taken outside the scopes are views (PyPTO's tensor views): loaded
# or stored where a scope uses them, at the view's offset plus the index.
@pl.jit
def rope_views(seq_lens: pl.Tensor[[B], pl.INT32],
               cos: pl.Tensor[[S, D], pl.FP32],
               x: pl.Tensor[[B, D], pl.FP32],
               out: pl.Out[pl.Tensor[[B, D], pl.FP32]]):
    for b in pl.parallel(B):
        pos = pl.read(seq_lens, [b]) - 1
        c_lo = cos[pos:pos + 1, 0:D // 2]
        c_hi = pl.slice(cos, [1, D // 2], [pos, D // 2])
        o_hi = out[b:b + 1, D // 2:D]
        with pl.at(level=pl.Level.CORE_GROUP):
            lo = pl.mul(x[b:b + 1, 0:D // 2], c_lo[:, :])
            hi = pl.mul(x[b:b + 1, D // 2:D],
                        pl.load(c_hi, [0, 0], [1, D // 2]))
            out[b:b + 1, 0:D // 2] = lo
            o_hi[:, :] = hi
    return out


def test_slices_outside_the_scopes_are_views():
    seq = torch.tensor([3, 1, 32, 7], dtype=torch.int32)
    cos, x = torch.randn(S, D), torch.randn(B, D)
    out = torch.zeros(B, D)
    rope_views(seq, cos, x, out)
    torch.testing.assert_close(out, x * cos[(seq - 1).long()], rtol=0,
                               atol=0)


# A block index and an integer scalar in one offset (qwen3's KV-cache row
# `b * MAX_SEQ + pos`): index arithmetic on the value read.
@pl.jit
def cache_rows(seq_lens: pl.Tensor[[B], pl.INT32],
               cache: pl.Tensor[[B * S, D], pl.FP32],
               out: pl.Out[pl.Tensor[[B, D], pl.FP32]]):
    for b in pl.parallel(B):
        pos = pl.read(seq_lens, [b]) - 1
        row = b * S + pos
        with pl.at(level=pl.Level.CORE_GROUP):
            out[b:b + 1, :] = cache[row:row + 1, :]
    return out


def test_block_index_plus_a_value_read():
    seq = torch.tensor([3, 1, 32, 7], dtype=torch.int32)
    cache = torch.randn(B * S, D)
    out = torch.zeros(B, D)
    cache_rows(seq, cache, out)
    rows = torch.arange(B) * S + (seq - 1).long()
    torch.testing.assert_close(out, cache[rows], rtol=0, atol=0)


@pl.jit
def reshape_a_view(x: pl.Tensor[[S, D], pl.FP32],
                   y: pl.Out[pl.Tensor[[S, D], pl.FP32]]):
    v = pl.reshape(x[0:2, :], [1, 2 * D])  # ERR-reshape
    with pl.at(level=pl.Level.CORE_GROUP):
        y[:, :] = x[:, :]
    return y


# An INT64 configuration element (read as its two 32-bit halves) as an
# offset outside the scopes.
@pl.jit
def int64_offset(cfg: pl.Tensor[[2], pl.INT64],
                 x: pl.Tensor[[S, D], pl.FP32],
                 y: pl.Out[pl.Tensor[[2, D], pl.FP32]]):
    r = pl.read(cfg, [1])
    with pl.at(level=pl.Level.CORE_GROUP):
        y[:, :] = x[r:r + 2, :]
    return y


def test_an_int64_read_outside_the_scopes():
    x = torch.randn(S, D)
    y = torch.zeros(2, D)
    int64_offset(torch.tensor([0, 17], dtype=torch.int64), x, y)
    torch.testing.assert_close(y, x[17:19], rtol=0, atol=0)
    assert "tile.reinterpret_view" in int64_offset.ir()


@pl.jit
def spmd_count(cfg: pl.Tensor[[1], pl.INT32],
               x: pl.Tensor[[S, D], pl.FP32],
               y: pl.Out[pl.Tensor[[S, D], pl.FP32]]):
    n = pl.read(cfg, [0])
    for b in pl.spmd(n):  # ERR-spmd
        y[b:b + 1, :] = x[b:b + 1, :]
    return y


@pl.jit
def write_outside(cfg: pl.Tensor[[1], pl.INT32],
                  y: pl.Out[pl.Tensor[[1], pl.INT32]]):
    pl.write(y, [0], pl.read(cfg, [0]))  # ERR-write
    return y


# A block count read at run time is refused where it is used (without a
# call there is no value to specialise on); a pl.write outside the scopes
# where it is written. (Loop bounds read at run time:
# test_orchestration_control.py.)
@pytest.mark.parametrize("kernel,tag", [
    (spmd_count, "ERR-spmd"),
    (write_outside, "ERR-write"), (reshape_a_view, "ERR-reshape")])
def test_uses_that_cannot_be_sunk_are_errors_at_the_read(kernel, tag):
    with pytest.raises(CompileError) as info:
        kernel.ir()
    err = info.value
    assert os.path.realpath(err.filename) == THIS_FILE, str(err)
    assert err.line == line_of(tag), str(err)
