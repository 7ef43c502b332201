"""The NPU path of the ops whose PTO-ISA instructions the emitter gained
with issue 14/15: tile subscripts (TEXTRACT / TINSERT), pl.log (TLOG),
pl.rem / pl.rems (TREM / TREMS with their a2a3 scratch), pl.arange (TCI),
the broadcast family (TROWEXPAND<OP>, TCOLEXPAND<OP>, TROWEXPAND,
TCOLEXPAND), pl.xor / pl.xors (TXOR / TXORS), pl.transpose (TTRANS) and the
arg-reductions (TROWARGMAX ... TCOLARGMIN), the last three with their
scratch tiles. Each kernel runs on the strict reference (runtime/pto) with
backend="pto" and must give the CPU simulation's bits; the errors of the
forms PTO-ISA cannot run name the instruction at the author's line.

One PTO compile per (kernel, target): the CPU results come from one
module-scoped run each."""

from __future__ import annotations

import os
import shutil

import pytest
import torch

import tessel.language as pl
from tessel import CompileError
from pysource import tagged_line

pytestmark = [
    pytest.mark.skipif(
        shutil.which("g++") is None and shutil.which("clang++") is None,
        reason="the PTO back end builds emitted kernels with a host C++ "
               "compiler"),
    # One worker: the window kernel's CPU run is a module fixture.
    pytest.mark.xdist_group("pto-new-ops"),
]

THIS_FILE = os.path.realpath(__file__)


def line_of(tag: str) -> int:
    return tagged_line(THIS_FILE, tag)


def bits(t: torch.Tensor) -> torch.Tensor:
    return t.view({torch.float32: torch.int32, torch.float16: torch.int16,
                   torch.int32: torch.int32}[t.dtype])


