"""A loop mixing cube and vector ops whose trip count is read from GM at run
time (pypto-lib's decode_indexer `score` scope: a per-token count clamped by
a compile-time length).

Per block b: n = min(lens[b], NB_MAX) KV blocks, each s = q_b k_j^T on the
cube and acc += relu(s) on the vector side. tile-split-mixed-scopes fissions
the pipeline into a cube and a vector copy that keep the run-time end; the
matmul result is staged per block and iteration, sized by the upper bound
the integer range analysis finds for n (NB_MAX). Checked against torch for
counts below zero, zero, in between, the maximum and above it (clamped),
on both targets (the NPU back end: an expected failure, below); an
unclamped count is a compile error that says how to bound it. Loops
bounded by the block index (decode_sparse_attn_csa's lanes) too.
"""

from __future__ import annotations

import shutil

import pytest
import torch

import tessel.language as pl
from tessel.errors import BackendUnavailableError, CompileError

TQ, D, BS = 16, 32, 16  # q rows per block, head dim, rows per KV block
NB_MAX = 4              # the clamp: at most 4 KV blocks per query block
BLOCKS = 6


@pl.jit
def clamped(q: pl.Tensor[[BLOCKS * TQ, D], pl.BF16],
            k: pl.Tensor[[NB_MAX * BS, D], pl.BF16],
            lens: pl.Tensor[[BLOCKS], pl.INT32],
            o: pl.Out[pl.Tensor[[BLOCKS * TQ, BS], pl.FP32]]):
    for blk in pl.spmd(BLOCKS, name_hint="clamped"):
        r0 = blk * TQ
        qt = q[r0:r0 + TQ, 0:D]
        n = pl.min(pl.read(lens, [blk]), NB_MAX)
        acc = pl.full([TQ, BS], dtype=pl.FP32, value=0.0)
        for j in pl.pipeline(0, n, stage=2):
            kj = k[j * BS:j * BS + BS, 0:D]
            s = pl.matmul(qt, kj, b_trans=True, out_dtype=pl.FP32)
            acc = pl.add(acc, pl.maximum(s, 0.0))
        o[r0:r0 + TQ, 0:BS] = acc


# One block per case: below zero, zero, one, in between, the maximum, and
# above it (clamped to the maximum).
LENS = torch.tensor([-3, 0, 1, 3, NB_MAX, 1000], dtype=torch.int32)


@pytest.fixture(scope="module")
def inputs():
    g = torch.Generator().manual_seed(6)
    q = torch.randn(BLOCKS * TQ, D, generator=g).bfloat16()
    k = torch.randn(NB_MAX * BS, D, generator=g).bfloat16()
    return q, k


def reference(q, k, lens):
    out = torch.zeros(BLOCKS * TQ, BS)
    for b in range(BLOCKS):
        n = min(int(lens[b]), NB_MAX)
        qb = q[b * TQ:(b + 1) * TQ].float()
        for j in range(max(n, 0)):
            s = qb @ k[j * BS:(j + 1) * BS].float().T
            out[b * TQ:(b + 1) * TQ] += torch.relu(s)
    return out


@pytest.mark.parametrize("target", ("a2a3", "a5"))
def test_clamped_trip_count_matches_torch(target, inputs):
    q, k = inputs
    o = torch.full((BLOCKS * TQ, BS), float("nan"))
    clamped(q, k, LENS, o, target=target)
    want = reference(q, k, LENS)
    # Blocks with no iteration store the zero accumulator exactly.
    assert torch.equal(o[0:2 * TQ], torch.zeros(2 * TQ, BS))
    torch.testing.assert_close(o, want, rtol=1e-5, atol=1e-5)
    # Every block at the maximum: all staging slots are used.
    full = torch.full((BLOCKS,), NB_MAX, dtype=torch.int32)
    clamped(q, k, full, o, target=target)
    torch.testing.assert_close(o, reference(q, k, full), rtol=1e-5,
                               atol=1e-5)


def test_staging_is_sized_by_the_bound(inputs):
    q, k = inputs
    clamped.compile(q, k, LENS, torch.empty(BLOCKS * TQ, BS),
                    target="a2a3")
    ir = clamped.ir(target="a2a3", stage="scheduled")
    # s (16x16 f32) per block and iteration, NB_MAX iterations at most:
    # 6 x 4 x 1024 bytes.
    assert f"memref<{BLOCKS}x{NB_MAX}x{TQ}x{BS}xf32>" in ir
    assert list(clamped.schedule_stats("a2a3")["per_scope"]) == [
        "clamped_cube", "clamped_vector"]
    # Both copies of the loop keep the run-time end and their stages.
    assert ir.count("stages(2)") == 2


# The cube copy of the loop reads the count too (pl.read: a 1x1 load and a
# tile.get), and the PTO back end reads elements on the scalar unit from UB
# tiles only: a cube scope's tile.get of an L1 tile is an error at the
# pl.read ("Tile::GetValue reads and writes UB tiles ..., not a tile in
# l1"), a gap of the NPU back end (no scalar GM read on cube cores), not of
# the split.
@pytest.mark.xfail(strict=True, raises=CompileError,
                   reason="PTO back end: no scalar read in a cube scope")
@pytest.mark.skipif(shutil.which("g++") is None and
                    shutil.which("clang++") is None,
                    reason="the PTO back end builds emitted kernels with a "
                           "host C++ compiler")
