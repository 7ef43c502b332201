"""`pl.split_aiv(2, mode=pl.SplitMode.NONE)` (PyPTO's task-parallel region
of a core group's two vector lanes: Tessel runs the two bodies one after
the other in each block) and the bounds of an index inside a branch of
`if i < n:` (only the values that reach the branch are checked), the two
forms pypto-lib's fused DeepSeek-V4 hc_pre uses around its barriers.
Checked against torch on the CPU simulation and the NPU back end."""

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
PLATFORMS = ["a2a3sim"] + [
    pytest.param(p, marks=pytest.mark.skipif(
        not HAVE_CXX, reason="the NPU back end builds the emitted kernel "
                             "with a host C++ compiler"))
    for p in ("a2a3",)]


def line_of(tag: str) -> int:
    return tagged_line(THIS_FILE, tag)


CORES = 3
LANES = 2 * CORES       # 6 vector lanes
TASKS = 10              # row tiles of 8 rows, grid-strided over the lanes
ROWS = TASKS * 8


# Phase 1: lane l = 2 * core + aiv_id squares the row tiles l, l + 6, ...
# Phase 2 (after the barrier): lane l writes tile t = reverse of what the
# lanes wrote: out tile t = sq tile (TASKS - 1 - t) + tile t of x. The
# tasks of a lane are 0 or 1 more than another's (10 over 6 lanes), and
# the branch `t < 5` picks the source half: inside it t is 0..4.
@pl.jit
def lanes(x: pl.Tensor[[ROWS, 32], pl.FP32],
          sq: pl.Out[pl.Tensor[[ROWS, 32], pl.FP32]],
          out: pl.Out[pl.Tensor[[ROWS, 32], pl.FP32]]):
    with pl.spmd(CORES, name_hint="lanes"):
        core = pl.tile.get_block_idx()
        for aiv_id in pl.split_aiv(2, mode=pl.SplitMode.NONE):  # TAG-region
            lane = core * 2 + aiv_id
            for t in pl.range(lane, TASKS, LANES):
                sq[t * 8:t * 8 + 8, :] = pl.mul(x[t * 8:t * 8 + 8, :],
                                                x[t * 8:t * 8 + 8, :])
        pl.system.syncall(core_type="mix")
        for aiv_id in pl.split_aiv(2, mode=pl.SplitMode.NONE):
            lane = core * 2 + aiv_id
            for t in pl.range(lane, TASKS, LANES):
                r = TASKS - 1 - t
                if t < TASKS // 2:
                    out[t * 8:t * 8 + 8, :] = pl.add(
                        sq[r * 8:r * 8 + 8, :], x[t * 8:t * 8 + 8, :])
                else:
                    out[t * 8:t * 8 + 8, :] = pl.sub(
                        sq[r * 8:r * 8 + 8, :], x[t * 8:t * 8 + 8, :])


