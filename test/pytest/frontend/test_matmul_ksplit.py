"""Matmuls whose K overflows L0A / L0B (tile-split-matmul-k): the whole
operands stay in L1 and the cube is fed K steps that fit, accumulating in
L0C. Checked against torch on the CPU simulation on both targets (L0A and
L0B are 64 KiB on a2a3 and a5), for FP32, BF16 / FP16 and INT8, with
a_trans / b_trans and a pipelined K loop of pl.matmul_acc, and the NPU back
end (emitted PTO-ISA run on the strict reference) bit for bit against the
simulation.

Shapes: [16, 2048] FP32 is 131072 bytes, twice L0A: 2 steps of 1024 (the
lhs windows [16, 1024] = 65536 bytes). One kernel per transposition,
specialised per dtype; every simulation is a few hundred thousand MACs."""

from __future__ import annotations

import pytest
import torch

import tessel.language as pl
from tessel.errors import BackendUnavailableError

M, K, N = 16, 2048, 16


@pl.jit
def plain(a: pl.Tensor, b: pl.Tensor, c: pl.Out[pl.Tensor]):
    for blk in pl.spmd(1):
        c[:, :] = pl.matmul(a[:, :], b[:, :])


@pl.jit
def a_trans(at: pl.Tensor, b: pl.Tensor, c: pl.Out[pl.Tensor]):
    for blk in pl.spmd(1):
        c[:, :] = pl.matmul(at[:, :], b[:, :], a_trans=True)


@pl.jit
def b_trans(a: pl.Tensor, bt: pl.Tensor, c: pl.Out[pl.Tensor]):
    for blk in pl.spmd(1):
        c[:, :] = pl.matmul(a[:, :], bt[:, :], b_trans=True)


KERNELS = {"plain": plain, "a_trans": a_trans, "b_trans": b_trans}
DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16,
          "fp16": torch.float16, "int8": torch.int8}


def operands(tdt, m, k, n, seed):
    g = torch.Generator().manual_seed(seed)
    if tdt is torch.int8:
        return (torch.randint(-128, 128, (m, k), dtype=torch.int8, generator=g),
                torch.randint(-128, 128, (k, n), dtype=torch.int8, generator=g))
    return (torch.randn(m, k, generator=g).to(tdt),
            torch.randn(k, n, generator=g).to(tdt))


def args_for(kind, a, b):
    if kind == "a_trans":
        return a.T.contiguous(), b
    if kind == "b_trans":
        return a, b.T.contiguous()
    return a, b


def check_product(c, a, b):
    if a.dtype is torch.int8:
        # INT8 -> INT32 is exact whatever the steps.
        assert torch.equal(c, (a.long() @ b.long()).int())
        return
    exact = a.double() @ b.double()
    # f32 accumulation of k products, one rounding each:
    # |err| <= k 2^-24 sum |a b| (twice that for slack).
    k = a.shape[1]
    bound = 2 * k * 2.0**-24 * (a.double().abs() @ b.double().abs())
    assert ((c.double() - exact).abs() <= bound).all()


def run(kernel, *args, **kw):
    try:
        kernel(*args, **kw)
    except BackendUnavailableError as e:
        pytest.skip(str(e))


CASES = [("plain", "fp32", "a2a3"), ("plain", "fp32", "a5"),
         ("b_trans", "fp32", "a2a3"), ("a_trans", "bf16", "a5"),
         ("b_trans", "fp16", "a2a3"), ("plain", "int8", "a2a3"),
         ("a_trans", "int8", "a5")]


@pytest.mark.parametrize("kind,dtype,target", CASES)
def test_split_matmul_matches_torch(kind, dtype, target):
    tdt = DTYPES[dtype]
    # int8's K granule is 32 and L0A holds [16, 4096] int8: K = 8192 needs
    # 2 steps; the 2-byte types need K = 4096 for 2 steps.
    k = {torch.float32: 2048, torch.int8: 8192}.get(tdt, 4096)
    a, b = operands(tdt, M, k, N, seed=7)
    odt = torch.int32 if tdt is torch.int8 else torch.float32
    c = torch.full((M, N), -1, dtype=odt)
    kernel = KERNELS[kind]
    run(kernel, *args_for(kind, a, b), c, target=target)
    check_product(c, a, b)


def test_the_split_is_in_the_placed_ir():
    """2 steps of 1024 for [16, 2048] FP32: two lhs windows in L0A, two
    rhs windows in L0B, one matmul and one matmul_acc."""
    a, b = operands(torch.float32, M, K, N, seed=1)
    c = torch.zeros(M, N)
    run(plain, a, b, c)
    ir = plain.module(None, "placed").text(False)
    assert ir.count("#tile.place<l0a") == 2
    assert ir.count("#tile.place<l0b") == 2
    assert ir.count("tile.matmul ") == 1 and ir.count("tile.matmul_acc ") == 1
    assert "-> !tile.tile<16x1024xf32>" in ir


# The gate projection's form: a pipelined K loop whose steps are each too
# large for L0A ([16, 2048] FP32 lhs, w stored [N, K] = [16, 2048]),
# accumulating with pl.matmul_acc after the first iteration. Two stages of
# both operands fill L1 exactly (4 x 131072 = 524288 bytes).
@pl.jit
def gate_like(x: pl.Tensor[[M, 4096], pl.FP32],
              w: pl.Tensor[[N, 4096], pl.FP32],
              y: pl.Out[pl.Tensor[[M, N], pl.FP32]]):
    for blk in pl.spmd(1):
        acc = pl.create_tensor([M, N], dtype=pl.FP32)
        for kb in pl.pipeline(0, 2, stage=2):
            k0 = kb * 2048
            xs = x[:, k0:k0 + 2048]
            ws = w[:, k0:k0 + 2048]
            if k0 == 0:
                acc = pl.matmul(xs, ws, out_dtype=pl.FP32, b_trans=True)
            else:
                acc = pl.matmul_acc(acc, xs, ws, b_trans=True)
        y[:, :] = acc


