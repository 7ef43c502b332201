"""The NPU path of the sort family: pl.sort32 (PTO-ISA TSORT32, its
3-operand form, the index tile as uint32_t), pl.mrgsort with block_len=
(the single-list TMRGSORT) and of 2 to 4 lists (the non-exhausted
multi-list TMRGSORT, its tmp the op's scratch), FP32 and FP16, on both
targets. Each kernel runs on the strict reference (runtime/pto) with
backend="pto" and must give the CPU simulation's bits and a torch-built
reference order."""

from __future__ import annotations

import shutil

import pytest
import torch

import tessel.language as pl

pytestmark = [
    pytest.mark.skipif(
        shutil.which("g++") is None and shutil.which("clang++") is None,
        reason="the PTO back end builds emitted kernels with a host C++ "
               "compiler"),
    pytest.mark.xdist_group("pto-sort"),
]

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
def merge_lists(x: pl.Tensor[[4, 32], pl.FP32], h: pl.Tensor[[2, 32], pl.FP16],
                two: pl.Out[pl.Tensor[[1, 128], pl.FP32]],
                three: pl.Out[pl.Tensor[[1, 192], pl.FP32]],
                four: pl.Out[pl.Tensor[[1, 256], pl.FP32]],
                htwo: pl.Out[pl.Tensor[[1, 256], pl.FP16]]):
    """The multi-list TMRGSORT: 2, 3 and 4 sorted rows of f32, 2 of f16."""
    with pl.at(level=pl.Level.VECTOR):
        ids = pl.arange(0, [1, 32], dtype=pl.UINT32)
        r0 = pl.sort32(x[0:1, :], ids)
        r1 = pl.sort32(x[1:2, :], ids)
        r2 = pl.sort32(x[2:3, :], ids)
        r3 = pl.sort32(x[3:4, :], ids)
        two[:, :] = pl.mrgsort(r0, r1)
        three[:, :] = pl.mrgsort(r0, r1, r2)
        four[:, :] = pl.mrgsort(r0, r1, r2, r3)
        htwo[:, :] = pl.mrgsort(pl.sort32(h[0:1, :], ids),
                                pl.sort32(h[1:2, :], ids))


@pytest.mark.parametrize("target", ("a2a3", "a5"))
def test_mrgsort_lists_on_the_reference(target):
    """Merged lists: the stable sort of the lists' pairs by value
    descending (ties: the earlier list), bit for bit with the CPU
    simulation."""
    g = torch.Generator().manual_seed(9)
    x = torch.randint(-5, 6, (4, 32), generator=g).float() / 2
    h = torch.randint(-5, 6, (2, 32), generator=g).half() / 2
    outs = [torch.zeros(1, 128), torch.zeros(1, 192), torch.zeros(1, 256),
            torch.zeros(1, 256, dtype=torch.float16)]
    cpu = [t.clone() for t in outs]
    merge_lists(x, h, *outs, target=target, backend="pto")
    merge_lists(x, h, *cpu, backend="cpu")
    for k, (got, want) in enumerate(zip(outs, cpu)):
        dt = torch.int32 if got.dtype == torch.float32 else torch.int16
        assert torch.equal(got.view(dt), want.view(dt)), k
    rows = ref_sort32(x, torch.arange(32)[None])
    for n, got in ((2, outs[0]), (3, outs[1]), (4, outs[2])):
        want = ref_merge_runs(sum(rows[:n], []))
        assert same(pairs_f32(got[0]), want), n
    hrows = ref_sort32(h.float(), torch.arange(32)[None])
    assert same(pairs_f16(outs[3][0]), ref_merge_runs(hrows[0] + hrows[1]))
    assert "MrgSortExecutedNumList" in merge_lists.pto(target).source
