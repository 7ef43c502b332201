"""`pl.create_l1` and `pl.gather_row` (frontend/l1gather.py): GM rows
gathered into an L1 accumulator that feeds a matmul, against PyTorch
through the CPU simulation (paged rows, run-time valid row counts,
transpose=True, in loops and under `if`s), and each misuse a CompileError
at the author's line."""

from __future__ import annotations

import os

import pytest
import torch

import tessel.language as pl
from tessel import CompileError
from tessel.runtime import RunConfig
from pysource import tagged_line

THIS_FILE = os.path.realpath(__file__)


def line_of(tag: str) -> int:
    return tagged_line(THIS_FILE, tag)


K, D, BS, NB, H = 16, 32, 8, 6, 16


# ---------------------------------------------------------------------------
# A paged gather: logical position p of the sequence lives in page
# block_table[p // BS], row p % BS; a negative index gathers row 0 (and is
# what the reference does too). The accumulator is carried through a
# pl.range loop, each row written under an `if`; it feeds two matmuls,
# S = Q K^T (b_trans) and O = S_bf16 K.
# ---------------------------------------------------------------------------

@pl.jit
def paged_qk(q: pl.Tensor[[H, D], pl.BF16],
             pool: pl.Tensor[[NB * BS, D], pl.BF16],
             block_table: pl.Tensor[[NB], pl.INT32],
             pos: pl.Tensor[[K], pl.INT32],
             s: pl.Out[pl.Tensor[[H, K], pl.FP32]],
             o: pl.Out[pl.Tensor[[H, D], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        kv = pl.create_l1([K, D], pl.BF16)
        for r in pl.range(K):
            p = pl.read(pos, [r])
            if p >= 0:
                blk = pl.cast(pl.read(block_table, [p // BS]), pl.INDEX)
                kv = pl.gather_row(kv, pool, [r, 0], [blk * BS + p % BS, 0],
                                   [1, D])
            else:
                kv = pl.tensor.gather_row(kv, pool, [r, 0], [0, 0], [1, D])
        qt = pl.load(q, [0, 0], [H, D], target_memory=pl.MemorySpace.Mat)
        sc = pl.matmul(qt, kv, b_trans=True, out_dtype=pl.FP32)
        pl.store(sc, [0, 0], s)
        o_t = pl.matmul(pl.cast(sc, target_type=pl.BF16), kv,
                        out_dtype=pl.FP32)
        pl.store(o_t, [0, 0], o)
    return s, o


def _paged_rows(pool, block_table, pos):
    rows = []
    for p in pos.tolist():
        rows.append(0 if p < 0 else
                    int(block_table[p // BS]) * BS + p % BS)
    return pool[torch.tensor(rows)]


def test_paged_gather_feeds_both_matmul_operands():
    g = torch.Generator().manual_seed(0)
    q = torch.randn(H, D, generator=g).bfloat16()
    pool = torch.randn(NB * BS, D, generator=g).bfloat16()
    block_table = torch.randperm(NB, generator=g).to(torch.int32)
    # Positions 0..13 in order, then two invalid slots (-1).
    pos = torch.tensor(list(range(3, 17)) + [-1, -1], dtype=torch.int32)
    s, o = torch.zeros(H, K), torch.zeros(H, D)
    paged_qk(q, pool, block_table, pos, s, o)
    kv = _paged_rows(pool, block_table, pos).float()
    s_ref = q.float() @ kv.T
    torch.testing.assert_close(s, s_ref, rtol=1e-5, atol=1e-5)
    o_ref = s.bfloat16().float() @ kv
    torch.testing.assert_close(o, o_ref, rtol=1e-5, atol=1e-4)
    # The accumulator lives in L1, carried through the loop: the zero fill,
    # each row's load and each insert are placed in L1.
    placed = paged_qk.ir(stage="placed")
    assert "tile.full 0.000000e+00 {place = #tile.place<l1" in placed, placed
    rows = [line for line in placed.splitlines()
            if "tile.insert" in line or "memref<48x32xbf16> ->" in line]
    assert len(rows) == 4, rows
    assert all("#tile.place<l1" in line for line in rows), rows


# ---------------------------------------------------------------------------
# Run-time valid row counts: a run of n consecutive rows (n read from a
# tensor) lands at row lo, then the tail up to `fill` with rows 0, 1, ...
# of src when it is not empty. With shapes [K, D] and valid_shape=[n, D] only n
# rows move; a run past the accumulator's last row stops there. An
# identity matmul (exact for BF16 values) brings the accumulator out.
# ---------------------------------------------------------------------------

@pl.jit
def runs(eye: pl.Tensor[[K, K], pl.BF16],
         src: pl.Tensor[[64, D], pl.BF16],
         meta: pl.Tensor[[4], pl.INT32],
         out: pl.Out[pl.Tensor[[K, D], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        acc = pl.create_l1([K, D], pl.BF16)
        lo = pl.min(pl.max(pl.cast(pl.read(meta, [0]), pl.INDEX), 0), K)
        n = pl.min(pl.max(pl.cast(pl.read(meta, [1]), pl.INDEX), 0), K)
        start = pl.cast(pl.read(meta, [2]), pl.INDEX)
        fill = pl.min(pl.cast(pl.read(meta, [3]), pl.INDEX), K)
        if n > 0:
            acc = pl.gather_row(acc, src, [lo, 0], [start, 0], [K, D],
                                valid_shape=[n, D])
        tail = fill - pl.min(lo + n, K)
        if tail > 0:
            acc = pl.gather_row(acc, src, [pl.min(lo + n, K), 0], [0, 0],
                                [K, D], valid_shape=[tail, D])
        # A compile-time valid shape: 2 rows x 16 columns at [14, 16].
        acc = pl.gather_row(acc, src, [14, 16], [start, 0], [4, D],
                            valid_shape=[2, 16])
        e = pl.load(eye, [0, 0], [K, K], target_memory=pl.MemorySpace.Mat)
        pl.store(pl.matmul(e, acc, out_dtype=pl.FP32), [0, 0], out)
    return out


def _runs_ref(src, lo, n, start, fill):
    acc = torch.zeros(K, D)
    lo = min(max(lo, 0), K)
    n = min(n, K)
    for i in range(max(0, min(n, K - lo))):
        acc[lo + i] = src[start + i].float()
    end = min(lo + n, K)
    for i in range(max(0, min(fill, K) - end)):
        acc[end + i] = src[i].float()
    acc[14:16, 16:32] = src[start:start + 2, 0:16].float()
    return acc


@pytest.mark.parametrize("lo, n, start, fill", [
    (0, K, 5, 0),       # the whole accumulator in one run
    (3, 5, 40, 12),     # rows 3..7 from 40..44, rows 8..11 from 0..3
    (10, 9, 7, 0),      # 10 + 9 > 16: rows 10..15 only (6 rows)
    (4, 0, 2, 6),       # an empty run; rows 4..5 from rows 0..1
    (15, 1, 60, 16),    # the last row alone
])
def test_runtime_valid_row_counts(lo, n, start, fill):
    g = torch.Generator().manual_seed(1)
    src = torch.randn(64, D, generator=g).bfloat16()
    eye = torch.eye(K).bfloat16()
    meta = torch.tensor([lo, n, start, fill], dtype=torch.int32)
    out = torch.zeros(K, D)
    runs(eye, src, meta, out)
    torch.testing.assert_close(out, _runs_ref(src, lo, n, start, fill),
                               rtol=0, atol=0)


# ---------------------------------------------------------------------------
# A destination row read from data (its range unknown to the compiler):
# rows that land outside the accumulator are not written (-1 and 16 here).
# ---------------------------------------------------------------------------

@pl.jit
def scattered(eye: pl.Tensor[[K, K], pl.BF16],
              src: pl.Tensor[[64, D], pl.BF16],
              dst: pl.Tensor[[6], pl.INT32],
              out: pl.Out[pl.Tensor[[K, D], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        acc = pl.create_l1([K, D], pl.BF16)
        for r in pl.range(6):
            d = pl.cast(pl.read(dst, [r]), pl.INDEX)
            acc = pl.gather_row(acc, src, [d, 0], [2 * r, 0], [1, D])
        e = pl.load(eye, [0, 0], [K, K], target_memory=pl.MemorySpace.Mat)
        pl.store(pl.matmul(e, acc, out_dtype=pl.FP32), [0, 0], out)
    return out


def test_destination_rows_of_unknown_range():
    g = torch.Generator().manual_seed(3)
    src = torch.randn(64, D, generator=g).bfloat16()
    dst = torch.tensor([5, -1, 0, 16, 15, 7], dtype=torch.int32)
    out = torch.zeros(K, D)
    scattered(torch.eye(K).bfloat16(), src, dst, out)
    ref = torch.zeros(K, D)
    for r, d in enumerate(dst.tolist()):
        if 0 <= d < K:
            ref[d] = src[2 * r].float()
    torch.testing.assert_close(out, ref, rtol=0, atol=0)


# ---------------------------------------------------------------------------
# transpose=True: GM row [1, D] lands as the column [D, 1] at [0, r]; a
# [2, D] window as the [D, 2] block, a [K, D] window as the whole [D, K].
# The [D, K] accumulator is the untransposed B of S = Q K^T.
# ---------------------------------------------------------------------------

@pl.jit
def transposed(q: pl.Tensor[[H, D], pl.BF16],
               src: pl.Tensor[[64, D], pl.BF16],
               idx: pl.Tensor[[K], pl.INT32],
               s: pl.Out[pl.Tensor[[H, K], pl.FP32]],
               s2: pl.Out[pl.Tensor[[H, K], pl.FP32]],
               s3: pl.Out[pl.Tensor[[H, K], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        kt = pl.create_l1([D, K], pl.BF16, transpose=True)
        for r in pl.range(K):
            kt = pl.gather_row(kt, src, [0, r], [pl.read(idx, [r]), 0],
                               [1, D], transpose=True)
        qt = pl.load(q, [0, 0], [H, D], target_memory=pl.MemorySpace.Mat)
        pl.store(pl.matmul(qt, kt, out_dtype=pl.FP32), [0, 0], s)
        k2 = pl.tensor.create_l1([D, K], pl.BF16)
        for j in pl.range(K // 2):
            k2 = pl.gather_row(k2, src, [0, 2 * j], [2 * j + 3, 0], [2, D],
                               True)
        pl.store(pl.matmul(qt, k2, out_dtype=pl.FP32), [0, 0], s2)
        # One [K, D] window: all K rows as the K columns (a row loop).
        k3 = pl.gather_row(pl.create_l1([D, K], pl.BF16), src, [0, 0],
                           [pl.read(idx, [0]), 0], [K, D], transpose=True)
        pl.store(pl.matmul(qt, k3, out_dtype=pl.FP32), [0, 0], s3)
    return s, s2, s3


def test_transposed_gather():
    g = torch.Generator().manual_seed(2)
    q = torch.randn(H, D, generator=g).bfloat16()
    src = torch.randn(64, D, generator=g).bfloat16()
    idx = torch.randint(0, 64, (K,), generator=g, dtype=torch.int32)
    idx[0] = 40      # rows 40..55 for the [K, D] window
    s, s2, s3 = torch.zeros(H, K), torch.zeros(H, K), torch.zeros(H, K)
    transposed(q, src, idx, s, s2, s3)
    torch.testing.assert_close(s, q.float() @ src[idx.long()].float().T,
                               rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(s2, q.float() @ src[3:3 + K].float().T,
                               rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(s3, q.float() @ src[40:40 + K].float().T,
                               rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------------------
# The NPU back end does not emit an on-chip write into L1 yet: an error at
# the op, naming what is missing.
# ---------------------------------------------------------------------------

def test_npu_back_end_reports_the_missing_l1_write():
    q = torch.zeros(H, D).bfloat16()
    pool = torch.zeros(NB * BS, D).bfloat16()
    with pytest.raises(CompileError) as info:
        paged_qk(q, pool, torch.zeros(NB, dtype=torch.int32),
                 torch.zeros(K, dtype=torch.int32), torch.zeros(H, K),
                 torch.zeros(H, D), config=RunConfig(platform="a2a3"))
    err = str(info.value)
    assert "pl.create_l1 / pl.gather_row" in err, err
    assert "TLOAD of GM rows into a window of an L1 tile" in err, err


# ---------------------------------------------------------------------------
# Misuse
# ---------------------------------------------------------------------------

@pl.jit
def not_l1(x: pl.Tensor[[64, D], pl.BF16],
           y: pl.Out[pl.Tensor[[K, D], pl.BF16]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        t = pl.load(x, [0, 0], [K, D], target_memory=pl.MemorySpace.Vec)
        t = pl.gather_row(t, x, [0, 0], [1, 0], [1, D])  # ERR-vec
        pl.store(t, [0, 0], y)
    return y


@pl.jit
def wrong_dtype(x: pl.Tensor[[64, D], pl.FP16],
                y: pl.Out[pl.Tensor[[K, D], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        acc = pl.create_l1([K, D], pl.BF16)
        acc = pl.gather_row(acc, x, [0, 0], [1, 0], [1, D])  # ERR-dtype
        e = pl.load(x, [0, 0], [K, K], target_memory=pl.MemorySpace.Mat)
        pl.store(pl.matmul(e, acc, out_dtype=pl.FP32), [0, 0], y)
    return y


@pl.jit
def leaves_acc(x: pl.Tensor[[64, D], pl.BF16],
               y: pl.Out[pl.Tensor[[K, D], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        acc = pl.create_l1([K, D], pl.BF16)
        for r in pl.range(K):
            # r + 2 rows reach row 17 of 16.
            acc = pl.gather_row(acc, x, [r, 0], [r, 0], [2, D])  # ERR-leave
        e = pl.load(x, [0, 0], [K, K], target_memory=pl.MemorySpace.Mat)
        pl.store(pl.matmul(e, acc, out_dtype=pl.FP32), [0, 0], y)
    return y


@pl.jit
def runtime_cols(x: pl.Tensor[[64, D], pl.BF16], n: pl.Tensor[[1], pl.INT32],
                 y: pl.Out[pl.Tensor[[K, D], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        acc = pl.create_l1([K, D], pl.BF16)
        c = pl.min(pl.max(pl.cast(pl.read(n, [0]), pl.INDEX), 1), D)
        acc = pl.gather_row(acc, x, [0, 0], [0, 0], [1, D],
                            valid_shape=[1, c])  # ERR-cols
        e = pl.load(x, [0, 0], [K, K], target_memory=pl.MemorySpace.Mat)
        pl.store(pl.matmul(e, acc, out_dtype=pl.FP32), [0, 0], y)
    return y


@pl.jit
def transpose_valid(x: pl.Tensor[[64, D], pl.BF16],
                    y: pl.Out[pl.Tensor[[K, D], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        acc = pl.create_l1([D, K], pl.BF16)
        acc = pl.gather_row(acc, x, [0, 0], [0, 0], [1, D], transpose=True,
                            valid_shape=[1, D])  # ERR-tvalid
        e = pl.load(x, [0, 0], [K, D], target_memory=pl.MemorySpace.Mat)
        pl.store(pl.matmul(e, acc, out_dtype=pl.FP32), [0, 0], y)
    return y


@pl.jit
def l1_in_vector(x: pl.Tensor[[64, D], pl.BF16],
                 y: pl.Out[pl.Tensor[[K, D], pl.BF16]]):
    with pl.at(level=pl.Level.VECTOR):
        acc = pl.create_l1([K, D], pl.BF16)  # ERR-vector
        pl.store(acc, [0, 0], y)
    return y


@pl.jit
def acc_not_tile(x: pl.Tensor[[64, D], pl.BF16],
                 y: pl.Out[pl.Tensor[[K, D], pl.BF16]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        t = pl.gather_row(y, x, [0, 0], [0, 0], [1, D])  # ERR-gm
        pl.store(t, [0, 0], y)
    return y


@pl.jit
def negative_row(x: pl.Tensor[[64, D], pl.BF16], m: pl.Tensor[[2], pl.INT32],
                 y: pl.Out[pl.Tensor[[K, D], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        acc = pl.create_l1([K, D], pl.BF16)
        n = pl.min(pl.max(pl.cast(pl.read(m, [1]), pl.INDEX), 1), K)
        acc = pl.gather_row(acc, x, [-2, 0], [0, 0], [K, D],  # ERR-neg
                            valid_shape=[n, D])
        e = pl.load(x, [0, 0], [K, K], target_memory=pl.MemorySpace.Mat)
        pl.store(pl.matmul(e, acc, out_dtype=pl.FP32), [0, 0], y)
    return y


@pytest.mark.parametrize("kernel, tag, brief", [
    (not_l1, "ERR-vec", "pl.gather_row writes into an L1 (Mat) accumulator"),
    (wrong_dtype, "ERR-dtype", "dtype mismatch in pl.gather_row"),
    (leaves_acc, "ERR-leave", "may leave dimension 0 of the accumulator"),
    (runtime_cols, "ERR-cols", "a column count known only at run time"),
    (transpose_valid, "ERR-tvalid", "takes no valid_shape="),
    (l1_in_vector, "ERR-vector", "pl.create_l1 into Mat in a vector scope"),
    (acc_not_tile, "ERR-gm", "pl.gather_row writes into an L1 accumulator"),
    (negative_row, "ERR-neg", "the destination row is negative"),
])
def test_misuse_is_a_compile_error_at_the_line(kernel, tag, brief):
    with pytest.raises(CompileError) as info:
        kernel.ir()
    err = info.value
    assert brief in str(err), str(err)
    assert os.path.realpath(err.filename) == THIS_FILE, str(err)
    assert err.line == line_of(tag), str(err)
