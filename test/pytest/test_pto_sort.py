"""The NPU path of the sort family: pl.sort32 (PTO-ISA TSORT32, its
3-operand form, the index tile as uint32_t) and pl.mrgsort with block_len=
(the single-list TMRGSORT), FP32 and FP16, on both targets. Each kernel
runs on the strict reference (runtime/pto) with backend="pto" and must give
the CPU simulation's bits and a torch-built reference order; the 2- to
4-list pl.mrgsort stays an error at the author's line."""

from __future__ import annotations

import os
import shutil

import pytest
import torch

import tessel.language as pl
from tessel import CompileError

pytestmark = [
    pytest.mark.skipif(
        shutil.which("g++") is None and shutil.which("clang++") is None,
        reason="the PTO back end builds emitted kernels with a host C++ "
               "compiler"),
    pytest.mark.xdist_group("pto-sort"),
]

THIS_FILE = os.path.realpath(__file__)
with open(THIS_FILE) as _f:
    SOURCE_LINES = _f.read().splitlines()

N = 128


@pl.jit
def sort_f32(x: pl.Tensor[[4, N], pl.FP32], i: pl.Tensor[[4, N], pl.UINT32],
             shared: pl.Out[pl.Tensor[[4, 2 * N], pl.FP32]],
             rows: pl.Out[pl.Tensor[[4, 2 * N], pl.FP32]],
             merged: pl.Out[pl.Tensor[[1, 2 * N], pl.FP32]]):
    """sort32 with one index row for every row (pl.arange) and with an
    index per row; mrgsort of row 0's 4 runs of 32 pairs."""
    with pl.at(level=pl.Level.VECTOR):
        ids = pl.arange(0, [1, N], dtype=pl.UINT32)
        t = x[:, :]
        shared[:, :] = pl.sort32(t, ids)
        rows[:, :] = pl.sort32(t, i[:, :])
        merged[:, :] = pl.mrgsort(pl.sort32(x[0:1, :], ids), block_len=64)


@pl.jit
def sort_f16(x: pl.Tensor[[2, 64], pl.FP16],
             s: pl.Out[pl.Tensor[[2, 256], pl.FP16]],
             merged: pl.Out[pl.Tensor[[1, 256], pl.FP16]]):
    with pl.at(level=pl.Level.VECTOR):
        ids = pl.arange(0, [1, 64], dtype=pl.UINT32)
        s[:, :] = pl.sort32(x[:, :], ids)
        merged[:, :] = pl.mrgsort(pl.sort32(x[0:1, :], ids), block_len=64)


def ref_sort32(x: torch.Tensor, idx: torch.Tensor):
    """Per row and block of 32: (value, index) pairs, value descending
    (NaN+ first, NaN- last), then index ascending, then position."""
    out = []
    for r in range(x.shape[0]):
        row = []
        ir = idx[0 if idx.shape[0] == 1 else r]
        for b in range(0, x.shape[1], 32):
            block = [(x[r, b + k].item(), int(ir[b + k]) & 0xffffffff, k)
                     for k in range(32)]
            block.sort(key=lambda p: (_neg_key(p[0]), p[1], p[2]))
            row += [(v, i) for v, i, _ in block]
        out.append(row)
    return out


def _neg_key(v: float):
    """Ascending = Tessel's descending order: NaN+ first, NaN- last, -0 ==
    +0."""
    t = torch.tensor(v, dtype=torch.float32)
    if v != v:
        return (-2,) if not t.signbit().item() else (2,)
    return (0, -v)


def pairs_f32(row: torch.Tensor):
    v = row[0::2].tolist()
    i = row[1::2].view(torch.int32).tolist()
    return [(a, b & 0xffffffff) for a, b in zip(v, i)]


def pairs_f16(row: torch.Tensor):
    v = row[0::4].float().tolist()
    lo = row[2::4].view(torch.int16).to(torch.int64) & 0xffff
    hi = row[3::4].view(torch.int16).to(torch.int64) & 0xffff
    return list(zip(v, (lo | (hi << 16)).tolist()))


def same(a, b):
    """Pair lists equal, NaN == NaN."""
    return len(a) == len(b) and all(
        (x == y or (x != x and y != y)) and i == j
        for (x, i), (y, j) in zip(a, b))


def ref_merge_runs(pairs, runs=4):
    """A stable sort of the runs' pairs by value descending (for runs
    already sorted, the merge that takes the earlier run's pair on ties);
    no NaNs."""
    return sorted(pairs, key=lambda p: -p[0])


