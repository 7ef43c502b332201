"""The rest of PyPTO's op catalog (dialects/tile/TileCatalogOps.td) against
torch on the CPU simulation: comparison into the packed predicate mask and
selection by it (FP32, FP16, INT32), the arg-reductions (same dtypes),
bitwise ops and shifts (INT8, INT32), prelu and the row / column
reductions (FP32, FP16), and the layout ops (transpose, concat,
reinterpret_view, tri, const, get_block_num); then each misuse as a
CompileError at the author's line. One kernel per family and dtype, each
compiled once (module fixtures)."""

from __future__ import annotations

import shutil

import pytest
import torch

import tessel.language as pl
from pysource import one_scope_kernel
from tessel import CompileError

M, N = 8, 32
MASK_COLS = 32          # ceil(32 / 8) = 4 bytes of bits, rounded up to 32
MODES = ("eq", "ne", "lt", "le", "gt", "ge")


# ---------------------------------------------------------------------------
# Comparison, selection, arg-reductions: FP32, FP16, INT32
# ---------------------------------------------------------------------------

@pl.jit
def compare_select(x: pl.Tensor, y: pl.Tensor, masks: pl.Out[pl.Tensor],
                   smask: pl.Out[pl.Tensor], sel: pl.Out[pl.Tensor],
                   sels: pl.Out[pl.Tensor], args: pl.Out[pl.Tensor],
                   cargs: pl.Out[pl.Tensor]):
    with pl.at(level=pl.Level.VECTOR):
        a = pl.load(x, [0, 0], [8, 32])
        b = pl.load(y, [0, 0], [8, 32])
        for k in range(6):
            pl.store(pl.cmp(a, b, cmp_type=k), [8 * k, 0], masks)
        # A number as rhs is the scalar form (tile.cmps).
        pl.store(pl.cmp(a, 2, cmp_type=4), [0, 0], smask)
        lt = pl.tile.cmp(a, b, 2)
        pl.store(pl.sel(lt, a, b, None), [0, 0], sel)
        ge = pl.cmps(a, 0, cmp_type=5)
        pl.store(pl.tile.sels(ge, a, None, -1), [0, 0], sels)
        pl.store(pl.concat(pl.row_argmax(a), pl.row_argmin(a)), [0, 0], args)
        pl.store(pl.col_argmax(a), [0, 0], cargs)
        pl.store(pl.col_argmin(a), [1, 0], cargs)


def _compare_operands(dtype):
    """Small integers (exact in every dtype) with many ties, so the
    comparisons see equal values and the arg-reductions several extrema per
    row and column; for floats a NaN in x[0, 1] (ordered compares are false
    there, ne true) and x[1, 5] / y[2, 7]."""
    g = torch.Generator().manual_seed(3)
    x = torch.randint(-4, 5, (M, N), generator=g)
    y = torch.randint(-4, 5, (M, N), generator=g)
    x, y = x.to(dtype), y.to(dtype)
    if dtype.is_floating_point:
        x[0, 1] = y[2, 7] = float("nan")
        x[1, 5] = float("nan")
    return x, y


