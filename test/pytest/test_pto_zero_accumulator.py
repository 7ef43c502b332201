"""A K-loop matmul accumulating into a zero accumulator on the NPU back end.

On the NPU an accumulator lives in L0C, which the vector unit cannot fill:
a zero whose every reader is a matmul_acc's accumulator is dropped, and the
first matmul of the K loop writes the accumulator (TMATMUL), the later ones
add to it (TMATMUL_ACC). The accumulator is written as pypto-lib writes it:
`pl.full(..., 0.0)` or `pl.create_tensor` (a zero tile inside a scope), and
either `pl.matmul_acc` every iteration or `if kb == 0: pl.matmul` / `else:
pl.matmul_acc` (DSV4 hc_pre's linear). Each runs with backend="pto" on both
targets against torch and bit for bit against the CPU simulation. A
non-zero start is a CompileError at the fill's line.
"""

from __future__ import annotations

import shutil

import pytest
import torch

import tessel.language as pl
from tessel.errors import CompileError

pytestmark = pytest.mark.skipif(
    shutil.which("g++") is None and shutil.which("clang++") is None,
    reason="the PTO back end builds emitted kernels with a host C++ "
           "compiler; neither g++ nor clang++ is installed")

# Two row blocks of 16 tokens; K = 256 in 4 chunks of 64; N = 32 (w is
# [N, K], F.linear's layout, read with b_trans).
M, N, K, KC, BLOCKS = 16, 32, 256, 64, 2


@pl.jit
def acc_full(a: pl.Tensor[[BLOCKS * M, K], pl.BF16],
             w: pl.Tensor[[N, K], pl.BF16],
             o: pl.Out[pl.Tensor[[BLOCKS * M, N], pl.FP32]]):
    for b in pl.spmd(BLOCKS, name_hint="mm"):
        r0 = b * M
        acc = pl.full([M, N], dtype=pl.FP32, value=0.0)
        for kb in pl.pipeline(K // KC, stage=2):
            k0 = kb * KC
            acc = pl.matmul_acc(acc, a[r0:r0 + M, k0:k0 + KC],
                                w[0:N, k0:k0 + KC], b_trans=True)
        o[r0:r0 + M, 0:N] = acc


@pl.jit
def acc_create_tensor(a: pl.Tensor[[BLOCKS * M, K], pl.BF16],
                      w: pl.Tensor[[N, K], pl.BF16],
                      o: pl.Out[pl.Tensor[[BLOCKS * M, N], pl.FP32]]):
    for b in pl.spmd(BLOCKS, name_hint="mm"):
        r0 = b * M
        acc = pl.create_tensor([M, N], dtype=pl.FP32)
        for kb in pl.pipeline(K // KC, stage=2):
            k0 = kb * KC
            acc = pl.matmul_acc(acc, a[r0:r0 + M, k0:k0 + KC],
                                w[0:N, k0:k0 + KC], b_trans=True)
        o[r0:r0 + M, 0:N] = acc


@pl.jit
def first_matmul_full(a: pl.Tensor[[BLOCKS * M, K], pl.BF16],
                      w: pl.Tensor[[N, K], pl.BF16],
                      o: pl.Out[pl.Tensor[[BLOCKS * M, N], pl.FP32]]):
    for b in pl.spmd(BLOCKS, name_hint="mm"):
        r0 = b * M
        acc = pl.full([M, N], dtype=pl.FP32, value=0.0)
        for kb in pl.pipeline(0, K // KC, stage=2):
            k0 = kb * KC
            x = a[r0:r0 + M, k0:k0 + KC]
            y = w[0:N, k0:k0 + KC]
            if kb == 0:
                acc = pl.matmul(x, y, b_trans=True, out_dtype=pl.FP32)
            else:
                acc = pl.matmul_acc(acc, x, y, b_trans=True)
        o[r0:r0 + M, 0:N] = acc


@pl.jit
def first_matmul_create_tensor(a: pl.Tensor[[BLOCKS * M, K], pl.BF16],
                               w: pl.Tensor[[N, K], pl.BF16],
                               o: pl.Out[pl.Tensor[[BLOCKS * M, N], pl.FP32]]):
    for b in pl.spmd(BLOCKS, name_hint="mm"):
        r0 = b * M
        acc = pl.create_tensor([M, N], dtype=pl.FP32)
        for kb in pl.pipeline(0, K // KC, stage=2):
            k0 = kb * KC
            x = a[r0:r0 + M, k0:k0 + KC]
            y = w[0:N, k0:k0 + KC]
            if kb == 0:
                acc = pl.matmul(x, y, b_trans=True, out_dtype=pl.FP32)
            else:
                acc = pl.matmul_acc(acc, x, y, b_trans=True)
        o[r0:r0 + M, 0:N] = acc


KERNELS = {k.__name__: k for k in (acc_full, acc_create_tensor,
                                   first_matmul_full,
                                   first_matmul_create_tensor)}


def operands(seed=0):
    g = torch.Generator().manual_seed(seed)
    a = torch.randn(BLOCKS * M, K, generator=g).bfloat16()
    w = torch.randn(N, K, generator=g).bfloat16()
    return a, w


@pytest.mark.parametrize("target", ("a2a3", "a5"))
@pytest.mark.parametrize("name", sorted(KERNELS))
def test_zero_accumulator_on_the_reference(name, target):
    kernel = KERNELS[name]
    a, w = operands()
    o_pto = torch.full((BLOCKS * M, N), float("nan"))
    o_cpu = torch.full((BLOCKS * M, N), float("nan"))
    kernel(a, w, o_pto, target=target, backend="pto")
    kernel(a, w, o_cpu, target=target, backend="cpu")
    assert torch.equal(o_pto.view(torch.int32), o_cpu.view(torch.int32))
    want = a.float() @ w.float().T
    torch.testing.assert_close(o_pto, want, rtol=1e-4, atol=1e-4)
    # No fill of the accumulator; the first K chunk is a TMATMUL.
    source = kernel.pto(target).source
    assert "TEXPANDS(" not in source
    assert "TMATMUL(" in source and "TMATMUL_ACC(" in source


@pl.jit
def acc_starts_at_one(a: pl.Tensor[[BLOCKS * M, K], pl.BF16],
                      w: pl.Tensor[[N, K], pl.BF16],
                      o: pl.Out[pl.Tensor[[BLOCKS * M, N], pl.FP32]]):
    for b in pl.spmd(BLOCKS, name_hint="mm"):
        r0 = b * M
        acc = pl.full([M, N], dtype=pl.FP32, value=1.0)
        for kb in pl.pipeline(K // KC, stage=2):
            k0 = kb * KC
            acc = pl.matmul_acc(acc, a[r0:r0 + M, k0:k0 + KC],
                                w[0:N, k0:k0 + KC], b_trans=True)
        o[r0:r0 + M, 0:N] = acc


def test_nonzero_accumulator_is_an_error_at_the_fill():
    a, w = operands()
    o = torch.empty(BLOCKS * M, N)
    # The CPU simulation runs it: 1 + a @ w^T.
    acc_starts_at_one(a, w, o, target="a2a3", backend="cpu")
    torch.testing.assert_close(o, 1 + a.float() @ w.float().T,
                               rtol=1e-4, atol=1e-4)
    with pytest.raises(CompileError) as info:
        acc_starts_at_one(a, w, o, target="a2a3", backend="pto")
    text = str(info.value)
    assert "a fill of a matmul accumulator (an l0c tile)" in text
    assert "read only by pl.matmul_acc" in text
    assert "value=1.0" in text  # the fill's line is quoted
