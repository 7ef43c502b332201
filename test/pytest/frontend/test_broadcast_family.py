"""The broadcast family (`pl.row_expand_{add,sub,div,max,min,expdif}`,
`pl.col_expand_*`, `pl.row_expand`, `pl.col_expand`, `pl.expands`) against
PyTorch, through the CPU simulation, and its CompileErrors.

One tile op each (TileViewOps.td); one operation per element, so every op
but expdif is bit exact against torch (f16: computed in f32 and rounded
once, as torch's f16 CPU ops), NaN, infinities and -0 included; expdif is
exp of the difference rounded to the element type, within exp's tolerance
(docs/numerics.md: the host expf)."""

from __future__ import annotations

import os
import shutil

import pytest
import torch

import tessel.language as pl
from tessel import CompileError

M, N = 8, 40    # 40 columns: two 16-lane chunks and a tail of 8

DT = {"f32": (pl.FP32, torch.float32), "f16": (pl.FP16, torch.float16),
      "i32": (pl.INT32, torch.int32)}

TORCH = {
    "add": torch.add, "sub": torch.sub, "div": torch.div,
    "max": torch.maximum, "min": torch.minimum,
    "expdif": lambda a, b: torch.exp((a - b).float()).to(a.dtype),
}


@pl.jit.inline
def all_ops(x, r, c, ra, rs, rd, rx, rn, re, ca, cs, cd, cx, cn, ce, rb, cb,
            ex):
    with pl.at(level=pl.Level.CORE_GROUP):
        t = x[:, :]
        tr = r[:, :]
        tc = c[:, :]
        ra[:, :] = pl.row_expand_add(t, tr)
        rs[:, :] = pl.row_expand_sub(t, tr)
        rd[:, :] = pl.row_expand_div(t, tr)
        rx[:, :] = pl.row_expand_max(t, tr)
        rn[:, :] = pl.row_expand_min(t, tr)
        re[:, :] = pl.row_expand_expdif(t, tr)
        ca[:, :] = pl.col_expand_add(t, tc)
        cs[:, :] = pl.col_expand_sub(t, tc)
        cd[:, :] = pl.col_expand_div(t, tc)
        cx[:, :] = pl.col_expand_max(t, tc)
        cn[:, :] = pl.col_expand_min(t, tc)
        ce[:, :] = pl.col_expand_expdif(t, tc)
        rb[:, :] = pl.row_expand(t, tr)
        cb[:, :] = pl.col_expand(t, tc)
        ex[:, :] = pl.expands(t, 2.5)


F32 = pl.Tensor[[M, N], pl.FP32]
O32 = pl.Out[pl.Tensor[[M, N], pl.FP32]]
F16 = pl.Tensor[[M, N], pl.FP16]
O16 = pl.Out[pl.Tensor[[M, N], pl.FP16]]


@pl.jit
def f32_kernel(x: F32, r: pl.Tensor[[M, 1], pl.FP32],
               c: pl.Tensor[[1, N], pl.FP32], ra: O32, rs: O32, rd: O32,
               rx: O32, rn: O32, re: O32, ca: O32, cs: O32, cd: O32, cx: O32,
               cn: O32, ce: O32, rb: O32, cb: O32, ex: O32):
    all_ops(x, r, c, ra, rs, rd, rx, rn, re, ca, cs, cd, cx, cn, ce, rb, cb,
            ex)


@pl.jit
def f16_kernel(x: F16, r: pl.Tensor[[M, 1], pl.FP16],
               c: pl.Tensor[[1, N], pl.FP16], ra: O16, rs: O16, rd: O16,
               rx: O16, rn: O16, re: O16, ca: O16, cs: O16, cd: O16, cx: O16,
               cn: O16, ce: O16, rb: O16, cb: O16, ex: O16):
    all_ops(x, r, c, ra, rs, rd, rx, rn, re, ca, cs, cd, cx, cn, ce, rb, cb,
            ex)


KERNELS = {"f32": f32_kernel, "f16": f16_kernel}


