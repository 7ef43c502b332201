"""The frontend of `pl.log` (tile.log), `pl.arange` (tile.arange),
dialects/tile/TileViewOps.td, and `pl.tensor.dim` (a compile-time int)."""

from __future__ import annotations

import math

from ..language.types import FP16, FP32, INT32, UINT32
from ..mlir import ir
from ..mlir.dialects import arith
from . import tile_ops as tile_d
from .builtins import _check_dtype, _is_scalar, _tile
from .optable import FLOAT_DTYPES
from .values import (GmTensor, IndexVal, PendingTile, ScalarVal, TileVal,
                     describe)


def log(cg, node, a):
    if _is_scalar(a.input.value):
        try:
            return math.log(a.input.value)
        except (ValueError, OverflowError) as e:
            raise cg.error(node, f"pl.log({a.input.value!r}): {e}") from None
    cg.require_core(node, "pl.log", "vector")
    t = _tile(cg, a.input, "input")
    _check_dtype(cg, a.input.node, "log", t, FLOAT_DTYPES, "input")
    v = tile_d.LogOp(t.value, results=[t.value.type], loc=cg.loc(node),
                     ip=cg.ip).result
    return TileVal(v, t.shape, t.dtype)


ARANGE_LIMIT = {INT32: 2 ** 31, UINT32: 2 ** 31, FP32: 2 ** 24,
                FP16: 2 ** 11}


def arange(cg, node, a):
    start = a.start.value
    shape = cg.shape_arg(a.shape, "shape", rank=2)
    dtype = cg.dtype_arg(a.dtype)
    if isinstance(start, (IndexVal, ScalarVal)):
        return _arange_runtime(cg, node, a, start, shape, dtype)
    if isinstance(start, bool) or not isinstance(start, int):
        raise cg.error(a.start.node, "pl.arange start must be an integer",
                       expected="a compile-time integer, or a runtime index "
                                "or integer scalar for INT32 / UINT32",
                       found=describe(start))
    if dtype not in ARANGE_LIMIT:
        raise cg.error(a.dtype.node, f"pl.arange of {dtype.name} is not "
                       "supported", expected="INT32, UINT32, FP32 or FP16",
                       found=dtype.name,
                       help="make INT32 indices and pl.cast them")
    last = start + shape[0] * shape[1] - 1
    limit = ARANGE_LIMIT[dtype]
    if start < (0 if dtype is UINT32 else -limit) or last >= limit:
        raise cg.error(node, f"pl.arange values {start}..{last} are not all "
                       f"exact in {dtype.name}",
                       expected=f"values within +-{limit}")
    cg.require_core(node, "pl.arange", "vector")
    v = tile_d.ArangeOp(cg.tile_type(shape, dtype),
                        ir.IntegerAttr.get(ir.IntegerType.get_signless(64),
                                           start),
                        loc=cg.loc(node), ip=cg.ip).result
    return TileVal(v, shape, dtype)


def _arange_runtime(cg, node, a, start, shape, dtype):
    """pl.arange from a start known at run time: arange from 0, plus the
    start (tile.adds); integer dtypes only, where the sum is exact (it
    wraps modulo 2^32 past INT32 / UINT32's range, as on the NPU)."""
    if dtype not in (INT32, UINT32):
        raise cg.error(a.start.node, f"pl.arange of {dtype.name} needs a "
                       f"compile-time start", expected="INT32 or UINT32 for "
                       "a runtime start", found=describe(start))
    if isinstance(start, IndexVal):
        lo, hi = cg.index_bounds(start)
        n = shape[0] * shape[1]
        if lo is not None and lo < (0 if dtype is UINT32 else -2 ** 31) or \
                hi is not None and hi + n - 1 >= 2 ** 31:
            raise cg.error(a.start.node, f"pl.arange values may leave "
                           f"{dtype.name}'s exact range",
                           found=f"start in [{lo}, {hi}], {n} values")
        start = ScalarVal(arith.IndexCastOp(cg.elt_type(INT32), start.value,
                                            loc=cg.loc(node),
                                            ip=cg.ip).result, dtype)
    elif start.dtype not in (INT32, UINT32):
        raise cg.error(a.start.node, f"the start of a {dtype.name} pl.arange "
                       f"is an INT32 or UINT32 scalar or an index",
                       found=start.describe(),
                       help=f"convert it: pl.cast(x, pl.{dtype.name})")
    cg.require_core(node, "pl.arange", "vector")
    base = tile_d.ArangeOp(cg.tile_type(shape, dtype),
                           ir.IntegerAttr.get(ir.IntegerType.get_signless(64),
                                              0),
                           loc=cg.loc(node), ip=cg.ip).result
    v = tile_d.AddSOp(base, start.value, results=[base.type],
                      loc=cg.loc(node), ip=cg.ip).result
    return TileVal(v, shape, dtype)


def tensor_dim(cg, node, a, op="pl.tensor.dim"):
    """`pl.tensor.dim(t, axis)`: `t.shape[axis]`, a compile-time integer
    (the call-time extent for a bare pl.Tensor or a pl.dynamic dim)."""
    t = a.tensor.value
    if not isinstance(t, (GmTensor, TileVal, PendingTile)):
        raise cg.error(a.tensor.node, f"{op} takes a tensor",
                       found=describe(t))
    axis = a.axis.value
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise cg.error(a.axis.node, f"the axis of {op} must be a "
                       "compile-time integer", found=describe(axis))
    rank = len(t.shape)
    if not -rank <= axis < rank:
        raise cg.error(a.axis.node, f"{op} axis {axis} is out of "
                       f"range for a tensor of rank {rank}",
                       expected=f"an axis in [{-rank}, {rank - 1}]")
    return int(t.shape[axis])


EXTRA_BUILTINS = {"log": log, "arange": arange, "tensor.arange": arange,
                  "tensor.dim": tensor_dim}
