"""N-D tiles (frontend/ndtile.py) and pl.batch_matmul, on the CPU
simulation against torch: batch matmuls of BF16 / FP16 / FP32 tiles with
batches of 1, 2 and 4, the accumulating form over a K loop with a
transposed rhs, batch broadcasting (a 2-D operand, a batch of 1), the `@`
operator, N-D elementwise ops and row reductions with N-D loads and stores
(windows contiguous in rows and not), a batched tensor-level pl.matmul of
GM tensors, one NPU reference run against the simulation, and a
CompileError at the author's line for each misuse."""

from __future__ import annotations

import os

import pytest
import torch

import tessel.language as pl
from tessel import CompileError
from tessel.errors import BackendUnavailableError
from tessel.frontend import ndtile
from pysource import tagged_line

THIS_FILE = os.path.realpath(__file__)


def line_of(tag: str) -> int:
    return tagged_line(THIS_FILE, tag)


def run(kernel, *tensors, **kw):
    try:
        kernel(*tensors, **kw)
    except BackendUnavailableError as e:
        pytest.skip(str(e))


# ---------------------------------------------------------------------------
# Pure helpers
# ---------------------------------------------------------------------------

def test_fold_puts_the_leading_dimensions_into_rows():
    assert ndtile.fold((2, 16, 64)) == (32, 64)
    assert ndtile.fold((2, 3, 8, 64)) == (48, 64)
    assert ndtile.blocks((2, 3, 8, 64)) == 6


def test_flat_index_broadcasts_batch_dimensions():
    # Product batch (2, 3): an operand of batch (3,) takes idx[1]; one of
    # batch (1, 3) ignores idx[0]; one of batch (2, 1) takes idx[0] only.
    assert ndtile._flat_index((1, 2), (3,), 2) == 2
    assert ndtile._flat_index((1, 2), (1, 3), 2) == 2
    assert ndtile._flat_index((1, 2), (2, 1), 2) == 1
    assert ndtile._flat_index((1, 2), (2, 3), 2) == 5
    assert ndtile._flat_index((1, 2), (), 2) == 0


# ---------------------------------------------------------------------------
# Batch matmul of tiles
# ---------------------------------------------------------------------------

@pl.jit
def bmm(a: pl.Tensor, b: pl.Tensor, c: pl.Out[pl.Tensor]):
    with pl.at(level=pl.Level.CUBE):
        ta = pl.load(a, [0, 0, 0], a.shape, target_memory=pl.MemorySpace.Mat)
        tb = pl.load(b, [0, 0, 0], b.shape, target_memory=pl.MemorySpace.Mat)
        pl.store(pl.batch_matmul(ta, tb), [0, 0, 0], c)


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16,
                                   torch.float32], ids=str)
@pytest.mark.parametrize("batch", [1, 2, 4])
def test_batch_matmul_matches_torch(dtype, batch):
    torch.manual_seed(batch)
    a = torch.randn(batch, 16, 32).to(dtype)
    b = torch.randn(batch, 32, 48).to(dtype)
    c = torch.full((batch, 16, 48), -1.0)
    run(bmm, a, b, c)
    # Each batch is one cube matmul accumulating in FP32: exact products
    # of BF16 / FP16 inputs, FP32 sums in the cube's order.
    torch.testing.assert_close(c, torch.bmm(a.float(), b.float()),
                               rtol=1e-5, atol=1e-4)


@pl.jit
def bmm_acc(a: pl.Tensor[[2, 16, 64], pl.FP16],
            b: pl.Tensor[[2, 32, 64], pl.FP16],
            c: pl.Out[pl.Tensor[[2, 16, 32], pl.FP32]]):
    """c = a @ b^T per batch, K in four steps of 16 with b stored [N, K]
    (a transpose view), into a pl.full accumulator carried by the loop."""
    with pl.at(level=pl.Level.CUBE):
        acc = pl.full([2, 16, 32], pl.FP32, 0.0)
        for k in pl.range(0, 64, 16):
            ta = pl.load(a, [0, 0, k], [2, 16, 16],
                         target_memory=pl.MemorySpace.Mat)
            tb = pl.load(b, [0, 0, k], [2, 32, 16],
                         target_memory=pl.MemorySpace.Mat)
            acc = pl.tile.batch_matmul_acc(acc, ta,
                                           pl.tile.transpose_view(tb))
        pl.store(acc, [0, 0, 0], c)


