"""Every tile op run through the CPU simulation against PyTorch.

Exact ops (data movement, +, -, *, /, max, min, neg, abs, sqrt, recip,
broadcast multiplies, row_max, gather/scatter, int8 matmul) must match
bit for bit; ops whose result depends on an evaluation order or a libm
(exp, rsqrt, row_sum, float matmul) within the tolerance docs/numerics.md
states.
"""

from __future__ import annotations

import pytest
import torch

from simkit import DTYPES, assert_bitwise_equal, kernel, run, run_op

SHAPE = (8, 40)  # 320 elements: 20 full 16-lane chunks, rows with a tail


def rand(shape, elt, *, positive=False, seed=0):
    g = torch.Generator().manual_seed(seed)
    if elt in ("i8", "i32"):
        info = torch.iinfo(DTYPES[elt])
        return torch.randint(info.min, info.max, shape, generator=g,
                             dtype=torch.int64).to(DTYPES[elt])
    x = torch.randn(shape, generator=g) * 3
    if positive:
        x = x.abs() + 0.01
    return x.to(DTYPES[elt])


def with_specials(x: torch.Tensor) -> torch.Tensor:
    """`x` with NaN, +-inf, +-0 in its first row (float tensors)."""
    x = x.clone()
    specials = [float("nan"), float("inf"), float("-inf"), 0.0, -0.0]
    for j, v in enumerate(specials):
        x[0, j] = v
    return x


# -- elementwise -------------------------------------------------------------

BINARY = {
    "add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div,
    "max": torch.maximum, "min": torch.minimum,
}


def combos(ops, float_only):
    """(op, element type) pairs the verifier accepts."""
    return [(op, elt) for op in sorted(ops) for elt in ("f32", "f16", "i32")
            if not (elt == "i32" and op in float_only)]


@pytest.mark.parametrize("op,elt", combos(BINARY, {"div"}))
def test_binary_is_bit_exact(op, elt):
    x, y = rand(SHAPE, elt, seed=1), rand(SHAPE, elt, seed=2)
    if elt != "i32":
        x = with_specials(x)
        y[0, :5] = torch.tensor([1.0, float("inf"), 2.0, -0.0, 0.0])
    t = f"!tile.tile<8x40x{elt}>"
    (got,) = run_op(f"%r0 = tile.{op} %t0, %t1 : {t}", [x, y],
                    [(SHAPE, elt)])
    want = BINARY[op](x, y)
    if op in ("max", "min") and elt != "i32":
        want = ieee_zero_order(op, x, y, want)
    assert_bitwise_equal(got, want)


def ieee_zero_order(op, x, y, want):
    """tile.max / tile.min order -0 below +0 (IEEE 754-2019 maximum and
    minimum); torch.maximum returns either zero. Fix up the zero pairs."""
    zeros = (x == 0) & (y == 0)
    neg = torch.signbit(x) | torch.signbit(y) if op == "min" else \
        torch.signbit(x) & torch.signbit(y)
    signed = torch.where(neg, torch.tensor(-0.0, dtype=x.dtype),
                         torch.tensor(0.0, dtype=x.dtype))
    return torch.where(zeros, signed, want)


SCALAR = {
    "adds": lambda x, s: x + s, "subs": lambda x, s: x - s,
    "rsubs": lambda x, s: s - x, "muls": lambda x, s: x * s,
    # torch's `scalar / tensor` is reciprocal-then-multiply (two roundings);
    # tile.rdivs is one IEEE division, like tensor / tensor.
    "divs": lambda x, s: x / s,
    "rdivs": lambda x, s: torch.full_like(x, s) / x,
    "maxs": lambda x, s: torch.maximum(x, torch.full_like(x, s)),
    "mins": lambda x, s: torch.minimum(x, torch.full_like(x, s)),
}


@pytest.mark.parametrize("op,elt", combos(SCALAR, {"divs", "rdivs"}))
def test_scalar_is_bit_exact(op, elt):
    x = rand(SHAPE, elt, seed=3)
    if elt == "i32":
        scalar, lit = -7, "-7"
    else:
        scalar, lit = 0.375, "0.375"
        x = with_specials(x)
    t = f"!tile.tile<8x40x{elt}>"
    body = (f"%s = arith.constant {lit} : {elt}\n"
            f"%r0 = tile.{op} %t0, %s : {t}")
    (got,) = run_op(body, [x], [(SHAPE, elt)])
    want = SCALAR[op](x, scalar)
    assert_bitwise_equal(got, want)


