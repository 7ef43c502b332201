"""`pl.create_tensor(init_value=, manual_dep=)`: inside a scope the
accumulator tile starts at `init_value`; `manual_dep=True` is a remark;
at function level `init_value` fills the GM scratch tensor before the
scopes that follow (its own `<name>_init` scope), against torch; a value
the dtype cannot hold is a CompileError at it."""

from __future__ import annotations

import os

import pytest
import torch

import tessel.language as pl
from tessel import CompileError
from pysource import tagged_line

THIS_FILE = os.path.realpath(__file__)


def line_of(tag: str) -> int:
    return tagged_line(THIS_FILE, tag)


@pl.jit
def running_max(x: pl.Tensor[[8, 64], pl.FP32],
                y: pl.Out[pl.Tensor[[8, 16], pl.FP32]]):
    scratch = pl.create_tensor([8, 16], dtype=pl.FP32, manual_dep=True)  # TAG-md
    with pl.at(level=pl.Level.CORE_GROUP):
        # The accumulator starts at -3.0, not 0: max(-3, x) over 4 chunks.
        acc = pl.create_tensor([8, 16], dtype=pl.FP32, init_value=-3.0)
        for k in pl.range(4):
            acc = pl.maximum(acc, x[:, k * 16:k * 16 + 16])
        scratch[:, :] = acc
    with pl.at(level=pl.Level.CORE_GROUP):
        y[:, :] = scratch[:, :]


def test_init_value_starts_the_accumulator():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(8, 64, generator=g) - 4.0   # mostly below -3
    y = torch.zeros(8, 16)
    running_max(x, y)
    want = torch.full((8, 16), -3.0)
    for k in range(4):
        want = torch.maximum(want, x[:, k * 16:k * 16 + 16])
    assert torch.equal(y, want)
    assert "tile.full -3.000000e+00" in running_max.ir()


def test_manual_dep_is_a_remark():
    rem = [(m, w) for sev, m, w, _ in running_max.module().warnings
           if "REMARK" in sev and "manual_dep" in m]
    assert len(rem) == 1 and rem[0][1][1] == line_of("TAG-md")
    assert "manual_dep=True ignored" in rem[0][0]


ROWS = 20   # split in blocks of 8 rows: 8, 8 and a partial 4


@pl.jit
def gm_init(x: pl.Tensor[[8, 16], pl.FP32],
            parts: pl.Tensor[[ROWS, 32], pl.FP32],
            y: pl.Out[pl.Tensor[[8, 16], pl.FP32]],
            yi: pl.Out[pl.Tensor[[1, 40], pl.INT32]],
            y3: pl.Out[pl.Tensor[[8, 16], pl.FP16]],
            ysum: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
    s = pl.create_tensor([8, 16], dtype=pl.FP32, init_value=1.5)
    si = pl.create_tensor([40], dtype=pl.INT32, init_value=-3)
    s3 = pl.create_tensor([2, 4, 16], dtype=pl.FP16, init_value=0.5)
    # A split-K style sum seeded by init_value=0 instead of a seeding scope.
    acc = pl.create_tensor([8, 32], dtype=pl.FP32, init_value=0)
    with pl.at(level=pl.Level.CORE_GROUP):
        s[0:4, :] = x[0:4, :]           # rows 4..7 keep the fill
        si[8:24] = pl.full([1, 16], dtype=pl.INT32, value=7)
    for b in pl.spmd(3, name_hint="adds"):
        r0 = b * 8
        t = pl.slice(parts, [8, 32], [r0, 0],
                     valid_shape=[pl.min(8, ROWS - r0), 32])
        pl.assemble(acc, t, [0, 0], atomic=pl.AtomicType.Add)
    with pl.at(level=pl.Level.CORE_GROUP):
        y[:, :] = s[:, :]
        yi[:, :] = pl.reshape(si[0:40], [1, 40])
        y3[0:4, :] = s3[0:1, :, :]
        y3[4:8, :] = s3[1:2, :, :]
        ysum[:, :] = acc[:, :]


@pytest.fixture(scope="module")
def filled():
    g = torch.Generator().manual_seed(1)
    x = torch.randn(8, 16, generator=g)
    parts = torch.randn(ROWS, 32, generator=g)
    outs = (torch.zeros(8, 16), torch.zeros(1, 40, dtype=torch.int32),
            torch.zeros(8, 16, dtype=torch.float16),
            torch.full((8, 32), 99.0))
    gm_init(x, parts, *outs)
    return x, parts, outs


def test_init_value_fills_gm_scratch(filled):
    x, _, (y, yi, y3, _) = filled
    want = torch.full((8, 16), 1.5)
    want[0:4] = x[0:4]
    assert torch.equal(y, want)
    wi = torch.full((1, 40), -3, dtype=torch.int32)
    wi[0, 8:24] = 7
    assert torch.equal(yi, wi)
    assert torch.equal(y3, torch.full((8, 16), 0.5, dtype=torch.float16))


def test_init_value_zero_seeds_atomic_adds(filled):
    _, parts, (_, _, _, ysum) = filled
    want = parts[0:8] + parts[8:16]
    want[0:4] += parts[16:20]
    torch.testing.assert_close(ysum, want, rtol=1e-6, atol=1e-6)


def test_fill_is_a_scope_of_its_own_before_the_others():
    ir = gm_init.ir()
    names = [line.split('name("')[1].split('"')[0] for line in
             ir.splitlines() if "tile.spmd" in line and 'name("' in line]
    # The four fills, in source order, before the scopes that use them.
    assert names[:4] == ["s_init", "si_init", "s3_init", "acc_init"]
    assert "tile.full -3 : !tile.tile<1x40xi32>" in ir
    assert "tile.full 5.000000e-01 : !tile.tile<8x16xf16>" in ir


@pytest.mark.parametrize("shape, elt_bytes, plan", [
    ((16, 2048), 1, (16, 2048, 8)),     # 32 KiB: 2 blocks of [8, 2048]
    ((3, 5), 4, (3, 5, 3)),             # one [3, 5] tile
    ((2, 8192), 4, (4, 4096, 1)),       # a 32 KiB row: 4 blocks [1, 4096]
    ((40,), 4, (1, 40, 1)),             # 1-D: one [1, 40] row
    ((2, 4, 16), 2, (8, 16, 8)),        # leading dims fold into rows
])
def test_fill_plan(shape, elt_bytes, plan):
    from tessel.frontend.builtins import FILL_TILE_BYTES, fill_plan
    rows, cols, per_block = fill_plan(shape, elt_bytes)
    assert (rows, cols, per_block) == plan
    assert rows % per_block == 0
    assert per_block * cols * elt_bytes <= FILL_TILE_BYTES


@pytest.mark.parametrize("dtype, value, message", [
    ("INT8", 1.5, "init_value of an INT8 tensor must be an integer"),
    ("INT8", 300, "300 does not fit in INT8"),
    ("FP32", "zero", "init_value must be a compile-time number"),
])
def test_bad_init_value_is_an_error(dtype, value, message):
    @pl.jit
    def bad(y: pl.Out[pl.Tensor[[8, 16], pl.FP32]]):
        s = pl.create_tensor([8, 16], dtype=getattr(pl, dtype), init_value=value)  # ERR-init
        with pl.at(level=pl.Level.CORE_GROUP):
            y[:, :] = pl.cast(s[:, :], target_type=pl.FP32)
    with pytest.raises(CompileError) as info:
        bad.ir()
    assert info.value.line == line_of("ERR-init")
    assert message in str(info.value)
