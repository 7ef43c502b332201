"""`pl.system.syncall`: a barrier of every block of a scope's grid.

Tessel cuts the scope at the barrier into consecutive scopes with the same
grid (frontend/syncall.py): every block of the first has finished, its GM
writes done, before any block of the next starts. The kernels here need
the barrier for their answer (a block reads rows another block wrote
before it), and are checked against torch on the CPU simulation and on the
NPU back end (the emitted PTO-ISA source on the strict reference, where
each part is a kernel launch of its own on one stream)."""

from __future__ import annotations

import os
import shutil

import pytest
import torch

import tessel.language as pl
from tessel import CompileError
from tessel.runtime import RunConfig
from pysource import tagged_line

THIS_FILE = os.path.realpath(__file__)

HAVE_CXX = shutil.which("g++") is not None or shutil.which("clang++") is not None


def _npu(platform):
    return pytest.param(platform, marks=pytest.mark.skipif(
        not HAVE_CXX, reason="the NPU back end builds the emitted kernel "
                             "with a host C++ compiler"))


# A barrier is two launches on one stream whatever the target: the NPU
# back end runs on a2a3 for every kernel here, on a5 for the first (each
# build of an emitted kernel is seconds of g++).
PLATFORMS = ["a2a3sim", "a5sim", _npu("a2a3")]
ALL_PLATFORMS = PLATFORMS + [_npu("a5")]


def line_of(tag: str) -> int:
    return tagged_line(THIS_FILE, tag)


def remarks(kernel, *args):
    return [(m, where[1]) for sev, m, where, _ in
            kernel.lower(*args).warnings if "REMARK" in sev]


N = 4           # blocks
R = 4           # rows per block


# Phase 1: block b writes rows [4b, 4b + 4) of y. Phase 2: block b reads
# the rows block (b + 1) % 4 wrote: z rows of block b = y rows of block
# b + 1, plus 1. Without the barrier this is a race (block 3 reads rows
# 0..3, which block 0 writes), which tile-check-races rejects.
@pl.jit
def rotate(x: pl.Tensor[[N * R, 64], pl.FP32],
           y: pl.Out[pl.Tensor[[N * R, 64], pl.FP32]],
           z: pl.Out[pl.Tensor[[N * R, 64], pl.FP32]]):
    for b in pl.spmd(N, name_hint="rot"):
        t0 = b * R
        y[t0:t0 + R, :] = pl.mul(x[t0:t0 + R, :], 2.0)
        pl.system.syncall(core_type="mix")  # TAG-rotate
        n0 = ((b + 1) % N) * R
        z[t0:t0 + R, :] = pl.add(y[n0:n0 + R, :], 1.0)


@pl.jit
def rotate_unsynced(x: pl.Tensor[[N * R, 64], pl.FP32],
                    y: pl.Out[pl.Tensor[[N * R, 64], pl.FP32]],
                    z: pl.Out[pl.Tensor[[N * R, 64], pl.FP32]]):
    for b in pl.spmd(N, name_hint="rot"):
        t0 = b * R
        y[t0:t0 + R, :] = pl.mul(x[t0:t0 + R, :], 2.0)  # ERR-race
        n0 = ((b + 1) % N) * R
        z[t0:t0 + R, :] = pl.add(y[n0:n0 + R, :], 1.0)


def rotate_reference(x):
    y = x * 2.0
    return y, torch.roll(y, -R, 0) + 1.0


@pytest.mark.parametrize("platform", ALL_PLATFORMS)
def test_barrier_orders_a_read_of_another_blocks_rows(platform):
    x = torch.randn(N * R, 64, generator=torch.Generator().manual_seed(1))
    y = torch.full((N * R, 64), float("nan"))
    z = torch.full((N * R, 64), float("nan"))
    rotate(x, y, z, config=RunConfig(platform=platform))
    want_y, want_z = rotate_reference(x)
    assert torch.equal(y, want_y)
    assert torch.equal(z, want_z)