UNARY_EXACT = {
    "neg": torch.neg, "abs": torch.abs,
    # IEEE sqrt is correctly rounded; torch's vectorised f32 sqrt is not
    # always (0.5+ ulp), so the reference rounds the f64 root (exact: f64
    # has more than 2 * 24 + 2 bits).
    "sqrt": lambda x: x.double().sqrt().to(x.dtype),
    "recip": torch.reciprocal,
}


@pytest.mark.parametrize("op,elt", combos(UNARY_EXACT, {"sqrt", "recip"}))
def test_unary_is_bit_exact(op, elt):
    x = rand(SHAPE, elt, seed=4)
    if elt != "i32":
        x = with_specials(x)
    t = f"!tile.tile<8x40x{elt}>"
    (got,) = run_op(f"%r0 = tile.{op} %t0 : {t}", [x], [(SHAPE, elt)])
    assert_bitwise_equal(got, UNARY_EXACT[op](x))


def ulp_distance(got: torch.Tensor, want: torch.Tensor) -> torch.Tensor:
    """Units in the last place between two finite float tensors."""
    ints = {torch.float32: torch.int32, torch.float16: torch.int16}[got.dtype]
    g, w = got.view(ints).long(), want.view(ints).long()
    # Map sign-magnitude to a monotonic integer line.
    top = 1 << (got.element_size() * 8 - 1)
    g = torch.where(g < 0, -(g + top), g)
    w = torch.where(w < 0, -(w + top), w)
    return (g - w).abs()


@pytest.mark.parametrize("elt", ["f32", "f16"])
@pytest.mark.parametrize("op,ref", [("exp", torch.exp), ("rsqrt", torch.rsqrt)])
def test_transcendental_within_two_ulp(op, ref, elt):
    # exp: libm expf; rsqrt: 1 / sqrt(x) (two roundings). Both within 2 ulp
    # of torch (docs/numerics.md); the special values are exact.
    x = rand(SHAPE, elt, positive=(op == "rsqrt"), seed=5)
    if op == "exp":
        x = x.clamp(-80, 80) if elt == "f32" else x.clamp(-10, 10)
    x = with_specials(x)
    t = f"!tile.tile<8x40x{elt}>"
    (got,) = run_op(f"%r0 = tile.{op} %t0 : {t}", [x], [(SHAPE, elt)])
    want = ref(x)
    finite = torch.isfinite(want) & (want != 0)
    assert ulp_distance(got[finite], want[finite]).max() <= 2
    assert_bitwise_equal(got[~finite], want[~finite])


# -- broadcasts and reductions -----------------------------------------------

@pytest.mark.parametrize("elt", ["f32", "f16", "i32"])
def test_row_and_col_expand_mul_are_bit_exact(elt):
    x = rand(SHAPE, elt, seed=6)
    rs, cs = rand((8, 1), elt, seed=7), rand((1, 40), elt, seed=8)
    t, rt, ct = (f"!tile.tile<8x40x{elt}>", f"!tile.tile<8x1x{elt}>",
                 f"!tile.tile<1x40x{elt}>")
    body = (f"%r0 = tile.row_expand_mul %t0, %t1 : {t}, {rt}\n"
            f"%r1 = tile.col_expand_mul %t0, %t2 : {t}, {ct}")
    got_r, got_c = run_op(body, [x, rs, cs], [(SHAPE, elt), (SHAPE, elt)])
    assert_bitwise_equal(got_r, x * rs)
    assert_bitwise_equal(got_c, x * cs)


