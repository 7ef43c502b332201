"""The PyPTO catalog ops Tessel builds from other tile ops
(frontend/composed.py) against torch on the CPU simulation: the
three-input sums (`pl.addc`, `pl.subc`, `pl.addsc`, `pl.subsc`), the
partial ops (`pl.part_add` / `mul` / `max` / `min`), `pl.fillpad_inplace`,
`pl.fillpad_expand`, `pl.expand_clone`, and the aliases `pl.dim`,
`pl.get_block_idx`, `pl.tensor.get_block_idx`; a few on the NPU back end's
strict reference; then each misuse as a CompileError at the author's
line."""

from __future__ import annotations

import math
import shutil

import pytest
import torch

import tessel.language as pl
from pysource import one_scope_kernel
from tessel import CompileError

M, N = 8, 32

needs_cxx = pytest.mark.skipif(
    shutil.which("g++") is None and shutil.which("clang++") is None,
    reason="the PTO back end builds emitted kernels with a host C++ compiler")

ARITH = [torch.float32, torch.float16, torch.int32]
ARITH_IDS = ["f32", "f16", "i32"]
ALL = ARITH + [torch.bfloat16, torch.int8]
ALL_IDS = ARITH_IDS + ["bf16", "i8"]


def _values(shape, dtype, seed, lo=-20, hi=21):
    """Small integers (exact in every dtype, so sums and products of two
    or three are exact too and the comparison can be bit for bit)."""
    g = torch.Generator().manual_seed(seed)
    return torch.randint(lo, hi, shape, generator=g).to(dtype)


# ---------------------------------------------------------------------------
# pl.addc, pl.subc, pl.addsc, pl.subsc
# ---------------------------------------------------------------------------

@pl.jit
def three_input(x: pl.Tensor, y: pl.Tensor, z: pl.Tensor, s: pl.Tensor,
                out: pl.Out[pl.Tensor]):
    with pl.at(level=pl.Level.VECTOR):
        a = pl.load(x, [0, 0], [8, 32])
        b = pl.load(y, [0, 0], [8, 32])
        c = pl.load(z, [0, 0], [8, 32])
        k = pl.read(s, [0])                   # a runtime scalar
        pl.store(pl.addc(a, b, c), [0, 0], out)
        pl.store(pl.subc(a, b, c), [8, 0], out)
        pl.store(pl.addsc(a, 3, c), [16, 0], out)
        pl.store(pl.subsc(a, 5, c), [24, 0], out)
        pl.store(pl.tile.addsc(a, k, c), [32, 0], out)
        pl.store(pl.tile.subsc(a, k, c), [40, 0], out)
        pl.store(pl.tile.addc(c, a, b), [48, 0], out)
        pl.store(pl.tile.subc(c, a, b), [56, 0], out)


@pytest.mark.parametrize("dtype", ARITH, ids=ARITH_IDS)
def test_three_input_sums_match_torch(dtype):
    x, y, z = (_values((M, N), dtype, seed) for seed in (1, 2, 3))
    s = torch.tensor([7], dtype=dtype)
    out = torch.zeros(8 * M, N, dtype=dtype)
    three_input(x, y, z, s, out)
    want = [x + y + z, x - y - z, x + 3 + z, x - 5 - z, x + 7 + z,
            x - 7 - z, z + x + y, z - x - y]
    for i, w in enumerate(want):
        assert torch.equal(out[8 * i:8 * i + 8], w), i


def test_three_input_rounds_each_step_fp16():
    # FP16 values whose sum rounds differently in one step than in two:
    # 2048 + 1 = 2049 is not an FP16 (rounds to 2048), + 1 again gives
    # 2048; one rounding of 2050 would give 2050. torch's x + y + z rounds
    # each step, as Tessel does.
    x = torch.full((M, N), 2048.0, dtype=torch.float16)
    y = torch.ones(M, N, dtype=torch.float16)
    out = torch.zeros(8 * M, N, dtype=torch.float16)
    three_input(x, y, y, torch.tensor([1], dtype=torch.float16), out)
    assert torch.equal(out[0:8], x + y + y)
    assert (out[0:8] == 2048).all()