def test_pipelined_k_loop_of_split_steps_matches_f_linear():
    torch.manual_seed(8)
    x, w = torch.randn(M, 4096), torch.randn(N, 4096)
    y = torch.full((M, N), float("nan"))
    run(gate_like, x, w, y)
    want = torch.nn.functional.linear(x.double(), w.double())
    bound = 2 * 4096 * 2.0**-24 * (x.double().abs() @ w.double().abs().T)
    assert ((y.double() - want).abs() <= bound).all()


# Fixed shapes for the NPU back end (also compiled against the real pto-isa
# headers by test_pto_isa_headers.py). INT8 pads M and N to 32 in L1
# (32-byte rows): the PTO back end needs them padded alike in L0
# (docs/pto.md), so M = N = 32 there. [32, 4096] int8 is 131072 bytes: 2
# steps of 2048.
@pl.jit
def npu_b_trans_f32(a: pl.Tensor[[M, 2048], pl.FP32],
                    bt: pl.Tensor[[N, 2048], pl.FP32],
                    c: pl.Out[pl.Tensor[[M, N], pl.FP32]]):
    for blk in pl.spmd(1):
        c[:, :] = pl.matmul(a[:, :], bt[:, :], b_trans=True)


@pl.jit
def npu_a_trans_i8(at: pl.Tensor[[4096, 32], pl.INT8],
                   b: pl.Tensor[[4096, 32], pl.INT8],
                   c: pl.Out[pl.Tensor[[32, 32], pl.INT32]]):
    for blk in pl.spmd(1):
        c[:, :] = pl.matmul(at[:, :], b[:, :], a_trans=True)


# A K loop whose every step is split: the accumulator is loop-carried, and
# both steps of an iteration accumulate in place over it in L0C (the first
# a TMATMUL in the first iteration, as for an unsplit matmul_acc over zero).
@pl.jit
def npu_k_loop_f32(x: pl.Tensor[[M, 4096], pl.FP32],
                   w: pl.Tensor[[N, 4096], pl.FP32],
                   y: pl.Out[pl.Tensor[[M, N], pl.FP32]]):
    for blk in pl.spmd(1):
        acc = pl.full([M, N], dtype=pl.FP32, value=0.0)
        for kb in pl.range(2):
            k0 = kb * 2048
            acc = pl.matmul_acc(acc, x[:, k0:k0 + 2048], w[:, k0:k0 + 2048],
                                b_trans=True)
        y[:, :] = acc


NPU_KERNELS = {"b_trans_f32": npu_b_trans_f32, "a_trans_i8": npu_a_trans_i8,
               "k_loop_f32": npu_k_loop_f32}


@pytest.mark.parametrize("name", list(NPU_KERNELS))
def test_npu_back_end_equals_the_simulation(name):
    """The emitted kernel TEXTRACTs each K window from L1 into Left / Right
    and runs TMATMUL then TMATMUL_ACC; on the strict reference (which
    reports any missing synchronisation) it must equal the simulation bit
    for bit, and torch."""
    kernel = NPU_KERNELS[name]
    if name in ("b_trans_f32", "k_loop_f32"):
        k = 2048 if name == "b_trans_f32" else 4096
        a, b = operands(torch.float32, M, k, N, seed=9)
        args, odt, n = (a, b.T.contiguous()), torch.float32, N
    else:
        a, b = operands(torch.int8, 32, 4096, 32, seed=9)
        args, odt, n = (a.T.contiguous(), b), torch.int32, 32
    m = a.shape[0]
    sim, npu = torch.zeros(m, n, dtype=odt), torch.zeros(m, n, dtype=odt)
    run(kernel, *args, sim)
    run(kernel, *args, npu, backend="pto")
    assert torch.equal(npu, sim)
    check_product(sim, a, b)
    src = kernel.pto().source
    assert src.count("TEXTRACT(") == 4
    assert src.count("TMATMUL(") == 1
    # The loop's first step: TMATMUL in the first iteration, else
    # TMATMUL_ACC.
    assert src.count("TMATMUL_ACC(") == (2 if name == "k_loop_f32" else 1)


def test_schedule_model_counts_the_windows_on_mte1_and_the_cube():
    """The cost model (docs/perf-model.md) sees the K steps: the 4 windows
    (2 x [16, 1024] lhs, 2 x [1024, 16] rhs, 65536 bytes each) move
    262144 bytes on MTE1, at 256 bytes a cube cycle of 1.85 GHz; the
    16 x 16 x 2048 MACs run on the cube; no vector instruction."""
    model = npu_b_trans_f32.schedule_model("a2a3")
    (scope,) = model["scopes"]
    figures = model["figures"]
    mte1_bytes = scope["block_pipes"]["mte1"] * (
        figures["mte1_bytes_per_cycle"] * figures["cube_clock_hz"])
    assert mte1_bytes == pytest.approx(4 * 65536)
    assert scope["cube_macs_per_block"] == M * N * 2048
    assert scope["vector_instrs_per_block"] == 0
