"""Masked atomic stores (issue 14): `pl.assemble(..., atomic=pl.AtomicType.
Add)` of a partial tile adds only its valid region into GM, from several
blocks at once, with a runtime valid extent (the partial last block of a
split) or a static one (a window that runs past the tensor); against torch.
The valid region is bounds-checked like a plain partial store's; the NPU
back end emits TSTORE's atomic form of a view with the valid shape, run
here on the strict reference (runtime/pto) for both targets."""

from __future__ import annotations

import inspect

import pytest
import torch

import tessel.language as pl
from tessel import CompileError

ROWS = 20    # 20 rows in blocks of 8: rows 0-7, 8-15 and the partial 16-19


@pl.jit
def masked_adds(x: pl.Tensor[[ROWS, 32], pl.FP32],
                c: pl.Tensor[[ROWS, 32], pl.INT32],
                o: pl.Out[pl.Tensor[[8, 32], pl.FP32]],
                oc: pl.Out[pl.Tensor[[9, 32], pl.INT32]]):
    for b in pl.spmd(3, name_hint="add_rows"):
        r0 = b * 8
        # Block 2 reads rows 16..19: valid [min(8, 20 - 16) = 4, 32]; it
        # adds into rows 0..3 of o only, rows 4..7 keep blocks 0 and 1's sum.
        t = pl.slice(x, [8, 32], [r0, 0],
                     valid_shape=[pl.min(8, ROWS - r0), 32])
        o = pl.assemble(o, t, [0, 0], atomic=pl.AtomicType.Add)
        # A static [3, 20] region of an 8 x 32 window at row 6 of a 9-row
        # tensor: 6 + 3 = 9 rows fit, the window's other rows (6 + 8 = 14)
        # and columns 20..31 are never touched.
        s = pl.slice(c, [8, 32], [r0, 0], valid_shape=[3, 20])
        pl.assemble(oc, s, [6, 0], atomic=pl.AtomicType.Add)


@pytest.fixture(scope="module")
def run():
    g = torch.Generator().manual_seed(14)
    x = torch.randn(ROWS, 32, generator=g)
    c = torch.randint(-50, 50, (ROWS, 32), generator=g, dtype=torch.int32)
    o = torch.full((8, 32), 0.25)
    oc = torch.full((9, 32), 7, dtype=torch.int32)
    masked_adds(x, c, o, oc)
    return x, c, o, oc


def test_partial_last_block_adds_its_valid_rows(run):
    x, _, o, _ = run
    want = torch.full((8, 32), 0.25)
    want += x[0:8]
    want += x[8:16]
    want[0:4] += x[16:20]
    torch.testing.assert_close(o, want, rtol=1e-6, atol=1e-6)


def test_static_valid_region_past_the_tensor(run):
    _, c, _, oc = run
    want = torch.full((9, 32), 7, dtype=torch.int32)
    for b in range(3):
        want[6:9, 0:20] += c[8 * b:8 * b + 3, 0:20]
    assert torch.equal(oc, want)


def test_ir_is_a_masked_atomic_store():
    ir = masked_adds.ir()
    stores = [s for s in ir.splitlines() if "tile.store" in s]
    assert len(stores) == 2 and all("{atomic_add}" in s for s in stores)
    assert "valid [%" in stores[0] and "valid [3, 20]" in stores[1]


def _line(fn, text):
    src, first = inspect.getsourcelines(fn)
    return first + next(i for i, s in enumerate(src) if text in s)


def test_valid_region_out_of_bounds_is_an_error():
    @pl.jit
    def past_end(x: pl.Tensor[[8, 32], pl.FP32],
                 o: pl.Out[pl.Tensor[[9, 32], pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            # 6 + 4 = 10 valid rows > the tensor's 9.
            t = pl.slice(x, [8, 32], [0, 0], valid_shape=[4, 32])
            pl.assemble(o, t, [6, 0], atomic=pl.AtomicType.Add)
    with pytest.raises(CompileError) as info:
        past_end.ir()
    assert info.value.line == _line(past_end, "pl.assemble(")
    assert "out of bounds" in str(info.value)


@pytest.mark.parametrize("target", ("a2a3", "a5"))
def test_npu_path_on_the_reference(run, target):
    """TSTORE<..., AtomicType::AtomicAdd> of a view with the valid shape
    (a runtime row count for the last block, a static [3, 20] region) on
    the strict reference: the CPU simulation's bits (the f32 adds of the
    three blocks in block order, as the reference runs them)."""
    x, c, o_cpu, oc_cpu = run
    o = torch.full((8, 32), 0.25)
    oc = torch.full((9, 32), 7, dtype=torch.int32)
    masked_adds(x, c, o, oc, backend="pto", target=target)
    assert torch.equal(o, o_cpu)
    assert torch.equal(oc, oc_cpu)
    source = masked_adds.pto(target).source
    assert source.count("AtomicType::AtomicAdd>") == 2
    assert "BLayout::RowMajor, -1, 32>" in source      # the runtime rows


def test_npu_narrowed_tile_on_the_reference():
    @pl.jit
    def narrowed(x: pl.Tensor[[8, 32], pl.FP32],
                 o: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            # A full load narrowed to 5 rows: only the store is partial.
            t = pl.set_validshape(x[0:8, :], 5, 32)
            pl.assemble(o, t, [0, 0], atomic=pl.AtomicType.Add)
    x = torch.randn(8, 32)
    got = torch.full((8, 32), 1.5)
    want = torch.full((8, 32), 1.5)
    narrowed(x, got, backend="pto")
    narrowed(x, want, backend="cpu")
    assert torch.equal(got, want)
    expect = torch.full((8, 32), 1.5)
    expect[:5] += x[:5]
    assert torch.equal(got, expect)