def test_three_input_keeps_the_valid_intersection():
    @pl.jit
    def k(x: pl.Tensor[[8, 32], pl.FP32], o: pl.Out[pl.Tensor[[8, 32],
                                                              pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            a = pl.load(x, [0, 0], [8, 32], valid_shape=[6, 32])
            b = pl.load(x, [0, 0], [8, 32], valid_shape=[8, 20])
            pl.store(pl.addc(a, b, b), [0, 0], o)
    x = _values((M, N), torch.float32, 4)
    o = torch.full((M, N), 99.0)
    k(x, o)
    # Only the valid [6, 20] is stored.
    assert torch.equal(o[:6, :20], 3 * x[:6, :20])
    assert (o[6:] == 99).all() and (o[:, 20:] == 99).all()


# ---------------------------------------------------------------------------
# pl.part_add, pl.part_mul, pl.part_max, pl.part_min
# ---------------------------------------------------------------------------

PART = {"add": torch.add, "mul": torch.mul, "max": torch.maximum,
        "min": torch.minimum}
#: (lhs valid, rhs valid) of each case: rhs narrower in the columns, the
#: rows, both; rhs wider than lhs; both full.
CASES = [((8, 32), (8, 12)), ((8, 32), (3, 32)), ((6, 24), (4, 9)),
         ((5, 16), (8, 32)), ((8, 32), (8, 32))]


@pl.jit
def part_ops(x: pl.Tensor, y: pl.Tensor, out: pl.Out[pl.Tensor]):
    with pl.at(level=pl.Level.VECTOR):
        for c in range(5):
            lv = [[8, 32], [8, 32], [6, 24], [5, 16], [8, 32]][c]
            rv = [[8, 12], [3, 32], [4, 9], [8, 32], [8, 32]][c]
            a = pl.load(x, [0, 0], [8, 32], valid_shape=lv)
            b = pl.load(y, [0, 0], [8, 32], valid_shape=rv)
            pl.store(pl.part_add(a, b), [32 * c, 0], out)
            pl.store(pl.part_mul(a, b), [32 * c + 8, 0], out)
            pl.store(pl.tile.part_max(a, b), [32 * c + 16, 0], out)
            pl.store(pl.tile.part_min(a, b), [32 * c + 24, 0], out)


def part_reference(op, x, y, lv, rv, sentinel):
    """PyPTO's rule: over lhs's valid region, op where rhs is valid too,
    lhs where it is not; outside lhs's valid region the store writes
    nothing (the sentinel stays)."""
    out = torch.full_like(x, sentinel)
    out[:lv[0], :lv[1]] = x[:lv[0], :lv[1]]
    r, c = min(lv[0], rv[0]), min(lv[1], rv[1])
    out[:r, :c] = PART[op](x[:r, :c], y[:r, :c])
    return out


@pytest.mark.parametrize("dtype", ARITH, ids=ARITH_IDS)
def test_part_ops_match_the_reference(dtype):
    x, y = _values((M, N), dtype, 5), _values((M, N), dtype, 6)
    out = torch.full((5 * 32, N), 77, dtype=dtype)
    part_ops(x, y, out)
    for c, (lv, rv) in enumerate(CASES):
        for k, op in enumerate(PART):
            got = out[32 * c + 8 * k:32 * c + 8 * k + 8]
            want = part_reference(op, x, y, lv, rv, 77)
            assert torch.equal(got, want), (lv, rv, op)


def test_part_op_copies_lhs_bits_where_rhs_is_invalid():
    # -0.0 + 0.0 would be +0.0 and NaN * 1 would be NaN: the lhs-only
    # region is lhs itself (a select, not an op with an identity), and
    # rhs's padding (inf here) never reaches the result.
    @pl.jit
    def k(x: pl.Tensor[[8, 32], pl.FP32], y: pl.Tensor[[8, 32], pl.FP32],
          o: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            a = pl.load(x, [0, 0], [8, 32])
            b = pl.fillpad(pl.load(y, [0, 0], [8, 32], valid_shape=[8, 4]),
                           pl.PadValue.max)
            b = pl.set_validshape(b, 8, 4)
            pl.store(pl.part_add(a, b), [0, 0], o)
            pl.store(pl.part_mul(a, b), [8, 0], o)
    x = torch.full((M, N), -0.0)
    x[:, 10] = float("nan")
    y = torch.ones(M, N)
    o = torch.zeros(16, N)
    k(x, y, o)
    assert torch.equal(o[:8, :4], x[:, :4] + 1)
    assert torch.equal(torch.signbit(o[:8, 4:]), torch.signbit(x[:, 4:]))
    assert torch.equal(o[:8, 4:].isnan(), x[:, 4:].isnan())
    assert o[8:, 10].isnan().all()


def test_part_op_with_runtime_valid_extents():
    @pl.jit
    def k(x: pl.Tensor[[8, 64], pl.FP32], y: pl.Tensor[[8, 64], pl.FP32],
          o: pl.Out[pl.Tensor[[8, 64], pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            for c in pl.range(0, 64, 32):
                # Columns 0..31 then 32..49 of rhs: the second chunk's
                # valid width is min(32, 50 - c) = 18, a runtime extent.
                a = pl.load(x, [0, c], [8, 32])
                b = pl.load(y, [0, c], [8, 32],
                            valid_shape=[8, pl.min(32, 50 - c)])
                pl.store(pl.part_add(a, b), [0, c], o)
    x, y = _values((M, 64), torch.float32, 7), _values((M, 64),
                                                       torch.float32, 8)
    o = torch.zeros(M, 64)
    k(x, y, o)
    want = x.clone()
    want[:, :50] += y[:, :50]
    assert torch.equal(o, want)


# ---------------------------------------------------------------------------
# pl.fillpad_inplace, pl.fillpad_expand
# ---------------------------------------------------------------------------

@pl.jit
def fills(x: pl.Tensor, inplace: pl.Out[pl.Tensor], zero: pl.Out[pl.Tensor],
          low: pl.Out[pl.Tensor], high: pl.Out[pl.Tensor],
          same: pl.Out[pl.Tensor]):
    with pl.at(level=pl.Level.VECTOR):
        t = pl.load(x, [0, 0], [8, 32], valid_shape=[5, 12])
        pl.store(pl.fillpad_inplace(t, pl.PadValue.max), [0, 0], inplace)
        pl.store(pl.fillpad_expand(t, [16, 64]), [0, 0], zero)
        pl.store(pl.tile.fillpad_expand(t, [8, 64], pl.PadValue.min), [0, 0],
                 low)
        pl.store(pl.fillpad_expand(t, [24, 32], pad_value=math.inf), [0, 0],
                 high)
        full = pl.load(x, [0, 0], [8, 32])
        pl.store(pl.tile.fillpad_inplace(full), [0, 0], same)


def _extreme(dtype, low):
    if dtype.is_floating_point:
        return -math.inf if low else math.inf
    info = torch.iinfo(dtype)
    return info.min if low else info.max


def _padded(x, shape, pad):
    out = torch.full(shape, pad, dtype=x.dtype)
    out[:5, :12] = x[:5, :12]
    return out


@pytest.mark.parametrize("dtype", ALL, ids=ALL_IDS)
def test_fillpad_forms_match_torch(dtype):
    x = _values((M, N), dtype, 9)
    outs = [torch.zeros(M, N, dtype=dtype), torch.zeros(16, 64, dtype=dtype),
            torch.zeros(8, 64, dtype=dtype), torch.zeros(24, 32, dtype=dtype),
            torch.zeros(M, N, dtype=dtype)]
    fills(x, *outs)
    inplace, zero, low, high, same = outs
    assert torch.equal(inplace, _padded(x, (M, N), _extreme(dtype, False)))
    assert torch.equal(zero, _padded(x, (16, 64), 0))
    assert torch.equal(low, _padded(x, (8, 64), _extreme(dtype, True)))
    assert torch.equal(high, _padded(x, (24, 32), _extreme(dtype, False)))
    assert torch.equal(same, x)


# ---------------------------------------------------------------------------
# pl.expand_clone
# ---------------------------------------------------------------------------

B, R, C = 4, 8, 32


@pl.jit
def clones(x0: pl.Tensor, x1: pl.Tensor, x2: pl.Tensor, x3: pl.Tensor,
           v: pl.Tensor, r: pl.Tensor, y0: pl.Out[pl.Tensor],
           y1: pl.Out[pl.Tensor], y2: pl.Out[pl.Tensor],
           y3: pl.Out[pl.Tensor], w: pl.Out[pl.Tensor],
           row: pl.Out[pl.Tensor]):
    with pl.at(level=pl.Level.VECTOR):
        pl.expand_clone(x0, y0)               # [1, R, C] -> [B, R, C]
        y1 = pl.tensor.expand_clone(x1, y1)   # [B, 1, C]
        pl.expand_clone(x2, y2)               # [B, R, 1]
        pl.expand_clone(x3, y3)               # [B, R, C]: a copy
        pl.expand_clone(v, w)                 # [R, 1] -> [R, C]
        pl.expand_clone(r, row)               # [1] -> [C]


@pytest.mark.parametrize("dtype", ALL, ids=ALL_IDS)
def test_expand_clone_matches_torch_expand(dtype):
    shapes = [(1, R, C), (B, 1, C), (B, R, 1), (B, R, C), (R, 1), (1,)]
    xs = [_values(s, dtype, 10 + i) for i, s in enumerate(shapes)]
    outs = [torch.zeros(B, R, C, dtype=dtype) for _ in range(4)] + \
        [torch.zeros(R, C, dtype=dtype), torch.zeros(C, dtype=dtype)]
    clones(*xs, *outs)
    for x, y in zip(xs, outs):
        assert torch.equal(y, x.expand(y.shape)), (tuple(x.shape),
                                                   tuple(y.shape))


def test_expand_clone_loops_over_the_first_dimension():
    ir = clones.lower(*[torch.zeros(s) for s in
                        [(1, R, C), (B, 1, C), (B, R, 1), (B, R, C), (R, 1),
                         (1,)]],
                      *[torch.zeros(B, R, C) for _ in range(4)],
                      torch.zeros(R, C), torch.zeros(C), stage="tile")
    text = ir.text()
    assert text.count("scf.for") >= 4, text


# ---------------------------------------------------------------------------
# The aliases: pl.dim, pl.get_block_idx, pl.tensor.get_block_idx
# ---------------------------------------------------------------------------

def test_dim_and_block_idx_aliases():
    @pl.jit
    def k(x: pl.Tensor, ids: pl.Out[pl.Tensor[[4, 8], pl.INT32]]):
        for b in pl.spmd(pl.dim(x, 0) // 2):
            i = pl.cast(pl.get_block_idx(), pl.INT32)
            j = pl.cast(pl.tensor.get_block_idx(), pl.INT32)
            ids[b:b + 1, :] = pl.full([1, 8], pl.INT32, pl.dim(x, -1)) \
                + i * 10 + j
    ids = torch.zeros(4, 8, dtype=torch.int32)
    k(torch.zeros(8, 3), ids)
    assert torch.equal(ids[:, 0], torch.tensor([3, 14, 25, 36],
                                               dtype=torch.int32))


# ---------------------------------------------------------------------------
# The NPU back end (the emitted PTO-ISA kernel on the strict reference)
# ---------------------------------------------------------------------------

@pl.jit
def composed_npu(x: pl.Tensor[[8, 32], pl.FP32],
                 y: pl.Tensor[[8, 32], pl.FP32],
                 v: pl.Tensor[[2, 1, 32], pl.FP32],
                 sums: pl.Out[pl.Tensor[[16, 32], pl.FP32]],
                 part: pl.Out[pl.Tensor[[8, 32], pl.FP32]],
                 big: pl.Out[pl.Tensor[[16, 64], pl.FP32]],
                 clone: pl.Out[pl.Tensor[[2, 8, 32], pl.FP32]]):
    with pl.at(level=pl.Level.VECTOR):
        a = pl.load(x, [0, 0], [8, 32])
        b = pl.load(y, [0, 0], [8, 32])
        pl.store(pl.addc(a, b, a), [0, 0], sums)
        pl.store(pl.subsc(a, 2.0, b), [8, 0], sums)
        pb = pl.load(y, [0, 0], [8, 32], valid_shape=[4, 16])
        pl.store(pl.part_max(a, pb), [0, 0], part)
        pl.store(pl.fillpad_expand(pb, [16, 64], pl.PadValue.min), [0, 0],
                 big)
        pl.expand_clone(v, clone)


@needs_cxx
def test_composed_ops_on_the_npu_reference():
    x, y = _values((M, N), torch.float32, 20), _values((M, N),
                                                       torch.float32, 21)
    v = _values((2, 1, 32), torch.float32, 22)
    outs = [torch.zeros(16, 32), torch.zeros(8, 32), torch.zeros(16, 64),
            torch.zeros(2, 8, 32)]
    composed_npu(x, y, v, *outs, target="a2a3", backend="pto")
    sums, part, big, clone = outs
    assert torch.equal(sums[:8], x + y + x)
    assert torch.equal(sums[8:], x - 2.0 - y)
    assert torch.equal(part, part_reference("max", x, y, (8, 32), (4, 16),
                                            0))
    want = torch.full((16, 64), -math.inf)
    want[:4, :16] = y[:4, :16]
    assert torch.equal(big, want)
    assert torch.equal(clone, v.expand(2, 8, 32))


# ---------------------------------------------------------------------------
# Misuse: a CompileError at the author's line
# ---------------------------------------------------------------------------

def _kernel(path, body: str, dtype="FP32"):
    """A one-scope kernel over x [8, 32] whose scope body is `body` (line 7
    of the file `path`)."""
    return one_scope_kernel(
        path, body, dtype, f"g: pl.Out[pl.Tensor[[2, 8, 32], pl.{dtype}]]")


@pytest.mark.parametrize("body, dtype, message", [
    # addc / subc / addsc / subsc
    ("s = pl.addc(a, a, a[0:4, :])", "FP32", "shape mismatch in pl.addc"),
    ("s = pl.subc(a, pl.cast(a, pl.FP16), a)", "FP32",
     "dtype mismatch in pl.subc"),
    ("s = pl.addc(a, 1.0, a)", "FP32", "pl.addc takes a tile as rhs"),
    ("s = pl.addsc(a, a, a)", "FP32", "pl.addsc takes a scalar as rhs"),
    ("s = pl.subsc(x, 1.0, a)", "FP32", "pl.subsc takes tiles"),
    ("s = pl.tile.addc(pl.cast(a, pl.BF16), pl.cast(a, pl.BF16), "
     "pl.cast(a, pl.BF16))", "FP32", "does not compute in BF16"),
    ("s = pl.addsc(a, 1.5, a)", "INT32", "needs an integer scalar"),
    # part ops
    ("s = pl.part_add(a, a[:, 0:16])", "FP32", "shape mismatch in pl.part_add"),
    ("s = pl.tile.part_min(a, pl.cast(a, pl.FP16))", "FP32",
     "dtype mismatch in pl.tile.part_min"),
    ("s = pl.part_mul(a, 2.0)", "FP32", "pl.part_mul takes a tile as rhs"),
    ("s = pl.part_max(x, a)", "FP32", "pl.part_max takes tiles"),
    ("s = pl.part_add(a, a)", "INT8", "does not compute in INT8"),
    # fills
    ("s = pl.fillpad_expand(a, [4, 32])", "FP32",
     "at least as large as its source"),
    ("s = pl.fillpad_expand(a, [8, 64], pl.PadValue.null)", "FP32",
     "fills nothing"),
    ("s = pl.fillpad_expand(a, [8, 64], 2.0)", "FP32",
     "pad_value must be a pl.PadValue"),
    ("s = pl.fillpad_expand(x, [8, 64])", "FP32", "takes a tile"),
    ("s = pl.fillpad_expand(a, [8, 64, 2])", "FP32", "shape"),
    ("s = pl.fillpad_inplace(a, 5)", "FP32", "pad_value must be a pl.PadValue"),
    # expand_clone
    ("pl.expand_clone(a, g)", "FP32", "copies a GM tensor into a GM tensor"),
    ("pl.expand_clone(x, g)", "FP32", "tensors of one rank"),
    ("pl.expand_clone(pl.reshape(x, [2, 4, 32]), g)", "FP32",
     "dimensions of size 1 only"),
    # aliases
    ("n = pl.dim(x, 2)", "FP32", "pl.dim axis 2 is out of range"),
    ("n = pl.dim(x, 0.5)", "FP32", "the axis of pl.dim must be"),
])
def test_misuse(tmp_path, body, dtype, message):
    k = _kernel(tmp_path / "k.py", body, dtype)
    with pytest.raises(CompileError, match=message) as info:
        k.ir()
    assert info.value.line == 7, str(info.value)


def test_expand_clone_dtype_mismatch(tmp_path):
    path = tmp_path / "k.py"
    src = ("@pl.jit\n"
           "def k(x: pl.Tensor[[1, 32], pl.FP16],\n"
           "      o: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):\n"
           "    with pl.at(level=pl.Level.VECTOR):\n"
           "        pl.expand_clone(x, o)\n")
    path.write_text(src)
    ns = {"pl": pl}
    exec(compile(src, str(path), "exec"), ns)
    with pytest.raises(CompileError, match="dtype mismatch in "
                       "pl.expand_clone") as info:
        ns["k"].ir()
    assert info.value.line == 5


def test_expand_clone_outside_a_scope(tmp_path):
    path = tmp_path / "k.py"
    src = ("@pl.jit\n"
           "def k(x: pl.Tensor[[1, 32], pl.FP32],\n"
           "      o: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):\n"
           "    pl.expand_clone(x, o)\n")
    path.write_text(src)
    ns = {"pl": pl}
    exec(compile(src, str(path), "exec"), ns)
    with pytest.raises(CompileError) as info:
        ns["k"].ir()
    assert info.value.line == 4


@pytest.mark.parametrize("name", ["get_block_idx", "tensor.get_block_idx"])
def test_block_idx_outside_spmd(tmp_path, name):
    path = tmp_path / "k.py"
    src = ("@pl.jit\n"
           "def k(x: pl.Tensor[[8, 32], pl.FP32],\n"
           "      o: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):\n"
           f"    n = pl.{name}()\n")
    path.write_text(src)
    ns = {"pl": pl}
    exec(compile(src, str(path), "exec"), ns)
    with pytest.raises(CompileError, match=rf"pl.{name}\(\) outside a "
                       "pl.spmd body") as info:
        ns["k"].ir()
    assert info.value.line == 4
