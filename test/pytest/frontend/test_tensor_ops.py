"""Tensor-level operations on GM tensors inside pl.at (frontend/tensor_ops.py)
against PyTorch through the CPU simulation, the blocks and scopes they
become, and their CompileErrors.

Shapes are small except where tiling is the point: `big` is 512 x 256 FP32
(512 KiB a tensor, UB holds 184 KiB) and `mm_big` a [256, 128] @ [128, 256]
FP32 matmul whose operands exceed L0A / L0B (64 KiB) and result L0C
(128 KiB), so both are computed in blocks."""

from __future__ import annotations

import inspect

import pytest
import torch

import tessel.language as pl
from tessel import CompileError
from tessel.frontend import tensor_ops
from tessel.frontend.state import Arg, Args
from tessel.frontend.values import TensorExpr


def _line(fn, text):
    src, first = inspect.getsourcelines(fn.fn if hasattr(fn, "fn") else fn)
    return first + next(i for i, s in enumerate(src) if text in s)


def _error(fn, match, text, src=None):
    with pytest.raises(CompileError, match=match) as info:
        fn.ir()
    assert info.value.line == _line(src or fn, text), str(info.value)
    return str(info.value)


def _gen(*shape, dtype=torch.float32, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g).to(dtype)


# -- the block planning, a pure function of the expression and a Sizer -----

