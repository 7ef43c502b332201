"""The index ops against torch and pto-isa's definitions: pl.UINT32 tiles
(pl.arange, casts to and from INT32, UINT32 tensors), the index forms of
pl.gather / pl.scatter (out-of-range indices: 0 / no write), pl.sort32
and pl.mrgsort (bit for bit with TSORT32 / TMRGSORT: descending, ties by
smaller index in sort32, by earlier run in the merges), a top-k built from
them against torch.topk, the mask gather's output_dtype, and
pl.assemble(..., atomic=pl.AtomicType.Add) from several blocks; each
misuse is a CompileError at the author's line, and the NPU back end names
what it does not emit yet."""

from __future__ import annotations

import inspect
import shutil

import pytest
import torch

import tessel.language as pl
from tessel import CompileError


# One worker runs the module: its kernels (and the module fixture) are
# compiled once.
pytestmark = pytest.mark.xdist_group("index_ops")

needs_cxx = pytest.mark.skipif(
    shutil.which("g++") is None and shutil.which("clang++") is None,
    reason="the PTO back end builds emitted kernels with a host C++ compiler")


def _line(fn, text):
    src, first = inspect.getsourcelines(fn)
    return first + next(i for i, s in enumerate(src) if text in s)


# -- reference semantics (pto-isa docs/isa, include/pto/cpu) --------------