def test_the_scope_is_cut_into_consecutive_scopes_of_the_same_grid():
    x, y, z = (torch.zeros(N * R, 64) for _ in range(3))
    text = rotate.lower(x, y, z, stage="tile").text()
    assert text.count("tile.spmd 4") == 2
    assert 'name("rot")' in text and 'name("rot_1")' in text
    assert "tessel.syncall" not in text
    got = remarks(rotate, x, y, z)
    assert any("scope 'rot' split into 2 consecutive scopes with the same "
               "grid (rot, rot_1)" in m and 'core_type="mix"' in m
               for m, _ in got), got
    # On the NPU each part is a kernel launched after the other on one
    # stream: the second starts when every block of the first has ended.
    src = rotate.pto("a2a3").source
    first = src.index("rotate_s0_rot<<<")
    second = src.index("rotate_s1_rot_1<<<")
    assert first < second


def test_without_the_barrier_the_cross_block_read_is_a_race():
    x = torch.zeros(N * R, 64)
    with pytest.raises(CompileError) as e:
        rotate_unsynced(x.clone(), x.clone(), x.clone())
    assert "race on 'y' in scope 'rot'" in str(e.value)
    assert e.value.line == line_of("ERR-race")


# Three phases (`with pl.spmd(...)` form, block index from
# pl.tile.get_block_idx, explicit pl.at scopes, two barriers): a column
# normalisation over the whole tensor.
#   phase 1: part[b, :] = column sums of block b's rows
#   phase 2: block b sums the four partials (every block's) into tot[b, :]
#   phase 3: y = x / tot[(b + 3) % 4, :]: any block's copy of the total
@pl.jit
def col_normalise(x: pl.Tensor[[N * R, 64], pl.FP32],
                  y: pl.Out[pl.Tensor[[N * R, 64], pl.FP32]]):
    part = pl.create_tensor([N, 64], dtype=pl.FP32)
    tot = pl.create_tensor([N, 64], dtype=pl.FP32)
    with pl.spmd(N, name_hint="norm") as tid:
        b = pl.tile.get_block_idx()
        t0 = b * R
        with pl.at(level=pl.Level.AIV):
            part[b:b + 1, :] = pl.col_sum(x[t0:t0 + R, :])
        pl.system.syncall(core_type="aiv_only")
        with pl.at(level=pl.Level.AIV):
            acc = part[0:1, :]
            for k in pl.range(1, N):
                acc = pl.add(acc, part[k:k + 1, :])
            tot[b:b + 1, :] = acc
        pl.system.syncall()
        with pl.at(level=pl.Level.AIV):
            o = (b + 3) % N
            y[t0:t0 + R, :] = pl.col_expand_div(x[t0:t0 + R, :],
                                                tot[o:o + 1, :])


@pytest.mark.parametrize("platform", PLATFORMS)
def test_three_phases_with_pl_at_scopes(platform):
    g = torch.Generator().manual_seed(2)
    x = torch.rand(N * R, 64, generator=g) + 0.5
    y = torch.full((N * R, 64), float("nan"))
    col_normalise(x, y, config=RunConfig(platform=platform))
    torch.testing.assert_close(y, x / x.sum(0, keepdim=True),
                               rtol=1e-5, atol=1e-6)
    text = col_normalise.lower(x, y, stage="tile").text()
    for name in ("norm", "norm_1", "norm_2"):
        assert f'name("{name}")' in text


# A barrier inside a pl.at body (a CORE_GROUP scope mixing cube and
# vector work), a soft barrier with PyPTO's GM workspace, a helper whose
# body holds the barrier, and one in a compile-time loop.
@pl.jit.inline
def publish(src, dst, t0):
    dst[t0:t0 + R, :] = pl.add(src[t0:t0 + R, :], 0.0)
    pl.system.syncall(core_type="mix")  # TAG-helper