def _sizer(**budget):
    """Buffers of `budget` bytes; a tile takes rows x cols x element bytes
    (no layout padding)."""
    full = {"ub": 0, "l1": 0, "l0a": 0, "l0b": 0, "l0c": 0, **budget}
    return tensor_ops.Sizer(
        full, lambda shape, dtype, kind: shape[0] * shape[1] * dtype.bits // 8)


def _gm(shape, dtype=pl.FP32):
    return TensorExpr("gm", None, None, (), shape, dtype, leaf=object())


def _op(name, shape, dtype, **operands):
    args = Args({k: Arg(v, None) for k, v in operands.items()})
    return TensorExpr(name, None, args, tuple(k for k, v in operands.items()
                                              if isinstance(v, TensorExpr)),
                      shape, dtype)


def test_plan_elementwise():
    # x + y of [64, 64] FP32 in 16000 bytes of UB: x, y and the sum, 3 tiles
    # of 4 bytes an element: at most 1333 elements a block, so 1024; of
    # 16 x 64, 32 x 32, 64 x 16 the widest.
    x, y = _gm((64, 64)), _gm((64, 64))
    e = _op("add", (64, 64), pl.FP32, lhs=x, rhs=y)
    assert tensor_ops.plan_blocks(_sizer(ub=16000), e) == (16, 64)
    # One more op in the chain (a fourth tile): 1024 elements are 16384
    # bytes, over; 512 fit.
    e2 = _op("exp", (64, 64), pl.FP32, input=e)
    assert tensor_ops.plan_blocks(_sizer(ub=16000), e2) == (8, 64)
    # Nothing fits: the smallest block, 1 x 8 (columns in whole 32-byte
    # blocks), is 96 bytes in three tiles.
    assert tensor_ops.plan_blocks(_sizer(ub=95), e) is None
    assert tensor_ops.plan_blocks(_sizer(ub=96), e) == (1, 8)


def test_plan_row_reduction_reads_whole_rows():
    # row_sum of [64, 256] FP32: a block of h rows reads h x 256 (1 KiB a
    # row) and makes h x 1 (4 bytes a row): h * 1028 <= 16384 gives h <= 15,
    # the largest divisor of 64 below it is 8.
    x = _gm((64, 256))
    e = _op("row_sum", (64, 1), pl.FP32, input=x)
    assert tensor_ops.plan_blocks(_sizer(ub=16384), e) == (8, 1)
    # With the op's scratch counted (here a tile of the source's shape, as
    # TROWSUM's tmp): h * 2052 <= 16384, h <= 7, so 4.
    sz = tensor_ops.Sizer(
        _sizer(ub=16384).budget, _sizer().bytes_of,
        lambda name, operands, result: (
            operands[0][0][0] * operands[0][0][1] * 4
            if name == "tile.row_sum" else 0))
    assert tensor_ops.plan_blocks(sz, e) == (4, 1)
    # Rows too long for any block (one is 1028 bytes, UB 1000): read in
    # steps of c columns, the partial sum and the result besides, h rows:
    # h * (4c + 8) <= 1000. The largest block first: h = 16 with c = 8 (640
    # bytes; c = 16 is 1152), as h = 32 fits no step (1280).
    assert tensor_ops.plan_blocks(_sizer(ub=1000), e) == (16, 1)
    assert tensor_ops._reduce_step(_sizer(ub=1000), e, 16, 1) == 8
    assert tensor_ops._reduce_step(_sizer(ub=1000), e, 32, 1) is None


def test_vector_op_extra_bytes_binding():
    # The placement's figures through the binding: TROWSUM on a [2, 64]
    # FP32 source takes a scratch tile of its shape (512 bytes) and reads
    # it through a view of 8 rows (2048 bytes, 1536 over its own 512):
    # 2048 extra bytes; a [8, 64] source needs no wider view: 2048, its
    # scratch. tile.add needs nothing.
    from tessel.compiler.driver import new_context
    from tessel.frontend import tile_ops as tile_d
    from tessel.mlir import ir
    from tessel.mlir._mlir_libs import _tessel
    with new_context()[0]:
        f32 = ir.F32Type.get()
        src = tile_d.tile_type((2, 64), f32)
        col = tile_d.tile_type((2, 1), f32)
        assert _tessel.vector_op_extra_bytes("tile.row_sum", [src], col,
                                             "a2a3") == 2048
        src8 = tile_d.tile_type((8, 64), f32)
        col8 = tile_d.tile_type((8, 1), f32)
        assert _tessel.vector_op_extra_bytes("tile.row_sum", [src8], col8,
                                             "a2a3") == 2048
        assert _tessel.vector_op_extra_bytes("tile.add", [src, src], src,
                                             "a2a3") == 0
        with pytest.raises(ValueError):
            _tessel.vector_op_extra_bytes("tile.nothing", [src], src, "a2a3")


def test_plan_matmul_squarest_block_and_k_step():
    # [128, 256] @ [256, 128] BF16 -> FP32 with L0C 32 KiB: 8192 elements a
    # block (4 bytes each); of 64 x 128 and 128 x 64 (as square as each
    # other) the wider. The K step: [64, k] BF16 within L0A 16 KiB gives
    # k <= 128, [k, 128] within L0B 16 KiB k <= 64: 64.
    a, b = _gm((128, 256), pl.BF16), _gm((256, 128), pl.BF16)
    e = _op("matmul", (128, 128), pl.FP32, lhs=a, rhs=b, a_trans=False,
            b_trans=False)
    sz = _sizer(l0a=16384, l0b=16384, l0c=32768, l1=1 << 20)
    assert tensor_ops.plan_blocks(sz, e) == (64, 128)
    assert tensor_ops._k_step(sz, e, 64, 128) == 64
    # With L1 too small for the K step's operands (64 x 64 + 64 x 128 BF16
    # = 24 KiB), a smaller step: 32 (12 KiB) fits 16 KiB.
    sz = _sizer(l0a=16384, l0b=16384, l0c=32768, l1=16384)
    assert tensor_ops._k_step(sz, e, 64, 128) == 32


# -- elementwise, broadcasts, reductions, casts ----------------------------

@pl.jit
def vector_ops(x: pl.Tensor[[16, 64], pl.FP32],
               y: pl.Tensor[[16, 64], pl.FP32],
               r: pl.Tensor[[16, 1], pl.FP32],
               o_ew: pl.Out[pl.Tensor[[16, 64], pl.FP32]],
               o_ops: pl.Out[pl.Tensor[[16, 64], pl.FP32]],
               o_mix: pl.Out[pl.Tensor[[16, 64], pl.FP32]],
               o_rsum: pl.Out[pl.Tensor[[16, 1], pl.FP32]],
               o_cmax: pl.Out[pl.Tensor[[1, 64], pl.FP32]],
               o_norm: pl.Out[pl.Tensor[[16, 64], pl.FP32]],
               o_bf: pl.Out[pl.Tensor[[16, 64], pl.BF16]],
               o_tile: pl.Out[pl.Tensor[[16, 64], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        # A chain of elementwise ops, a scalar on either side.
        o_ew[:] = pl.exp(pl.mul(pl.sub(1.0, pl.add(x, y)), 0.5))
        # Python operators on GM tensors.
        o_ops[:] = (x - y) * x / 4.0
        # A loaded tile and a GM tensor in one op.
        t = x[0:16, :]
        o_mix[:] = pl.maximum(t, pl.neg(y))
        # Reductions of GM tensors, and an expand of one.
        o_rsum[:] = pl.row_sum(x)
        o_cmax[:] = pl.col_max(y)
        s = pl.row_sum(pl.mul(x, x))
        o_norm[:] = pl.row_expand_div(x, pl.add(s, r))
        o_bf[:] = pl.cast(x, pl.BF16, mode="rint")
        # The result used as a tile: one tile, then tile ops on it.
        whole = pl.add(x, y)
        o_tile[0:16, :] = pl.mul(whole[0:16, :], t)


def test_vector_ops_against_torch():
    x, y, r = _gen(16, 64, seed=1), _gen(16, 64, seed=2), \
        _gen(16, 1, seed=3).abs() + 1.0
    outs = [torch.zeros(16, 64), torch.zeros(16, 64), torch.zeros(16, 64),
            torch.zeros(16, 1), torch.zeros(1, 64), torch.zeros(16, 64),
            torch.zeros(16, 64, dtype=torch.bfloat16), torch.zeros(16, 64)]
    vector_ops(x, y, r, *outs)
    ew, ops, mix, rsum, cmax, norm, bf, tile = outs
    torch.testing.assert_close(ew, torch.exp((1.0 - (x + y)) * 0.5),
                               rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(ops, (x - y) * x / 4.0, rtol=0, atol=0)
    torch.testing.assert_close(mix, torch.maximum(x, -y), rtol=0, atol=0)
    torch.testing.assert_close(rsum, x.sum(1, keepdim=True), rtol=1e-5,
                               atol=1e-5)
    torch.testing.assert_close(cmax, y.amax(0, keepdim=True), rtol=0, atol=0)
    torch.testing.assert_close(norm, x / ((x * x).sum(1, keepdim=True) + r),
                               rtol=1e-5, atol=1e-6)
    assert torch.equal(bf, x.to(torch.bfloat16))
    torch.testing.assert_close(tile, (x + y) * x, rtol=0, atol=0)


# -- bigger than UB: computed in blocks ------------------------------------

@pl.jit
def big(x: pl.Tensor[[512, 256], pl.FP32], y: pl.Tensor[[512, 256], pl.FP32],
        o: pl.Out[pl.Tensor[[512, 256], pl.FP32]],
        s: pl.Out[pl.Tensor[[512, 1], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        o[:] = pl.add(pl.mul(x, y), x)
        s[:] = pl.row_max(pl.sub(x, y))


def test_bigger_than_ub_is_computed_in_blocks():
    # 512 x 256 FP32 is 512 KiB a tensor. A block of `o` holds x, y, x * y
    # and the sum: 4 tiles of R rows x 1 KiB within half of UB (94208
    # bytes) gives R = 16 (64 KiB; 32 rows would be 128 KiB): 32 blocks.
    x, y = _gen(512, 256, seed=4), _gen(512, 256, seed=5)
    o, s = torch.zeros(512, 256), torch.zeros(512, 1)
    big(x, y, o, s)
    torch.testing.assert_close(o, x * y + x, rtol=0, atol=0)
    torch.testing.assert_close(s, (x - y).amax(1, keepdim=True), rtol=0,
                               atol=0)
    ir = big.ir()
    assert "scf.for" in ir
    assert "!tile.tile<16x256xf32>" in ir
    assert "!tile.tile<512x256xf32>" not in ir


@pl.jit
def long_rows(x: pl.Tensor[[2, 32768], pl.FP32],
              t: pl.Tensor[[16384, 8], pl.FP32],
              s: pl.Out[pl.Tensor[[2, 1], pl.FP32]],
              m: pl.Out[pl.Tensor[[2, 1], pl.FP32]],
              c: pl.Out[pl.Tensor[[1, 8], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        s[:] = pl.row_sum(x)
        m[:] = pl.row_max(pl.abs(x))
        c[:] = pl.col_min(t)


def test_reductions_longer_than_ub_run_in_steps():
    # A row of x is 128 KiB, over half of UB (94208 bytes). A row
    # reduction's source is read through a view with its rows padded to a
    # 32-byte block (8 FP32 rows) and takes a scratch tile of its shape
    # (TROWSUM's tmp), so a [2, c] FP32 piece costs 8c own + 8c scratch +
    # 24c view = 40c bytes: row_sum reads c = 2048 columns at a time (81920
    # bytes; 4096 would be 163840), 16 steps whose partial sums are added.
    # row_max(abs(x)) holds the piece and its abs besides: 48c, c = 1024
    # (49152). A column of t is 16384 rows: col_min reads 2048 rows of its
    # 8 columns (64 KiB) at a time, 8 steps.
    x, t = _gen(2, 32768, seed=15), _gen(16384, 8, seed=16)
    s, m, c = torch.zeros(2, 1), torch.zeros(2, 1), torch.zeros(1, 8)
    long_rows(x, t, s, m, c)
    torch.testing.assert_close(s, x.sum(1, keepdim=True), rtol=1e-5,
                               atol=1e-3)
    torch.testing.assert_close(m, x.abs().amax(1, keepdim=True), rtol=0,
                               atol=0)
    torch.testing.assert_close(c, t.amin(0, keepdim=True), rtol=0, atol=0)
    ir = long_rows.ir()
    for piece in ("2x2048xf32", "2x1024xf32", "2048x8xf32"):
        assert f"!tile.tile<{piece}>" in ir, piece


# -- matmul ----------------------------------------------------------------

@pl.jit
def mm_small(a: pl.Tensor[[32, 64], pl.BF16], b: pl.Tensor[[32, 64], pl.BF16],
             b2: pl.Tensor[[64, 32], pl.BF16],
             o: pl.Out[pl.Tensor[[32, 32], pl.FP32]],
             o2: pl.Out[pl.Tensor[[32, 32], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        o[:] = pl.matmul(a, b, b_trans=True)
        o2[:] = pl.add(a @ b2, 1.0)


def test_matmul_small_against_torch():
    a, b = _gen(32, 64, dtype=torch.bfloat16, seed=6), \
        _gen(32, 64, dtype=torch.bfloat16, seed=7)
    b2 = _gen(64, 32, dtype=torch.bfloat16, seed=14)
    o, o2 = torch.zeros(32, 32), torch.zeros(32, 32)
    mm_small(a, b, b2, o, o2)
    torch.testing.assert_close(o, a.float() @ b.float().T, rtol=1e-5,
                               atol=1e-4)
    torch.testing.assert_close(o2, a.float() @ b2.float() + 1.0, rtol=1e-5,
                               atol=1e-4)
    # The matmul read by a vector op (the add) is staged through GM: two
    # scopes for that store.
    assert mm_small.ir().count("tile.alloc_gm") == 1


@pl.jit
def mm_big(a: pl.Tensor, b: pl.Tensor, out: pl.Out[pl.Tensor]):
    with pl.at(level=pl.Level.CORE_GROUP):
        c = pl.matmul(a, b, out_dtype=pl.FP32)
        out = pl.assemble(out, c, [0, 0])
    return out


def test_matmul_bigger_than_l0_is_tiled_in_m_n_k():
    # [256, 128] @ [128, 256] FP32: a 256 x 256 accumulator is 256 KiB
    # (L0C 128 KiB). Blocks of 16384 elements (64 KiB, half of L0C), the
    # squarest: 128 x 128 (a 2 x 2 loop); the steps [128, k] of A and
    # [k, 128] of B within half of L0A / L0B (32 KiB) give k = 64: 2 K
    # steps, a matmul then a matmul_acc.
    a, b = _gen(256, 128, seed=8), _gen(128, 256, seed=9)
    out = torch.zeros(256, 256)
    mm_big(a, b, out)
    torch.testing.assert_close(out, a @ b, rtol=1e-4, atol=1e-4)
    ir = mm_big.ir()
    assert ir.count("tile.matmul_acc") == 1
    assert "-> !tile.tile<128x128xf32>" in ir
    assert "!tile.tile<128x64xf32>" in ir and "scf.for" in ir


@pl.jit
def mm_chain(a: pl.Tensor[[64, 96], pl.BF16], b: pl.Tensor[[96, 64], pl.BF16],
             e: pl.Tensor[[64, 32], pl.BF16],
             out: pl.Out[pl.Tensor[[64, 32], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP, name_hint="chain"):
        c = pl.matmul(a, b)
        d = pl.matmul(pl.cast(c, pl.BF16, mode="rint"), e)
        pl.assemble(out, d, [0, 0])


def test_matmul_cast_matmul_becomes_three_scopes():
    # cube (a @ b) -> vector (cast) -> cube (@ e): each staged through a GM
    # scratch tensor and made a scope of its own.
    a, b, e = (_gen(64, 96, dtype=torch.bfloat16, seed=10),
               _gen(96, 64, dtype=torch.bfloat16, seed=11),
               _gen(64, 32, dtype=torch.bfloat16, seed=12))
    out = torch.zeros(64, 32)
    mm_chain(a, b, e, out)
    c = (a.float() @ b.float()).to(torch.bfloat16).float()
    torch.testing.assert_close(out, c @ e.float(), rtol=1e-4, atol=1e-3)
    ir = mm_chain.ir()
    assert ir.count("tile.spmd 1") == 3
    for name in ('"chain"', '"chain_1"', '"chain_2"'):
        assert f"name({name})" in ir
    assert ir.count("tile.alloc_gm") == 2
    remarks = [(m, where[1]) for sev, m, where, _ in mm_chain.module().warnings
               if "REMARK" in sev and "split into 3 scopes" in m]
    assert remarks and remarks[0][1] == _line(mm_chain, 'name_hint="chain"')


# -- misuse ----------------------------------------------------------------

def test_outside_a_scope():
    @pl.jit
    def k(x: pl.Tensor[[16, 64], pl.FP32],
          o: pl.Out[pl.Tensor[[16, 64], pl.FP32]]):
        y = pl.add(x, x)
        with pl.at(level=pl.Level.CORE_GROUP):
            o[:] = y
    msg = _error(k, "pl.add of GM tensors needs a core scope",
                 "y = pl.add(x, x)")
    assert "at function level" in msg


def test_shapes_that_do_not_broadcast():
    @pl.jit
    def k(x: pl.Tensor[[16, 64], pl.FP32], r: pl.Tensor[[8, 1], pl.FP32],
          o: pl.Out[pl.Tensor[[16, 64], pl.FP32]]):
        with pl.at(level=pl.Level.CORE_GROUP):
            o[:] = pl.fmod(x, r)
    # fmod does not broadcast; [16, 64] with [8, 1] would not anyway.
    _error(k, "shapes do not broadcast in pl.fmod", "pl.fmod(x, r)")

    @pl.jit
    def k2(x: pl.Tensor[[16, 64], pl.FP32], c: pl.Tensor[[16, 1], pl.FP32],
           o: pl.Out[pl.Tensor[[16, 64], pl.FP32]]):
        with pl.at(level=pl.Level.CORE_GROUP):
            o[:] = pl.col_expand_mul(x, c)
    _error(k2, "shapes do not broadcast in pl.col_expand_mul",
           "pl.col_expand_mul(x, c)")


def test_matmul_misuse():
    @pl.jit
    def k(a: pl.Tensor[[16, 32], pl.BF16], b: pl.Tensor[[64, 16], pl.BF16],
          o: pl.Out[pl.Tensor[[16, 16], pl.FP32]]):
        with pl.at(level=pl.Level.CORE_GROUP):
            o[:] = pl.matmul(a, b)
    _error(k, "contraction sizes differ", "pl.matmul(a, b)")

    @pl.jit
    def k2(a: pl.Tensor[[16, 32], pl.BF16], b: pl.Tensor[[32, 16], pl.FP16],
           o: pl.Out[pl.Tensor[[16, 16], pl.FP32]]):
        with pl.at(level=pl.Level.CORE_GROUP):
            o[:] = pl.matmul(a, b)
    _error(k2, "different dtypes", "pl.matmul(a, b)")


def test_dtype_rules_are_the_tile_forms():
    @pl.jit
    def k(x: pl.Tensor[[16, 64], pl.BF16],
          o: pl.Out[pl.Tensor[[16, 64], pl.BF16]]):
        with pl.at(level=pl.Level.CORE_GROUP):
            o[:] = pl.exp(x)
    _error(k, "pl.exp does not compute in BF16", "pl.exp(x)")

    @pl.jit
    def k2(x: pl.Tensor[[16, 64], pl.FP32],
           o: pl.Out[pl.Tensor[[16, 64], pl.FP16]]):
        with pl.at(level=pl.Level.CORE_GROUP):
            o[:] = pl.add(x, x)
    _error(k2, "dtype mismatch storing into 'o'", "o[:] = pl.add(x, x)")


def test_result_bound_to_nothing():
    @pl.jit
    def k(x: pl.Tensor[[16, 64], pl.FP32],
          o: pl.Out[pl.Tensor[[16, 64], pl.FP32]]):
        with pl.at(level=pl.Level.CORE_GROUP):
            pl.mul(x, 2.0)
            o[:] = x[:, :]
    _error(k, "the result of pl.mul is bound to nothing", "pl.mul(x, 2.0)")


def test_result_read_after_its_input_is_written():
    @pl.jit
    def k(x: pl.Tensor[[16, 64], pl.FP32],
          s: pl.Out[pl.Tensor[[16, 64], pl.FP32]],
          o: pl.Out[pl.Tensor[[16, 64], pl.FP32]]):
        with pl.at(level=pl.Level.CORE_GROUP):
            s[:] = x[:, :]
            y = pl.add(s, 1.0)
            s[:] = pl.full([16, 64], pl.FP32, 0.0)
            o[:] = y
    _error(k, "reads 's', which was written after it was made", "o[:] = y")


def test_matmul_stored_into_its_operand():
    # 256 x 256 FP32 is two blocks of L0C: the second would read rows of
    # `a` the first stored. (One block would be fine: every K step is read
    # before the store.)
    @pl.jit
    def k(a: pl.InOut[pl.Tensor[[256, 256], pl.FP32]],
          b: pl.Tensor[[256, 256], pl.FP32]):
        with pl.at(level=pl.Level.CORE_GROUP):
            a[:] = pl.matmul(a, b)
    _error(k, "stored into 'a', which it reads", "a[:] = pl.matmul(a, b)")


def test_in_place_elementwise_is_allowed():
    @pl.jit
    def k(a: pl.InOut[pl.Tensor[[256, 256], pl.FP32]]):
        with pl.at(level=pl.Level.CORE_GROUP):
            a[:] = pl.add(a, a)
    a = _gen(256, 256, seed=13)
    want = a + a
    k(a)
    torch.testing.assert_close(a, want, rtol=0, atol=0)


def test_too_large_to_be_one_tile():
    @pl.jit
    def k(x: pl.Tensor[[512, 256], pl.FP32],
          o: pl.Out[pl.Tensor[[16, 256], pl.FP32]]):
        with pl.at(level=pl.Level.CORE_GROUP):
            y = pl.add(x, x)
            o[:] = y[0:16, :]
    _error(k, "too large to be one tile", "o[:] = y[0:16, :]")


def test_used_after_its_scope():
    @pl.jit
    def k(x: pl.Tensor[[16, 64], pl.FP32],
          o: pl.Out[pl.Tensor[[16, 64], pl.FP32]]):
        with pl.at(level=pl.Level.CORE_GROUP):
            y = pl.add(x, x)
        with pl.at(level=pl.Level.CORE_GROUP):
            o[:] = y
    _error(k, "'y'", "o[:] = y")


def test_in_a_multi_block_spmd():
    @pl.jit
    def k(x: pl.Tensor[[16, 64], pl.FP32],
          o: pl.Out[pl.Tensor[[16, 64], pl.FP32]]):
        for b in pl.spmd(4):
            with pl.at(level=pl.Level.CORE_GROUP):
                o[:] = pl.add(x, x)
    _error(k, "in every block", "pl.add(x, x)")


@pl.jit
def _rows_times_weight(x: pl.Tensor[[32, 64], pl.FP32],
                       w: pl.Tensor[[64, 32], pl.FP32],
                       y: pl.Out[pl.Tensor[[32, 32], pl.FP32]]):
    # decode_indexer's form: each block's rows (a tile) times a whole GM
    # weight; every block reads the weight whole, the result is per block.
    for b in pl.spmd(4):
        y[b * 8:b * 8 + 8, :] = pl.matmul(x[b * 8:b * 8 + 8, :], w)


def test_a_whole_weight_next_to_a_block_tile_in_a_multi_block_spmd():
    x, w = torch.randn(32, 64), torch.randn(64, 32)
    y = torch.zeros(32, 32)
    _rows_times_weight(x, w, y)
    # FP32 on the cube: one K step of 64, f32 accumulation.
    torch.testing.assert_close(y, x @ w, rtol=1e-5, atol=1e-5)


@pl.jit
def _tensor_broadcasts(x: pl.Tensor[[16, 64], pl.FP32],
                       r: pl.Tensor[[16, 1], pl.FP32],
                       c: pl.Tensor[[1, 64], pl.FP32],
                       o1: pl.Out[pl.Tensor[[16, 64], pl.FP32]],
                       o2: pl.Out[pl.Tensor[[16, 64], pl.FP32]],
                       o3: pl.Out[pl.Tensor[[16, 64], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        o1[:, :] = pl.mul(x, r)      # row_expand_mul of GM tensors
        o2[:, :] = pl.sub(x, c)      # col_expand_sub
        o3[:, :] = pl.add(r, x)      # commuted: row_expand_add
    return o1, o2, o3


def test_tensor_level_arithmetic_broadcasts():
    g = torch.Generator().manual_seed(12)
    x, r = torch.randn(16, 64, generator=g), torch.randn(16, 1, generator=g)
    c = torch.randn(1, 64, generator=g)
    outs = [torch.zeros(16, 64) for _ in range(3)]
    _tensor_broadcasts(x, r, c, *outs)
    for got, want in zip(outs, (x * r, x - c, r + x)):
        assert torch.equal(got, want)
    text = _tensor_broadcasts.ir()
    assert "tile.row_expand_mul" in text and "tile.col_expand_sub" in text
    assert "tile.row_expand_add" in text
