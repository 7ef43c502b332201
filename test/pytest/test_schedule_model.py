"""The modelled NPU time (tessel/Analysis/ScheduleCost.h, docs/perf-model.md)
on small kernels whose arithmetic is done here by hand from the target's
figures: per-pipe block time, waves, dispatch, scope boundary, the L2 model
of re-read data, the HBM floor, and pipelined overlap."""

from __future__ import annotations

import math

import pytest

import tessel.language as pl
from tessel.compiler.stats import schedule_model


@pl.jit
def scale(x: pl.Tensor[[64, 512], pl.FP32],
          y: pl.Out[pl.Tensor[[64, 512], pl.FP32]]):
    for b in pl.spmd(4, name_hint="scale"):
        t0 = b * 16
        y[t0:t0 + 16, :] = pl.mul(x[t0:t0 + 16, :], 2.0)


@pl.jit
def broadcast(x: pl.Tensor[[16, 512], pl.FP32],
              y: pl.Out[pl.Tensor[[64, 512], pl.FP32]]):
    # Every block reads all of x: 4 x 32 KiB read, 32 KiB of it unique.
    for b in pl.spmd(4, name_hint="broadcast"):
        t0 = b * 16
        y[t0:t0 + 16, :] = pl.mul(x[0:16, :], 2.0)


@pl.jit
def rows_exp(x: pl.Tensor[[16, 4096], pl.FP32],
             y: pl.Out[pl.Tensor[[16, 4096], pl.FP32]]):
    for b in pl.spmd(1, name_hint="rows_exp"):
        for c in pl.pipeline(8, stage=2):
            c0 = c * 512
            y[0:16, c0:c0 + 512] = pl.exp(x[0:16, c0:c0 + 512])


@pytest.fixture(scope="module")
def models():
    return {k.__name__: k.schedule_model("a2a3")
            for k in (scale, broadcast, rows_exp)}


def per_core_share(f, active):
    return min(f["hbm_effective_bytes_per_sec"] / active,
               f["per_core_gm_bytes_per_sec"])


def vector_cycles(f, cls, nbytes):
    repeats = math.ceil(nbytes / f["vector_repeat_bytes"])
    return f["vector_instr_cycles"] + repeats * f["vector_cycles_per_repeat"][cls]


def test_a_streaming_scope_by_hand(models):
    m = models["scale"]
    f = m["figures"]
    (s,) = m["scopes"]
    assert (s["kind"], s["blocks"], s["cores"]) == ("vector", 4, f["vector_cores"])
    # One block: load 16 x 512 f32 = 32768 B from HBM, one simple vector
    # instruction over 32768 B, store 32768 B to HBM; 4 blocks share HBM.
    share = per_core_share(f, 4)
    mte2 = 32768 / share
    vec = vector_cycles(f, "simple", 32768) / f["vector_clock_hz"]
    assert s["block_pipes"]["mte2"] == pytest.approx(mte2)
    assert s["block_pipes"]["vector"] == pytest.approx(vec)
    assert s["block_pipes"]["mte3"] == pytest.approx(mte2)
    # Not pipelined: the pipes one after another.
    assert s["block_seconds"] == pytest.approx(2 * mte2 + vec)
    # 4 tasks on 48 cores: one wave of dispatch + block, then the boundary.
    assert s["seconds"] == pytest.approx(
        f["task_dispatch_sec"] + 2 * mte2 + vec + f["scope_boundary_sec"])
    assert m["modeled_seconds"] == pytest.approx(s["seconds"])
    # The block (2 x 0.33 us + 0.09 us) is shorter than one dispatch
    # (0.8 us): a scope of such tasks is bound by dispatch.
    assert 2 * mte2 + vec < f["task_dispatch_sec"]
    assert s["bound"] == "dispatch"
    # Compulsory: x and y once; every byte moved is compulsory.
    assert m["compulsory_bytes"] == 2 * 64 * 512 * 4
    assert m["modeled_hbm_bytes"] == m["compulsory_bytes"]
    assert m["hbm_floor_seconds"] == pytest.approx(
        m["compulsory_bytes"] / f["hbm_effective_bytes_per_sec"])


def test_data_every_block_rereads_comes_from_l2(models):
    m = models["broadcast"]
    f = m["figures"]
    (s,) = m["scopes"]
    # 4 blocks read the same 32768 B: the first 32768 from HBM, the other
    # 98304 from L2; each block's load is split in that ratio.
    assert (s["hbm_read_bytes"], s["l2_read_bytes"]) == (32768, 98304)
    assert s["load_bytes"] == 4 * 32768
    l2 = min(f["l2_bytes_per_sec"] / 4, f["per_core_gm_bytes_per_sec"])
    mte2 = 0.25 * 32768 / per_core_share(f, 4) + 0.75 * 32768 / l2
    assert s["block_pipes"]["mte2"] == pytest.approx(mte2)
    assert m["modeled_hbm_bytes"] == 32768 + 4 * 32768
    assert m["gm_load_bytes"] == 4 * 32768
    assert m["modeled_hbm_bytes"] == m["compulsory_bytes"]


def test_a_pipelined_loop_overlaps_its_pipes(models):
    m = models["rows_exp"]
    f = m["figures"]
    (s,) = m["scopes"]
    assert s["pipelined"]
    # 8 iterations of: load 16 x 512 f32 (32768 B), exp (special class),
    # store 32768 B; one core alone streams at its own ceiling.
    share = per_core_share(f, 1)
    io = 32768 / share
    vec = vector_cycles(f, "special", 32768) / f["vector_clock_hz"]
    it = {"mte2": io, "mte3": io, "vector": vec}
    busiest, total = max(it.values()), sum(it.values())
    assert s["block_pipes"]["mte2"] == pytest.approx(8 * io)
    assert s["block_seconds"] == pytest.approx(8 * busiest + total - busiest)
    assert s["block_seconds"] < sum(s["block_pipes"].values())


def test_unknown_target_is_a_clear_error():
    module = scale.module("a2a3", "placed").module
    with pytest.raises(ValueError, match="target 'b9'"):
        schedule_model(module, "b9")
