"""The matmul family written with `pl` and run on the CPU simulation against
torch: every a_trans / b_trans combination for BF16, FP16, FP32 and INT8; a
K loop of pl.matmul_acc with b_trans (the F.linear weight layout) over K
chunks of unequal size; pl.matmul_bias, pl.gemv, pl.gemv_acc and
pl.gemv_bias; and a CompileError at the author's line for each misuse.

One shapeless kernel computes the four transposition cases at once; it is
specialised per dtype and shape (six simulations, two NPU builds), plus one
compile each for the K loop and the bias / gemv kernel."""

from __future__ import annotations

import os

import pytest
import torch

import tessel.language as pl
from tessel import CompileError
from tessel.errors import BackendUnavailableError
from pysource import tagged_line

M, K, N = 16, 48, 40


def run(kernel, *tensors):
    try:
        kernel(*tensors)
    except BackendUnavailableError as e:
        pytest.skip(str(e))


@pl.jit
def transposes(a: pl.Tensor, at: pl.Tensor, b: pl.Tensor, bt: pl.Tensor,
               c0: pl.Out[pl.Tensor], c1: pl.Out[pl.Tensor],
               c2: pl.Out[pl.Tensor], c3: pl.Out[pl.Tensor]):
    """c_i = the four a_trans / b_trans cases of the same product a @ b,
    given a, a.T, b and b.T (shapeless: specialised per dtype at call)."""
    for blk in pl.spmd(1):
        c0[:, :] = pl.matmul(a[:, :], b[:, :])
        c1[:, :] = pl.matmul(at[:, :], b[:, :], a_trans=True)
        c2[:, :] = pl.matmul(a[:, :], bt[:, :], b_trans=True)
        c3[:, :] = pl.matmul(at[:, :], bt[:, :], a_trans=True, b_trans=True)


CASES = {"bf16": torch.bfloat16, "fp16": torch.float16,
         "fp32": torch.float32, "int8": torch.int8}


@pytest.mark.parametrize("case", list(CASES))
def test_every_transposition_matches_torch(case):
    tdt = CASES[case]
    torch.manual_seed(3)
    if tdt is torch.int8:
        a = torch.randint(-128, 128, (M, K), dtype=torch.int8)
        b = torch.randint(-128, 128, (K, N), dtype=torch.int8)
    else:
        a, b = torch.randn(M, K).to(tdt), torch.randn(K, N).to(tdt)
    odt = torch.int32 if tdt is torch.int8 else torch.float32
    cs = [torch.full((M, N), -1, dtype=odt) for _ in range(4)]
    run(transposes, a, a.T.contiguous(), b, b.T.contiguous(), *cs)
    if tdt is torch.int8:
        want = (a.long() @ b.long()).int()
        for c in cs:
            assert torch.equal(c, want)
        return
    exact = a.double() @ b.double()
    # f32 rounding of K fused multiply-adds: |err| <= K 2^-24 sum |a b|.
    bound = 2 * K * 2.0**-24 * (a.double().abs() @ b.double().abs())
    assert ((cs[0].double() - exact).abs() <= bound).all()
    # Every transposition multiplies the same numbers in the same order.
    for c in cs[1:]:
        assert torch.equal(c, cs[0])


# The NPU back end (emitted PTO-ISA source built with g++ and run on the
# strict reference, runtime/pto): a transposed operand is moved to L0A / L0B
# from a ZN view of its L1 bytes; the result must equal the simulation's bit
# for bit. FP32 and INT8 have fractals of 8 and 32 elements a row, so these
# shapes are multiples of 32 (docs/pto.md); BF16 is the lit test's.
@pytest.mark.parametrize("case", ["fp32", "int8"])
def test_transpositions_on_the_npu_back_end_equal_the_simulation(case):
    tdt = CASES[case]
    m, k, n = 32, 64, 32
    torch.manual_seed(6)
    if tdt is torch.int8:
        a = torch.randint(-128, 128, (m, k), dtype=torch.int8)
        b = torch.randint(-128, 128, (k, n), dtype=torch.int8)
    else:
        a, b = torch.randn(m, k), torch.randn(k, n)
    odt = torch.int32 if tdt is torch.int8 else torch.float32
    ins = (a, a.T.contiguous(), b, b.T.contiguous())
    sim = [torch.zeros(m, n, dtype=odt) for _ in range(4)]
    npu = [torch.zeros(m, n, dtype=odt) for _ in range(4)]
    run(transposes, *ins, *sim)
    try:
        transposes(*ins, *npu, backend="pto")
    except BackendUnavailableError as e:
        pytest.skip(str(e))
    for got, want in zip(npu, sim):
        assert torch.equal(got, want)