@pl.jit
def int_kernel(x: pl.Tensor[[M, N], pl.INT32], r: pl.Tensor[[M, 1], pl.INT32],
               c: pl.Tensor[[1, N], pl.INT32],
               ra: pl.Out[pl.Tensor[[M, N], pl.INT32]],
               rs: pl.Out[pl.Tensor[[M, N], pl.INT32]],
               rx: pl.Out[pl.Tensor[[M, N], pl.INT32]],
               cn: pl.Out[pl.Tensor[[M, N], pl.INT32]],
               cb: pl.Out[pl.Tensor[[M, N], pl.INT32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        t = x[:, :]
        ra[:, :] = pl.row_expand_add(t, r[:, :])
        rs[:, :] = pl.row_expand_sub(t, r[:, :])
        rx[:, :] = pl.row_expand_max(t, r[:, :])
        cn[:, :] = pl.col_expand_min(t, c[:, :])
        cb[:, :] = pl.col_expand(t, c[:, :])


def inputs(tdt, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = (torch.randn(M, N, generator=g) * 3).to(tdt)
    r = (torch.randn(M, 1, generator=g) * 3).to(tdt)
    c = (torch.randn(1, N, generator=g) * 3).to(tdt)
    if tdt.is_floating_point:
        # Specials travel through the broadcast unchanged: NaN, +-inf, -0.
        x[0, :5] = torch.tensor([float("nan"), float("inf"), float("-inf"),
                                 -0.0, 0.0])
        r[1, 0] = float("inf")
        r[2, 0] = -0.0
        c[0, 6] = float("nan")
    return x, r, c


@pytest.fixture(scope="module", params=["f32", "f16"])
def float_run(request):
    dt, tdt = DT[request.param]
    x, r, c = inputs(tdt)
    outs = [torch.zeros(M, N, dtype=tdt) for _ in range(15)]
    KERNELS[request.param](x, r, c, *outs)
    return x, r, c, outs


ROW_OPS = ["add", "sub", "div", "max", "min", "expdif"]


def same(a, b):
    """Bit-exact equality with NaN == NaN."""
    return torch.equal(torch.nan_to_num(a, nan=7.0), torch.nan_to_num(b, nan=7.0)) \
        and torch.equal(a.isnan(), b.isnan())


@pytest.mark.parametrize("i,op", list(enumerate(ROW_OPS)))
def test_row_expand_ops(float_run, i, op):
    x, r, c, outs = float_run
    want = TORCH[op](x, r.expand(M, N))
    got = outs[i]
    if op == "expdif":
        torch.testing.assert_close(got, want, rtol=2e-6 if x.dtype == torch.float32
                                   else 1e-3, atol=0, equal_nan=True)
    else:
        assert same(got, want), (got - want).abs().nan_to_num().max()


@pytest.mark.parametrize("i,op", list(enumerate(ROW_OPS)))
def test_col_expand_ops(float_run, i, op):
    x, r, c, outs = float_run
    want = TORCH[op](x, c.expand(M, N))
    got = outs[6 + i]
    if op == "expdif":
        torch.testing.assert_close(got, want, rtol=2e-6 if x.dtype == torch.float32
                                   else 1e-3, atol=0, equal_nan=True)
    else:
        assert same(got, want), (got - want).abs().nan_to_num().max()


def test_broadcasts_and_expands(float_run):
    x, r, c, outs = float_run
    assert same(outs[12], r.expand(M, N))
    assert same(outs[13], c.expand(M, N))
    assert torch.equal(outs[14], torch.full((M, N), 2.5, dtype=x.dtype))


def test_int32_broadcasts():
    x, r, c = inputs(torch.int32, seed=3)
    outs = [torch.zeros(M, N, dtype=torch.int32) for _ in range(5)]
    int_kernel(x, r, c, *outs)
    assert torch.equal(outs[0], x + r)
    assert torch.equal(outs[1], x - r)
    assert torch.equal(outs[2], torch.maximum(x, r))
    assert torch.equal(outs[3], torch.minimum(x, c))
    assert torch.equal(outs[4], c.expand(M, N))


def test_what_the_frontend_builds():
    """One tile op per call, the scale operand as written."""
    ir = f32_kernel.ir()
    lines = ir.splitlines()
    for d, scale in (("row", "8x1"), ("col", "1x40")):
        for k in ("add", "sub", "div", "max", "min", "expdif"):
            hits = [l for l in lines if f"tile.{d}_expand_{k} " in l]
            assert len(hits) == 1, (d, k)
            assert hits[0].endswith(f": !tile.tile<8x40xf32>, "
                                    f"!tile.tile<{scale}xf32>"), hits[0]
    assert "tile.row_expand %" in ir and "-> !tile.tile<8x40xf32>" in ir
    assert "tile.col_expand %" in ir
    # expands is a constant tile.
    assert "tile.full 2.500000e+00 : !tile.tile<8x40xf32>" in ir


# -- misuse --------------------------------------------------------------

THIS_FILE = os.path.realpath(__file__)


def _line(tag):
    with open(THIS_FILE) as f:
        lines = f.read().splitlines()
    return [i for i, t in enumerate(lines, 1) if t.rstrip().endswith(f"# {tag}")][0]


@pl.jit
def wrong_shape(x: pl.Tensor[[8, 32], pl.FP32], y: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        t = x[:, :]
        y[:, :] = pl.row_expand_sub(t, x[0:1, :])  # ERR-row-shape


@pl.jit
def int_div(x: pl.Tensor[[8, 32], pl.INT32], y: pl.Out[pl.Tensor[[8, 32], pl.INT32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        t = x[:, :]
        y[:, :] = pl.col_expand_div(t, x[0:1, :])  # ERR-int-div


@pl.jit
def mixed_dtype(x: pl.Tensor[[8, 32], pl.FP32], s: pl.Tensor[[8, 1], pl.FP16],
                y: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        y[:, :] = pl.row_expand_add(x[:, :], s[:, :])  # ERR-dtype


@pl.jit
def outside_scope(x: pl.Tensor[[8, 32], pl.FP32], y: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
    t = pl.row_expand(x, x)  # ERR-scope
    y[:, :] = t


@pytest.mark.parametrize("kernel,tag,brief,expected", [
    (wrong_shape, "ERR-row-shape", "pl.row_expand_sub rhs has the wrong shape "
     "for a [8, 32] lhs", "[8, 1]"),
    (int_div, "ERR-int-div", "pl.col_expand_div does not compute in INT32", None),
    (mixed_dtype, "ERR-dtype", "dtype mismatch in pl.row_expand_add", "FP32"),
    (outside_scope, "ERR-scope", "pl.row_expand needs a core scope", None),
])
def test_misuse_is_a_compile_error_at_the_line(kernel, tag, brief, expected):
    with pytest.raises(CompileError) as info:
        kernel.ir()
    err = info.value
    assert os.path.realpath(err.filename) == THIS_FILE
    assert err.line == _line(tag), str(err)
    assert brief in err.brief, str(err)
    if expected:
        assert expected in str(err)


# -- the NPU back end ------------------------------------------------------

@pytest.mark.skipif(shutil.which("g++") is None and
                    shutil.which("clang++") is None,
                    reason="the PTO back end builds emitted kernels with a "
                           "host C++ compiler")
def test_npu_back_end_matches_the_simulation_bit_for_bit(float_run):
    """backend="pto": tile-decompose-broadcasts turns each broadcast into
    row/col_expand_mul of a ones tile and the elementwise op, which the
    emitter has; the emitted kernel on the reference gives the CPU
    simulation's bits (expdif included: the same f32 exp of the same
    difference). f32 only: the f16 kernel is the same ops."""
    x, r, c, outs = float_run
    if x.dtype != torch.float32:
        pytest.skip("one emitted kernel is enough")
    got = [torch.zeros(M, N) for _ in range(15)]
    f32_kernel(x, r, c, *got, backend="pto")
    for i, (a, b) in enumerate(zip(got, outs)):
        assert same(a, b), i


# ---------------------------------------------------------------------------
# Implicit broadcasting of the arithmetic ops (PyPTO's NumPy-style rule)
# ---------------------------------------------------------------------------

def _implicit_kernel(dt):
    @pl.jit
    def implicit(x: pl.Tensor[[M, N], dt], r: pl.Tensor[[M, 1], dt],
                 c: pl.Tensor[[1, N], dt], s: pl.Tensor[[1, 1], dt],
                 o1: pl.Out[pl.Tensor[[M, N], dt]],
                 o2: pl.Out[pl.Tensor[[M, N], dt]],
                 o3: pl.Out[pl.Tensor[[M, N], dt]],
                 o4: pl.Out[pl.Tensor[[M, N], dt]],
                 o5: pl.Out[pl.Tensor[[M, N], dt]],
                 o6: pl.Out[pl.Tensor[[M, N], dt]]):
        with pl.at(level=pl.Level.CORE_GROUP):
            tx = pl.load(x, [0, 0], [M, N])
            tr = pl.load(r, [0, 0], [M, 1])
            tc = pl.load(c, [0, 0], [1, N])
            ts = pl.load(s, [0, 0], [1, 1])
            o1[:, :] = pl.mul(tx, tr)          # fused row_expand_mul
            o2[:, :] = pl.sub(tr, tx)          # [M, 1] - [M, N]: expanded
            o3[:, :] = tx + tc                 # fused col_expand_add
            o4[:, :] = pl.add(tr, tc)          # [M, 1] + [1, N] -> [M, N]
            o5[:, :] = pl.maximum(ts, tx)      # [1, 1] with [M, N]
            o6[:, :] = pl.minimum(tc, tx)      # commuted: fused col form
        return o1, o2, o3, o4, o5, o6
    return implicit


@pytest.mark.parametrize("name", ["f32", "i32"])
def test_arithmetic_broadcasts_numpy_style(name):
    pdt, tdt = DT[name]
    g = torch.Generator().manual_seed(11)

    def rnd(*shape):
        t = torch.randn(*shape, generator=g) * 8
        return t.to(tdt)
    x, r, c, s = rnd(M, N), rnd(M, 1), rnd(1, N), rnd(1, 1)
    outs = [torch.zeros(M, N, dtype=tdt) for _ in range(6)]
    k = _implicit_kernel(pdt)
    k(x, r, c, s, *outs)
    want = [x * r, r - x, x + c, r + c, torch.maximum(s, x),
            torch.minimum(c, x)]
    for got, w in zip(outs, want):
        assert torch.equal(got, w.expand(M, N))
    text = k.ir()
    # Full with per-row / per-column: one fused op each; the rest expand.
    assert text.count("tile.row_expand_mul") == 1
    assert text.count("tile.col_expand_add") == 1
    assert text.count("tile.col_expand_min") == 1
    assert "tile.row_expand %" in text and "tile.col_expand %" in text


# ---------------------------------------------------------------------------
# Plain broadcasts of every dtype (bit copies; TROWEXPAND / TCOLEXPAND take
# b8 / b16 / b32 elements): BF16 and INT8 too
# ---------------------------------------------------------------------------

def _copy_kernel(dt):
    @pl.jit
    def copies(r: pl.Tensor[[M, 1], dt], c: pl.Tensor[[1, N], dt],
               o1: pl.Out[pl.Tensor[[M, N], dt]],
               o2: pl.Out[pl.Tensor[[M, N], dt]]):
        with pl.at(level=pl.Level.CORE_GROUP):
            shape = pl.full([M, N], dtype=dt, value=0)
            o1[:, :] = pl.row_expand(shape, pl.load(r, [0, 0], [M, 1]))
            o2[:, :] = pl.col_expand(shape, pl.load(c, [0, 0], [1, N]))
        return o1, o2
    return copies


@pytest.mark.parametrize("backend", [
    "cpu", pytest.param("pto", marks=pytest.mark.skipif(
        shutil.which("g++") is None and shutil.which("clang++") is None,
        reason="the PTO back end builds emitted kernels with a host C++ "
               "compiler"))])
@pytest.mark.parametrize("name", ["bf16", "i8"])
def test_plain_broadcasts_copy_bf16_and_int8_bits(name, backend):
    dt, tdt = {"bf16": (pl.BF16, torch.bfloat16),
               "i8": (pl.INT8, torch.int8)}[name]
    g = torch.Generator().manual_seed(4)
    if tdt.is_floating_point:
        r = torch.randn(M, 1, generator=g).to(tdt)
        c = torch.randn(1, N, generator=g).to(tdt)
        c[0, :3] = torch.tensor([float("nan"), float("-inf"), -0.0])
    else:
        r = torch.randint(-128, 128, (M, 1), generator=g, dtype=tdt)
        c = torch.randint(-128, 128, (1, N), generator=g, dtype=tdt)
    o1 = torch.zeros(M, N, dtype=tdt)
    o2 = torch.zeros(M, N, dtype=tdt)
    _copy_kernel(dt)(r, c, o1, o2, backend=backend)
    def bits(t):
        return t.contiguous().view(torch.uint8)
    assert torch.equal(bits(o1), bits(r.expand(M, N)))
    assert torch.equal(bits(o2), bits(c.expand(M, N)))