def pack(pred: torch.Tensor) -> torch.Tensor:
    """The packed predicate mask of a [M, N] bool tensor: bit j % 8 of byte
    [i, j // 8], zero bytes up to MASK_COLS; as int8."""
    bits = pred.reshape(M, N // 8, 8).to(torch.int64)
    bytes_ = (bits << torch.arange(8)).sum(-1)
    out = torch.zeros(M, MASK_COLS, dtype=torch.int64)
    out[:, :N // 8] = bytes_
    return ((out + 128) % 256 - 128).to(torch.int8)


@pytest.fixture(scope="module",
                params=[torch.float32, torch.float16, torch.int32],
                ids=["f32", "f16", "i32"])
def compared(request):
    dtype = request.param
    x, y = _compare_operands(dtype)
    masks = torch.full((6 * M, MASK_COLS), 77, dtype=torch.int8)
    smask = torch.full((M, MASK_COLS), 77, dtype=torch.int8)
    sel, sels = torch.zeros_like(x), torch.zeros_like(x)
    args = torch.full((M, 2), -5, dtype=torch.int32)
    cargs = torch.full((2, N), -5, dtype=torch.int32)
    compare_select(x, y, masks, smask, sel, sels, args, cargs)
    return dtype, x, y, masks, smask, sel, sels, args, cargs


def test_cmp_packs_every_mode(compared):
    _, x, y, masks, smask, *_ = compared
    preds = [x == y, x != y, x < y, x <= y, x > y, x >= y]
    for k, pred in enumerate(preds):
        assert torch.equal(masks[8 * k:8 * k + 8], pack(pred)), MODES[k]
    assert torch.equal(smask, pack(x > 2))


def test_sel_and_sels_match_where(compared):
    _, x, y, _, _, sel, sels, *_ = compared
    # Bit-for-bit (NaN where torch.where picks a NaN).
    want = torch.where(x < y, x, y)
    assert torch.equal(sel.isnan() if sel.is_floating_point() else sel,
                       want.isnan() if want.is_floating_point() else want)
    ok = ~want.isnan() if want.is_floating_point() else slice(None)
    assert torch.equal(sel[ok], want[ok])
    want = torch.where(x >= 0, x, torch.tensor(-1, dtype=x.dtype))
    assert torch.equal(sels, want) or (
        torch.equal(sels.isnan(), want.isnan()) and
        torch.equal(sels[~want.isnan()], want[~want.isnan()]))


def _first_index(t: torch.Tensor, dim: int, largest: bool) -> torch.Tensor:
    """pto-isa's rule: start from index 0; a later value replaces the best
    only if strictly better (NaN compares false: never replaces, and a NaN
    at index 0 stays)."""
    t = t.double().movedim(dim, -1)
    out = torch.zeros(t.shape[:-1], dtype=torch.int32)
    for r in range(t.shape[0]):
        best, idx = t[r, 0].item(), 0
        for j in range(1, t.shape[1]):
            v = t[r, j].item()
            if (v > best) if largest else (v < best):
                best, idx = v, j
        out[r] = idx
    return out


def test_arg_reductions_first_extremum(compared):
    dtype, x, *_, args, cargs = compared
    assert torch.equal(args[:, 0], _first_index(x, 1, True))
    assert torch.equal(args[:, 1], _first_index(x, 1, False))
    assert torch.equal(cargs[0], _first_index(x, 0, True))
    assert torch.equal(cargs[1], _first_index(x, 0, False))
    if not dtype.is_floating_point:
        # Without NaN the rule is torch's (the first extremum).
        assert torch.equal(args[:, 0].long(), torch.argmax(x, 1))
        assert torch.equal(cargs[1].long(), torch.argmin(x, 0))
    # There are ties: several rows hold their maximum more than once.
    assert ((x == x.max(1, keepdim=True).values).sum(1) > 1).any()


# ---------------------------------------------------------------------------
# Bitwise ops and shifts: INT8, INT32
# ---------------------------------------------------------------------------

@pl.jit
def bitwise(x: pl.Tensor, y: pl.Tensor, s: pl.Tensor, out: pl.Out[pl.Tensor]):
    with pl.at(level=pl.Level.VECTOR):
        a = pl.load(x, [0, 0], [8, 32])
        b = pl.load(y, [0, 0], [8, 32])
        sh = pl.load(s, [0, 0], [8, 32])
        pl.store(pl.and_(a, b), [0, 0], out)
        pl.store(pl.or_(a, b), [8, 0], out)
        pl.store(pl.xor(a, b, None), [16, 0], out)
        pl.store(pl.not_(a), [24, 0], out)
        pl.store(pl.shl(a, sh), [32, 0], out)
        pl.store(pl.shr(a, sh), [40, 0], out)
        pl.store(pl.ands(a, 0x5A), [48, 0], out)
        pl.store(pl.ors(a, 6), [56, 0], out)
        pl.store(pl.xors(a, -3, None), [64, 0], out)
        pl.store(pl.shls(a, 3), [72, 0], out)
        pl.store(pl.shrs(a, 2), [80, 0], out)
        # The tile-number forms of the binary names, either side.
        pl.store(pl.and_(7, a), [88, 0], out)


@pytest.fixture(scope="module", params=[torch.int32, torch.int8],
                ids=["i32", "i8"])
def bitwised(request):
    dtype = request.param
    bits = 8 if dtype is torch.int8 else 32
    info = torch.iinfo(dtype)
    g = torch.Generator().manual_seed(11)
    x = torch.randint(info.min, info.max, (M, N), generator=g, dtype=dtype)
    y = torch.randint(info.min, info.max, (M, N), generator=g, dtype=dtype)
    x[0, :4] = torch.tensor([info.min, info.max, -1, 0], dtype=dtype)
    s = torch.randint(0, bits, (M, N), generator=g, dtype=dtype)
    s[0, :2] = torch.tensor([0, bits - 1], dtype=dtype)
    out = torch.zeros(12 * M, N, dtype=dtype)
    bitwise(x, y, s, out)
    return dtype, x, y, s, out


def test_bitwise_matches_torch(bitwised):
    dtype, x, y, s, out = bitwised
    c = lambda v: torch.tensor(v, dtype=dtype)  # noqa: E731
    want = [x & y, x | y, x ^ y, ~x, x << s, x >> s, x & c(0x5A), x | c(6),
            x ^ c(-3), x << 3, x >> 2, x & c(7)]
    for k, w in enumerate(want):
        assert torch.equal(out[8 * k:8 * k + 8], w), k
    # shr is arithmetic: the minimum shifted by bits - 1 is -1.
    assert out[40, 1 - 1].item() == x[0, 0].item()      # shift by 0
    assert out[40, 1].item() == x[0, 1].item() >> (s[0, 1].item())


needs_cxx = pytest.mark.skipif(
    shutil.which("g++") is None and shutil.which("clang++") is None,
    reason="the PTO back end builds emitted kernels with a host C++ compiler")


@pl.jit
def bitwise_npu(x: pl.Tensor, y: pl.Tensor, s: pl.Tensor,
                out: pl.Out[pl.Tensor]):
    with pl.at(level=pl.Level.VECTOR):
        a = pl.load(x, [0, 0], [8, 32])
        b = pl.load(y, [0, 0], [8, 32])
        sh = pl.load(s, [0, 0], [8, 32])
        t = pl.not_(pl.or_(pl.and_(a, b), pl.shr(pl.shl(a, sh), sh)))
        pl.store(pl.shrs(pl.shls(pl.ors(pl.ands(t, 0x5A), 6), 3), 2), [0, 0],
                 out)


@needs_cxx
def test_bitwise_on_the_npu_reference(bitwised):
    """TAND / TOR / TNOT / TSHL / TSHR and the scalar forms on the strict
    reference (a2a3 INT32; a2a3 has no INT8 TSHLS) give the simulation's
    bits."""
    dtype, x, y, s, _ = bitwised
    if dtype is not torch.int32:
        pytest.skip("one NPU build: INT32 on a2a3")
    o_pto, o_cpu = torch.zeros_like(x), torch.zeros_like(x)
    bitwise_npu(x, y, s, o_pto, target="a2a3", backend="pto")
    bitwise_npu(x, y, s, o_cpu, target="a2a3", backend="cpu")
    assert torch.equal(o_pto, o_cpu)
    t = ~((x & y) | ((x << s) >> s))
    assert torch.equal(o_pto, (((t & 0x5A) | 6) << 3) >> 2)


# ---------------------------------------------------------------------------
# prelu and the row / column reductions: FP32, FP16
# ---------------------------------------------------------------------------

@pl.jit
def reductions(x: pl.Tensor, slope: pl.Tensor, pr: pl.Out[pl.Tensor],
               rows: pl.Out[pl.Tensor], cols: pl.Out[pl.Tensor]):
    with pl.at(level=pl.Level.VECTOR):
        a = pl.load(x, [0, 0], [8, 32])
        sl = pl.load(slope, [0, 0], [8, 32])
        pl.store(pl.prelu(a, sl, None), [0, 0], pr)
        pl.store(pl.concat(pl.row_prod(a), pl.row_min(a, None)), [0, 0], rows)
        pl.store(pl.col_sum(a), [0, 0], cols)
        pl.store(pl.col_max(a), [1, 0], cols)
        pl.store(pl.col_min(a), [2, 0], cols)
        pl.store(pl.col_prod(a), [3, 0], cols)


@pytest.fixture(scope="module", params=[torch.float32, torch.float16],
                ids=["f32", "f16"])
def reduced(request):
    dtype = request.param
    g = torch.Generator().manual_seed(7)
    # Near 1, so products of 32 (rows) and 8 (columns) stay in range.
    x = (1 + 0.05 * torch.randn(M, N, generator=g)).to(dtype)
    x[:, 3] = -x[:, 3]
    x[2, 0] = 0.0
    slope = (0.1 * torch.randn(M, N, generator=g)).to(dtype)
    pr = torch.zeros_like(x)
    rows = torch.zeros(M, 2, dtype=dtype)
    cols = torch.zeros(4, N, dtype=dtype)
    reductions(x, slope, pr, rows, cols)
    return dtype, x, slope, pr, rows, cols


def test_prelu_matches_torch(reduced):
    dtype, x, slope, pr, *_ = reduced
    # x * slope rounded once, as torch computes it in the dtype.
    assert torch.equal(pr, torch.where(x > 0, x, x * slope))


@pl.jit
def col_npu(x: pl.Tensor, prod: pl.Out[pl.Tensor], mn: pl.Out[pl.Tensor],
            cols: pl.Out[pl.Tensor]):
    with pl.at(level=pl.Level.VECTOR):
        a = pl.load(x, [0, 0], [8, 32])
        pl.store(pl.row_prod(a), [0, 0], prod)
        pl.store(pl.row_min(a), [0, 0], mn)
        pl.store(pl.col_sum(a), [0, 0], cols)
        pl.store(pl.col_max(a), [1, 0], cols)
        pl.store(pl.col_min(a), [2, 0], cols)
        pl.store(pl.col_prod(a), [3, 0], cols)


@needs_cxx
def test_reductions_on_the_npu_reference(reduced):
    """TROWPROD / TROWMIN and TCOLSUM / TCOLMAX / TCOLMIN / TCOLPROD on the
    strict reference give the simulation's bits (the same orders, f16
    rounded once)."""
    dtype, x, _, _, rows, cols = reduced
    target = "a2a3" if dtype is torch.float32 else "a5"
    prod, mn = torch.zeros(M, 1, dtype=dtype), torch.zeros(M, 1, dtype=dtype)
    c_pto = torch.zeros_like(cols)
    col_npu(x, prod, mn, c_pto, target=target, backend="pto")
    assert torch.equal(prod[:, 0], rows[:, 0])
    assert torch.equal(mn[:, 0], rows[:, 1])
    assert torch.equal(c_pto, cols)


def test_reductions_match_torch(reduced):
    dtype, x, _, _, rows, cols = reduced
    xd = x.double()
    # Minima and maxima are exact; sums and products are reduced in f32 in
    # another order than torch's (rounded once to f16).
    tol = dict(rtol=1e-5, atol=1e-6) if dtype is torch.float32 else \
        dict(rtol=1e-3, atol=1e-3)
    torch.testing.assert_close(rows[:, 0], xd.prod(1).to(dtype), **tol)
    assert torch.equal(rows[:, 1], x.min(1).values)
    torch.testing.assert_close(cols[0], xd.sum(0).to(dtype), **tol)
    assert torch.equal(cols[1], x.max(0).values)
    assert torch.equal(cols[2], x.min(0).values)
    torch.testing.assert_close(cols[3], xd.prod(0).to(dtype), **tol)
    assert rows[2, 0] == 0 and cols[3, 0] == 0       # the zero at x[2, 0]


# ---------------------------------------------------------------------------
# Layout ops and compile-time values
# ---------------------------------------------------------------------------

@pl.jit
def layout(x: pl.Tensor[[8, 32], pl.FP32], t: pl.Out[pl.Tensor[[32, 8], pl.FP32]],
           cat: pl.Out[pl.Tensor[[8, 40], pl.FP32]],
           bits: pl.Out[pl.Tensor[[8, 32], pl.INT32]],
           halves: pl.Out[pl.Tensor[[8, 64], pl.FP16]],
           tri: pl.Out[pl.Tensor[[24, 8], pl.FP32]],
           nb: pl.Out[pl.Tensor[[4, 16], pl.FP32]]):
    with pl.at(level=pl.Level.VECTOR):
        a = pl.load(x, [0, 0], [8, 32])
        pl.store(pl.transpose(a, 0, 1), [0, 0], t)
        pl.store(pl.tile.concat(a, pl.transpose(pl.transpose(a[:, 0:8], -1, -2),
                                                0, 1)), [0, 0], cat)
        pl.store(pl.reinterpret_view(a, pl.INT32), [0, 0], bits)
        pl.store(pl.reinterpret_view(a, pl.FP16, shape=[8, 64]), [0, 0],
                 halves)
        pl.store(pl.tri(0, [8, 8], dtype=pl.FP32), [0, 0], tri)
        pl.store(pl.tile.tri(-2, [8, 8], dtype=pl.FP32, upper=True), [8, 0],
                 tri)
        pl.store(pl.add(pl.tri(3, [8, 8], dtype=pl.FP32),
                        pl.const(0.5, pl.FP32)), [16, 0], tri)
    for b in pl.spmd(4):
        n = pl.get_block_num()
        nb[b:b + 1, :] = pl.full([1, 16], dtype=pl.FP32, value=n)


@pytest.fixture(scope="module")
def laid_out():
    g = torch.Generator().manual_seed(2)
    x = torch.randn(M, N, generator=g)
    outs = [torch.zeros(32, 8), torch.zeros(8, 40),
            torch.zeros(8, 32, dtype=torch.int32),
            torch.zeros(8, 64, dtype=torch.float16), torch.zeros(24, 8),
            torch.zeros(4, 16)]
    layout(x, *outs)
    return x, outs


def test_layout_ops(laid_out):
    x, (t, cat, bits, halves, tri, nb) = laid_out
    assert torch.equal(t, x.T)
    assert torch.equal(cat, torch.cat([x, x[:, 0:8]], 1))
    assert torch.equal(bits, x.view(torch.int32))
    assert torch.equal(halves.view(torch.int16), x.view(torch.int16))
    # lower, diagonal 0: j <= i; upper, diagonal -2: j >= i - 2;
    # lower, diagonal 3: j <= i + 3 (plus the constant 0.5).
    assert torch.equal(tri[0:8], torch.tril(torch.ones(8, 8)))
    assert torch.equal(tri[8:16], torch.triu(torch.ones(8, 8), -2))
    assert torch.equal(tri[16:24], torch.tril(torch.ones(8, 8), 3) + 0.5)
    assert torch.equal(nb, torch.full((4, 16), 4.0))


@pl.jit
def layout_npu(x: pl.Tensor[[8, 32], pl.FP32],
               cat: pl.Out[pl.Tensor[[8, 64], pl.FP32]],
               tri: pl.Out[pl.Tensor[[16, 8], pl.INT32]]):
    with pl.at(level=pl.Level.VECTOR):
        a = pl.load(x, [0, 0], [8, 32])
        pl.store(pl.concat(a, pl.mul(a, 2.0)), [0, 0], cat)
        pl.store(pl.tri(1, [8, 8]), [0, 0], tri)
        pl.store(pl.tri(-3, [8, 8], upper=True), [8, 0], tri)


@needs_cxx
def test_concat_and_tri_on_the_npu_reference():
    """TCONCAT and TTRI on the strict reference (a2a3)."""
    x = torch.randn(M, N, generator=torch.Generator().manual_seed(4))
    cat, tri = torch.zeros(8, 64), torch.zeros(16, 8, dtype=torch.int32)
    layout_npu(x, cat, tri, target="a2a3", backend="pto")
    assert torch.equal(cat, torch.cat([x, x * 2], 1))
    ones = torch.ones(8, 8, dtype=torch.int32)
    assert torch.equal(tri[:8], torch.tril(ones, 1))
    assert torch.equal(tri[8:], torch.triu(ones, -3))


# ---------------------------------------------------------------------------
# Misuse: a CompileError at the author's line
# ---------------------------------------------------------------------------

def _kernel(path, body: str, dtype="FP32"):
    """A one-scope kernel over x [8, 32] whose scope body is `body` (line 6
    of the file `path`)."""
    return one_scope_kernel(path, body, dtype)


@pytest.mark.parametrize("body, dtype, message", [
    ("m = pl.cmp(a, a, cmp_type=6)", "FP32", "cmp_type must be a compile-time"),
    ("m = pl.cmp(a, pl.cast(a, pl.FP16), 0)", "FP32",
     "compares tiles of one shape and dtype"),
    ("m = pl.cmps(a, a, 0)", "FP32", "compile-time number"),
    ("m = pl.cmp(pl.cast(a, pl.BF16), 1.0)", "FP32", "does not compute in BF16"),
    ("s = pl.sel(a, a, a)", "FP32", "packed predicate mask"),
    ("s = pl.sels(pl.cmp(a, a), a)", "FP32", "needs a compile-time number"),
    ("s = pl.prelu(a, 0.1)", "FP32", "takes two tiles"),
    ("s = pl.and_(a, a)", "FP32", "does not compute in FP32"),
    ("s = pl.shls(a, 32)", "INT32", r"amount must be in \[0, 32\)"),
    ("s = pl.shl(a, -1)", "INT32", r"amount must be in \[0, 32\)"),
    ("s = pl.ands(a, 1 << 40)", "INT32", "does not fit in INT32"),
    ("s = pl.not_(1.5)", "INT32", "pl.not_"),
    ("s = pl.row_prod(pl.cast(a, pl.INT32, 'round'))", "FP32",
     "does not compute in INT32"),
    ("s = pl.transpose(a, 1, -1)", "FP32", "swaps two different axes"),
    ("s = pl.transpose(x, 0, 1)", "FP32", "takes tiles"),
    ("s = pl.concat(a, a[0:4, :])", "FP32", "row count"),
    # 3 FP16 = 6 bytes per row: not a whole number of FP32.
    ("s = pl.reinterpret_view(pl.cast(a[:, 0:3], pl.FP16), pl.FP32)", "FP32",
     "not a whole number"),
    ("s = pl.reinterpret_view(a, pl.INT32, shape=[16, 16])", "FP32",
     "must keep each row's bytes"),
    ("s = pl.tri(1.5, [8, 8])", "FP32", "diagonal must be a compile-time"),
    ("s = pl.tri(0, [8, 8], dtype=pl.INT8)", "FP32", "pl.tri of INT8"),
    ("s = pl.const(300, pl.INT8)", "FP32", "does not fit in INT8"),
    ("s = pl.const(1.5, pl.INT32)", "FP32", "is not an integer"),
])
def test_misuse(tmp_path, body, dtype, message):
    k = _kernel(tmp_path / "k.py", body, dtype)
    with pytest.raises(CompileError, match=message) as info:
        k.ir()
    assert info.value.line == 6, str(info.value)


def test_get_block_num_outside_spmd(tmp_path):
    path = tmp_path / "k.py"
    src = ("@pl.jit\n"
           "def k(x: pl.Tensor[[8, 32], pl.FP32],\n"
           "      o: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):\n"
           "    n = pl.get_block_num()\n")
    path.write_text(src)
    ns = {"pl": pl}
    exec(compile(src, str(path), "exec"), ns)
    with pytest.raises(CompileError, match="outside a pl.spmd body") as info:
        ns["k"].ir()
    assert info.value.line == 4