def test_clamped_pto_equals_the_simulation(inputs):
    q, k = inputs
    o_pto = torch.full((BLOCKS * TQ, BS), float("nan"))
    o_cpu = torch.full((BLOCKS * TQ, BS), float("nan"))
    try:
        clamped(q, k, LENS, o_pto, target="a2a3", backend="pto")
    except BackendUnavailableError as e:
        pytest.skip(str(e))
    clamped(q, k, LENS, o_cpu, target="a2a3", backend="cpu")
    assert torch.equal(o_pto.view(torch.int32), o_cpu.view(torch.int32))


@pl.jit
def unclamped(q: pl.Tensor[[BLOCKS * TQ, D], pl.BF16],
              k: pl.Tensor[[NB_MAX * BS, D], pl.BF16],
              lens: pl.Tensor[[BLOCKS], pl.INT32],
              o: pl.Out[pl.Tensor[[BLOCKS * TQ, BS], pl.FP32]]):
    for blk in pl.spmd(BLOCKS, name_hint="unclamped"):
        r0 = blk * TQ
        qt = q[r0:r0 + TQ, 0:D]
        n = pl.read(lens, [blk])
        acc = pl.full([TQ, BS], dtype=pl.FP32, value=0.0)
        for j in pl.pipeline(0, n, stage=2):
            kj = k[j * BS:j * BS + BS, 0:D]
            s = pl.matmul(qt, kj, b_trans=True, out_dtype=pl.FP32)
            acc = pl.add(acc, pl.maximum(s, 0.0))
        o[r0:r0 + TQ, 0:BS] = acc


def test_unclamped_trip_count_says_how_to_bound_it(inputs):
    q, k = inputs
    o = torch.empty(BLOCKS * TQ, BS)
    with pytest.raises(CompileError) as info:
        unclamped(q, k, LENS, o, target="a2a3")
    text = str(info.value)
    assert "cannot split mixed scope 'unclamped'" in text
    assert "no upper bound was found" in text
    assert "pl.min(n, 64)" in text
    # At the author's spmd, with notes at the loop and at its end.
    assert "for blk in pl.spmd(BLOCKS, name_hint=\"unclamped\")" in text
    assert "loop mixing cube and vector ops" in text
    assert "the loop's end has no constant bound" in text
    assert "for j in pl.pipeline(0, n, stage=2)" in text


# decode_sparse_attn_csa's lane shape: ITEMS work items dealt round-robin
# to LANES blocks, each block's loop bounded by its block index. Written two
# ways: a strided range from the block index (start in [0, 3], so at most
# ceil((10 - 0) / 4) = 3 iterations, staged at (item - core) / 4), and a
# per-lane count (10 - core + 3) // 4 <= 3. Either way the 16x16 f32 matmul
# result is staged as 4 x 3 x 16 x 16; lanes 2 and 3 run 2 iterations.
ITEMS, LANES = 10, 4


@pl.jit
def strided_lanes(q: pl.Tensor[[ITEMS * TQ, D], pl.BF16],
                  k: pl.Tensor[[ITEMS * BS, D], pl.BF16],
                  o: pl.Out[pl.Tensor[[ITEMS * TQ, BS], pl.FP32]]):
    for core in pl.spmd(LANES, name_hint="strided"):
        for item in pl.range(core, ITEMS, LANES):
            s = pl.matmul(q[item * TQ:item * TQ + TQ, 0:D],
                          k[item * BS:item * BS + BS, 0:D],
                          b_trans=True, out_dtype=pl.FP32)
            o[item * TQ:item * TQ + TQ, 0:BS] = pl.exp(pl.mul(s, 0.125))


@pl.jit
def counted_lanes(q: pl.Tensor[[ITEMS * TQ, D], pl.BF16],
                  k: pl.Tensor[[ITEMS * BS, D], pl.BF16],
                  o: pl.Out[pl.Tensor[[ITEMS * TQ, BS], pl.FP32]]):
    for core in pl.spmd(LANES, name_hint="counted"):
        iters = (ITEMS - core + LANES - 1) // LANES
        for it in pl.range(iters):
            item = core + it * LANES
            s = pl.matmul(q[item * TQ:item * TQ + TQ, 0:D],
                          k[item * BS:item * BS + BS, 0:D],
                          b_trans=True, out_dtype=pl.FP32)
            o[item * TQ:item * TQ + TQ, 0:BS] = pl.exp(pl.mul(s, 0.125))


@pytest.mark.parametrize("kernel", (strided_lanes, counted_lanes),
                         ids=("strided", "counted"))
def test_block_dependent_trip_count_matches_torch(kernel):
    g = torch.Generator().manual_seed(10)
    q = torch.randn(ITEMS * TQ, D, generator=g).bfloat16()
    k = torch.randn(ITEMS * BS, D, generator=g).bfloat16()
    o = torch.full((ITEMS * TQ, BS), float("nan"))
    kernel(q, k, o, target="a2a3")
    want = torch.cat([
        torch.exp((q[i * TQ:(i + 1) * TQ].float()
                   @ k[i * BS:(i + 1) * BS].float().T) * 0.125)
        for i in range(ITEMS)])
    torch.testing.assert_close(o, want, rtol=1e-5, atol=1e-5)
    ir = kernel.ir(target="a2a3", stage="scheduled")
    assert f"memref<{LANES}x3x{TQ}x{BS}xf32>" in ir
