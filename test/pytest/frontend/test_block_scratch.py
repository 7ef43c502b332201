"""`pl.create_tensor` in a `pl.parallel` / `pl.spmd` body, outside its
`pl.at` scopes (frontend/blockscratch.py): PyPTO makes it a GM tensor of
the iteration. Tessel keeps it an on-chip tile when one scope uses it and
it fits the Unified Buffer, and makes it GM scratch of the block
otherwise: handed from scope to scope, written at run-time offsets, an
N-D tensor assembled into, viewed outside the scopes, larger than UB.
Checked against torch on the CPU simulation and on the NPU back end (the
emitted PTO-ISA kernel on the host reference); misuse is a CompileError
at the author's line."""

from __future__ import annotations

import ast
import os

import pytest
import torch

import tessel.language as pl
from tessel import CompileError
from tessel.frontend import analysis
from pysource import tagged_line

THIS_FILE = os.path.realpath(__file__)


def line_of(tag: str) -> int:
    return tagged_line(THIS_FILE, tag)


def remarks(kernel, word="GM scratch"):
    return [(m, w[1]) for sev, m, w, _ in kernel.module().warnings
            if "REMARK" in sev and word in m]


# ---------------------------------------------------------------------------
# 1. Handed from scope to scope, written at run-time offsets (decode_front's
#    score tiles): per batch row b, a loop over a trip count read from
#    `lens` writes [4, 16] blocks of x * 2 at rows 4 * j of the scratch; the
#    next scope reads them back and adds 1.
#    B = 4 blocks, scratch [MAXJ * 4, 16] = [32, 16] FP32 per block, so the
#    GM tensor is [4 * 32, 16]; block b's rows are [32 b, 32 b + 32).
# ---------------------------------------------------------------------------

B, MAXJ = 4, 8


@pl.jit
def handoff(x: pl.Tensor[[B * MAXJ * 4, 16], pl.FP32],
            lens: pl.Tensor[[B], pl.INT32],
            y: pl.InOut[pl.Tensor[[B * MAXJ * 4, 16], pl.FP32]]):
    for b in pl.parallel(B):
        tiles = pl.create_tensor([MAXJ * 4, 16], dtype=pl.FP32)  # TAG-handoff
        n = pl.min(pl.read(lens, [b]), MAXJ)
        with pl.at(level=pl.Level.CORE_GROUP, name_hint="produce"):
            for j in pl.range(n):
                r = b * MAXJ * 4 + j * 4
                t = pl.mul(x[r:r + 4, :], 2.0)
                tiles = pl.assemble(tiles, t, [j * 4, 0])
        with pl.at(level=pl.Level.CORE_GROUP, name_hint="consume"):
            for j in pl.range(n):
                r = b * MAXJ * 4 + j * 4
                u = pl.add(tiles[j * 4:j * 4 + 4, :], 1.0)
                y[r:r + 4, :] = u


