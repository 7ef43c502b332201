"""Explicit memories (pl.load target_memory, pl.move, pl.create_tile,
pl.MemorySpace / pl.Mem, pl.tile.*): PyPTO's tutorial shapes run against
torch, and each misuse is a CompileError at the author's line."""

from __future__ import annotations

import os

import pytest
import torch

import tessel.language as pl
from tessel import CompileError
from pysource import tagged_line

THIS_FILE = os.path.realpath(__file__)


def line_of(tag: str) -> int:
    return tagged_line(THIS_FILE, tag)


def error_of(kernel, *args, target="a2a3") -> CompileError:
    with pytest.raises(CompileError) as info:
        if args:
            kernel.compile(*args)
        else:
            kernel.ir(target=target)
    return info.value


def check(err, tag, brief):
    assert os.path.realpath(err.filename) == THIS_FILE, str(err)
    assert err.line == line_of(tag), str(err)
    assert brief in str(err), str(err)


# ---------------------------------------------------------------------------
# Numerics: the PyPTO tutorial shapes, in kernels written here
# ---------------------------------------------------------------------------

@pl.jit
def matmul_through_l0(a: pl.Tensor, b: pl.Tensor, c: pl.Out[pl.Tensor]):
    with pl.at(level=pl.Level.CORE_GROUP):
        a_l1 = pl.load(a, [0, 0], [32, 32], target_memory=pl.MemorySpace.Mat)
        b_l1 = pl.tile.load(b, [0, 0], [32, 32], target_memory=pl.Mem.Mat)
        a_l0a = pl.move(a_l1, target_memory=pl.MemorySpace.Left)
        b_l0b = pl.tile.move(b_l1, target_memory=pl.Mem.Right)
        c_l0c = pl.matmul(a_l0a, b_l0b)
        pl.store(c_l0c, [0, 0], c)
    return c


def test_matmul_from_mat_through_left_and_right():
    torch.manual_seed(0)
    a = torch.randn(32, 32).to(torch.float16)
    b = torch.randn(32, 32).to(torch.float16)
    c = torch.zeros(32, 32)
    matmul_through_l0(a, b, c)
    torch.testing.assert_close(c, a.float() @ b.float(), rtol=1e-3,
                               atol=1e-3)
    placed = matmul_through_l0.ir(stage="placed")
    # The two loads carry the author's memory and are placed in L1.
    assert placed.count("tile.memory = #tile.memory<l1>") == 2


@pl.jit
def scaled_rows(x: pl.Tensor, y: pl.Out[pl.Tensor]):
    with pl.at(level=pl.Level.CORE_GROUP):
        t = pl.load(x, [0, 0], [16, 64], target_memory=pl.MemorySpace.Vec)
        tmp = pl.create_tile([16, 64], dtype=pl.FP32,
                             target_memory=pl.MemorySpace.Vec)
        m: pl.Tile[[16, 1], pl.FP32] = pl.row_max(t, tmp)
        z = pl.tile.create([16, 64], pl.FP32, target_memory=pl.Mem.Vec)
        f = pl.tile.full([16, 64], dtype=pl.FP32, value=2.0)
        r = pl.add(pl.mul(pl.row_expand_mul(f, m), t), z)
        pl.tile.store(r, [0, 0], y, [16, 64])
    return y


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_vec_tiles_and_zero_create_tile(dtype):
    torch.manual_seed(1)
    x = torch.randn(16, 64).to(dtype)
    y = torch.zeros(16, 64, dtype=dtype)
    if dtype is torch.float16:
        with pytest.raises(CompileError):   # the annotation says FP32
            scaled_rows(x, y)
        return
    scaled_rows(x, y)
    want = 2.0 * x.amax(dim=1, keepdim=True) * x
    torch.testing.assert_close(y, want)


# ---------------------------------------------------------------------------
# Misuse: a CompileError at the author's line
# ---------------------------------------------------------------------------

X = pl.Tensor[[16, 64], pl.FP32]
H = pl.Tensor[[256, 256], pl.FP16]


def test_load_into_left_is_an_error():
    @pl.jit
    def k(x: H, y: pl.Out[H]):
        with pl.at(level=pl.Level.CUBE):
            t = pl.load(x, [0, 0], [16, 16], target_memory=pl.Mem.Left)  # ld-left
            pl.store(t, [0, 0], y)
    check(error_of(k), "ld-left", "a load from DDR cannot land in Left")


def test_mat_in_vector_scope_is_an_error():
    @pl.jit
    def k(x: X, y: pl.Out[X]):
        with pl.at(level=pl.Level.VECTOR):
            t = pl.load(x, [0, 0], [16, 64], target_memory=pl.Mem.Mat)  # ld-mat
            pl.store(t, [0, 0], y)
    check(error_of(k), "ld-mat", "into Mat in a vector scope")


def test_vector_op_on_mat_tile_is_an_error():
    @pl.jit
    def k(x: X, y: pl.Out[X]):
        with pl.at(level=pl.Level.CORE_GROUP):
            t = pl.load(x, [0, 0], [16, 64], target_memory=pl.Mem.Mat)
            pl.store(pl.exp(t), [0, 0], y)  # vec-mat
    check(error_of(k), "vec-mat", "cannot read a tile in Mat")


