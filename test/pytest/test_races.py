"""The race corpus through the Python surface (docs/races.md): every racy
kernel is a tessel.CompileError whose message contains "race", at the
author's line of one access with a note at the other and a witness; no
race-free kernel is rejected, and the ones that run give torch's numbers.
The lit corpus is test/Transforms/check-races{,-invalid}.mlir."""

from __future__ import annotations

import os

import pytest
import torch

import tessel.language as pl
from tessel import CompileError
from pysource import tagged_line

THIS_FILE = os.path.realpath(__file__)

F32 = pl.FP32


def line_of(tag: str) -> int:
    return tagged_line(THIS_FILE, tag)


def rejected(kernel, tag: str, *parts, note: str | None = None):
    with pytest.raises(CompileError) as info:
        kernel.ir()
    err = info.value
    assert os.path.realpath(err.filename) == THIS_FILE, str(err)
    assert err.line == line_of(tag), str(err)
    for p in parts:
        assert p in err.brief, str(err)
    if note is not None:
        where = f"test_races.py:{line_of(note)}:"
        assert any(where in text and "note:" in text
                   for text in str(err).splitlines()), str(err)
    return err


# ---------------------------------------------------------------------------
# Racy kernels
# ---------------------------------------------------------------------------

@pl.jit
def rows_overlap(y: pl.Out[pl.Tensor[[40, 16], F32]]):
    for b in pl.spmd(4, name_hint="rows"):
        r = b * 8
        y[r:r + 9, :] = pl.full([9, 16], dtype=F32, value=1.0)  # RACE-rows


def test_rows_overlapping_by_one_row():
    err = rejected(rows_overlap, "RACE-rows", "race on 'y' in scope 'rows'",
                   "block 0 writes element [8, 0]", "block 1 also writes",
                   note="RACE-rows")
    assert "race" in str(err)


@pl.jit
def cols_overlap(y: pl.Out[pl.Tensor[[16, 40], F32]]):
    for b in pl.spmd(4, name_hint="cols"):
        c = b * 8
        y[:, c:c + 9] = pl.full([16, 9], dtype=F32, value=1.0)  # RACE-cols


def test_columns_overlapping_by_one_column():
    rejected(cols_overlap, "RACE-cols", "block 0 writes element [0, 8]",
             "block 1 also writes")