@pytest.mark.parametrize("platform", PLATFORMS)
def test_two_lane_regions_around_a_barrier(platform):
    x = torch.randn(ROWS, 32, generator=torch.Generator().manual_seed(5))
    sq = torch.full((ROWS, 32), float("nan"))
    out = torch.full((ROWS, 32), float("nan"))
    lanes(x, sq, out, config=RunConfig(platform=platform))
    want_sq = x * x
    rev = want_sq.view(TASKS, 8, 32).flip(0).reshape(ROWS, 32)
    want = torch.cat([rev[:ROWS // 2] + x[:ROWS // 2],
                      rev[ROWS // 2:] - x[ROWS // 2:]])
    assert torch.equal(sq, want_sq)
    assert torch.equal(out, want)


def test_the_region_is_remarked():
    x, sq, out = (torch.zeros(ROWS, 32) for _ in range(3))
    got = [(m, w[1]) for sev, m, w, _ in lanes.lower(x, sq, out).warnings
           if "REMARK" in sev]
    assert any("pl.split_aiv(2, mode=pl.SplitMode.NONE)" in m and
               "one after the other" in m and line == line_of("TAG-region")
               for m, line in got), got


# The branch sees only t < 2, so the tile assembled at row t * 16 stays
# inside y's 32 rows; the else branch sees t in 2..3 and writes z rows
# (t - 2) * 16 ... (pl.assemble is checked by the frontend, which without
# the branch's range took t in 0..3: rows 48..63 of a 32-row tensor.)
@pl.jit
def halves(x: pl.Tensor[[64, 16], pl.FP32],
           y: pl.Out[pl.Tensor[[32, 16], pl.FP32]],
           z: pl.Out[pl.Tensor[[32, 16], pl.FP32]]):
    with pl.at(level=pl.Level.AIV):
        for t in pl.range(4):
            if t < 2:
                y = pl.assemble(y, pl.add(x[t * 16:t * 16 + 16, :], 1.0),
                                [t * 16, 0])
            else:
                u = t - 2
                z = pl.assemble(z, pl.neg(x[t * 16:t * 16 + 16, :]),
                                [u * 16, 0])


@pl.jit
def halves_wrong(x: pl.Tensor[[64, 16], pl.FP32],
                 y: pl.Out[pl.Tensor[[32, 16], pl.FP32]]):
    with pl.at(level=pl.Level.AIV):
        for t in pl.range(4):
            if 3 > t:
                y = pl.assemble(y, pl.add(x[t * 16:t * 16 + 16, :],  # ERR-oob
                                          1.0), [t * 16, 0])


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_branch_sees_only_the_indices_that_reach_it(platform):
    x = torch.randn(64, 16, generator=torch.Generator().manual_seed(6))
    y = torch.full((32, 16), float("nan"))
    z = torch.full((32, 16), float("nan"))
    halves(x, y, z, config=RunConfig(platform=platform))
    assert torch.equal(y, x[:32] + 1.0)
    assert torch.equal(z, -x[32:])


def test_a_branch_still_reports_an_index_out_of_bounds():
    # t < 3 (written 3 > t): t = 2 writes rows 32..47 of a 32-row tensor.
    with pytest.raises(CompileError) as e:
        halves_wrong(torch.zeros(64, 16), torch.zeros(32, 16))
    assert "out of bounds" in str(e.value)
    assert e.value.line == line_of("ERR-oob")


@pl.jit
def split_halves(x: pl.Tensor[[16, 32], pl.FP32],
                 y: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    with pl.spmd(2):
        b = pl.tile.get_block_idx()
        for aiv_id in pl.split_aiv(2, mode=pl.SplitMode.UP_DOWN):  # ERR-mode
            y[b * 8:b * 8 + 8, :] = x[b * 8:b * 8 + 8, :]


@pl.jit
def three_lanes(x: pl.Tensor[[16, 32], pl.FP32],
                y: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    with pl.spmd(2):
        b = pl.tile.get_block_idx()
        for aiv_id in pl.split_aiv(3, mode=pl.SplitMode.NONE):  # ERR-three
            y[b * 8:b * 8 + 8, :] = x[b * 8:b * 8 + 8, :]


@pl.jit
def region_at_function_level(x: pl.Tensor[[16, 32], pl.FP32],
                             y: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    for aiv_id in pl.split_aiv(2, mode=pl.SplitMode.NONE):  # ERR-outside
        with pl.at(level=pl.Level.AIV):
            y[aiv_id * 8:aiv_id * 8 + 8, :] = x[aiv_id * 8:aiv_id * 8 + 8, :]


@pytest.mark.parametrize("kernel,tag,text", [
    (split_halves, "ERR-mode", "pl.split_aiv(mode=pl.SplitMode.UP_DOWN) is "
                               "not supported by Tessel"),
    (three_lanes, "ERR-three", "the 2 vector cores of a core group"),
    (region_at_function_level, "ERR-outside",
     "pl.split_aiv outside a core scope"),
])
def test_unsupported_regions_are_errors_at_the_line(kernel, tag, text):
    with pytest.raises(CompileError) as e:
        kernel(torch.zeros(16, 32), torch.zeros(16, 32))
    assert text in str(e.value), str(e.value)
    assert e.value.line == line_of(tag)