def test_mat_tile_only_vector_ops_use_is_a_placement_error():
    # No vector op reads it in the frontend (a store is not one), so the
    # placement pass decides: the tile is used only in a vector way -> UB.
    @pl.jit
    def k(x: X, y: pl.Out[X]):
        with pl.at(level=pl.Level.CORE_GROUP):
            t = pl.load(x, [0, 0], [16, 64], target_memory=pl.Mem.Mat)  # mat-ub
            u = pl.load(x, [0, 0], [16, 64])
            pl.store(t, [0, 0], y)
            pl.store(pl.exp(u), [0, 0], y)
    with pytest.raises(CompileError) as info:
        k.ir(stage="placed")
    check(info.value, "mat-ub", "is asked to live in cube L1")


def test_move_too_big_for_l0a():
    # 256 x 256 FP16 = 128 KiB in L0A's layout; a2a3's L0A holds 64 KiB.
    @pl.jit
    def k(x: H, y: pl.Out[pl.Tensor[[256, 256], pl.FP32]]):
        with pl.at(level=pl.Level.CUBE):
            a = pl.load(x, [0, 0], [256, 256], target_memory=pl.Mem.Mat)
            b = pl.load(x, [0, 0], [256, 16], target_memory=pl.Mem.Mat)
            l = pl.move(a, target_memory=pl.Mem.Left)  # too-big
            pl.store(pl.matmul(l, b), [0, 0], y)
    err = error_of(k)
    check(err, "too-big", "does not fit Left (L0A) on a2a3")
    assert "131072 bytes" in str(err) and "65536" in str(err)


def test_right_tile_as_lhs():
    @pl.jit
    def k(x: H, y: pl.Out[pl.Tensor[[256, 256], pl.FP32]]):
        with pl.at(level=pl.Level.CUBE):
            a = pl.load(x, [0, 0], [16, 16], target_memory=pl.Mem.Mat)
            r = pl.move(a, target_memory=pl.Mem.Right)
            c = pl.matmul(r, a)  # right-lhs
            pl.store(c, [0, 0], y)
    check(error_of(k), "right-lhs", "reads its lhs from Left")


def test_acc_to_vec_depends_on_the_target():
    @pl.jit
    def k(x: H, y: pl.Out[pl.Tensor[[256, 256], pl.FP32]]):
        with pl.at(level=pl.Level.CORE_GROUP):
            a = pl.load(x, [0, 0], [16, 16], target_memory=pl.Mem.Mat)
            c = pl.matmul(a, a)
            v = pl.move(c, target_memory=pl.Mem.Vec)  # acc-vec
            pl.store(pl.exp(v), [0, 0], y)
    check(error_of(k, target="a2a3"), "acc-vec", "a2a3 has no L0C -> UB path")
    assert "tile.matmul" in k.ir(target="a5")


def test_illegal_moves_and_spaces():
    @pl.jit
    def vec_to_left(x: X, y: pl.Out[X]):
        with pl.at(level=pl.Level.CORE_GROUP):
            t = pl.load(x, [0, 0], [16, 64], target_memory=pl.Mem.Vec)
            u = pl.move(t, target_memory=pl.Mem.Left)  # vec-left
            pl.store(u, [0, 0], y)
    check(error_of(vec_to_left), "vec-left", "no move Vec -> Left")

    @pl.jit
    def bias(x: X, y: pl.Out[X]):
        with pl.at(level=pl.Level.CORE_GROUP):
            t = pl.create_tile([16, 64], pl.FP32, target_memory=pl.Mem.Bias)  # bias
            pl.store(t, [0, 0], y)
    check(error_of(bias), "bias", "Tessel has no bias buffer")

    @pl.jit
    def left_tile(x: X, y: pl.Out[X]):
        with pl.at(level=pl.Level.CORE_GROUP):
            t = pl.create_tile([16, 64], pl.FP32, target_memory=pl.Mem.Left)  # ct-left
            pl.store(t, [0, 0], y)
    check(error_of(left_tile), "ct-left", "cannot make a tile in Left")

    @pl.jit
    def not_a_space(x: X, y: pl.Out[X]):
        with pl.at(level=pl.Level.CORE_GROUP):
            t = pl.load(x, [0, 0], [16, 64], target_memory="Vec")  # str-mem
            pl.store(t, [0, 0], y)
    check(error_of(not_a_space), "str-mem", "must be a memory space")

    @pl.jit
    def tensor_on_chip(x: X, y: pl.Out[X]):
        s = pl.create_tensor([16, 64], pl.FP32, memory_type=pl.Mem.Vec)  # ct-vec
        with pl.at(level=pl.Level.CORE_GROUP):
            pl.store(pl.load(x, [0, 0], [16, 64]), [0, 0], y)
    check(error_of(tensor_on_chip), "ct-vec", "makes a DDR tensor")


def test_tile_annotation_is_checked():
    @pl.jit
    def k(x: X, y: pl.Out[X]):
        with pl.at(level=pl.Level.CORE_GROUP):
            t: pl.Tile[[16, 32], pl.FP32] = pl.load(x, [0, 0], [16, 64])  # ann
            pl.store(t, [0, 0], y)
    check(error_of(k), "ann", "does not match its value")