@pl.jit
def matmul_then_shift(a: pl.Tensor[[N * 16, 32], pl.BF16],
                      w: pl.Tensor[[32, 32], pl.BF16],
                      ws: pl.Tensor[[16], pl.INT32],
                      c: pl.Out[pl.Tensor[[N * 16, 32], pl.FP32]],
                      d: pl.Out[pl.Tensor[[N * 16, 32], pl.FP32]]):
    for b in pl.spmd(N, name_hint="mm"):
        with pl.at(level=pl.Level.CORE_GROUP):
            t0 = b * 16
            c[t0:t0 + 16, :] = pl.matmul(a[t0:t0 + 16, :], w,
                                         out_dtype=pl.FP32)
            pl.system.syncall(mode="soft", core_type="mix",  # TAG-soft
                              gm_workspace=ws, used_cores=N)
            p0 = ((b + N - 1) % N) * 16
            d[t0:t0 + 16, :] = pl.mul(c[p0:p0 + 16, :], 3.0)


@pl.jit
def helper_and_unrolled(x: pl.Tensor[[N * R, 64], pl.FP32],
                        y: pl.Out[pl.Tensor[[N * R, 64], pl.FP32]],
                        z: pl.Out[pl.Tensor[[N * R, 64], pl.FP32]]):
    for b in pl.spmd(N, name_hint="hu"):
        t0 = b * R
        publish(x, y, t0)
        for k in range(2):
            # k = 0: z rows of b = y rows of b + 1; k = 1: y rows of b =
            # z rows of b - 1 (= y rows of b as published), times 2.
            if k == 0:
                n0 = ((b + 1) % N) * R
                z[t0:t0 + R, :] = y[n0:n0 + R, :]
            else:
                p0 = ((b + N - 1) % N) * R
                y[t0:t0 + R, :] = pl.mul(z[p0:p0 + R, :], 2.0)
            pl.system.syncall()