def ref_sort32(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """TSORT32 on f32 rows: per block of 32, (value, index) pairs by value
    descending, then index ascending; pairs interleaved, the index as raw
    bits. Returns an int32 view [M, 2C] (values' bits and indices)."""
    m, c = x.shape
    out = torch.empty(m, 2 * c, dtype=torch.int32)
    idx = idx.expand(m, c)
    for r in range(m):
        for b in range(0, c, 32):
            pairs = sorted(zip(x[r, b:b + 32].tolist(),
                               idx[r, b:b + 32].tolist()),
                           key=lambda p: (-p[0], p[1]))
            for p, (v, i) in enumerate(pairs):
                out[r, 2 * (b + p)] = torch.tensor([v]).view(torch.int32)[0]
                out[r, 2 * (b + p) + 1] = i
    return out


def ref_merge(lists):
    """TMRGSORT's merge: take the largest value; of equal values the pair
    of the earliest list (a strict > comparison)."""
    pos = [0] * len(lists)
    out = []
    while True:
        pick = None
        for n, lst in enumerate(lists):
            if pos[n] < len(lst) and (pick is None or
                                      lst[pos[n]][0] > lists[pick][pos[pick]][0]):
                pick = n
        if pick is None:
            return out
        out.append(lists[pick][pos[pick]])
        pos[pick] += 1


def pairs_of(row: torch.Tensor):
    """[(value, index)] of a one-row f32 pair tile."""
    v = row[0::2].tolist()
    i = row.view(torch.int32)[1::2].tolist()
    return list(zip(v, i))


# -- one kernel for the sort family (compiled once per module) ----------

N = 128   # 4 blocks of 32


@pl.jit
def sorting(x: pl.Tensor[[4, N], pl.FP32],
            s32: pl.Out[pl.Tensor[[4, 2 * N], pl.FP32]],
            m64: pl.Out[pl.Tensor[[1, 2 * N], pl.FP32]],
            two: pl.Out[pl.Tensor[[1, 4 * N], pl.FP32]],
            vals: pl.Out[pl.Tensor[[4, 16], pl.FP32]],
            idx: pl.Out[pl.Tensor[[4, 16], pl.INT32]]):
    with pl.at(level=pl.Level.CORE_GROUP, name_hint="sorting"):
        ids = pl.arange(0, [1, N], dtype=pl.UINT32)
        t = x[0:4, :]
        s = pl.sort32(t, ids)                       # one index row, 4 rows
        s32[0:4, :] = s
        r0 = pl.sort32(x[0:1, :], ids)
        m = pl.mrgsort(r0, block_len=64)            # 4 runs of 32 pairs
        m64[0:1, :] = m
        r1 = pl.mrgsort(pl.sort32(x[1:2, :], ids), block_len=64)
        two[0:1, :] = pl.mrgsort(m, r1)             # two sorted lists
        for r in pl.range(4):
            row = pl.mrgsort(pl.sort32(x[r:r + 1, :], ids), block_len=64)
            top = row[:, 0:32]
            vals[r:r + 1, :] = pl.gather(
                top, mask_pattern=pl.tile.MaskPattern.P0101)
            idx[r:r + 1, :] = pl.gather(
                top, mask_pattern=pl.tile.MaskPattern.P1010,
                output_dtype=pl.INT32)


@pytest.fixture(scope="module")
def sorted_outputs():
    g = torch.Generator().manual_seed(3)
    x = torch.randn(4, N, generator=g)
    # Ties inside a block (sort32 orders them by index) and across runs
    # (the merge takes the earlier run), -0.0 == 0.0, and infinities.
    x[0, 0:4] = 1.5
    x[0, 40] = 1.5
    x[0, 70] = 1.5
    x[0, 5], x[0, 6] = -0.0, 0.0
    x[0, 7], x[0, 8] = float("inf"), float("-inf")
    x[1, 3] = x[1, 100] = 0.25
    outs = [torch.full((4, 2 * N), 7.0), torch.full((1, 2 * N), 7.0),
            torch.full((1, 4 * N), 7.0), torch.zeros(4, 16),
            torch.zeros(4, 16, dtype=torch.int32)]
    sorting(x, *outs)
    return x, outs


def test_sort32_is_bit_exact(sorted_outputs):
    x, (s32, *_) = sorted_outputs
    want = ref_sort32(x, torch.arange(N, dtype=torch.int32)[None])
    assert torch.equal(s32.view(torch.int32), want)
    block0 = pairs_of(s32[0, 0:64])
    assert block0[0] == (float("inf"), 7) and block0[-1] == (float("-inf"), 8)
    # Ties keep the smaller index first: columns 0..3 of row 0 hold 1.5,
    # and -0.0 (column 5) ties with 0.0 (column 6).
    assert [i for v, i in block0 if v == 1.5] == [0, 1, 2, 3]
    assert [i for v, i in block0 if v == 0.0] == [5, 6]


def test_mrgsort_block_len_merges_runs(sorted_outputs):
    x, (s32, m64, *_) = sorted_outputs
    runs = [pairs_of(s32[0, b:b + 64]) for b in range(0, 2 * N, 64)]
    assert pairs_of(m64[0]) == ref_merge(runs)
    # The whole row is sorted: values descending, indices a permutation.
    vals = [p[0] for p in pairs_of(m64[0])]
    assert vals == sorted(vals, reverse=True)
    assert sorted(p[1] for p in pairs_of(m64[0])) == list(range(N))
    # Equal values across runs: the earlier run's (smaller index) first.
    ties = [p[1] for p in pairs_of(m64[0]) if p[0] == 1.5]
    assert ties == [0, 1, 2, 3, 40, 70]


def test_mrgsort_of_two_lists(sorted_outputs):
    x, (s32, m64, two, *_) = sorted_outputs
    row1 = ref_merge([pairs_of(s32[1, b:b + 64]) for b in range(0, 2 * N, 64)])
    assert pairs_of(two[0]) == ref_merge([pairs_of(m64[0]), row1])


def test_topk_matches_torch(sorted_outputs):
    x, (*_, vals, idx) = sorted_outputs
    want_v, want_i = torch.topk(x, 16, dim=-1, largest=True, sorted=True)
    assert torch.equal(vals, want_v)
    # Ties may order differently from torch: each index must hold its value.
    assert torch.equal(torch.gather(x, 1, idx.long()), want_v)


# -- FP16 pairs: [value, 0, index bits 0..15, bits 16..31] ---------------

def ref_sort32_f16(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """TSORT32 on f16 rows as an int16 view [M, 4C]."""
    m, c = x.shape
    out = torch.empty(m, 4 * c, dtype=torch.int16)
    for r in range(m):
        for b in range(0, c, 32):
            pairs = sorted(zip(x[r, b:b + 32].float().tolist(),
                               idx[0, b:b + 32].tolist()),
                           key=lambda p: (-p[0], p[1]))
            for p, (v, i) in enumerate(pairs):
                at = 4 * (b + p)
                out[r, at] = torch.tensor([v]).half().view(torch.int16)[0]
                out[r, at + 1] = 0
                out[r, at + 2:at + 4] = torch.tensor([i], dtype=torch.int32) \
                    .view(torch.int16)
    return out


def pairs_of_f16(row: torch.Tensor):
    """[(value, index)] of a one-row f16 pair tile."""
    v = row[0::4].float().tolist()
    i = row.view(torch.int16).view(-1, 4)[:, 2:].contiguous() \
        .view(torch.int32).view(-1).tolist()
    return list(zip(v, i))


@pl.jit
def sorting_f16(x: pl.Tensor[[2, 64], pl.FP16],
                s32: pl.Out[pl.Tensor[[2, 256], pl.FP16]],
                m64: pl.Out[pl.Tensor[[1, 256], pl.FP16]],
                two: pl.Out[pl.Tensor[[1, 512], pl.FP16]]):
    with pl.at(level=pl.Level.VECTOR, name_hint="sorting_f16"):
        ids = pl.arange(0, [1, 64], dtype=pl.UINT32)
        s32[0:2, :] = pl.sort32(x[0:2, :], ids)
        m = pl.mrgsort(pl.sort32(x[0:1, :], ids), block_len=64)
        m64[0:1, :] = m
        r1 = pl.mrgsort(pl.sort32(x[1:2, :], ids), block_len=64)
        two[0:1, :] = pl.mrgsort(m, r1)


def test_fp16_sort_and_merge_are_bit_exact():
    g = torch.Generator().manual_seed(4)
    x = torch.randn(2, 64, generator=g).half()
    x[0, 0:3] = 0.5                  # ties in block 0, and across runs:
    x[0, 20] = x[0, 40] = 0.5        # 20 is in run 1, 40 in run 2
    outs = [torch.zeros(2, 256, dtype=torch.float16),
            torch.zeros(1, 256, dtype=torch.float16),
            torch.zeros(1, 512, dtype=torch.float16)]
    sorting_f16(x, *outs)
    s32, m64, two = outs
    ids = torch.arange(64, dtype=torch.int32)[None]
    assert torch.equal(s32.view(torch.int16), ref_sort32_f16(x, ids))
    runs = [pairs_of_f16(s32[0, b:b + 64]) for b in range(0, 256, 64)]
    assert pairs_of_f16(m64[0]) == ref_merge(runs)
    assert [i for v, i in pairs_of_f16(m64[0]) if v == 0.5] == [0, 1, 2, 20, 40]
    row1 = ref_merge([pairs_of_f16(s32[1, b:b + 64]) for b in range(0, 256, 64)])
    assert pairs_of_f16(two[0]) == ref_merge([pairs_of_f16(m64[0]), row1])
    # The padding half of each pair is zero, as pto-isa writes it.
    assert torch.equal(m64.view(torch.int16)[0, 1::4], torch.zeros(64, dtype=torch.int16))


# -- index gather and scatter -------------------------------------------

@pl.jit
def gather_scatter(x: pl.Tensor[[4, 64], pl.FP32],
                   i: pl.Tensor[[4, 16], pl.INT32],
                   d: pl.Tensor[[4, 64], pl.INT32],
                   g: pl.Out[pl.Tensor[[4, 16], pl.FP32]],
                   gi: pl.Out[pl.Tensor[[4, 16], pl.INT32]],
                   s: pl.Out[pl.Tensor[[4, 64], pl.FP32]],
                   si: pl.Out[pl.Tensor[[4, 64], pl.INT32]]):
    with pl.at(level=pl.Level.VECTOR, name_hint="gather_scatter"):
        t = x[0:4, :]
        idx = i[0:4, :]
        gt = pl.gather(t, dim=-1, index=idx)
        g[0:4, :] = gt
        di = d[0:4, :]
        gi[0:4, :] = pl.tensor.gather(di, -1, idx)
        s[0:4, :] = pl.scatter(t, -1, idx, pl.mul(gt, 2.0))
        si[0:4, :] = pl.tensor.scatter(di, dim=-1, index=idx,
                                       src=pl.tensor.gather(di, -1, idx))


def test_gather_and_scatter_by_index():
    g = torch.Generator().manual_seed(11)
    x = torch.randn(4, 64, generator=g)
    d = torch.randint(-1000, 1000, (4, 64), generator=g, dtype=torch.int32)
    i = torch.randint(0, 64, (4, 16), generator=g, dtype=torch.int32)
    # Out of range: a negative index and one past the row read 0 and
    # write nothing; a repeated index: the later write wins.
    i[0, 0], i[0, 1] = -1, 64
    i[1, 5] = i[1, 6] = 9
    outs = [torch.empty(4, 16), torch.empty(4, 16, dtype=torch.int32),
            torch.empty(4, 64), torch.empty(4, 64, dtype=torch.int32)]
    gather_scatter(x, i, d, *outs)
    ok = (i >= 0) & (i < 64)
    safe = i.long().clamp(0, 63)
    torch.testing.assert_close(
        outs[0], torch.where(ok, torch.gather(x, 1, safe), 0.0),
        rtol=0, atol=0)
    assert torch.equal(outs[1], torch.where(ok, torch.gather(d, 1, safe), 0))
    want = x.clone()
    want_i = d.clone()
    for r in range(4):
        for k in range(16):
            if ok[r, k]:
                want[r, i[r, k]] = 2 * outs[0][r, k]
                want_i[r, i[r, k]] = outs[1][r, k]
    assert torch.equal(outs[2], want)
    assert torch.equal(outs[3], want_i)
    # The in-range part is torch.scatter's (no duplicates in row 2).
    row = 2
    assert torch.equal(outs[2][row], x[row].scatter(
        0, i[row].long(), 2 * torch.gather(x[row], 0, i[row].long())))


# -- UINT32 ----------------------------------------------------------------

@pl.jit
def uint32_kernel(u: pl.Tensor[[1, 64], pl.UINT32],
                  au: pl.Out[pl.Tensor[[1, 64], pl.UINT32]],
                  ai: pl.Out[pl.Tensor[[1, 64], pl.INT32]],
                  back: pl.Out[pl.Tensor[[1, 64], pl.UINT32]]):
    with pl.at(level=pl.Level.VECTOR):
        a = pl.arange(3, [1, 64], dtype=pl.UINT32)
        au[0:1, :] = a
        ai[0:1, :] = pl.cast(u[0:1, :], pl.INT32)
        back[0:1, :] = pl.cast(pl.cast(u[0:1, :], pl.INT32), pl.UINT32)


def test_uint32_tiles_and_casts():
    u = torch.tensor([[0, 1, 2**31, 2**32 - 1] * 16], dtype=torch.uint32)
    au = torch.zeros(1, 64, dtype=torch.uint32)
    ai = torch.zeros(1, 64, dtype=torch.int32)
    back = torch.zeros(1, 64, dtype=torch.uint32)
    uint32_kernel(u, au, ai, back)
    # torch.uint32 has few ops: compare through int64.
    assert torch.equal(au.to(torch.int64), torch.arange(3, 67)[None])
    assert torch.equal(ai, u.to(torch.int32))           # the same bits
    assert torch.equal(back.to(torch.int64), u.to(torch.int64))


@pl.jit
def tensor_arange_kernel(a: pl.Out[pl.Tensor[[2, 32], pl.INT32]]):
    with pl.at(level=pl.Level.VECTOR):
        a[0:2, :] = pl.tensor.arange(5, [2, 32], dtype=pl.INT32)


def test_tensor_arange_is_arange():
    """pl.tensor.arange (deepseek_v3_2's decode_front) is pl.arange:
    element (i, j) = 5 + 32 i + j."""
    a = torch.zeros(2, 32, dtype=torch.int32)
    tensor_arange_kernel(a)
    assert torch.equal(a, torch.arange(5, 69, dtype=torch.int32).view(2, 32))
    b = torch.zeros(2, 32, dtype=torch.int32)
    tensor_arange_kernel(b, target="a2a3", backend="pto")
    assert torch.equal(b, a)


# -- INT64 / INDEX ---------------------------------------------------------

@pl.jit
def int64_kernel(x: pl.Tensor[[2, 32], pl.INT64],
                 i: pl.Tensor[[2, 8], pl.INT32],
                 wide: pl.Out[pl.Tensor[[2, 32], pl.INT64]],
                 narrow: pl.Out[pl.Tensor[[2, 32], pl.INT32]],
                 picked: pl.Out[pl.Tensor[[2, 8], pl.INDEX]]):
    with pl.at(level=pl.Level.VECTOR):
        t = x[0:2, :]
        n = pl.cast(t, pl.INT32)                  # wraps, as torch
        narrow[0:2, :] = n
        wide[0:2, :] = pl.cast(n, pl.INT64)       # sign extension
        idx = pl.cast(pl.gather(t, dim=-1, index=i[0:2, :]), pl.INDEX)
        picked[0:2, :] = idx


def test_int64_and_index_tiles():
    x = torch.tensor([[2**40 + 5, -3, 2**31, -(2**31) - 1] * 8] * 2,
                     dtype=torch.int64)
    x[1] += 7
    i = torch.tensor([[0, 1, 2, 3, 31, 30, 5, 4]] * 2, dtype=torch.int32)
    wide = torch.zeros(2, 32, dtype=torch.int64)
    narrow = torch.zeros(2, 32, dtype=torch.int32)
    picked = torch.zeros(2, 8, dtype=torch.int64)
    int64_kernel(x, i, wide, narrow, picked)
    assert torch.equal(narrow, x.to(torch.int32))
    assert torch.equal(wide, x.to(torch.int32).to(torch.int64))
    assert torch.equal(picked, torch.gather(x, 1, i.long()))


def test_64_bit_tiles_are_a_diagnostic_on_the_npu():
    x = torch.zeros(2, 32, dtype=torch.int64)
    i = torch.zeros(2, 8, dtype=torch.int32)
    with pytest.raises(CompileError, match="no 64-bit integer tiles"):
        int64_kernel(x, i, torch.zeros_like(x),
                     torch.zeros(2, 32, dtype=torch.int32),
                     torch.zeros(2, 8, dtype=torch.int64), backend="pto")


def test_task_id_is_not_an_element_type():
    @pl.jit
    def task_tile(o: pl.Out[pl.Tensor[[1, 16], pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            t = pl.full([1, 16], dtype=pl.TASK_ID, value=0)
            o[0:1, :] = t
    _error(task_tile, "pl.TASK_ID is a task handle", "dtype=pl.TASK_ID")


# -- atomic assemble -----------------------------------------------------

@pl.jit
def split_k(a: pl.Tensor[[8, 64], pl.FP32], o: pl.Out[pl.Tensor[[8, 16], pl.FP32]],
            c: pl.Out[pl.Tensor[[8, 16], pl.INT32]]):
    # Four blocks each add a 16-column slice of a into the same o.
    for b in pl.spmd(4, name_hint="split_k"):
        part = a[0:8, b * 16:b * 16 + 16]
        o = pl.assemble(o, part, [0, 0], atomic=pl.AtomicType.Add)
        ones = pl.full([8, 16], dtype=pl.INT32, value=1)
        pl.tensor.assemble(c, ones, [0, 0], atomic=pl.AtomicType.Add)


def test_atomic_assemble_accumulates():
    a = torch.randn(8, 64)
    o = torch.full((8, 16), 0.5)
    c = torch.full((8, 16), 10, dtype=torch.int32)
    split_k(a, o, c)
    want = 0.5 + a.view(8, 4, 16).sum(1)
    torch.testing.assert_close(o, want, rtol=1e-6, atol=1e-6)
    assert torch.equal(c, torch.full((8, 16), 14, dtype=torch.int32))


def test_plain_assemble_from_several_blocks_is_a_race():
    @pl.jit
    def racy(a: pl.Tensor[[8, 64], pl.FP32],
             o: pl.Out[pl.Tensor[[8, 16], pl.FP32]]):
        for b in pl.spmd(4, name_hint="racy"):
            pl.assemble(o, a[0:8, b * 16:b * 16 + 16], [0, 0])
    with pytest.raises(CompileError, match="race on"):
        racy(torch.zeros(8, 64), torch.zeros(8, 16))


@needs_cxx
def test_atomic_assemble_on_the_npu_reference():
    """TSTORE<..., AtomicType::AtomicAdd> on the strict reference: the same
    sums (blocks in another order: f32 up to rounding, int32 exactly)."""
    a = torch.randn(8, 64)
    o = torch.full((8, 16), 0.5)
    c = torch.full((8, 16), 10, dtype=torch.int32)
    split_k(a, o, c, backend="pto")
    torch.testing.assert_close(o, 0.5 + a.view(8, 4, 16).sum(1), rtol=1e-6,
                               atol=1e-6)
    assert torch.equal(c, torch.full((8, 16), 14, dtype=torch.int32))


def test_index_scatter_is_a_diagnostic_on_the_npu():
    # pl.sort32, the block_len= pl.mrgsort (test_pto_sort.py) and the index
    # gather (test_pto_gaps.py) run on the NPU back end; the index scatter
    # does not yet.
    @pl.jit
    def scatter_ids(x: pl.Tensor[[1, 32], pl.FP32],
                    i: pl.Tensor[[1, 8], pl.INT32],
                    s: pl.Tensor[[1, 8], pl.FP32],
                    o: pl.Out[pl.Tensor[[1, 32], pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            o[0:1, :] = pl.scatter(x[0:1, :], -1, i[0:1, :], s[0:1, :])
    with pytest.raises(CompileError, match="TSCATTER \\(index form\\)"):
        scatter_ids(torch.zeros(1, 32), torch.zeros(1, 8, dtype=torch.int32),
                    torch.zeros(1, 8), torch.zeros(1, 32), backend="pto")


# -- misuse ----------------------------------------------------------------

def _error(fn, match, text):
    with pytest.raises(CompileError, match=match) as info:
        fn.ir()
    assert info.value.line == _line(fn, text), str(info.value)


def test_misuse():
    @pl.jit
    def gather_dim0(x: pl.Tensor[[4, 64], pl.FP32],
                    i: pl.Tensor[[4, 8], pl.INT32],
                    o: pl.Out[pl.Tensor[[4, 8], pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            o[0:4, :] = pl.gather(x[0:4, :], dim=0, index=i[0:4, :])
    _error(gather_dim0, "works along the last dimension", "dim=0")

    @pl.jit
    def float_index(x: pl.Tensor[[4, 64], pl.FP32],
                    o: pl.Out[pl.Tensor[[4, 64], pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            t = x[0:4, :]
            o[0:4, :] = pl.gather(t, dim=-1, index=t)
    _error(float_index, "holds INT32 column indices", "index=t")

    @pl.jit
    def mixed(x: pl.Tensor[[4, 64], pl.FP32],
              i: pl.Tensor[[4, 8], pl.INT32],
              o: pl.Out[pl.Tensor[[4, 8], pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            o[0:4, :] = pl.gather(x[0:4, :], dim=-1, index=i[0:4, :],
                                  mask_pattern=pl.tile.MaskPattern.P0101)
    _error(mixed, "do not mix", "pl.gather(")

    @pl.jit
    def compare_form(x: pl.Tensor[[4, 64], pl.FP32],
                     o: pl.Out[pl.Tensor[[4, 8], pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            o[0:4, :] = pl.gather(x[0:4, :], kvalue=1.0, cmp_mode="eq",
                                  out_cols=8)
    _error(compare_form, "compare form", "pl.gather(")

    @pl.jit
    def wide_output(x: pl.Tensor[[1, 64], pl.FP32],
                    o: pl.Out[pl.Tensor[[1, 32], pl.INT8]]):
        with pl.at(level=pl.Level.VECTOR):
            o[0:1, :] = pl.gather(x[0:1, :], mask_pattern=pl.tile.MaskPattern.P0101,
                                  output_dtype=pl.INT8)
    _error(wide_output, "must have the input's width", "output_dtype=pl.INT8")

    @pl.jit
    def bf16_sort(x: pl.Tensor[[1, 64], pl.BF16],
                  o: pl.Out[pl.Tensor[[1, 128], pl.BF16]]):
        with pl.at(level=pl.Level.VECTOR):
            ids = pl.arange(0, [1, 64], dtype=pl.UINT32)
            o[0:1, :] = pl.sort32(x[0:1, :], ids)
    _error(bf16_sort, "sorts FP16 or FP32 values", "x[0:1, :], ids")

    @pl.jit
    def mixed_lists(x: pl.Tensor[[1, 32], pl.FP32],
                    h: pl.Tensor[[1, 32], pl.FP16],
                    o: pl.Out[pl.Tensor[[1, 192], pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            ids = pl.arange(0, [1, 32], dtype=pl.UINT32)
            a = pl.sort32(x[0:1, :], ids)
            b = pl.sort32(h[0:1, :], ids)
            o[0:1, :] = pl.mrgsort(a, b)
    _error(mixed_lists, "dtype mismatch in pl.mrgsort", "pl.mrgsort(a, b)")

    @pl.jit
    def int_ids(x: pl.Tensor[[1, 64], pl.FP32],
                o: pl.Out[pl.Tensor[[1, 128], pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            ids = pl.arange(0, [1, 64], dtype=pl.INT32)
            o[0:1, :] = pl.sort32(x[0:1, :], ids)
    _error(int_ids, "indices of pl.sort32 are UINT32", "pl.sort32(")

    @pl.jit
    def tail(x: pl.Tensor[[1, 48], pl.FP32],
             o: pl.Out[pl.Tensor[[1, 96], pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            ids = pl.arange(0, [1, 48], dtype=pl.UINT32)
            o[0:1, :] = pl.sort32(x[0:1, :], ids)
    _error(tail, "whole blocks of 32", "pl.sort32(")

    @pl.jit
    def bad_block(x: pl.Tensor[[1, 128], pl.FP32],
                  o: pl.Out[pl.Tensor[[1, 256], pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            ids = pl.arange(0, [1, 128], dtype=pl.UINT32)
            o[0:1, :] = pl.mrgsort(pl.sort32(x[0:1, :], ids), block_len=48)
    _error(bad_block, "positive multiple of 64", "block_len=48")

    @pl.jit
    def groups(x: pl.Tensor[[1, 128], pl.FP32],
               o: pl.Out[pl.Tensor[[1, 256], pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            ids = pl.arange(0, [1, 128], dtype=pl.UINT32)
            o[0:1, :] = pl.mrgsort(pl.sort32(x[0:1, :], ids), block_len=128)
    _error(groups, "groups of 4 runs of 128", "block_len=128")

    @pl.jit
    def exhausted(x: pl.Tensor[[1, 64], pl.FP32],
                  o: pl.Out[pl.Tensor[[1, 256], pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            ids = pl.arange(0, [1, 64], dtype=pl.UINT32)
            s = pl.sort32(x[0:1, :], ids)
            o[0:1, :] = pl.mrgsort(s, s, exhausted=True)
    _error(exhausted, "exhausted=True", "exhausted=True")

    @pl.jit
    def uint_float(x: pl.Tensor[[1, 64], pl.FP32],
                   o: pl.Out[pl.Tensor[[1, 64], pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            ids = pl.arange(0, [1, 64], dtype=pl.UINT32)
            o[0:1, :] = pl.cast(ids, pl.FP32)
    _error(uint_float, "cast through pl.INT32", "pl.cast(ids")

    @pl.jit
    def uint_add(o: pl.Out[pl.Tensor[[1, 64], pl.UINT32]]):
        with pl.at(level=pl.Level.VECTOR):
            ids = pl.arange(0, [1, 64], dtype=pl.UINT32)
            o[0:1, :] = pl.add(ids, ids)
    _error(uint_add, "UINT32", "pl.add(ids, ids)")

    @pl.jit
    def into_tile(x: pl.Tensor[[1, 64], pl.FP32],
                  o: pl.Out[pl.Tensor[[1, 64], pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            t = x[0:1, :]
            pl.assemble(t, t, [0, 0], atomic=pl.AtomicType.Add)
    _error(into_tile, "writes into a GM tensor", "pl.assemble(t")

    @pl.jit
    def uint_atomic(o: pl.Out[pl.Tensor[[1, 64], pl.UINT32]]):
        with pl.at(level=pl.Level.VECTOR):
            ids = pl.arange(0, [1, 64], dtype=pl.UINT32)
            pl.assemble(o, ids, [0, 0], atomic=pl.AtomicType.Add)
    _error(uint_atomic, "adds FP32, FP16, BF16, INT32, INT8 only",
           "pl.assemble(o")

    @pl.jit
    def bad_atomic(o: pl.Out[pl.Tensor[[1, 64], pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            z = pl.full([1, 64], dtype=pl.FP32, value=0.0)
            pl.assemble(o, z, [0, 0], atomic="add")
    _error(bad_atomic, "takes a pl.AtomicType", 'atomic="add"')
