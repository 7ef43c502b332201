"""The NPU path of comparison and selection: pl.cmp / pl.cmps (PTO-ISA
TCMP / TCMPS into a uint8_t view of the packed mask, then TFILLPAD_INPLACE
zeroing the mask bytes past N / 8 of each row) and pl.sel / pl.sels (TSEL
with its tmp in the op's scratch; sels spreads its scalar over the scratch
with TEXPANDS first). Each kernel runs on the strict reference
(runtime/pto) with backend="pto" and must give the CPU simulation's bits
and torch's values, for every dtype the ops take (FP32, FP16, INT32) on
both targets (a2a3's INT32 compares for equality only: eq / ne there, an
error at the author's line otherwise), and pl.prelu (PTO-ISA TPRELU,
a2a3's uint8_t tmp the op's scratch)."""

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
    pytest.mark.xdist_group("pto-cmp-sel"),
]

THIS_FILE = os.path.realpath(__file__)

M = 8
MASK_COLS = 32


def line_of(tag: str) -> int:
    return tagged_line(THIS_FILE, tag)


def bits(t: torch.Tensor) -> torch.Tensor:
    return t.view({torch.float32: torch.int32, torch.float16: torch.int16,
                   torch.int32: torch.int32, torch.int8: torch.int8}[t.dtype])


