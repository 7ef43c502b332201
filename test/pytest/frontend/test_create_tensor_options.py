"""`pl.create_tensor(init_value=, manual_dep=)`: inside a scope the
accumulator tile starts at `init_value`; `manual_dep=True` is a remark;
`init_value` on a GM scratch tensor is a CompileError."""

from __future__ import annotations

import os

import pytest
import torch

import tessel.language as pl
from tessel import CompileError

THIS_FILE = os.path.realpath(__file__)
with open(THIS_FILE) as _f:
    SOURCE_LINES = _f.read().splitlines()


def line_of(tag: str) -> int:
    return [i for i, t in enumerate(SOURCE_LINES, 1)
            if t.rstrip().endswith(f"# {tag}")][0]


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


@pl.jit
def gm_init(x: pl.Tensor[[8, 16], pl.FP32],
            y: pl.Out[pl.Tensor[[8, 16], pl.FP32]]):
    s = pl.create_tensor([8, 16], dtype=pl.FP32, init_value=0.0)  # ERR-gm
    with pl.at(level=pl.Level.CORE_GROUP):
        s[:, :] = x[:, :]
    with pl.at(level=pl.Level.CORE_GROUP):
        y[:, :] = s[:, :]


def test_init_value_on_gm_scratch_is_an_error():
    with pytest.raises(CompileError) as info:
        gm_init.ir()
    err = info.value
    assert err.line == line_of("ERR-gm")
    assert "init_value= on a GM scratch tensor is not supported yet" in \
        err.brief