def test_batch_matmul_acc_over_a_k_loop_matches_torch():
    torch.manual_seed(1)
    a = torch.randn(2, 16, 64).half()
    b = torch.randn(2, 32, 64).half()
    c = torch.zeros(2, 16, 32)
    run(bmm_acc, a, b, c)
    torch.testing.assert_close(c, a.float() @ b.float().transpose(1, 2),
                               rtol=1e-5, atol=1e-4)


@pl.jit
def bmm_broadcast(a: pl.Tensor[[2, 2, 16, 32], pl.FP32],
                  b: pl.Tensor[[1, 2, 32, 16], pl.FP32],
                  w: pl.Tensor[[32, 16], pl.FP32],
                  c: pl.Out[pl.Tensor[[2, 2, 16, 16], pl.FP32]],
                  d: pl.Out[pl.Tensor[[2, 2, 16, 16], pl.FP32]]):
    with pl.at(level=pl.Level.CUBE):
        ta = a[:, :, :, :]
        # b's batch of 1 in dimension 0 is shared by both a[0] and a[1].
        c[:, :, :, :] = ta @ b[:, :, :, :]
        # A 2-D rhs is every batch's.
        pl.store(pl.matmul(ta, w[:, :]), [0, 0, 0, 0], d)


def test_batch_dimensions_broadcast_as_numpy():
    torch.manual_seed(2)
    a, b = torch.randn(2, 2, 16, 32), torch.randn(1, 2, 32, 16)
    w = torch.randn(32, 16)
    c, d = torch.zeros(2, 2, 16, 16), torch.zeros(2, 2, 16, 16)
    run(bmm_broadcast, a, b, w, c, d)
    torch.testing.assert_close(c, a @ b, rtol=1e-5, atol=1e-4)
    torch.testing.assert_close(d, a @ w, rtol=1e-5, atol=1e-4)


@pl.jit
def bmm_then_vector(a: pl.Tensor[[2, 16, 64], pl.BF16],
                    b: pl.Tensor[[2, 64, 32], pl.BF16],
                    x: pl.Tensor[[2, 16, 32], pl.FP32],
                    c: pl.Out[pl.Tensor[[2, 16, 32], pl.FP32]],
                    s: pl.Out[pl.Tensor[[2, 16, 1], pl.FP32]]):
    """Batch matmul in two K halves, then N-D vector ops on the product
    and an N-D load, stored: Tessel splits the scope between the cube
    and the vector core."""
    with pl.at(level=pl.Level.CORE_GROUP):
        acc = pl.batch_matmul(a[:, :, 0:32], b[:, 0:32, :])
        acc = pl.batch_matmul_acc(acc, a[:, :, 32:64], b[:, 32:64, :])
        y = pl.add(pl.mul(acc, 0.125), x[:, :, :])
        c[:, :, :] = pl.exp(y)
        pl.store(pl.row_sum(y), [0, 0, 0], s)