# K = 80 in chunks of 32, 32 and 16; w stored [N, K] as F.linear keeps it.
@pl.jit
def linear_k_loop(x: pl.Tensor[[M, 80], pl.FP32],
                  w: pl.Tensor[[64, 80], pl.FP32],
                  y: pl.Out[pl.Tensor[[M, 64], pl.FP32]]):
    for nb in pl.parallel(0, 64, 32):
        with pl.at(level=pl.Level.CORE_GROUP, name_hint="linear"):
            acc = pl.create_tensor([M, 32], dtype=pl.FP32)
            for kb in pl.range(2):
                k0 = kb * 32
                if kb == 0:
                    acc = pl.matmul(x[:, k0:k0 + 32], w[nb:nb + 32, k0:k0 + 32],
                                    b_trans=True)
                else:
                    acc = pl.matmul_acc(acc, x[:, k0:k0 + 32],
                                        w[nb:nb + 32, k0:k0 + 32],
                                        b_trans=True)
            acc = pl.matmul_acc(acc, x[:, 64:80], w[nb:nb + 32, 64:80],
                                b_trans=True)
            y[:, nb:nb + 32] = acc


def test_k_loop_of_matmul_acc_with_b_trans_matches_f_linear():
    torch.manual_seed(4)
    x, w = torch.randn(M, 80), torch.randn(64, 80)
    y = torch.full((M, 64), float("nan"))
    run(linear_k_loop, x, w, y)
    want = torch.nn.functional.linear(x.double(), w.double())
    bound = 2 * 80 * 2.0**-24 * (x.double().abs() @ w.double().abs().T)
    assert ((y.double() - want).abs() <= bound).all()