@pl.jit
def halves(y: pl.Out[pl.Tensor[[16, 16], F32]]):
    for b in pl.spmd(4, name_hint="halves"):
        r = (b // 2) * 8
        y[r:r + 8, :] = pl.full([8, 16], dtype=F32, value=1.0)  # RACE-div


def test_block_index_collision():
    rejected(halves, "RACE-div", "block 0 writes element [0, 0]",
             "block 1 also writes")


@pl.jit
def scratch_raw(x: pl.Tensor[[32, 16], F32],
                y: pl.Out[pl.Tensor[[32, 16], F32]]):
    s = pl.create_tensor([32, 16], dtype=F32)
    for b in pl.spmd(4, name_hint="raw"):
        r = b * 8
        s[r:r + 8, :] = x[r:r + 8, :]  # RACE-raw-store
        n = (r + 8) % 32
        y[r:r + 8, :] = s[n:n + 8, :]  # RACE-raw-load


def test_self_raw_through_create_tensor():
    rejected(scratch_raw, "RACE-raw-store", "race on",
             "block 0 writes element [0, 0]", "which block 3 reads",
             note="RACE-raw-load")


@pl.jit
def parallel_overlap(y: pl.Out[pl.Tensor[[40, 16], F32]]):
    for i in pl.parallel(0, 32, 8):
        with pl.at(level=pl.Level.CORE_GROUP):
            y[i:i + 9, :] = pl.full([9, 16], dtype=F32, value=1.0)  # RACE-par


def test_parallel_scope():
    rejected(parallel_overlap, "RACE-par", "block 0 writes element [8, 0]",
             "block 1 also writes")


@pl.jit
def shared_row(x: pl.Tensor[[64, 16], F32], y: pl.InOut[pl.Tensor[[1, 16], F32]]):
    for b in pl.spmd(4, name_hint="reduce"):
        r = b * 16
        acc = y[0:1, :]
        y[0:1, :] = pl.add(acc, x[r:r + 1, :])  # RACE-reduce


def test_reduction_into_shared_row():
    rejected(shared_row, "RACE-reduce", "block 0 writes element [0, 0]")


@pl.jit
def vec_overlap(y: pl.Out[pl.Tensor[[80], F32]]):
    for b in pl.spmd(4, name_hint="vec"):
        o = b * 16
        y[o:o + 17] = pl.full([1, 17], dtype=F32, value=1.0)  # RACE-1d


def test_one_dimensional():
    rejected(vec_overlap, "RACE-1d", "block 0 writes element [16]",
             "block 1 also writes")


@pl.jit
def pipelined_carry(y: pl.InOut[pl.Tensor[[40, 16], F32]]):
    for b in pl.spmd(1, name_hint="scan"):
        for i in pl.pipeline(4, stage=2):
            r = i * 8
            t = y[r:r + 8, :]  # RACE-pipe-load
            y[r + 8:r + 16, :] = pl.add(t, 1.0)  # RACE-pipe-store


def test_pipelined_loop_carried_dependence():
    rejected(pipelined_carry, "RACE-pipe-store",
             "race between pipelined iterations on 'y'",
             "block 0 (i = 0) writes element [8, 0]",
             "block 0 (i = 1) reads", note="RACE-pipe-load")


@pl.jit
def loop_overlap(y: pl.Out[pl.Tensor[[64, 16], F32]]):
    for b in pl.spmd(2, name_hint="loops"):
        for i in pl.range(4):
            r = b * 16 + i * 8
            y[r:r + 8, :] = pl.full([8, 16], dtype=F32, value=1.0)  # RACE-loop


def test_loop_indices_in_the_witness():
    rejected(loop_overlap, "RACE-loop",
             "block 0 (i = 2) writes element [16, 0]",
             "block 1 (i = 0) also writes")


@pl.jit
def square(y: pl.Out[pl.Tensor[[16, 16], F32]]):
    for b in pl.spmd(4, name_hint="square"):
        r = b * b
        y[r:r + 1, :] = pl.full([1, 16], dtype=F32, value=1.0)  # UNPROVABLE


def test_non_affine_cannot_be_proven():
    rejected(square, "UNPROVABLE", "cannot prove the blocks of scope "
             "'square' independent", "product of two runtime values")


@pl.jit
def oob(y: pl.Out[pl.Tensor[[24, 16], F32]]):
    for b in pl.spmd(4, name_hint="oob"):
        r = b * 8
        y[r:r + 8, :] = pl.full([8, 16], dtype=F32, value=1.0)  # OOB


def test_out_of_bounds_has_a_witness():
    rejected(oob, "OOB", "slice out of bounds in dimension 0 of 'y'",
             "block 3 writes 24:32", "expected within 0:24")


# ---------------------------------------------------------------------------
# Race-free kernels
# ---------------------------------------------------------------------------

@pl.jit
def disjoint_rows(x: pl.Tensor[[32, 16], F32],
                  y: pl.Out[pl.Tensor[[32, 16], F32]]):
    for b in pl.spmd(4, name_hint="rows"):
        r = b * 8
        y[r:r + 8, :] = pl.add(x[r:r + 8, :], 1.0)


@pl.jit
def interleaved(x: pl.Tensor[[16, 16], F32],
                y: pl.Out[pl.Tensor[[16, 16], F32]]):
    for b in pl.spmd(4, name_hint="cols"):
        for j in pl.range(4):
            c = j * 4 + b
            y[:, c:c + 1] = pl.add(x[:, c:c + 1], 1.0)


@pl.jit
def rotation(x: pl.Tensor[[32, 16], F32],
             y: pl.Out[pl.Tensor[[32, 16], F32]]):
    for b in pl.spmd(4, name_hint="rotate"):
        r = b * 8
        n = (r + 8) % 32
        y[n:n + 8, :] = pl.add(x[n:n + 8, :], 1.0)


@pl.jit
def guarded_neighbour(x: pl.Tensor[[32, 16], F32],
                      y: pl.Out[pl.Tensor[[32, 16], F32]]):
    for b in pl.spmd(4, name_hint="nb"):
        r = b * 8 + 8
        if b > 0:
            y[r - 8:r, :] = pl.add(x[r - 16:r - 8, :], 1.0)
        else:
            y[0:8, :] = pl.full([8, 16], dtype=F32, value=1.0)


@pl.jit
def later_scope(x: pl.Tensor[[32, 16], F32],
                y: pl.Out[pl.Tensor[[32, 16], F32]]):
    s = pl.create_tensor([32, 16], dtype=F32)
    for b in pl.spmd(4, name_hint="produce"):
        r = b * 8
        s[r:r + 8, :] = pl.add(x[r:r + 8, :], 1.0)
    for b in pl.spmd(4, name_hint="consume"):
        r = b * 8
        n = (r + 8) % 32
        y[r:r + 8, :] = s[n:n + 8, :]


@pl.jit
def own_rmw(y: pl.InOut[pl.Tensor[[32, 16], F32]]):
    for b in pl.spmd(4, name_hint="rmw"):
        r = b * 8
        y[r:r + 8, :] = pl.add(y[r:r + 8, :], 1.0)


@pl.jit
def parallel_rows(x: pl.Tensor[[32, 16], F32],
                  y: pl.Out[pl.Tensor[[32, 16], F32]]):
    for i in pl.parallel(0, 32, 8):
        with pl.at(level=pl.Level.CORE_GROUP):
            y[i:i + 8, :] = pl.add(x[i:i + 8, :], 1.0)


@pl.jit
def vec_chunks(x: pl.Tensor[[64], F32], y: pl.Out[pl.Tensor[[64], F32]]):
    for b in pl.spmd(4, name_hint="vec"):
        o = b * 16
        y[o:o + 16] = pl.add(x[o:o + 16], 1.0)


@pl.jit
def quotient_grid(x: pl.Tensor[[16, 32], F32],
                  y: pl.Out[pl.Tensor[[16, 32], F32]]):
    for b in pl.spmd(4, name_hint="grid"):
        r = (b // 2) * 8
        c = (b % 2) * 16
        y[r:r + 8, c:c + 16] = pl.add(x[r:r + 8, c:c + 16], 1.0)


@pl.jit
def pipelined_own(y: pl.InOut[pl.Tensor[[32, 16], F32]]):
    for b in pl.spmd(2, name_hint="scale"):
        for i in pl.pipeline(2, stage=2):
            r = b * 16 + i * 8
            y[r:r + 8, :] = pl.add(y[r:r + 8, :], 1.0)


@pl.jit
def square_assumed(y: pl.Out[pl.Tensor[[16, 16], F32]]):
    for b in pl.spmd(4, name_hint="square", assume_independent=True):
        r = b * b
        y[r:r + 1, :] = pl.full([1, 16], dtype=F32, value=1.0)


RACE_FREE = [disjoint_rows, interleaved, rotation, guarded_neighbour,
             later_scope, own_rmw, parallel_rows, vec_chunks, quotient_grid,
             pipelined_own, square_assumed]


@pytest.mark.parametrize("kernel", RACE_FREE, ids=lambda k: k.__name__)
def test_race_free_kernels_compile(kernel):
    kernel.ir(stage="scheduled")


def test_assume_independent_is_a_remark():
    compiled = square_assumed.module(stage="tile")
    remarks = [w for w in compiled.warnings
               if "assumed independent" in w[1]]
    assert remarks, compiled.warnings
    assert "assume_independent" in square_assumed.ir()


def _run(kernel, *shapes_in, out_shape=None, inout=None):
    torch.manual_seed(0)
    ins = [torch.randn(s) for s in shapes_in]
    if inout is not None:
        y = inout.clone()
        kernel(*ins, y)
    else:
        y = torch.zeros(out_shape)
        kernel(*ins, y)
    return ins, y


def test_race_free_numerics():
    (x,), y = _run(rotation, (32, 16), out_shape=(32, 16))
    torch.testing.assert_close(y, x + 1)
    (x,), y = _run(guarded_neighbour, (32, 16), out_shape=(32, 16))
    want = torch.cat([torch.ones(8, 16), x[0:24] + 1])
    torch.testing.assert_close(y, want)
    (x,), y = _run(later_scope, (32, 16), out_shape=(32, 16))
    torch.testing.assert_close(y, torch.roll(x + 1, -8, 0))
    (x,), y = _run(interleaved, (16, 16), out_shape=(16, 16))
    torch.testing.assert_close(y, x + 1)
    base = torch.randn(32, 16)
    _, y = _run(pipelined_own, inout=base)
    torch.testing.assert_close(y, base + 1)


# ---------------------------------------------------------------------------
# Kernels whose indices have many cases (docs/races.md, "The analysis"):
# Python's // and % of indices the frontend cannot prove non-negative
# (truncating divsi / remsi corrected by a select), min / max clamps of
# values read from data, trip counts read from data. The check used to
# expand the product of their cases and give up ("too many cases") on
# kernels of these shapes; now it proves them race free or finds the race.
# ---------------------------------------------------------------------------

# A head-major repack of per-token rows: block b handles token t and a tile
# of HT heads; head h = h0 + i of token t goes to row (h // G) * T + t,
# columns (h % G) * D .. of the packed output (a [H // G * T, G * D] tensor).
PK_T, PK_H, PK_HT, PK_G, PK_D = 2, 16, 4, 8, 16
PK_NT = PK_H // PK_HT


@pl.jit
def head_repack(o: pl.Tensor[[PK_T * PK_H, PK_D], F32],
                y: pl.Out[pl.Tensor[[PK_H // PK_G * PK_T, PK_G * PK_D], F32]]):
    for blk in pl.spmd(PK_T * PK_NT, name_hint="repack"):
        t = blk // PK_NT
        h0 = (blk - t * PK_NT) * PK_HT
        rows = pl.mul(o[t * PK_H + h0:t * PK_H + h0 + PK_HT, :], 2.0)
        for i in pl.unroll(PK_HT):
            h = h0 + i
            r = (h // PK_G) * PK_T + t
            c = (h % PK_G) * PK_D
            y[r:r + 1, c:c + PK_D] = rows[i:i + 1, :]


@pl.jit
def head_repack_racy(o: pl.Tensor[[PK_T * PK_H, PK_D], F32],
                     y: pl.Out[pl.Tensor[[PK_H // PK_G * PK_T,
                                          PK_G * PK_D], F32]]):
    for blk in pl.spmd(PK_T * PK_NT, name_hint="repack"):
        t = blk // PK_NT
        h0 = (blk - t * PK_NT) * PK_HT
        rows = pl.mul(o[t * PK_H + h0:t * PK_H + h0 + PK_HT, :], 2.0)
        for i in pl.unroll(PK_HT):
            h = h0 + i
            r = (h // PK_G) * PK_T      # the token is missing from the row
            c = (h % PK_G) * PK_D
            y[r:r + 1, c:c + PK_D] = rows[i:i + 1, :]  # RACE-repack


def head_repack_reference(o):
    # o[t * H + h] -> y[(h // G) * T + t, (h % G) * D ...]
    x = (o * 2.0).view(PK_T, PK_H // PK_G, PK_G, PK_D)
    return x.permute(1, 0, 2, 3).reshape(PK_H // PK_G * PK_T, PK_G * PK_D)


# Per-token scores over a paged cache, the tiles of each token split
# between LN lanes: token t's length is min(len[t], S) (read from data), its
# n = ceil(length / W) tiles of W scores go to lane c % LN, which runs
# (n - lane + LN - 1) // LN iterations of a 2-stage pipeline; tile c's
# scores are the row sums of cache page table[t * MAXP + c].
SC_T, SC_LN, SC_W, SC_S, SC_D, SC_PAGES = 3, 2, 8, 64, 16, 12
SC_MAXP = SC_S // SC_W


@pl.jit
def lane_scores(lens: pl.Tensor[[SC_T], pl.INT32],
                table: pl.Tensor[[SC_T * SC_MAXP], pl.INT32],
                cache: pl.Tensor[[SC_PAGES * SC_W, SC_D], F32],
                y: pl.Out[pl.Tensor[[SC_T, SC_S], F32]]):
    for u in pl.spmd(SC_T * SC_LN, name_hint="scores"):
        t = u // SC_LN
        lane = u - t * SC_LN
        length = pl.min(pl.read(lens, [t]), SC_S)
        n = (length + SC_W - 1) // SC_W
        iters = (n - lane + SC_LN - 1) // SC_LN
        for k in pl.pipeline(0, iters, stage=2):
            c = lane + k * SC_LN
            page = pl.cast(pl.read(table, [t * SC_MAXP + c]), pl.INDEX)
            kv = cache[page * SC_W:page * SC_W + SC_W, :]
            s = pl.reshape(pl.row_sum(kv), [1, SC_W])
            y[t:t + 1, c * SC_W:c * SC_W + SC_W] = s


@pl.jit
def lane_scores_racy(lens: pl.Tensor[[SC_T], pl.INT32],
                     table: pl.Tensor[[SC_T * SC_MAXP], pl.INT32],
                     cache: pl.Tensor[[SC_PAGES * SC_W, SC_D], F32],
                     y: pl.Out[pl.Tensor[[SC_T, SC_S], F32]]):
    for u in pl.spmd(SC_T * SC_LN, name_hint="scores"):
        t = u // SC_LN
        lane = u - t * SC_LN
        length = pl.min(pl.read(lens, [t]), SC_S)
        n = (length + SC_W - 1) // SC_W
        iters = (n - lane + SC_LN - 1) // SC_LN
        for k in pl.pipeline(0, iters, stage=2):
            c = lane + k          # lanes interleave by 1, not by SC_LN
            page = pl.cast(pl.read(table, [t * SC_MAXP + c]), pl.INDEX)
            kv = cache[page * SC_W:page * SC_W + SC_W, :]
            s = pl.reshape(pl.row_sum(kv), [1, SC_W])
            y[t:t + 1, c * SC_W:c * SC_W + SC_W] = s  # RACE-lanes


def lane_scores_reference(lens, table, cache, fill):
    y = torch.full((SC_T, SC_S), fill)
    for t in range(SC_T):
        n = (min(int(lens[t]), SC_S) + SC_W - 1) // SC_W
        for c in range(n):
            p = int(table[t * SC_MAXP + c])
            y[t, c * SC_W:(c + 1) * SC_W] = cache[p * SC_W:(p + 1) * SC_W].sum(1)
    return y


def test_many_cases_race_free_kernels_compile():
    head_repack.ir(stage="scheduled")
    lane_scores.ir(stage="scheduled")


def test_head_repack_matches_torch():
    torch.manual_seed(0)
    o = torch.randn(PK_T * PK_H, PK_D)
    y = torch.zeros(PK_H // PK_G * PK_T, PK_G * PK_D)
    head_repack(o, y)
    torch.testing.assert_close(y, head_repack_reference(o))


@pytest.mark.parametrize("lens", [[64, 64, 64], [0, 17, 40], [1, 100, 9]],
                         ids=["full", "partial", "clamped"])
def test_lane_scores_match_torch(lens):
    torch.manual_seed(0)
    lens_t = torch.tensor(lens, dtype=torch.int32)
    table = torch.randint(0, SC_PAGES, (SC_T * SC_MAXP,), dtype=torch.int32)
    cache = torch.randn(SC_PAGES * SC_W, SC_D)
    y = torch.full((SC_T, SC_S), -7.0)
    lane_scores(lens_t, table, cache, y)
    torch.testing.assert_close(
        y, lane_scores_reference(lens_t, table, cache, -7.0))


def test_head_repack_without_the_token_is_a_race():
    # Blocks 0 and 4 (tokens 0 and 1, heads 0 .. 3) both write row 0.
    rejected(head_repack_racy, "RACE-repack",
             "race on 'y' in scope 'repack'", "block 0 writes element [0, 0]",
             "block 4 also writes", note="RACE-repack")


def test_lane_scores_interleaved_by_one_is_a_race():
    # Lane 0's second tile (k = 1) is lane 1's first (k = 0): columns 8 ..
    rejected(lane_scores_racy, "RACE-lanes",
             "race on 'y' in scope 'scores'",
             "block 0 (k = 1) writes element [0, 8]",
             "block 1 (k = 0) also writes")


# ---------------------------------------------------------------------------
# Aliasing at call time
# ---------------------------------------------------------------------------

@pl.jit
def two_outputs(y: pl.Out[pl.Tensor[[8, 16], F32]],
                z: pl.Out[pl.Tensor[[8, 16], F32]]):
    for b in pl.spmd(1):
        y[:, :] = pl.full([8, 16], dtype=F32, value=1.0)
        z[:, :] = pl.full([8, 16], dtype=F32, value=2.0)


def test_outputs_that_alias_are_rejected_before_running():
    from tessel.errors import ArgumentError
    t = torch.zeros(8, 16)
    with pytest.raises(ArgumentError, match="'y' \\(out\\) and 'z' \\(out\\) "
                       "are the same memory"):
        two_outputs(t, t)
    big = torch.zeros(16, 16)
    with pytest.raises(ArgumentError, match="overlapping memory"):
        two_outputs(big[0:8], big[4:12])
    assert big.abs().sum() == 0     # nothing ran
    two_outputs(big[0:8], big[8:16])    # disjoint views are fine
    assert big[0:8].eq(1).all() and big[8:16].eq(2).all()


def test_input_aliasing_an_output_is_rejected():
    from tessel.errors import ArgumentError
    t = torch.randn(32, 16)
    with pytest.raises(ArgumentError, match="'x' \\(in\\) and 'y' \\(out\\)"):
        disjoint_rows(t, t)
