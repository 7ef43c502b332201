"""What the frontend's constructs compute, run on the CPU simulation and
compared with PyTorch: index arithmetic (Python's // and % on negative
values), loop-carried values, runtime if/else, the scope forms (spmd,
parallel + at, function-level at), inline helpers, 1-D and 3-D GM slices,
GM reshape views, scalar operand order and casts."""

from __future__ import annotations

import pytest
import torch

import tessel.language as pl
from tessel.errors import BackendUnavailableError


def run(kernel, *tensors):
    try:
        kernel(*tensors)
    except BackendUnavailableError as e:
        pytest.skip(str(e))


@pl.jit
def floor_of_negative(x: pl.Tensor[[4, 4], pl.FP32],
                      y: pl.Out[pl.Tensor[[8, 1], pl.FP32]]):
    for b in pl.spmd(8):
        d = b - 2
        y[b:b + 1, :] = x[d // 4 + 1:d // 4 + 2, d % 4:d % 4 + 1]


def test_floor_division_and_modulo_follow_python():
    x = torch.arange(16, dtype=torch.float32).reshape(4, 4)
    y = torch.zeros(8, 1)
    run(floor_of_negative, x, y)
    want = torch.tensor([[x[(b - 2) // 4 + 1, (b - 2) % 4]] for b in range(8)])
    assert torch.equal(y, want)


@pl.jit
def k_loop(a: pl.Tensor[[16, 128], pl.BF16], w: pl.Tensor[[128, 64], pl.BF16],
           c: pl.Out[pl.Tensor[[16, 64], pl.FP32]]):
    for o0 in pl.parallel(0, 64, 32):
        with pl.at(level=pl.Level.CORE_GROUP):
            acc = pl.create_tensor([16, 32], dtype=pl.FP32)
            for kb in pl.pipeline(0, 128 // 32, stage=2):
                k0 = kb * 32
                if k0 == 0:
                    acc = pl.matmul(a[:, k0:k0 + 32], w[k0:k0 + 32, o0:o0 + 32])
                else:
                    acc = pl.matmul_acc(acc, a[:, k0:k0 + 32],
                                        w[k0:k0 + 32, o0:o0 + 32])
            c[:, o0:o0 + 32] = acc


def test_k_loop_with_if_else_and_parallel_at():
    torch.manual_seed(1)
    a = torch.randn(16, 128).to(torch.bfloat16)
    w = torch.randn(128, 64).to(torch.bfloat16)
    c = torch.full((16, 64), float("nan"))
    run(k_loop, a, w, c)
    want = a.float() @ w.float()
    assert torch.allclose(c, want, rtol=1e-5, atol=1e-4)


@pl.jit.inline
def mean_sq(t, n):
    return pl.mul(pl.row_sum(pl.mul(t, t)), 1.0 / n)


@pl.jit
def rms_rows(x: pl.Tensor[[8, 64], pl.FP32], g: pl.Tensor[[64], pl.BF16],
             y: pl.Out[pl.Tensor[[8, 64], pl.FP32]]):
    for b in pl.spmd(4, name_hint="rms"):
        t0 = b * 2
        ss = pl.full([2, 1], dtype=pl.FP32, value=0.0)
        for j in pl.range(2):
            ss = pl.add(ss, mean_sq(x[t0:t0 + 2, j * 32:j * 32 + 32], 64))
        r = pl.rsqrt(pl.add(ss, 1e-6))
        gf = pl.cast(g[:], target_type=pl.FP32)
        y[t0:t0 + 2, :] = pl.col_expand_mul(pl.row_expand_mul(x[t0:t0 + 2, :], r), gf)


def test_loop_carried_rmsnorm_with_inline_helper():
    torch.manual_seed(2)
    x = torch.randn(8, 64)
    g = (1 + 0.1 * torch.randn(64)).to(torch.bfloat16)
    y = torch.zeros(8, 64)
    run(rms_rows, x, g, y)
    want = x * torch.rsqrt((x * x).mean(-1, keepdim=True) + 1e-6) * g.float()
    assert torch.allclose(y, want, rtol=1e-5, atol=1e-6)


@pl.jit
def scalar_order(x: pl.Tensor[[4, 32], pl.FP32],
                 y: pl.Out[pl.Tensor[[4, 32], pl.FP32]]):
    with pl.at(level=pl.Level.AIV):
        t = x[:, :]
        t = pl.sub(3.0, t)          # 3 - x
        t = pl.div(2.0, t)          # 2 / (3 - x)
        t = pl.maximum(t, -1.0)
        y[:, :] = (t - 0.5) * 4.0 + pl.minimum(0.25, t)


def test_scalar_operands_on_either_side():
    x = torch.linspace(-2, 2, 128).reshape(4, 32)
    y = torch.zeros(4, 32)
    run(scalar_order, x, y)
    t = torch.maximum(2.0 / (3.0 - x), torch.tensor(-1.0))
    want = (t - 0.5) * 4.0 + torch.minimum(torch.tensor(0.25), t)
    assert torch.allclose(y, want, rtol=1e-6, atol=1e-6)


@pl.jit
def heads(q: pl.Tensor[[4, 3, 16], pl.FP32], w: pl.Tensor[[48], pl.FP32],
          o: pl.Out[pl.Tensor[[4, 3, 16], pl.FP32]],
          flat: pl.Out[pl.Tensor[[4, 48], pl.FP32]]):
    f2 = pl.reshape(flat, [12, 16])
    for b in pl.spmd(12):
        t = b // 3
        h = b % 3
        row = pl.col_expand_mul(q[t, h, :], w[h * 16:h * 16 + 16])
        o[t, h, :] = row
        f2[b:b + 1, :] = pl.neg(row)


@pl.jit
def heads_no_view(q: pl.Tensor[[4, 3, 16], pl.FP32], w: pl.Tensor[[48], pl.FP32],
                  o: pl.Out[pl.Tensor[[4, 3, 16], pl.FP32]]):
    for b in pl.spmd(12):
        t = b // 3
        h = b % 3
        o[t, h, :] = pl.col_expand_mul(q[t:t + 1, h, 0:16], w[h * 16:h * 16 + 16])


def test_three_dim_slices_and_one_dim_rows():
    torch.manual_seed(3)
    q = torch.randn(4, 3, 16)
    w = torch.randn(48)
    o = torch.zeros(4, 3, 16)
    run(heads_no_view, q, w, o)
    assert torch.equal(o, q * w.reshape(3, 16))


def test_three_dim_slices_one_dim_rows_and_reshaped_views():
    torch.manual_seed(3)
    q = torch.randn(4, 3, 16)
    w = torch.randn(48)
    o = torch.zeros(4, 3, 16)
    flat = torch.zeros(4, 48)
    run(heads, q, w, o, flat)
    want = q * w.reshape(3, 16)
    assert torch.equal(o, want)
    assert torch.equal(flat, -want.reshape(4, 48))


@pl.jit
def casts(x: pl.Tensor[[2, 64], pl.FP32], q: pl.Out[pl.Tensor[[2, 64], pl.INT8]],
          b: pl.Out[pl.Tensor[[2, 64], pl.BF16]]):
    for i in pl.spmd(2):
        t = x[i:i + 1, :]
        q[i:i + 1, :] = pl.cast(pl.cast(pl.cast(t, target_type=pl.INT32, mode="rint"),
                                        target_type=pl.FP16, mode="round"),
                                target_type=pl.INT8, mode="trunc")
        b[i:i + 1, :] = pl.cast(t, target_type=pl.BF16, mode="rint")


def test_cast_chain():
    x = torch.linspace(-100, 100, 128).reshape(2, 64) + 0.5
    q = torch.zeros(2, 64, dtype=torch.int8)
    bb = torch.zeros(2, 64, dtype=torch.bfloat16)
    run(casts, x, q, bb)
    assert torch.equal(q, torch.round(x).to(torch.int32).to(torch.int8))
    assert torch.equal(bb, x.to(torch.bfloat16))


def test_compiles_once_per_signature():
    x = torch.zeros(2, 64)
    q = torch.zeros(2, 64, dtype=torch.int8)
    bb = torch.zeros(2, 64, dtype=torch.bfloat16)
    run(casts, x, q, bb)
    exe = casts.compile(x, q, bb)
    run(casts, x, q, bb)
    assert casts.compile(x, q, bb) is exe
    assert casts.compile(x, q, bb, target="a5") is not exe