def test_batch_matmul_then_nd_vector_ops_match_torch():
    torch.manual_seed(4)
    a, b = torch.randn(2, 16, 64).bfloat16(), torch.randn(2, 64, 32).bfloat16()
    x = torch.randn(2, 16, 32)
    c, s = torch.zeros(2, 16, 32), torch.zeros(2, 16, 1)
    run(bmm_then_vector, a, b, x, c, s)
    y = torch.bmm(a.float(), b.float()) * 0.125 + x
    torch.testing.assert_close(c, torch.exp(y), rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(s, y.sum(-1, keepdim=True), rtol=1e-5,
                               atol=1e-4)


def test_nd_npu_reference_matches_the_simulation():
    """The NPU back end emits the per-batch loads, matmuls and stores and
    the folded vector ops; the host reference of the emitted kernel gives
    the simulation's bits."""
    torch.manual_seed(5)
    a, b = torch.randn(2, 16, 64).bfloat16(), torch.randn(2, 64, 32).bfloat16()
    x = torch.randn(2, 16, 32)
    outs = {}
    for backend in ("cpu", "pto"):
        c, s = torch.zeros(2, 16, 32), torch.zeros(2, 16, 1)
        run(bmm_then_vector, a, b, x, c, s, backend=backend)
        outs[backend] = (c, s)
    for sim, npu in zip(outs["cpu"], outs["pto"]):
        assert torch.equal(sim, npu)


def test_nd_loop_carried_accumulator_on_the_npu():
    """The K loop's batch accumulator is carried one L0C block per batch
    (two iter_args), which the NPU back end emits; its reference gives
    the simulation's bits."""
    torch.manual_seed(9)
    a, b = torch.randn(2, 16, 64).half(), torch.randn(2, 32, 64).half()
    text = bmm_acc.lower(a, b, torch.zeros(2, 16, 32), stage="tile").text()
    assert "iter_args(%arg5 = %0, %arg6 = %1)" in text, text
    outs = {}
    for backend in ("cpu", "pto"):
        c = torch.zeros(2, 16, 32)
        run(bmm_acc, a, b, c, backend=backend)
        outs[backend] = c
    assert torch.equal(outs["cpu"], outs["pto"])


# ---------------------------------------------------------------------------
# N-D elementwise ops, loads and stores
# ---------------------------------------------------------------------------

@pl.jit
def nd_vector(x: pl.Tensor[[4, 3, 8, 64], pl.FP32],
              y: pl.InOut[pl.Tensor[[4, 3, 8, 64], pl.FP32]],
              s: pl.Out[pl.Tensor[[2, 3, 8, 1], pl.FP32]],
              z: pl.Out[pl.Tensor[[2, 2, 4, 64], pl.FP32]]):
    with pl.at(level=pl.Level.AIV):
        t = pl.load(x, [0, 0, 0, 0], [2, 3, 8, 64])   # rows 0..47: one load
        assert t.shape == (2, 3, 8, 64)
        u = pl.mul(t, t) + 1.0
        pl.store(u, [2, 0, 0, 0], y)
        y[0:2, :, :, :] = -t
        pl.store(pl.row_max(u), [0, 0, 0, 0], s)
        # Not contiguous in rows: four [4, 64] loads, elementwise per block.
        w = x[1:3, 0:2, 2:6, :]
        z[:, :, :, :] = pl.exp(w)


def test_nd_elementwise_loads_and_stores_match_torch():
    torch.manual_seed(6)
    x = torch.randn(4, 3, 8, 64)
    y, s = torch.zeros(4, 3, 8, 64), torch.zeros(2, 3, 8, 1)
    z = torch.zeros(2, 2, 4, 64)
    run(nd_vector, x, y, s, z)
    u = x[:2] * x[:2] + 1
    assert torch.equal(y[2:], u)
    assert torch.equal(y[:2], -x[:2])
    assert torch.equal(s, u.amax(-1, keepdim=True))
    torch.testing.assert_close(z, torch.exp(x[1:3, 0:2, 2:6]))


@pl.jit
def nd_scratch_tile(x: pl.Tensor[[2, 8, 32], pl.FP32],
                    y: pl.Out[pl.Tensor[[2, 8, 32], pl.FP32]]):
    with pl.at(level=pl.Level.AIV):
        acc = pl.create_tensor([2, 8, 32], pl.FP32, init_value=1.5)
        y[:, :, :] = pl.mul(acc, x[:, :, :])


def test_nd_scratch_tile_in_a_scope_matches_torch():
    x, y = torch.randn(2, 8, 32), torch.zeros(2, 8, 32)
    run(nd_scratch_tile, x, y)
    assert torch.equal(y, x * 1.5)


@pl.jit
def nd_accumulator(x: pl.Tensor[[4, 2, 8, 32], pl.FP32],
                   y: pl.Out[pl.Tensor[[2, 8, 32], pl.FP32]]):
    """PyPTO's accumulator idiom on an N-D tensor created in the scope."""
    with pl.at(level=pl.Level.AIV):
        acc = pl.create_tensor([2, 8, 32], pl.FP32)
        for i in pl.range(4):
            acc = pl.add(acc, pl.load(x, [i, 0, 0, 0], [1, 2, 8, 32]))
        y[:, :, :] = acc


def test_nd_loop_carried_accumulator_matches_torch():
    torch.manual_seed(7)
    x = torch.randn(4, 2, 8, 32)
    y = torch.zeros(2, 8, 32)
    run(nd_accumulator, x, y)
    ref = torch.zeros(2, 8, 32)
    for i in range(4):
        ref = ref + x[i]
    assert torch.equal(y, ref)


@pl.jit.inline
def scaled(t: pl.Tile[[2, 16, 32], pl.FP32], k):
    return pl.mul(t, k)


@pl.jit
def nd_annotations(x: pl.Tensor[[2, 16, 32], pl.FP32],
                   y: pl.Out[pl.Tensor[[2, 16, 32], pl.FP32]]):
    with pl.at(level=pl.Level.AIV):
        t: pl.Tile[[2, 16, 32], pl.FP32] = x[:, :, :]
        y[:, :, :] = scaled(t, 3.0)


def test_nd_tile_annotations_check_the_logical_shape():
    x, y = torch.randn(2, 16, 32), torch.zeros(2, 16, 32)
    run(nd_annotations, x, y)
    assert torch.equal(y, x * 3.0)


# ---------------------------------------------------------------------------
# Tensor level
# ---------------------------------------------------------------------------

@pl.jit
def tensor_bmm(a: pl.Tensor[[4, 16, 64], pl.FP32],
               b: pl.Tensor[[4, 32, 64], pl.FP32],
               w: pl.Tensor[[16, 64], pl.FP32],
               c: pl.Out[pl.Tensor[[4, 16, 32], pl.FP32]],
               d: pl.Out[pl.Tensor[[4, 16, 32], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        out = pl.matmul(a, b, b_trans=True)
        c = pl.assemble(c, out, [0, 0, 0])
        d[:, :, :] = pl.matmul(w, b, b_trans=True, out_dtype=pl.FP32)
    return c, d


def test_tensor_level_batched_matmul_matches_torch():
    torch.manual_seed(8)
    a, b = torch.randn(4, 16, 64), torch.randn(4, 32, 64)
    w = torch.randn(16, 64)
    c, d = torch.zeros(4, 16, 32), torch.zeros(4, 16, 32)
    run(tensor_bmm, a, b, w, c, d)
    torch.testing.assert_close(c, a @ b.transpose(1, 2), rtol=1e-5,
                               atol=1e-4)
    torch.testing.assert_close(d, w @ b.transpose(1, 2), rtol=1e-5,
                               atol=1e-4)


# ---------------------------------------------------------------------------
# Misuse
# ---------------------------------------------------------------------------

X3 = pl.Tensor[[2, 16, 32], pl.FP32]
Y3 = pl.Out[pl.Tensor[[2, 16, 32], pl.FP32]]


@pl.jit
def col_reduction(x: X3, y: pl.Out[pl.Tensor[[2, 1, 32], pl.FP32]]):
    with pl.at(level=pl.Level.AIV):
        y[:, :, :] = pl.col_sum(x[:, :, :])  # ERR-colsum


@pl.jit
def transpose_nd(x: X3, y: Y3):
    with pl.at(level=pl.Level.AIV):
        y[:, :, :] = pl.transpose(x[:, :, :], 0, 1)  # ERR-transpose


@pl.jit
def leading_mismatch(x: pl.Tensor[[4, 8, 32], pl.FP32], y: Y3):
    with pl.at(level=pl.Level.AIV):
        t = x[0:2, :, :]
        u = pl.reshape(x[:, :, :], [2, 16, 32])  # ERR-reshape


@pl.jit
def mixes_ranks(x: X3, w: pl.Tensor[[32, 32], pl.FP32], y: Y3):
    with pl.at(level=pl.Level.AIV):
        y[:, :, :] = pl.add(x[:, :, :], w[:, :])  # ERR-mix


@pl.jit
def bad_batch(a: pl.Tensor[[2, 16, 32], pl.FP32],
              b: pl.Tensor[[3, 32, 16], pl.FP32],
              c: pl.Out[pl.Tensor[[3, 16, 16], pl.FP32]]):
    with pl.at(level=pl.Level.CUBE):
        c[:, :, :] = pl.batch_matmul(a[:, :, :], b[:, :, :])  # ERR-batch


@pl.jit
def acc_batch(a: pl.Tensor[[2, 16, 32], pl.FP32],
              b: pl.Tensor[[32, 16], pl.FP32],
              c: pl.Out[pl.Tensor[[2, 16, 16], pl.FP32]]):
    with pl.at(level=pl.Level.CUBE):
        acc = pl.full([4, 16, 16], pl.FP32, 0.0)
        c[:, :, :] = pl.batch_matmul_acc(acc, a[:, :, :],  # ERR-acc
                                         b[:, :])


@pl.jit
def subscript_nd(x: X3, y: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
    with pl.at(level=pl.Level.AIV):
        t = x[:, :, :]
        y[:, :] = t[0:8, :]  # ERR-subscript


@pl.jit
def valid_nd(x: X3, y: Y3):
    with pl.at(level=pl.Level.AIV):
        t = pl.load(x, [0, 0, 0], [2, 16, 32],  # ERR-valid
                    valid_shape=[2, 16, 8])
        y[:, :, :] = t


@pl.jit
def store_wrong_window(x: X3, y: pl.Out[pl.Tensor[[4, 8, 32], pl.FP32]]):
    with pl.at(level=pl.Level.AIV):
        y[0:4, :, :] = x[:, :, :]  # ERR-store


@pl.jit
def contraction_mismatch(a: pl.Tensor[[2, 16, 32], pl.FP32],
                         b: pl.Tensor[[2, 16, 16], pl.FP32],
                         c: pl.Out[pl.Tensor[[2, 16, 16], pl.FP32]]):
    with pl.at(level=pl.Level.CUBE):
        c[:, :, :] = pl.batch_matmul(a[:, :, :], b[:, :, :])  # ERR-k


@pl.jit
def tensor_bad_batch(a: pl.Tensor[[2, 16, 32], pl.FP32],
                     b: pl.Tensor[[4, 32, 16], pl.FP32],
                     c: pl.Out[pl.Tensor[[4, 16, 16], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        c[:, :, :] = pl.matmul(a, b)  # ERR-tensor-batch


@pl.jit
def nd_tile_with_gm(a: X3, w: pl.Tensor[[32, 16], pl.FP32],
                    y: pl.Out[pl.Tensor[[2, 16, 16], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        y[:, :, :] = pl.matmul(a[:, :, :], w)  # ERR-tile-gm


@pl.jit
def vector_add_in_tensor_level(a: X3, y: Y3):
    with pl.at(level=pl.Level.CORE_GROUP):
        y[:, :, :] = pl.add(a, a)  # ERR-tensor-ew


@pytest.mark.parametrize("kernel, tag, brief, found", [
    (col_reduction, "ERR-colsum", "pl.col_sum does not take a tile of rank 3",
     "tile [2, 16, 32] FP32"),
    (transpose_nd, "ERR-transpose",
     "pl.transpose does not take a tile of rank 3", "[2, 16, 32]"),
    (leading_mismatch, "ERR-reshape",
     "pl.reshape does not take a tile of rank 3", "[4, 8, 32]"),
    (mixes_ranks, "ERR-mix", "pl.add mixes a tile of rank 3 with a 2-D tile",
     "tile [32, 32] FP32"),
    (bad_batch, "ERR-batch",
     "pl.batch_matmul batch dimensions do not broadcast", "[3, 32, 16]"),
    (acc_batch, "ERR-acc",
     "pl.batch_matmul_acc accumulator does not match the product's batch",
     "[4, 16, 16]"),
    (subscript_nd, "ERR-subscript",
     "a tile subscript does not take a tile of rank 3", "[2, 16, 32]"),
    (valid_nd, "ERR-valid", "valid_shape= on a load of a rank-3 window",
     None),
    (store_wrong_window, "ERR-store", "stored tile does not fit the slice",
     "[2, 16, 32]"),
    (contraction_mismatch, "ERR-k",
     "pl.batch_matmul contraction sizes differ", None),
    (tensor_bad_batch, "ERR-tensor-batch",
     "pl.matmul batch dimensions do not broadcast", None),
    (nd_tile_with_gm, "ERR-tile-gm",
     "a tensor-level operation does not take a tile of rank 3",
     "[2, 16, 32]"),
    (vector_add_in_tensor_level, "ERR-tensor-ew",
     "a tensor-level operation takes 1-D or 2-D tensors", None),
])
def test_misuse_is_a_compile_error_at_the_line(kernel, tag, brief, found):
    with pytest.raises(CompileError) as info:
        kernel.ir()
    err = info.value
    assert os.path.realpath(err.filename) == THIS_FILE
    assert err.line == line_of(tag), str(err)
    assert brief in err.brief, str(err)
    if found is not None:
        assert found in (err.found or ""), str(err)