@pytest.mark.parametrize("platform", PLATFORMS)
def test_barrier_in_a_mixed_core_scope_soft_mode(platform):
    g = torch.Generator().manual_seed(3)
    a = torch.randn(N * 16, 32, generator=g).to(torch.bfloat16)
    w = torch.randn(32, 32, generator=g).to(torch.bfloat16)
    ws = torch.zeros(16, dtype=torch.int32)
    c = torch.full((N * 16, 32), float("nan"))
    d = torch.full((N * 16, 32), float("nan"))
    matmul_then_shift(a, w, ws, c, d, config=RunConfig(platform=platform))
    want = a.float() @ w.float()
    torch.testing.assert_close(c, want, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(d, torch.roll(want, 16, 0) * 3.0,
                               rtol=1e-5, atol=1e-5)


def test_soft_mode_is_remarked():
    a = torch.zeros(N * 16, 32, dtype=torch.bfloat16)
    w = torch.zeros(32, 32, dtype=torch.bfloat16)
    ws = torch.zeros(16, dtype=torch.int32)
    c = torch.zeros(N * 16, 32)
    got = remarks(matmul_then_shift, a, w, ws, c, c.clone())
    assert any("mode=\"soft\"" in m and "scope 'mm' split into" in m
               for m, _ in got), got


@pytest.mark.parametrize("platform", PLATFORMS)
def test_barrier_in_a_helper_and_in_a_compile_time_loop(platform):
    x = torch.randn(N * R, 64, generator=torch.Generator().manual_seed(4))
    y = torch.full((N * R, 64), float("nan"))
    z = torch.full((N * R, 64), float("nan"))
    helper_and_unrolled(x, y, z, config=RunConfig(platform=platform))
    torch.testing.assert_close(z, torch.roll(x, -R, 0))
    torch.testing.assert_close(y, x * 2.0)
    text = helper_and_unrolled.lower(x, y, z, stage="tile").text()
    # Three barriers, the last at the end of the body: three scopes.
    assert text.count("tile.spmd 4") == 3


# A pl.range loop at the top of the scope body holding barriers becomes a
# function-level loop of scopes (jac; for k: jac_1, jac_1_1; jac_2): three
# rounds of y <- (y + y of the next block) / 2, each round reading rows
# another block wrote in the round before.
@pl.jit
def rounds(x: pl.Tensor[[N * R, 64], pl.FP32],
           y: pl.Out[pl.Tensor[[N * R, 64], pl.FP32]],
           z: pl.Out[pl.Tensor[[N * R, 64], pl.FP32]]):
    for b in pl.spmd(N, name_hint="jac"):
        t0 = b * R
        y[t0:t0 + R, :] = x[t0:t0 + R, :]
        pl.system.syncall()
        for k in pl.range(3):
            n0 = ((b + 1) % N) * R
            z[t0:t0 + R, :] = pl.mul(pl.add(y[t0:t0 + R, :],
                                            y[n0:n0 + R, :]), 0.5)
            pl.system.syncall()  # TAG-loop
            y[t0:t0 + R, :] = z[t0:t0 + R, :]
            pl.system.syncall()
        z[t0:t0 + R, :] = pl.add(y[t0:t0 + R, :], 1.0)


# The same with the loop in the pl.spmd body around pl.at scopes, and a
# pl.pipeline loop.
@pl.jit
def rounds_at(x: pl.Tensor[[N * R, 64], pl.FP32],
              y: pl.Out[pl.Tensor[[N * R, 64], pl.FP32]],
              z: pl.Out[pl.Tensor[[N * R, 64], pl.FP32]]):
    for b in pl.spmd(N, name_hint="jac"):
        t0 = b * R
        with pl.at(level=pl.Level.AIV):
            y[t0:t0 + R, :] = x[t0:t0 + R, :]
        pl.system.syncall()
        for k in pl.pipeline(3, stage=2):
            with pl.at(level=pl.Level.AIV):
                n0 = ((b + 1) % N) * R
                z[t0:t0 + R, :] = pl.mul(pl.add(y[t0:t0 + R, :],
                                                y[n0:n0 + R, :]), 0.5)
            pl.system.syncall()
            with pl.at(level=pl.Level.AIV):
                y[t0:t0 + R, :] = z[t0:t0 + R, :]
            pl.system.syncall()
        with pl.at(level=pl.Level.AIV):
            z[t0:t0 + R, :] = pl.add(y[t0:t0 + R, :], 1.0)


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("kernel", [rounds, rounds_at])
def test_a_loop_around_barriers_becomes_a_loop_of_scopes(kernel, platform):
    x = torch.randn(N * R, 64, generator=torch.Generator().manual_seed(7))
    y = torch.full((N * R, 64), float("nan"))
    z = torch.full((N * R, 64), float("nan"))
    kernel(x, y, z, config=RunConfig(platform=platform))
    want = x.clone()
    for _ in range(3):
        want = (want + torch.roll(want, -R, 0)) * 0.5
    torch.testing.assert_close(y, want)
    torch.testing.assert_close(z, want + 1.0)


# An index computed from the loop index before the barrier is computed
# again after it: the loop index is the function-level loop's.
@pl.jit
def loop_index_across(x: pl.Tensor[[N * R, 64], pl.FP32],
                      y: pl.Out[pl.Tensor[[2 * N * R, 64], pl.FP32]]):
    for b in pl.spmd(N):
        for k in pl.range(2):
            r0 = k * N * R + b * R
            y[r0:r0 + R, :] = pl.add(x[b * R:b * R + R, :], 1.0)
            pl.system.syncall()
            y[r0:r0 + R, :] = pl.mul(y[r0:r0 + R, :], 2.0)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_an_index_of_the_loop_index_crosses_the_barrier(platform):
    x = torch.randn(N * R, 64, generator=torch.Generator().manual_seed(8))
    y = torch.full((2 * N * R, 64), float("nan"))
    loop_index_across(x, y, config=RunConfig(platform=platform))
    assert torch.equal(y, torch.cat([(x + 1.0) * 2.0] * 2))


def test_the_loop_of_scopes_is_at_function_level():
    x, y, z = (torch.zeros(N * R, 64) for _ in range(3))
    c = rounds.lower(x, y, z, stage="tile")
    text = c.text()
    loop = text.index("scf.for")
    assert text.index('name("jac")') < loop < text.index('name("jac_1")') \
        < text.index('name("jac_1_1")') < text.index('name("jac_2")')
    got = [(m, w[1]) for sev, m, w, _ in c.warnings if "REMARK" in sev]
    assert ("the pl.range loop around pl.system.syncall runs at function "
            "level: each iteration runs its scopes one after the other",
            line_of("TAG-loop")) in got, got


# ----------------------------------------------------------------------
# Errors at the author's line
# ----------------------------------------------------------------------

@pl.jit
def tile_across(x: pl.Tensor[[N * R, 64], pl.FP32],
                y: pl.Out[pl.Tensor[[N * R, 64], pl.FP32]]):
    for b in pl.spmd(N):
        t0 = b * R
        acc = pl.mul(x[t0:t0 + R, :], 2.0)
        pl.system.syncall()  # NOTE-tile
        y[t0:t0 + R, :] = acc  # ERR-tile


@pl.jit
def scalar_across(x: pl.Tensor[[N * R, 64], pl.FP32],
                  idx: pl.Tensor[[N], pl.INT32],
                  y: pl.Out[pl.Tensor[[N * R, 64], pl.FP32]]):
    for b in pl.spmd(N):
        r = pl.cast(pl.read(idx, [b]), pl.INDEX)
        pl.system.syncall()
        y[b * R:b * R + R, :] = x[r:r + R, :]  # ERR-scalar


@pl.jit
def bad_core_type(x: pl.Tensor[[N * R, 64], pl.FP32],
                  y: pl.Out[pl.Tensor[[N * R, 64], pl.FP32]]):
    for b in pl.spmd(N):
        y[b * R:b * R + R, :] = x[b * R:b * R + R, :]
        pl.system.syncall(core_type="aiv")  # ERR-core-type


@pl.jit
def bad_mode(x: pl.Tensor[[N * R, 64], pl.FP32],
             y: pl.Out[pl.Tensor[[N * R, 64], pl.FP32]]):
    for b in pl.spmd(N):
        y[b * R:b * R + R, :] = x[b * R:b * R + R, :]
        pl.system.syncall(mode="firm")  # ERR-mode


@pl.jit
def hard_with_workspace(x: pl.Tensor[[N * R, 64], pl.FP32],
                        ws: pl.Tensor[[16], pl.INT32],
                        y: pl.Out[pl.Tensor[[N * R, 64], pl.FP32]]):
    for b in pl.spmd(N):
        y[b * R:b * R + R, :] = x[b * R:b * R + R, :]
        pl.system.syncall(gm_workspace=ws)  # ERR-hard-ws


@pl.jit
def soft_small_workspace(x: pl.Tensor[[N * R, 64], pl.FP32],
                         ws: pl.Tensor[[8], pl.INT32],
                         y: pl.Out[pl.Tensor[[N * R, 64], pl.FP32]]):
    for b in pl.spmd(N):
        y[b * R:b * R + R, :] = x[b * R:b * R + R, :]
        pl.system.syncall(mode="soft", gm_workspace=ws,  # ERR-soft-ws
                          used_cores=N)


@pl.jit
def outside_scope(x: pl.Tensor[[N * R, 64], pl.FP32],
                  y: pl.Out[pl.Tensor[[N * R, 64], pl.FP32]]):
    with pl.at(level=pl.Level.AIV):
        y[:, :] = x[:, :]
    pl.system.syncall()  # ERR-outside


@pl.jit
def in_a_loop(x: pl.Tensor[[N * R, 64], pl.FP32],
              y: pl.Out[pl.Tensor[[N * R, 64], pl.FP32]]):
    for b in pl.spmd(N):
        for i in pl.range(2):
            for j in pl.range(2):
                y[b * R:b * R + R, :] = pl.add(x[b * R:b * R + R, :], 1.0)
                pl.system.syncall()  # ERR-loop


@pl.jit
def loop_per_block(x: pl.Tensor[[N * R, 64], pl.FP32],
                   y: pl.Out[pl.Tensor[[N * R, 64], pl.FP32]]):
    for b in pl.spmd(N):
        for i in pl.range(b, N):
            y[b * R:b * R + R, :] = pl.add(x[b * R:b * R + R, :], 1.0)
            pl.system.syncall()  # ERR-loop-bounds


@pl.jit
def loop_carries(x: pl.Tensor[[N * R, 64], pl.FP32],
                 y: pl.Out[pl.Tensor[[N * R, 64], pl.FP32]]):
    for b in pl.spmd(N):
        acc = pl.full([R, 64], dtype=pl.FP32, value=0.0)
        for i in pl.range(2):
            acc = pl.add(acc, x[b * R:b * R + R, :])
            pl.system.syncall()  # NOTE-carried
            y[b * R:b * R + R, :] = acc  # ERR-carried


@pl.jit
def in_an_if(x: pl.Tensor[[N * R, 64], pl.FP32],
             y: pl.Out[pl.Tensor[[N * R, 64], pl.FP32]]):
    for b in pl.spmd(N):
        if b < 2:
            pl.system.syncall()  # ERR-if
        y[b * R:b * R + R, :] = x[b * R:b * R + R, :]


@pl.jit
def as_a_value(x: pl.Tensor[[N * R, 64], pl.FP32],
               y: pl.Out[pl.Tensor[[N * R, 64], pl.FP32]]):
    for b in pl.spmd(N):
        y[b * R:b * R + R, :] = x[b * R:b * R + R, :]
        s = pl.system.syncall()  # ERR-value


def _error(kernel, *args):
    with pytest.raises(CompileError) as e:
        kernel(*args)
    return e.value


def test_a_tile_live_across_the_barrier_is_an_error_naming_it():
    x = torch.zeros(N * R, 64)
    e = _error(tile_across, x, x.clone())
    assert e.line == line_of("ERR-tile")
    msg = str(e)
    assert "'acc' is not available here" in msg
    assert f"made before the pl.system.syncall at line " \
           f"{line_of('NOTE-tile')}, a tile" in msg
    assert "store 'acc' to a GM tensor before the barrier" in msg


def test_a_value_read_before_the_barrier_is_not_reused_after_it():
    x = torch.zeros(N * R, 64)
    e = _error(scalar_across, x, torch.zeros(N, dtype=torch.int32),
               x.clone())
    assert e.line == line_of("ERR-scalar")
    assert "'r' is not available here" in str(e)
    assert "computed from data the scope read" in str(e)


@pytest.mark.parametrize("kernel,tag,text", [
    (bad_core_type, "ERR-core-type",
     'core_type must be "aiv_only", "aic_only" or "mix"'),
    (bad_mode, "ERR-mode", 'mode must be "hard" or "soft"'),
    (outside_scope, "ERR-outside", "pl.system.syncall outside a scope"),
    (in_a_loop, "ERR-loop", "pl.system.syncall inside a loop of the scope "
                            "body"),
    (loop_per_block, "ERR-loop-bounds", "the pl.range loop around pl.system."
                                        "syncall runs different iterations "
                                        "in different blocks"),
    (loop_carries, "ERR-carried", "'acc' is not available here"),
    (in_an_if, "ERR-if", "pl.system.syncall inside an if of the scope body"),
    (as_a_value, "ERR-value", "pl.system.syncall is a statement of its own"),
])
def test_misplaced_or_misused_barrier_is_an_error_at_its_line(kernel, tag,
                                                               text):
    x = torch.zeros(N * R, 64)
    e = _error(kernel, x, x.clone())
    assert text in str(e), str(e)
    assert e.line == line_of(tag)


def test_workspace_arguments_are_checked():
    x = torch.zeros(N * R, 64)
    e = _error(hard_with_workspace, x, torch.zeros(16, dtype=torch.int32),
               x.clone())
    assert 'mode="hard") takes no gm_workspace' in str(e)
    assert e.line == line_of("ERR-hard-ws")
    e = _error(soft_small_workspace, x, torch.zeros(8, dtype=torch.int32),
               x.clone())
    assert "INT32 GM tensor of at least 16 elements" in str(e)
    assert e.line == line_of("ERR-soft-ws")