@pl.jit
def window_ops(x: pl.Tensor[[8, 64], pl.FP32], y: pl.Tensor[[8, 64], pl.FP32],
               win: pl.Out[pl.Tensor[[4, 32], pl.FP32]],
               cols: pl.Out[pl.Tensor[[8, 64], pl.FP32]],
               built: pl.Out[pl.Tensor[[8, 64], pl.FP32]],
               lg: pl.Out[pl.Tensor[[8, 64], pl.FP32]],
               rm: pl.Out[pl.Tensor[[8, 64], pl.FP32]],
               rms: pl.Out[pl.Tensor[[8, 64], pl.FP32]],
               ar: pl.Out[pl.Tensor[[2, 24], pl.INT32]],
               ar1: pl.Out[pl.Tensor[[1, 40], pl.INT32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        t = x[:, :]
        u = y[:, :]
        # Rows 4..8, columns 16..48: column 16 is 64 bytes in.
        win[:, :] = t[4:8, 16:48]
        # Runtime windows c = 0, 16, 32, 48 (multiples of 8 f32 = 32 bytes).
        for c in pl.range(0, 64, 16):
            cols[:, c:c + 16] = pl.mul(t[:, c:c + 16], 2.0)
        # Inserts into a loop-carried tile, in place.
        acc = pl.full([8, 64], dtype=pl.FP32, value=0.0)
        for j in pl.range(4):
            acc[:, j * 16:j * 16 + 16] = pl.add(t[:, j * 16:j * 16 + 16], 1.0)
        acc[0:1, 0:8] = 5.0
        built[:, :] = acc
        lg[:, :] = pl.log(pl.abs(t))
        rm[:, :] = pl.rem(t, u)
        rms[:, :] = pl.rems(t, -2.5)
        ar[:, :] = pl.arange(-5, [2, 24], dtype=pl.INT32)
        ar1[:, :] = pl.arange(7, [1, 40], dtype=pl.INT32)


def window_inputs():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(8, 64, generator=g) * 4
    y = torch.randn(8, 64, generator=g) * 2
    x[0, 0] = 0.0       # log(0) = -inf
    x[0, 1], y[0, 1] = -7.0, 3.0     # rem 2 (the sign of the divisor)
    x[0, 2], y[0, 2] = 7.0, -3.0     # rem -2
    x[0, 3], y[0, 3] = -6.0, 3.0     # -0: a zero remainder is not corrected
    return x, y


def window_outputs():
    return [torch.zeros(4, 32), torch.zeros(8, 64), torch.zeros(8, 64),
            torch.zeros(8, 64), torch.zeros(8, 64), torch.zeros(8, 64),
            torch.zeros(2, 24, dtype=torch.int32),
            torch.zeros(1, 40, dtype=torch.int32)]


@pytest.fixture(scope="module")
def window_cpu():
    x, y = window_inputs()
    outs = window_outputs()
    window_ops(x, y, *outs, backend="cpu")
    return x, y, outs


@pytest.mark.parametrize("target", ("a2a3", "a5"))
def test_windows_log_rem_arange_on_the_reference(target, window_cpu):
    x, y, cpu = window_cpu
    outs = window_outputs()
    window_ops(x, y, *outs, target=target, backend="pto")
    for i, (got, want) in enumerate(zip(outs, cpu)):
        assert torch.equal(bits(got), bits(want)), i
    # And what they are.
    win, cols, built, lg, rm, rms, ar, ar1 = outs
    assert torch.equal(win, x[4:8, 16:48])
    assert torch.equal(cols, x * 2)
    want = x + 1
    want[0, 0:8] = 5.0
    assert torch.equal(built, want)
    torch.testing.assert_close(lg, torch.log(x.abs()), rtol=3e-7, atol=0)
    assert torch.equal(bits(rm), bits(torch.remainder(x, y)))
    assert torch.equal(bits(rms), bits(torch.remainder(x, -2.5)))
    assert torch.equal(ar.flatten(), torch.arange(-5, 43, dtype=torch.int32))
    assert torch.equal(ar1.flatten(), torch.arange(7, 47, dtype=torch.int32))
    # The instructions, not a decomposition.
    source = window_ops.pto(target).source
    for instr in ("TEXTRACT(", "TINSERT(", "TLOG(", "TREM(", "TREMS(",
                  "TCI<"):
        assert instr in source, instr


@pl.jit
def half_ops(x: pl.Tensor[[8, 48], pl.FP16], y: pl.Tensor[[8, 48], pl.FP16],
             lg: pl.Out[pl.Tensor[[8, 48], pl.FP16]],
             rm: pl.Out[pl.Tensor[[8, 48], pl.FP16]],
             win: pl.Out[pl.Tensor[[8, 16], pl.FP16]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        t = x[:, :]
        lg[:, :] = pl.log(pl.abs(t))
        rm[:, :] = pl.rem(t, y[:, :])
        # Column 16 of f16 is 32 bytes in.
        win[:, :] = t[:, 16:32]


def test_half_log_rem_window_on_a5():
    """a5 has the half TREM (a2a3 float only: an error, below)."""
    g = torch.Generator().manual_seed(1)
    x = (torch.randn(8, 48, generator=g) * 4).half()
    y = (torch.randn(8, 48, generator=g) * 2).half()
    got = [torch.zeros(8, 48, dtype=torch.float16),
           torch.zeros(8, 48, dtype=torch.float16),
           torch.zeros(8, 16, dtype=torch.float16)]
    want = [torch.zeros_like(t) for t in got]
    half_ops(x, y, *got, target="a5", backend="pto")
    half_ops(x, y, *want, target="a5", backend="cpu")
    for a, b in zip(got, want):
        assert torch.equal(bits(a), bits(b))
    assert torch.equal(got[2], x[:, 16:32])


# -- the broadcast family ----------------------------------------------------

from frontend import test_broadcast_family as bf  # noqa: E402


@pytest.mark.parametrize("target,name", [("a2a3", "f32"), ("a5", "f16")])
def test_broadcast_family_on_the_reference(target, name):
    """Every TROWEXPAND<OP> / TCOLEXPAND<OP> / TROWEXPAND / TCOLEXPAND on
    the reference gives the simulation's bits (NaN, infinities and -0 in
    the inputs); f16 rows are padded (40 of 48 columns)."""
    _, tdt = bf.DT[name]
    x, r, c = bf.inputs(tdt)
    got = [torch.zeros(bf.M, bf.N, dtype=tdt) for _ in range(15)]
    want = [torch.zeros(bf.M, bf.N, dtype=tdt) for _ in range(15)]
    bf.KERNELS[name](x, r, c, *got, target=target, backend="pto")
    bf.KERNELS[name](x, r, c, *want, target=target, backend="cpu")
    for i, (a, b) in enumerate(zip(got, want)):
        assert torch.equal(bits(a), bits(b)), i
    source = bf.KERNELS[name].pto(target).source
    for op in ("ADD", "SUB", "DIV", "MAX", "MIN", "EXPDIF"):
        assert f"TROWEXPAND{op}(" in source and f"TCOLEXPAND{op}(" in source
    assert "TROWEXPAND(" in source and "TCOLEXPAND(" in source
    # No decomposition through a ones tile any more.
    assert "TROWEXPANDMUL(" not in source


def test_int32_broadcasts_on_the_reference():
    x, r, c = bf.inputs(torch.int32, seed=3)
    got = [torch.zeros(bf.M, bf.N, dtype=torch.int32) for _ in range(5)]
    bf.int_kernel(x, r, c, *got, target="a2a3", backend="pto")
    assert torch.equal(got[0], x + r)
    assert torch.equal(got[1], x - r)
    assert torch.equal(got[2], torch.maximum(x, r))
    assert torch.equal(got[3], torch.minimum(x, c))
    assert torch.equal(got[4], c.expand(bf.M, bf.N))


# -- TXOR / TXORS, TTRANS, the arg-reductions (scratch tiles) ---------------

@pl.jit
def catalog_scratch_ops(x: pl.Tensor[[8, 32], pl.FP32],
                        h: pl.Tensor[[8, 32], pl.FP16],
                        i: pl.Tensor[[8, 32], pl.INT32],
                        j: pl.Tensor[[8, 32], pl.INT32],
                        q: pl.Tensor[[8, 32], pl.INT8],
                        r: pl.Tensor[[8, 32], pl.INT8],
                        t: pl.Out[pl.Tensor[[32, 8], pl.FP32]],
                        th: pl.Out[pl.Tensor[[32, 8], pl.FP16]],
                        xo: pl.Out[pl.Tensor[[16, 32], pl.INT32]],
                        xq: pl.Out[pl.Tensor[[16, 32], pl.INT8]],
                        rargs: pl.Out[pl.Tensor[[32, 1], pl.INT32]],
                        cargs: pl.Out[pl.Tensor[[4, 32], pl.INT32]]):
    with pl.at(level=pl.Level.VECTOR):
        a = pl.load(x, [0, 0], [8, 32])
        ah = pl.load(h, [0, 0], [8, 32])
        ai = pl.load(i, [0, 0], [8, 32])
        bi = pl.load(j, [0, 0], [8, 32])
        aq = pl.load(q, [0, 0], [8, 32])
        bq = pl.load(r, [0, 0], [8, 32])
        pl.store(pl.transpose(a, 0, 1), [0, 0], t)
        pl.store(pl.transpose(ah, 0, 1), [0, 0], th)
        pl.store(pl.xor(ai, bi, None), [0, 0], xo)
        pl.store(pl.xors(ai, -3, None), [8, 0], xo)
        pl.store(pl.xor(aq, bq, None), [0, 0], xq)
        pl.store(pl.xors(aq, 77, None), [8, 0], xq)
        pl.store(pl.row_argmax(a), [0, 0], rargs)
        pl.store(pl.row_argmin(a), [8, 0], rargs)
        pl.store(pl.row_argmax(ah), [16, 0], rargs)
        pl.store(pl.row_argmin(ai), [24, 0], rargs)
        pl.store(pl.col_argmax(a), [0, 0], cargs)
        pl.store(pl.col_argmin(a), [1, 0], cargs)
        pl.store(pl.col_argmax(ah), [2, 0], cargs)
        pl.store(pl.col_argmin(ah), [3, 0], cargs)


def catalog_inputs():
    """Small integers in the floats (many ties: the first extremum wins)
    and a NaN at x[0, 1] (it compares false: never chosen after index 0);
    full-range integers for the xors."""
    g = torch.Generator().manual_seed(3)
    x = torch.randint(-4, 5, (8, 32), generator=g).float()
    x[0, 1] = float("nan")
    h = torch.randint(-4, 5, (8, 32), generator=g).half()
    i32 = torch.iinfo(torch.int32)
    i, j = (torch.randint(i32.min, i32.max, (8, 32), generator=g,
                          dtype=torch.int32) for _ in range(2))
    q, r = (torch.randint(-128, 127, (8, 32), generator=g, dtype=torch.int8)
            for _ in range(2))
    return x, h, i, j, q, r


def catalog_outputs():
    return [torch.zeros(32, 8), torch.zeros(32, 8, dtype=torch.float16),
            torch.zeros(16, 32, dtype=torch.int32),
            torch.zeros(16, 32, dtype=torch.int8),
            torch.zeros(32, 1, dtype=torch.int32),
            torch.zeros(4, 32, dtype=torch.int32)]


@pytest.fixture(scope="module")
def catalog_cpu():
    ins = catalog_inputs()
    outs = catalog_outputs()
    catalog_scratch_ops(*ins, *outs, backend="cpu")
    return ins, outs


@pytest.mark.parametrize("target", ("a2a3", "a5"))
def test_xor_transpose_arg_reductions_on_the_reference(target, catalog_cpu):
    """TXOR / TXORS (a2a3: with the op's scratch tile), TTRANS (its tmp on
    both targets), TROWARGMAX / TROWARGMIN / TCOLARGMAX / TCOLARGMIN (a2a3:
    scratch of the source's type) on the strict reference: the CPU
    simulation's bits, and what torch computes."""
    (x, h, i, j, q, r), cpu = catalog_cpu
    outs = catalog_outputs()
    catalog_scratch_ops(x, h, i, j, q, r, *outs, target=target,
                        backend="pto")
    for k, (got, want) in enumerate(zip(outs, cpu)):
        assert torch.equal(bits(got) if got.is_floating_point() else got,
                           bits(want) if want.is_floating_point() else want), k
    t, th, xo, xq, rargs, cargs = outs
    assert torch.equal(bits(t), bits(x.t().contiguous()))
    assert torch.equal(th, h.t())
    assert torch.equal(xo[:8], i ^ j) and torch.equal(xo[8:], i ^ -3)
    assert torch.equal(xq[:8], q ^ r) and torch.equal(xq[8:], q ^ 77)
    # Rows 1..7 have no NaN: torch's first extremum.
    assert torch.equal(rargs[9:16, 0].long(), torch.argmin(x[1:], 1))
    assert torch.equal(rargs[24:32, 0].long(), torch.argmin(i, 1))
    assert torch.equal(cargs[2].long(), torch.argmax(h.float(), 0))
    source = catalog_scratch_ops.pto(target).source
    for instr in ("TXOR(", "TXORS(", "TTRANS(", "TROWARGMAX(", "TROWARGMIN(",
                  "TCOLARGMAX(", "TCOLARGMIN("):
        assert instr in source, instr


# -- what PTO-ISA cannot run -------------------------------------------------

@pl.jit
def unaligned(x: pl.Tensor[[8, 64], pl.FP32],
              y: pl.Out[pl.Tensor[[8, 16], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        t = x[:, :]
        y[:, :] = t[:, 4:20]  # ERR-unaligned


@pl.jit
def float_arange(y: pl.Out[pl.Tensor[[1, 16], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        y[:, :] = pl.arange(0, [1, 16], dtype=pl.FP32)  # ERR-arange


@pl.jit
def half_rem(x: pl.Tensor[[8, 48], pl.FP16],
             y: pl.Out[pl.Tensor[[8, 48], pl.FP16]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        t = x[:, :]
        y[:, :] = pl.rems(t, 3.0)  # ERR-rem


@pl.jit
def int_col_argmax(x: pl.Tensor[[8, 32], pl.INT32],
                   y: pl.Out[pl.Tensor[[1, 32], pl.INT32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        y[:, :] = pl.col_argmax(x[:, :])  # ERR-colarg


@pytest.mark.parametrize("kernel,tag,target,brief", [
    (int_col_argmax, "ERR-colarg", "a2a3",
     "TCOLARGMAX takes no 'i32' tiles on a2a3 (f16, f32); cast the tile "
     "first"),
    # Column 4 of f32 is 16 bytes in; a5 copies unaligned windows.
    (unaligned, "ERR-unaligned", "a2a3",
     "TEXTRACT needs the window's first column at a multiple of 8 elements "
     "(32 bytes) on a2a3; it is 4"),
    (float_arange, "ERR-arange", "a5",
     "TCI generates i32 sequences in the pto back end, not 'f32' (a5 has "
     "no float TCI)"),
    (half_rem, "ERR-rem", "a2a3", "TREMS takes f32 tiles on a2a3, not 'f16'"),
])
def test_npu_errors_at_the_line(kernel, tag, target, brief):
    with pytest.raises(CompileError) as info:
        kernel.pto(target)
    err = info.value
    assert os.path.realpath(err.filename) == THIS_FILE, str(err)
    assert err.line == line_of(tag), str(err)
    assert brief in str(err), str(err)