def pack(pred: torch.Tensor) -> torch.Tensor:
    """The packed predicate mask of an [M, N] bool tensor: bit j % 8 of byte
    [i, j // 8], zero bytes up to roundup(N / 8, 32); as int8."""
    rows, n = pred.shape
    cols = max(MASK_COLS, -(-(n // 8) // 32) * 32)
    b = pred.reshape(rows, n // 8, 8).to(torch.int64)
    out = torch.zeros(rows, cols, dtype=torch.int64)
    out[:, :n // 8] = (b << torch.arange(8)).sum(-1)
    return ((out + 128) % 256 - 128).to(torch.int8)


@pl.jit
def cmp_sel_all(x: pl.Tensor, y: pl.Tensor, masks: pl.Out[pl.Tensor],
                smasks: pl.Out[pl.Tensor], sel: pl.Out[pl.Tensor],
                sels: pl.Out[pl.Tensor]):
    """Every mode of pl.cmp and pl.cmps (against 1), sel by x < y, sels of
    x >= 0 with -1 elsewhere."""
    with pl.at(level=pl.Level.VECTOR):
        a = x[:, :]
        b = y[:, :]
        for k in range(6):
            pl.store(pl.cmp(a, b, cmp_type=k), [8 * k, 0], masks)
            pl.store(pl.cmps(a, 1, cmp_type=k), [8 * k, 0], smasks)
        pl.store(pl.sel(pl.cmp(a, b, cmp_type=2), a, b, None), [0, 0], sel)
        pl.store(pl.sels(pl.cmps(a, 0, cmp_type=5), a, None, -1), [0, 0],
                 sels)


@pl.jit
def cmp_sel_eq(x: pl.Tensor, y: pl.Tensor, masks: pl.Out[pl.Tensor],
               smasks: pl.Out[pl.Tensor], sel: pl.Out[pl.Tensor],
               sels: pl.Out[pl.Tensor]):
    """cmp_sel_all with eq / ne only (a2a3's INT32 compares): sel by
    x == y, sels of x != 0."""
    with pl.at(level=pl.Level.VECTOR):
        a = x[:, :]
        b = y[:, :]
        for k in range(2):
            pl.store(pl.cmp(a, b, cmp_type=k), [8 * k, 0], masks)
            pl.store(pl.cmps(a, 1, cmp_type=k), [8 * k, 0], smasks)
        pl.store(pl.sel(pl.cmp(a, b, cmp_type=0), a, b, None), [0, 0], sel)
        pl.store(pl.sels(pl.cmps(a, 0, cmp_type=1), a, None, -1), [0, 0],
                 sels)


def operands(dtype, n):
    """Small integers with many ties (exact in every dtype); for floats NaNs
    (ordered compares false, ne true), -0 against +0 (equal) and
    infinities."""
    g = torch.Generator().manual_seed(11)
    x = torch.randint(-3, 4, (M, n), generator=g).to(dtype)
    y = torch.randint(-3, 4, (M, n), generator=g).to(dtype)
    if dtype.is_floating_point:
        x[0, 1] = y[2, 7] = x[3, 3] = float("nan")
        x[4, 0], y[4, 0] = -0.0, 0.0
        x[5, 9], y[6, 2] = float("inf"), float("-inf")
    else:
        x[0, 0], y[0, 1] = torch.iinfo(dtype).min, torch.iinfo(dtype).max
    return x, y


def outputs(dtype, n, modes):
    cols = max(MASK_COLS, n // 8)
    return [torch.full((8 * modes, cols), 77, dtype=torch.int8),
            torch.full((8 * modes, cols), 77, dtype=torch.int8),
            torch.zeros(M, n, dtype=dtype), torch.zeros(M, n, dtype=dtype)]


CASES = [
    # (dtype, N, target, kernel)
    (torch.float32, 64, "a2a3", cmp_sel_all),
    (torch.float32, 64, "a5", cmp_sel_all),
    (torch.float16, 64, "a2a3", cmp_sel_all),
    (torch.float16, 64, "a5", cmp_sel_all),
    (torch.int32, 64, "a2a3", cmp_sel_eq),
    (torch.int32, 64, "a5", cmp_sel_all),
    # 256 columns: the mask rows are exactly 32 bytes (nothing to fill).
    (torch.float16, 256, "a2a3", cmp_sel_all),
    (torch.float32, 16, "a5", cmp_sel_all),
]


@pytest.mark.parametrize(
    "dtype,n,target,kernel", CASES,
    ids=[f"{str(d).split('.')[-1]}-{n}-{t}" for d, n, t, _ in CASES])
def test_cmp_sel_on_the_reference(dtype, n, target, kernel):
    x, y = operands(dtype, n)
    modes = 6 if kernel is cmp_sel_all else 2
    got, want = outputs(dtype, n, modes), outputs(dtype, n, modes)
    kernel(x, y, *got, target=target, backend="pto")
    kernel(x, y, *want, target=target, backend="cpu")
    for k, (g, w) in enumerate(zip(got, want)):
        assert torch.equal(bits(g), bits(w)), k
    masks, smasks, sel, sels = got
    one = torch.tensor(1, dtype=dtype)
    preds = [(x == y, x == one), (x != y, x != one), (x < y, x < one),
             (x <= y, x <= one), (x > y, x > one), (x >= y, x >= one)]
    for k, (p, s) in enumerate(preds[:modes]):
        assert torch.equal(masks[8 * k:8 * k + 8], pack(p)), k
        assert torch.equal(smasks[8 * k:8 * k + 8], pack(s)), k
    if modes == 6:
        want_sel = torch.where(x < y, x, y)
        want_sels = torch.where(x >= 0, x, torch.tensor(-1, dtype=dtype))
    else:
        want_sel = torch.where(x == y, x, y)
        want_sels = torch.where(x != 0, x, torch.tensor(-1, dtype=dtype))
    # Selection copies bits: NaNs and -0 arrive as torch.where picks them.
    assert torch.equal(bits(sel), bits(want_sel))
    assert torch.equal(bits(sels), bits(want_sels))
    source = kernel.pto(target).source
    for instr in ("TCMP(", "TCMPS(", "TSEL(", "TEXPANDS("):
        assert instr in source, instr
    assert ("TFILLPAD_INPLACE(" in source) == (n // 8 < MASK_COLS)


@pl.jit
def mixed_cmp_sel(x: pl.Tensor[[8, 64], pl.FP32],
                  h: pl.Tensor[[8, 64], pl.FP16],
                  i: pl.Tensor[[8, 64], pl.INT32],
                  masks: pl.Out[pl.Tensor[[24, 32], pl.INT8]],
                  fs: pl.Out[pl.Tensor[[8, 64], pl.FP32]],
                  hs: pl.Out[pl.Tensor[[8, 64], pl.FP16]],
                  js: pl.Out[pl.Tensor[[8, 64], pl.INT32]],
                  pr: pl.Out[pl.Tensor[[8, 64], pl.FP16]]):
    """Annotated (test_pto_isa_headers compiles it against pto-isa): one
    compare of each dtype (a2a3's i32: eq), sel and sels of each, a
    prelu."""
    with pl.at(level=pl.Level.VECTOR):
        a = x[:, :]
        b = h[:, :]
        c = i[:, :]
        ma = pl.cmps(a, 0.5, cmp_type=3)
        mb = pl.cmp(b, b, cmp_type=1)
        mc = pl.cmps(c, 2, cmp_type=0)
        pl.store(ma, [0, 0], masks)
        pl.store(mb, [8, 0], masks)
        pl.store(mc, [16, 0], masks)
        fs[:, :] = pl.sels(ma, a, None, 2.5)
        hs[:, :] = pl.sel(mb, b, b, None)
        js[:, :] = pl.sel(mc, c, pl.sels(ma, c, None, 7), None)
        pr[:, :] = pl.prelu(b, pl.sels(mb, b, None, -0.25))


@pytest.mark.parametrize("target", ("a2a3", "a5"))
def test_mixed_cmp_sel_on_the_reference(target):
    g = torch.Generator().manual_seed(5)
    x = torch.randint(-2, 3, (8, 64), generator=g).float() / 2
    x[1, 1] = float("nan")
    h = torch.randint(-2, 3, (8, 64), generator=g).half()
    h[2, 2] = float("nan")
    i = torch.randint(0, 4, (8, 64), generator=g, dtype=torch.int32)
    outs = [torch.full((24, 32), 77, dtype=torch.int8), torch.zeros(8, 64),
            torch.zeros(8, 64, dtype=torch.float16),
            torch.zeros(8, 64, dtype=torch.int32),
            torch.zeros(8, 64, dtype=torch.float16)]
    cpu = [torch.empty_like(t) for t in outs]
    mixed_cmp_sel(x, h, i, *outs, target=target, backend="pto")
    mixed_cmp_sel(x, h, i, *cpu, backend="cpu")
    for k, (got, want) in enumerate(zip(outs, cpu)):
        assert torch.equal(bits(got), bits(want)), k
    masks, fs, hs, js, pr = outs
    assert torch.equal(masks[:8], pack(x <= 0.5))
    assert torch.equal(masks[8:16], pack(h != h))
    assert torch.equal(masks[16:], pack(i == 2))
    assert torch.equal(bits(fs), bits(torch.where(x <= 0.5, x,
                                                  torch.tensor(2.5))))
    assert torch.equal(bits(hs), bits(h))
    assert torch.equal(js, torch.where(i == 2, i, torch.where(
        x <= 0.5, i, torch.tensor(7, dtype=torch.int32))))
    # h != h only at the NaN: its slope is the NaN itself, -0.25 elsewhere.
    slope = torch.where(h != h, h, torch.tensor(-0.25, dtype=torch.float16))
    assert torch.equal(bits(pr), bits(torch.where(
        h > 0, h, (h.double() * slope.double()).half())))


# -- pl.prelu: TPRELU (a2a3: its uint8_t tmp is the op's scratch) ----------

@pl.jit
def prelu(x: pl.Tensor, a: pl.Tensor, c: pl.Tensor, s: pl.Tensor,
          y: pl.Out[pl.Tensor], yc: pl.Out[pl.Tensor]):
    """An [8, N] prelu and one of a column vector (TPRELU through its row
    view)."""
    with pl.at(level=pl.Level.VECTOR):
        y[:, :] = pl.prelu(x[:, :], a[:, :])
        yc[:, :] = pl.prelu(c[:, :], s[:, :])


PRELU = [(torch.float32, 64, "a2a3"), (torch.float32, 64, "a5"),
         (torch.float16, 48, "a2a3"), (torch.float16, 48, "a5"),
         (torch.float32, 200, "a2a3")]


@pytest.mark.parametrize(
    "dtype,n,target", PRELU,
    ids=[f"{str(d).split('.')[-1]}-{n}-{t}" for d, n, t in PRELU])
def test_prelu_on_the_reference(dtype, n, target):
    """x > 0 ? x : x * slope, the product rounded once: zeros and NaNs take
    the product (+0 * -2 = -0)."""
    g = torch.Generator().manual_seed(13)
    x = (torch.randn(8, n, generator=g) * 3).to(dtype)
    a = torch.randn(8, n, generator=g).to(dtype)
    x[0, 0], a[0, 0] = 0.0, -2.0
    x[0, 1], a[0, 1] = -0.0, 3.0
    x[0, 2] = float("nan")
    x[1, 3] = float("-inf")
    c = (torch.randn(16, 1, generator=g) * 3).to(dtype)
    s = torch.randn(16, 1, generator=g).to(dtype)
    outs = [torch.zeros(8, n, dtype=dtype), torch.zeros(16, 1, dtype=dtype)]
    cpu = [t.clone() for t in outs]
    prelu(x, a, c, s, *outs, target=target, backend="pto")
    prelu(x, a, c, s, *cpu, target=target, backend="cpu")
    for k, (got, want) in enumerate(zip(outs, cpu)):
        assert torch.equal(bits(got), bits(want)), k
    for got, v, sl in ((outs[0], x, a), (outs[1], c, s)):
        want = torch.where(v > 0, v, (v.double() * sl.double()).to(dtype))
        assert torch.equal(bits(got), bits(want))
    source = prelu.pto(target).source
    assert "TPRELU(" in source
    # a2a3: (8 + 1) x alignTo(ceil(N / 8), 32) = 9 x 32 bytes of tmp.
    assert ("uint8_t, 9, 32" in source) == (target == "a2a3")


# -- what the NPU cannot run ------------------------------------------------

@pl.jit
def int_lt(x: pl.Tensor[[8, 64], pl.INT32], y: pl.Tensor[[8, 64], pl.INT32],
           m: pl.Out[pl.Tensor[[8, 32], pl.INT8]]):
    with pl.at(level=pl.Level.VECTOR):
        a = x[:, :]
        m[:, :] = pl.cmp(a, y[:, :], cmp_type=2)  # ERR-intlt


@pl.jit
def odd_columns(x: pl.Tensor[[8, 12], pl.FP32],
                m: pl.Out[pl.Tensor[[8, 32], pl.INT8]]):
    with pl.at(level=pl.Level.VECTOR):
        m[:, :] = pl.cmps(x[:, :], 0.0, cmp_type=4)  # ERR-odd


@pytest.mark.parametrize("kernel,tag,target,brief", [
    (int_lt, "ERR-intlt", "a2a3",
     "TCMP on a2a3 compares i32 tiles for equality only (PTO-ISA uses its "
     "EQ compare for every other mode); 'lt' of i32 needs a5"),
    (odd_columns, "ERR-odd", "a5",
     "TCMPS packs 8 columns per mask byte: a 12-column comparison (not a "
     "multiple of 8)"),
])
def test_npu_errors_at_the_line(kernel, tag, target, brief):
    with pytest.raises(CompileError) as info:
        kernel.pto(target)
    err = info.value
    assert os.path.realpath(err.filename) == THIS_FILE, str(err)
    assert err.line == line_of(tag), str(err)
    assert brief in str(err), str(err)


def test_int_lt_runs_on_a5_and_the_cpu():
    """The a2a3 error is the target's: a5 and the CPU simulation compare
    INT32 in every mode."""
    x, y = operands(torch.int32, 64)
    got, want = (torch.full((8, 32), 77, dtype=torch.int8) for _ in range(2))
    int_lt(x, y, got, target="a5", backend="pto")
    int_lt(x, y, want, backend="cpu")
    assert torch.equal(got, want)
    assert torch.equal(got, pack(x < y))