@pytest.mark.parametrize("elt", ["f32", "f16"])
@pytest.mark.parametrize("cols", [1, 7, 16, 40, 512])
def test_row_max_is_exact_and_row_sum_is_close(elt, cols):
    x = rand((8, cols), elt, seed=9)
    x[3, cols // 2] = float("nan")  # max propagates NaN, sum too
    t = f"!tile.tile<8x{cols}x{elt}>"
    r = f"!tile.tile<8x1x{elt}>"
    body = (f"%r0 = tile.row_max %t0 : {t} -> {r}\n"
            f"%r1 = tile.row_sum %t0 : {t} -> {r}")
    got_max, got_sum = run_op(body, [x], [((8, 1), elt), ((8, 1), elt)])
    want_max = torch.amax(x.float(), dim=1, keepdim=True).to(x.dtype)
    want_max[3] = float("nan")
    assert_bitwise_equal(got_max, want_max)
    # Summed in f32 (lane-strided, then pairwise): the error bound of any
    # order is cols * eps * sum(|x|); check against an f64 reference.
    want_sum = x.double().sum(dim=1, keepdim=True)
    bound = cols * 2.0**-24 * x.double().abs().sum(dim=1, keepdim=True)
    if elt == "f16":
        bound = bound + want_sum.abs() * 2.0**-11  # final rounding to f16
    ok = (got_sum.double() - want_sum).abs() <= bound
    assert torch.isnan(got_sum[3]).all()
    ok[3] = True
    assert ok.all(), (got_sum, want_sum)


# -- data movement -----------------------------------------------------------

@pytest.mark.parametrize("elt", ["f32", "f16", "bf16", "i8", "i32"])
def test_load_store_reshape_full(elt):
    x = rand(SHAPE, elt, seed=10)
    t = f"!tile.tile<8x40x{elt}>"
    value = "-3" if elt in ("i8", "i32") else "-2.5"
    body = (f"%r0 = tile.reshape %t0 : {t} -> !tile.tile<16x20x{elt}>\n"
            f"%r1 = tile.full {value} : !tile.tile<3x5x{elt}>")
    got, full = run_op(body, [x], [((16, 20), elt), ((3, 5), elt)])
    assert_bitwise_equal(got, x.reshape(16, 20))
    assert_bitwise_equal(full, torch.full((3, 5), float(value),
                                          dtype=DTYPES[elt]))


def test_load_store_slices_of_rank3_and_1d_memrefs():
    # A [2, 16, 64] memref: tile 8x32 at [1, 4, 16]; a 1-D memref of 96
    # elements: tile 1x40 at 50 (the row's tail 8 elements is a partial
    # vector).
    a = rand((2, 16, 64), "f32", seed=11)
    v = rand((96,), "f32", seed=12).reshape(96)
    text = """
func.func @k(%a: memref<2x16x64xf32>, %v: memref<96xf32>,
             %o: memref<2x16x64xf32>, %ov: memref<96xf32>) {
  tile.spmd 1 (%b) {
    tile.at vector {
      %c1 = arith.constant 1 : index
      %c4 = arith.constant 4 : index
      %c16 = arith.constant 16 : index
      %c50 = arith.constant 50 : index
      %c3 = arith.constant 3 : index
      %x = tile.load %a[%c1, %c4, %c16] : memref<2x16x64xf32> -> !tile.tile<8x32xf32>
      tile.store %x, %o[%c1, %c4, %c16] : !tile.tile<8x32xf32>, memref<2x16x64xf32>
      %y = tile.load %v[%c50] : memref<96xf32> -> !tile.tile<1x40xf32>
      tile.store %y, %ov[%c3] : !tile.tile<1x40xf32>, memref<96xf32>
    }
  }
  return
}"""
    o = torch.zeros(2, 16, 64)
    ov = torch.zeros(96)
    from tessel.runtime import CpuKernel
    CpuKernel(text, "k")(a, v, o, ov)
    want = torch.zeros(2, 16, 64)
    want[1, 4:12, 16:48] = a[1, 4:12, 16:48]
    want_v = torch.zeros(96)
    want_v[3:43] = v[50:90]
    assert_bitwise_equal(o, want)
    assert_bitwise_equal(ov, want_v)


@pytest.mark.parametrize("elt", ["f32", "f16", "bf16", "i32"])
@pytest.mark.parametrize("pattern,parity", [("p0101", 0), ("p1010", 1)])
def test_gather_and_scatter_are_exact(elt, pattern, parity):
    x = rand((8, 64), elt, seed=13)
    s = rand((8, 32), elt, seed=14)
    w, n = f"!tile.tile<8x64x{elt}>", f"!tile.tile<8x32x{elt}>"
    body = (f"%r0 = tile.gather %t0 {pattern} : {w} -> {n}\n"
            f"%r1 = tile.scatter %t1 into %t0 {pattern} : {n} -> {w}")
    got_g, got_s = run_op(body, [x, s], [((8, 32), elt), ((8, 64), elt)])
    assert_bitwise_equal(got_g, x[:, parity::2])
    want = x.clone()
    want[:, parity::2] = s
    assert_bitwise_equal(got_s, want)


# -- cube --------------------------------------------------------------------

@pytest.mark.parametrize("m,k,n", [(8, 64, 128), (13, 24, 37), (1, 16, 16)])
@pytest.mark.parametrize("elt", ["bf16", "f16"])
def test_float_matmul_accumulates_in_f32(elt, m, k, n):
    a, b = rand((m, k), elt, seed=15), rand((k, n), elt, seed=16)
    acc = rand((m, n), "f32", seed=17)
    ta, tb, tc = (f"!tile.tile<{m}x{k}x{elt}>", f"!tile.tile<{k}x{n}x{elt}>",
                  f"!tile.tile<{m}x{n}xf32>")
    body = (f"%r0 = tile.matmul %t0, %t1 : {ta}, {tb} -> {tc}\n"
            f"%r1 = tile.matmul_acc %t2, %t0, %t1 : {ta}, {tb} -> {tc}")
    got, got_acc = run_op(body, [a, b, acc], [((m, n), "f32"), ((m, n), "f32")],
                          kind="cube")
    # Products of bf16/f16 are exact in f32, so the only error is the f32
    # rounding of k additions: |err| <= k * 2^-24 * sum |a_ik b_kj|.
    exact = a.double() @ b.double()
    bound = k * 2.0**-24 * (a.double().abs() @ b.double().abs())
    assert ((got.double() - exact).abs() <= bound).all()
    exact_acc = exact + acc.double()
    bound_acc = bound + (k + 1) * 2.0**-24 * acc.double().abs()
    assert ((got_acc.double() - exact_acc).abs() <= bound_acc + 1e-30).all()
    # And the usual comparison with torch's f32 matmul.
    torch.testing.assert_close(got, a.float() @ b.float(), rtol=1e-5,
                               atol=1e-5)


@pytest.mark.parametrize("m,k,n", [(8, 64, 128), (13, 40, 37)])
def test_int8_matmul_is_exact(m, k, n):
    a, b = rand((m, k), "i8", seed=18), rand((k, n), "i8", seed=19)
    acc = torch.randint(-2**20, 2**20, (m, n), dtype=torch.int32)
    ta, tb, tc = (f"!tile.tile<{m}x{k}xi8>", f"!tile.tile<{k}x{n}xi8>",
                  f"!tile.tile<{m}x{n}xi32>")
    body = (f"%r0 = tile.matmul %t0, %t1 : {ta}, {tb} -> {tc}\n"
            f"%r1 = tile.matmul_acc %t2, %t0, %t1 : {ta}, {tb} -> {tc}")
    got, got_acc = run_op(body, [a, b, acc], [((m, n), "i32"), ((m, n), "i32")],
                          kind="cube")
    want = (a.long() @ b.long()).int()
    assert_bitwise_equal(got, want)
    assert_bitwise_equal(got_acc, want + acc)


# Every a_trans / b_trans case of tile.matmul and tile.matmul_acc, given
# a [m, k], a.T, b [k, n] and b.T: the CPU lowering transposes (and widens)
# the operand into its Temp storage, so each case multiplies the same
# numbers in the same order as the plain product and must equal it bit for
# bit; the plain f32 product is checked against the exact one (f32 operands
# are not exact in a product, so the bound has a term per multiply too).
@pytest.mark.parametrize("elt", ["bf16", "f16", "f32", "i8"])
def test_transposed_matmul_equals_the_plain_one(elt):
    m, k, n = 13, 40, 37
    a, b = rand((m, k), elt, seed=20), rand((k, n), elt, seed=21)
    acc_elt = "i32" if elt == "i8" else "f32"
    acc = (torch.randint(-2**20, 2**20, (m, n), dtype=torch.int32)
           if elt == "i8" else rand((m, n), "f32", seed=22))
    ta, tat = f"!tile.tile<{m}x{k}x{elt}>", f"!tile.tile<{k}x{m}x{elt}>"
    tb, tbt = f"!tile.tile<{k}x{n}x{elt}>", f"!tile.tile<{n}x{k}x{elt}>"
    tc = f"!tile.tile<{m}x{n}x{acc_elt}>"
    body = "\n".join([
        f"%r0 = tile.matmul %t0, %t2 : {ta}, {tb} -> {tc}",
        f"%r1 = tile.matmul %t1, %t2 a_trans : {tat}, {tb} -> {tc}",
        f"%r2 = tile.matmul %t0, %t3 b_trans : {ta}, {tbt} -> {tc}",
        f"%r3 = tile.matmul %t1, %t3 a_trans b_trans : {tat}, {tbt} -> {tc}",
        f"%r4 = tile.matmul_acc %t4, %t0, %t2 : {ta}, {tb} -> {tc}",
        f"%r5 = tile.matmul_acc %t4, %t1, %t3 a_trans b_trans : {tat}, {tbt} "
        f"-> {tc}",
    ])
    outs = [((m, n), acc_elt)] * 6
    got = run_op(body, [a, a.T.contiguous(), b, b.T.contiguous(), acc], outs,
                 kind="cube")
    for g in got[1:4]:
        assert_bitwise_equal(g, got[0])
    assert_bitwise_equal(got[5], got[4])
    if elt == "i8":
        want = (a.long() @ b.long()).int()
        assert_bitwise_equal(got[0], want)
        assert_bitwise_equal(got[4], want + acc)
        return
    exact = a.double() @ b.double()
    bound = 2 * k * 2.0**-24 * (a.double().abs() @ b.double().abs())
    assert ((got[0].double() - exact).abs() <= bound).all()


# -- structure ---------------------------------------------------------------

SPMD_PIPELINE = """
func.func @k(%a: memref<64x96xf32>, %o: memref<64x1xf32>) {
  tile.spmd 4 (%b) {
    tile.at vector {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %c3 = arith.constant 3 : index
      %c16 = arith.constant 16 : index
      %c32 = arith.constant 32 : index
      %row = arith.muli %b, %c16 : index
      %zero = tile.full 0.0 : !tile.tile<16x1xf32>
      %big = tile.full -1.0e30 : !tile.tile<16x1xf32>
      %sum, %mx = tile.pipeline %j = %c0 to %c3 step %c1 stages(2)
          iter_args(%acc = %zero, %m = %big)
          -> (!tile.tile<16x1xf32>, !tile.tile<16x1xf32>) {
        %col = arith.muli %j, %c32 : index
        %x = tile.load %a[%row, %col] : memref<64x96xf32> -> !tile.tile<16x32xf32>
        %x2 = tile.mul %x, %x : !tile.tile<16x32xf32>
        %s = tile.row_sum %x2 : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32>
        %n = tile.add %acc, %s : !tile.tile<16x1xf32>
        %xm = tile.row_max %x : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32>
        %nm = tile.max %m, %xm : !tile.tile<16x1xf32>
        tile.yield %n, %nm : !tile.tile<16x1xf32>, !tile.tile<16x1xf32>
      }
      %r = tile.add %sum, %mx : !tile.tile<16x1xf32>
      tile.store %r, %o[%row, %c0] : !tile.tile<16x1xf32>, memref<64x1xf32>
    }
  }
  return
}"""


@pytest.mark.parametrize("threads", [1, 2])
def test_spmd_blocks_and_pipelined_loop_carried_values(threads):
    # 4 blocks x 16 rows; per row: sum of squares over 3 chunks of 32
    # columns (loop-carried) plus the running max (a second iter_arg).
    a = rand((64, 96), "f32", seed=20)
    (got,) = run(SPMD_PIPELINE, [a], [((64, 1), "f32")], threads=threads)
    want = (a.double() ** 2).sum(1, keepdim=True) + a.double().amax(
        1, keepdim=True)
    torch.testing.assert_close(got.double(), want, rtol=1e-5, atol=1e-5)


def test_threads_give_the_same_bits():
    a = rand((64, 96), "f32", seed=21)
    (one,) = run(SPMD_PIPELINE, [a], [((64, 1), "f32")], threads=1)
    (two,) = run(SPMD_PIPELINE, [a], [((64, 1), "f32")], threads=2)
    assert_bitwise_equal(one, two)


def test_pipeline_swapping_iter_args_keeps_sequential_meaning():
    # yield %b, %a swaps two loop-carried tiles each iteration; after 3
    # iterations they are swapped once.
    x, y = rand((4, 16), "f32", seed=22), rand((4, 16), "f32", seed=23)
    text = """
func.func @k(%a0: memref<4x16xf32>, %a1: memref<4x16xf32>,
             %o0: memref<4x16xf32>, %o1: memref<4x16xf32>) {
  tile.spmd 1 (%b) {
    tile.at vector {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %c3 = arith.constant 3 : index
      %x = tile.load %a0[%c0, %c0] : memref<4x16xf32> -> !tile.tile<4x16xf32>
      %y = tile.load %a1[%c0, %c0] : memref<4x16xf32> -> !tile.tile<4x16xf32>
      %p, %q = tile.pipeline %j = %c0 to %c3 step %c1 stages(1)
          iter_args(%u = %x, %v = %y) -> (!tile.tile<4x16xf32>, !tile.tile<4x16xf32>) {
        tile.yield %v, %u : !tile.tile<4x16xf32>, !tile.tile<4x16xf32>
      }
      tile.store %p, %o0[%c0, %c0] : !tile.tile<4x16xf32>, memref<4x16xf32>
      tile.store %q, %o1[%c0, %c0] : !tile.tile<4x16xf32>, memref<4x16xf32>
    }
  }
  return
}"""
    p, q = run(text, [x, y], [((4, 16), "f32"), ((4, 16), "f32")])
    assert_bitwise_equal(p, y)
    assert_bitwise_equal(q, x)