@pytest.mark.parametrize("target", ("a2a3", "a5"))
def test_sort32_and_mrgsort_f32_on_the_reference(target):
    g = torch.Generator().manual_seed(7)
    x = torch.randint(-6, 7, (4, N), generator=g).float() / 4
    x[0, 0:3] = 1.5                      # ties in block 0 and across runs
    x[0, 40] = x[0, 70] = 1.5
    x[1, 5], x[1, 6] = -0.0, 0.0
    x[1, 7], x[1, 8] = float("inf"), float("-inf")
    x[2, 9] = float("nan")
    x[2, 10] = -float("nan")
    i64 = torch.randint(0, 2**32 - 1, (4, N), generator=g,
                        dtype=torch.int64)
    i64[3, 0] = i64[3, 1]                # an equal index: position decides
    i = i64.to(torch.uint32)
    outs = [torch.full((4, 2 * N), 7.0), torch.full((4, 2 * N), 7.0),
            torch.full((1, 2 * N), 7.0)]
    cpu = [t.clone() for t in outs]
    sort_f32(x, i, *outs, target=target, backend="pto")
    sort_f32(x, i, *cpu, backend="cpu")
    for k, (got, want) in enumerate(zip(outs, cpu)):
        assert torch.equal(got.view(torch.int32), want.view(torch.int32)), k
    shared, rows, merged = outs
    ids = torch.arange(N, dtype=torch.int64)[None]
    want_shared = ref_sort32(x, ids)
    want_rows = ref_sort32(x, i64)
    for r in range(4):
        assert same(pairs_f32(shared[r]), want_shared[r]), r
        assert same(pairs_f32(rows[r]), want_rows[r]), r
    # Row 0 has no NaN: the merge is the stable sort of its runs.
    assert same(pairs_f32(merged[0]), ref_merge_runs(want_shared[0]))
    # Equal values: ascending index within a block, the earlier run first.
    assert [i for v, i in pairs_f32(merged[0]) if v == 1.5] == \
        torch.nonzero(x[0] == 1.5).flatten().tolist()
    source = sort_f32.pto(target).source
    assert "TSORT32(" in source and "TMRGSORT(" in source


@pytest.mark.parametrize("target", ("a2a3", "a5"))
def test_sort32_and_mrgsort_f16_on_the_reference(target):
    g = torch.Generator().manual_seed(8)
    x = torch.randint(-8, 9, (2, 64), generator=g).half() / 4
    x[0, 0:3] = 0.5
    x[0, 20] = x[0, 40] = 0.5
    outs = [torch.zeros(2, 256, dtype=torch.float16),
            torch.zeros(1, 256, dtype=torch.float16)]
    cpu = [t.clone() for t in outs]
    sort_f16(x, *outs, target=target, backend="pto")
    sort_f16(x, *cpu, backend="cpu")
    for k, (got, want) in enumerate(zip(outs, cpu)):
        assert torch.equal(got.view(torch.int16), want.view(torch.int16)), k
    s, merged = outs
    want = ref_sort32(x.float(), torch.arange(64)[None])
    for r in range(2):
        assert same(pairs_f16(s[r]), want[r]), r
    assert same(pairs_f16(merged[0]), ref_merge_runs(want[0]))
    # The padding half of each pair is zero, as pto-isa writes it.
    assert torch.equal(s.view(torch.int16)[:, 1::4],
                       torch.zeros(2, 64, dtype=torch.int16))


@pl.jit
def two_lists(x: pl.Tensor[[1, 64], pl.FP32],
              o: pl.Out[pl.Tensor[[1, 256], pl.FP32]]):
    with pl.at(level=pl.Level.VECTOR):
        ids = pl.arange(0, [1, 64], dtype=pl.UINT32)
        a = pl.sort32(x[:, :], ids)
        o[:, :] = pl.mrgsort(a, a)  # ERR-lists


def test_multi_list_mrgsort_is_an_error_at_the_line():
    with pytest.raises(CompileError) as info:
        two_lists.pto("a2a3")
    err = info.value
    assert os.path.realpath(err.filename) == THIS_FILE, str(err)
    assert err.line == [n for n, t in enumerate(SOURCE_LINES, 1)
                        if t.rstrip().endswith("# ERR-lists")][0]
    assert "TMRGSORT (the multi-list form)" in str(err), str(err)