def handoff_inputs(seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(B * MAXJ * 4, 16, generator=g)
    lens = torch.tensor([3, 8, 0, 5], dtype=torch.int32)
    y = torch.full((B * MAXJ * 4, 16), -7.0)
    want = y.clone()
    for b in range(B):
        for j in range(int(lens[b])):
            r = b * MAXJ * 4 + j * 4
            want[r:r + 4] = x[r:r + 4] * 2.0 + 1.0
    return x, lens, y, want


def test_handoff_at_runtime_offsets_matches_torch():
    x, lens, y, want = handoff_inputs()
    handoff(x, lens, y)
    torch.testing.assert_close(y, want, rtol=0, atol=0)


def test_handoff_is_gm_scratch_per_block():
    ir = handoff.ir()
    # One copy of the [32, 16] scratch per block: [4 * 32, 16].
    assert 'tile.alloc_gm name("tiles") : memref<128x16xf32>' in ir
    rem = remarks(handoff)
    assert len(rem) == 1 and rem[0][1] == line_of("TAG-handoff")
    assert "each of its 4 blocks" in rem[0][0]
    assert "2 pl.at scopes use it" in rem[0][0]


def test_handoff_on_the_npu_back_end():
    x, lens, y, want = handoff_inputs(seed=3)
    handoff(x, lens, y, target="a2a3", backend="pto")
    torch.testing.assert_close(y, want, rtol=0, atol=0)


# ---------------------------------------------------------------------------
# 2. An N-D tensor assembled into, in a loop of the body (decode_4d's score
#    blocks): per block b and step g of a run-time loop, a [2, 1, 8, 16]
#    tensor whose block k is x[b, g] * (k + 1) (two [8, 16] tiles assembled
#    at [k, 0, 0, 0]); the next scope adds its two blocks: 3 x[b, g]. The
#    loop's iterations reuse the block's copy, one after the other.
# ---------------------------------------------------------------------------

G = 3


@pl.jit
def nd_blocks(x: pl.Tensor[[B * G * 8, 16], pl.FP32],
              y: pl.Out[pl.Tensor[[B * G * 8, 16], pl.FP32]]):
    for b in pl.parallel(B):
        for g in pl.range(G):
            pair = pl.create_tensor([2, 1, 8, 16], dtype=pl.FP32)  # TAG-nd
            r = (b * G + g) * 8
            with pl.at(level=pl.Level.CORE_GROUP, name_hint="write_pair"):
                for k in range(2):
                    t = pl.mul(x[r:r + 8, :], k + 1.0)
                    pair = pl.assemble(pair, t, [k, 0, 0, 0])
            with pl.at(level=pl.Level.CORE_GROUP, name_hint="sum_pair"):
                s0 = pl.reshape(pair[0:1, :, :, :], [8, 16])
                s1 = pl.reshape(pair[1:2, :, :, :], [8, 16])
                y[r:r + 8, :] = pl.add(s0, s1)


def test_nd_assemble_in_a_loop_matches_torch():
    g = torch.Generator().manual_seed(1)
    x = torch.randn(B * G * 8, 16, generator=g)
    y = torch.zeros(B * G * 8, 16)
    nd_blocks(x, y)
    torch.testing.assert_close(y, 3.0 * x, rtol=1e-6, atol=1e-6)
    assert 'tile.alloc_gm name("pair") : memref<8x1x8x16xf32>' in \
        nd_blocks.ir()
    assert remarks(nd_blocks)[0][1] == line_of("TAG-nd")


# ---------------------------------------------------------------------------
# 3. Where one scope uses it and it fits, it stays a tile (PyPTO's
#    accumulator idiom): no GM scratch, no remark.
# ---------------------------------------------------------------------------

@pl.jit
def accumulate(x: pl.Tensor[[B * 8, 64], pl.FP32],
               y: pl.Out[pl.Tensor[[B * 8, 16], pl.FP32]]):
    for b in pl.parallel(B):
        acc = pl.create_tensor([8, 16], dtype=pl.FP32)
        with pl.at(level=pl.Level.CORE_GROUP):
            for k in pl.range(4):
                acc = pl.add(acc, x[b * 8:b * 8 + 8, k * 16:k * 16 + 16])
            y[b * 8:b * 8 + 8, :] = acc


def test_one_scope_keeps_the_tile():
    g = torch.Generator().manual_seed(2)
    x = torch.randn(B * 8, 64, generator=g)
    y = torch.zeros(B * 8, 16)
    accumulate(x, y)
    want = sum(x[:, k * 16:k * 16 + 16] for k in range(4))
    torch.testing.assert_close(y, want, rtol=1e-6, atol=1e-6)
    assert "tile.alloc_gm" not in accumulate.ir()
    assert remarks(accumulate) == []


# ---------------------------------------------------------------------------
# 4. Larger than the Unified Buffer (188416 usable bytes on a2a3): a
#    [1024, 64] FP32 tensor is 262144 bytes, GM even with one scope.
# ---------------------------------------------------------------------------

@pl.jit
def too_big(x: pl.Tensor[[2, 64], pl.FP32],
            y: pl.Out[pl.Tensor[[2, 64], pl.FP32]]):
    for b in pl.parallel(2):
        big = pl.create_tensor([1024, 64], dtype=pl.FP32)  # TAG-big
        with pl.at(level=pl.Level.CORE_GROUP):
            big[1000:1001, :] = pl.exp(x[b:b + 1, :])
            y[b:b + 1, :] = pl.mul(big[1000:1001, :], 2.0)


def test_larger_than_ub_is_gm():
    g = torch.Generator().manual_seed(4)
    x = torch.randn(2, 64, generator=g)
    y = torch.zeros(2, 64)
    too_big(x, y)
    torch.testing.assert_close(y, torch.exp(x) * 2.0, rtol=1e-6, atol=1e-6)
    rem = remarks(too_big)
    assert len(rem) == 1 and rem[0][1] == line_of("TAG-big")
    assert "262144 bytes exceed the Unified Buffer (188416 bytes)" in rem[0][0]


# ---------------------------------------------------------------------------
# 5. Viewed outside the scopes (decode_back's node slice): a view of the
#    block's scratch taken in the body, loaded in the next scope.
# ---------------------------------------------------------------------------

@pl.jit
def viewed(x: pl.Tensor[[B * 8, 16], pl.FP32],
           y: pl.Out[pl.Tensor[[B * 4, 16], pl.FP32]]):
    for b in pl.parallel(B):
        s = pl.create_tensor([8, 16], dtype=pl.FP32)
        with pl.at(level=pl.Level.CORE_GROUP):
            s[:, :] = pl.neg(x[b * 8:b * 8 + 8, :])
        lower = s[4:8, :]
        with pl.at(level=pl.Level.CORE_GROUP):
            y[b * 4:b * 4 + 4, :] = lower[:, :]


def test_view_outside_the_scopes():
    g = torch.Generator().manual_seed(5)
    x = torch.randn(B * 8, 16, generator=g)
    y = torch.zeros(B * 4, 16)
    viewed(x, y)
    want = torch.cat([-x[b * 8 + 4:b * 8 + 8] for b in range(B)])
    assert torch.equal(y, want)
    assert "code outside the pl.at scopes reads it" in remarks(viewed)[0][0]


def test_the_others_on_the_npu_back_end():
    g = torch.Generator().manual_seed(6)
    x = torch.randn(B * G * 8, 16, generator=g)
    y = torch.zeros(B * G * 8, 16)
    nd_blocks(x, y, target="a2a3", backend="pto")
    torch.testing.assert_close(y, 3.0 * x, rtol=1e-6, atol=1e-6)
    x = torch.randn(B * 8, 16, generator=g)
    y = torch.zeros(B * 4, 16)
    viewed(x, y, target="a2a3", backend="pto")
    assert torch.equal(y, torch.cat([-x[b * 8 + 4:b * 8 + 8]
                                     for b in range(B)]))
    x = torch.randn(2, 64, generator=g)
    y = torch.zeros(2, 64)
    too_big(x, y, target="a2a3", backend="pto")
    torch.testing.assert_close(y, torch.exp(x) * 2.0, rtol=1e-6, atol=1e-6)


# ---------------------------------------------------------------------------
# Misuse
# ---------------------------------------------------------------------------

def test_init_value_on_block_scratch_is_an_error():
    @pl.jit
    def bad(x: pl.Tensor[[B * 8, 16], pl.FP32],
            y: pl.Out[pl.Tensor[[B * 8, 16], pl.FP32]]):
        for b in pl.parallel(B):
            s = pl.create_tensor([8, 16], dtype=pl.FP32, init_value=1.0)  # ERR-init
            with pl.at(level=pl.Level.CORE_GROUP):
                s[:, :] = x[b * 8:b * 8 + 8, :]
            with pl.at(level=pl.Level.CORE_GROUP):
                y[b * 8:b * 8 + 8, :] = s[:, :]
    with pytest.raises(CompileError) as info:
        bad.ir()
    assert info.value.line == line_of("ERR-init")
    assert "init_value= on 's'" in str(info.value)
    assert "GM scratch of the block" in str(info.value)


def test_read_before_written_is_an_error():
    @pl.jit
    def bad(x: pl.Tensor[[B * 8, 16], pl.FP32],
            y: pl.Out[pl.Tensor[[B * 8, 16], pl.FP32]]):
        for b in pl.parallel(B):
            s = pl.create_tensor([8, 16], dtype=pl.FP32)
            with pl.at(level=pl.Level.CORE_GROUP):
                y[b * 8:b * 8 + 8, :] = s[:, :]  # ERR-unwritten
            with pl.at(level=pl.Level.CORE_GROUP):
                s[:, :] = x[b * 8:b * 8 + 8, :]
    with pytest.raises(CompileError) as info:
        bad.ir()
    assert info.value.line == line_of("ERR-unwritten")
    assert "'s'" in str(info.value)


def test_write_past_the_block_rows_is_an_error():
    @pl.jit
    def bad(x: pl.Tensor[[B * 8, 16], pl.FP32],
            y: pl.Out[pl.Tensor[[B * 8, 16], pl.FP32]]):
        for b in pl.parallel(B):
            s = pl.create_tensor([8, 16], dtype=pl.FP32)
            with pl.at(level=pl.Level.CORE_GROUP):
                s[4:12, :] = x[b * 8:b * 8 + 8, :]  # ERR-bounds
            with pl.at(level=pl.Level.CORE_GROUP):
                y[b * 8:b * 8 + 8, :] = s[:, :]
    with pytest.raises(CompileError) as info:
        bad.ir()
    assert info.value.line == line_of("ERR-bounds")
    assert "out of bounds" in str(info.value)


# ---------------------------------------------------------------------------
# analysis.scope_uses (pure)
# ---------------------------------------------------------------------------

def _uses(src: str, name: str = "t"):
    stmts = ast.parse(src).body

    def is_at(w):
        return "pl.at" in ast.unparse(w.items[0].context_expr)
    scopes, outside = analysis.scope_uses(stmts, name, is_at)
    return [s.lineno for s in scopes], outside


@pytest.mark.parametrize("src, want", [
    # one scope assigns and reads it: a tile serves
    ("with pl.at():\n    t = f(t)\n    y[:] = t\n", ([1], False)),
    # two scopes: handed over
    ("with pl.at():\n    t = f(t)\nwith pl.at():\n    y[:] = t\n",
     ([1, 3], False)),
    # read outside the scopes (a view), in a loop of the body
    ("for i in r:\n    v = t[0:4]\n    with pl.at():\n        y[:] = v\n",
     ([], True)),
    # in a loop header
    ("for i in pl.range(t):\n    pass\n", ([], True)),
    # rebound outside the scopes: later uses are another tensor's
    ("with pl.at():\n    y[:] = t\nt = g()\nwith pl.at():\n    y[:] = t\n",
     ([1], False)),
    # a comprehension's own `t` is not the tensor
    ("ys = [t for t in range(3)]\nwith pl.at():\n    y[:] = 1\n",
     ([], False)),
    # a subscript store outside the scopes reads it
    ("t[0:4] = x\n", ([], True)),
    # unused
    ("with pl.at():\n    y[:] = x\n", ([], False)),
])
def test_scope_uses(src, want):
    assert _uses(src) == want