@pl.jit
def bias_and_gemv(a: pl.Tensor[[M, K], pl.BF16], b: pl.Tensor[[K, N], pl.BF16],
                  bias: pl.Tensor[[1, N], pl.FP32],
                  v: pl.Tensor[[1, K], pl.BF16], acc: pl.Tensor[[1, N], pl.FP32],
                  y0: pl.Out[pl.Tensor[[M, N], pl.FP32]],
                  y1: pl.Out[pl.Tensor[[1, N], pl.FP32]],
                  y2: pl.Out[pl.Tensor[[1, N], pl.FP32]],
                  y3: pl.Out[pl.Tensor[[1, N], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP, name_hint="family"):
        y0[:, :] = pl.matmul_bias(a[:, :], b[:, :], bias[:, :])
        y1[:, :] = pl.gemv(v[:, :], b[:, :])
        y2[:, :] = pl.gemv_acc(acc[:, :], v[:, :], b[:, :])
        y3[:, :] = pl.tile.gemv_bias(v[:, :], b[:, :], bias[:, :])


def test_matmul_bias_and_gemv_forms_match_torch():
    torch.manual_seed(5)
    a = torch.randn(M, K).bfloat16()
    b = torch.randn(K, N).bfloat16()
    bias, acc = torch.randn(1, N), torch.randn(1, N)
    v = torch.randn(1, K).bfloat16()
    ys = [torch.full(s, float("nan")) for s in ((M, N), (1, N), (1, N), (1, N))]
    run(bias_and_gemv, a, b, bias, v, acc, *ys)
    mm, vm = a.float() @ b.float(), v.float() @ b.float()
    for got, want in zip(ys, (mm + bias, vm, acc + vm, vm + bias)):
        torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)


# -- misuse ------------------------------------------------------------------

THIS_FILE = os.path.realpath(__file__)


def line_of(tag: str) -> int:
    return tagged_line(THIS_FILE, tag)


@pl.jit
def k_mismatch_under_b_trans(a: pl.Tensor[[16, 64], pl.FP32],
                             w: pl.Tensor[[64, 32], pl.FP32],
                             c: pl.Out[pl.Tensor[[16, 64], pl.FP32]]):
    for blk in pl.spmd(1):
        c[:, :] = pl.matmul(a[:, :], w[:, :], b_trans=True)  # ERR-btrans-k


@pl.jit
def trans_not_a_bool(a: pl.Tensor[[16, 16], pl.FP32],
                     c: pl.Out[pl.Tensor[[16, 16], pl.FP32]]):
    for blk in pl.spmd(1):
        c[:, :] = pl.matmul(a[:, :], a[:, :], a_trans=blk)  # ERR-trans-bool


@pl.jit
def int32_operands(a: pl.Tensor[[16, 16], pl.INT32],
                   c: pl.Out[pl.Tensor[[16, 16], pl.INT32]]):
    for blk in pl.spmd(1):
        c[:, :] = pl.matmul(a[:, :], a[:, :])  # ERR-int32-cube


@pl.jit
def gemv_of_a_matrix(a: pl.Tensor[[16, 16], pl.FP16],
                     c: pl.Out[pl.Tensor[[16, 16], pl.FP32]]):
    for blk in pl.spmd(1):
        c[:, :] = pl.gemv(a[:, :], a[:, :])  # ERR-gemv-rows


@pl.jit
def bias_of_wrong_shape(a: pl.Tensor[[16, 16], pl.FP16],
                        bias: pl.Tensor[[16, 1], pl.FP32],
                        c: pl.Out[pl.Tensor[[16, 16], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        c[:, :] = pl.matmul_bias(a[:, :], a[:, :], bias[:, :])  # ERR-bias-shape


@pl.jit
def bias_in_a_cube_scope(a: pl.Tensor[[16, 16], pl.FP16],
                         bias: pl.Tensor[[1, 16], pl.FP32],
                         c: pl.Out[pl.Tensor[[16, 16], pl.FP32]]):
    with pl.at(level=pl.Level.AIC):
        c[:, :] = pl.matmul_bias(a[:, :], a[:, :], bias[:, :])  # ERR-bias-aic


@pl.jit
def nz_result(a: pl.Tensor[[16, 16], pl.FP16],
              c: pl.Out[pl.Tensor[[16, 16], pl.FP32]]):
    for blk in pl.spmd(1):
        c[:, :] = pl.matmul(a[:, :], a[:, :], c_matrix_nz=True)  # ERR-nz


@pl.jit
def acc_under_a_trans(a: pl.Tensor[[32, 16], pl.BF16],
                      acc: pl.Tensor[[32, 16], pl.FP32],
                      c: pl.Out[pl.Tensor[[32, 16], pl.FP32]]):
    for blk in pl.spmd(1):
        # a_trans makes lhs [16, 32]: the product is [16, 16], not [32, 16].
        c[:, :] = pl.matmul_acc(acc[:, :], a[:, :], a[0:32, :],  # ERR-acc
                                a_trans=True)


@pytest.mark.parametrize("kernel, tag, brief, expected, found", [
    (k_mismatch_under_b_trans, "ERR-btrans-k", "contraction sizes differ",
     "rhs with 64 columns", "FP32 stored [N, K], transposed to [32, 64]"),
    (trans_not_a_bool, "ERR-trans-bool", "a_trans= must be True or False",
     "a compile-time bool", None),
    (int32_operands, "ERR-int32-cube", "no cube matmul of INT32 tiles on a2a3",
     "FP32 (-> FP32)", None),
    (gemv_of_a_matrix, "ERR-gemv-rows", "pl.gemv multiplies a row vector",
     "lhs [1, K]", "[16, 16]"),
    (bias_of_wrong_shape, "ERR-bias-shape",
     "pl.matmul_bias bias does not match the product", "[1, 16] FP32",
     "[16, 1]"),
    (bias_in_a_cube_scope, "ERR-bias-aic",
     "pl.matmul_bias adds its bias on the vector unit",
     "pl.Level.CORE_GROUP", "cube scope"),
    (nz_result, "ERR-nz", "c_matrix_nz=True) is not supported", None, None),
    (acc_under_a_trans, "ERR-acc", "accumulator does not match the product",
     "[16, 16] FP32", "[32, 16]"),
])
def test_misuse_is_a_compile_error_at_the_line(kernel, tag, brief, expected,
                                               found):
    with pytest.raises(CompileError) as info:
        kernel.ir()
    err = info.value
    assert os.path.realpath(err.filename) == THIS_FILE
    assert err.line == line_of(tag), str(err)
    assert brief in err.brief, str(err)
    if expected is not None:
        assert expected in (err.expected or ""), str(err)
    if found is not None:
        assert found in (err.found or ""), str(err)
