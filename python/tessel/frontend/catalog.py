"""The irregular ops of the rest of PyPTO's catalog (dialects/tile/
TileCatalogOps.td): selection by a packed mask (`pl.sel`, `pl.sels`), the
layout ops (`pl.transpose`, `pl.concat`, `pl.reinterpret_view`, `pl.tri`)
and two compile-time values (`pl.const`, `pl.get_block_num`). The regular
families (comparison, bitwise ops, reductions) are rows of `optable`."""

from __future__ import annotations

from ..language.types import DataType, FP16, FP32, INT8, INT32
from ..mlir import ir
from . import memories
from . import tile_ops as tile_d
from .builtins import _check_dtype, _is_scalar, _scalar_for, _tile
from .optable import ARITH_DTYPES
from .values import GmTensor, PendingTile, TileVal, describe, shape_str


def _mask(cg, arg, data: TileVal, op):
    """The packed predicate mask operand of pl.sel / pl.sels over `data`."""
    m = _tile(cg, arg, "mask")
    need = (data.shape[1] + 7) // 8
    if m.dtype is not INT8 or m.shape[0] != data.shape[0] or \
            m.shape[1] < need:
        raise cg.error(arg.node, f"{op} needs the packed predicate mask of a "
                       f"pl.cmp over a {shape_str(data.shape)} tile",
                       expected=f"an INT8 tile [{data.shape[0]}, >= {need}] "
                                f"(ceil({data.shape[1]} / 8) bytes of bits "
                                f"per row)", found=m.describe(),
                       help="make it with pl.cmp / pl.cmps of tiles of this "
                            "shape")
    return m


def sel(cg, node, a):
    """pl.sel(mask, lhs, rhs, tmp): lhs where the mask bit is set."""
    cg.require_core(node, "pl.sel", "vector")
    x, y = _tile(cg, a.lhs, "lhs"), _tile(cg, a.rhs, "rhs")
    _check_dtype(cg, a.lhs.node, "sel", x, ARITH_DTYPES, "lhs")
    if y.dtype is not x.dtype or y.shape != x.shape:
        raise cg.error(a.rhs.node, "pl.sel selects between tiles of one "
                       "shape and dtype", expected=x.describe(),
                       found=y.describe())
    m = _mask(cg, a.mask, x, "pl.sel")
    for t, arg in ((m, a.mask), (x, a.lhs), (y, a.rhs)):
        memories.check_vector_operand(cg, t, arg.node, "pl.sel")
    v = tile_d.SelOp(m.value, x.value, y.value, results=[x.value.type],
                     loc=cg.loc(node), ip=cg.ip).result
    return TileVal(v, x.shape, x.dtype)


def sels(cg, node, a):
    """pl.sels(mask, src, tmp, scalar): src where the mask bit is set, else
    the scalar."""
    if not _is_scalar(a.scalar.value):
        raise cg.error(a.scalar.node if a.scalar.value is not None else node,
                       "pl.sels needs a compile-time number to select where "
                       "the mask is clear", expected="scalar=<number>",
                       found=describe(a.scalar.value),
                       help="pass it as pl.sels(mask, src, tmp, scalar) or "
                            "scalar=...")
    cg.require_core(node, "pl.sels", "vector")
    x = _tile(cg, a.src, "src")
    _check_dtype(cg, a.src.node, "sels", x, ARITH_DTYPES, "src")
    m = _mask(cg, a.mask, x, "pl.sels")
    memories.check_vector_operand(cg, m, a.mask.node, "pl.sels")
    memories.check_vector_operand(cg, x, a.src.node, "pl.sels")
    s = _scalar_for(cg, node, "sels", a.scalar.value, x, a.scalar.node)
    v = tile_d.SelSOp(m.value, x.value, s, results=[x.value.type],
                      loc=cg.loc(node), ip=cg.ip).result
    return TileVal(v, x.shape, x.dtype)


def _tile_only(cg, arg, op, what):
    if isinstance(arg.value, GmTensor):
        raise cg.error(arg.node, f"{op} takes tiles", expected="a tile",
                       found=describe(arg.value),
                       help="load a tile first (a subscript or pl.load)")
    return _tile(cg, arg, what)


def transpose(cg, node, a, op="pl.transpose"):
    """pl.transpose(t, axis1, axis2): the axes of a 2-D tile swapped."""
    t = _tile_only(cg, a.input, op, "input")
    axes = []
    for arg in (a.axis1, a.axis2):
        ax = arg.value
        if isinstance(ax, bool) or not isinstance(ax, int) or \
                not -2 <= ax < 2:
            raise cg.error(arg.node, f"{op} axis must be 0, 1, -1 or -2 for "
                           f"a 2-D tile", found=describe(ax))
        axes.append(ax % 2)
    if axes[0] == axes[1]:
        raise cg.error(a.axis2.node, f"{op} swaps two different axes",
                       expected="axes 0 and 1", found=f"{a.axis1.value} and "
                       f"{a.axis2.value}")
    cg.require_core(node, op, "vector")
    memories.check_vector_operand(cg, t, a.input.node, op)
    shape = (t.shape[1], t.shape[0])
    v = tile_d.TransposeOp(cg.tile_type(shape, t.dtype), t.value,
                           loc=cg.loc(node), ip=cg.ip).result
    return TileVal(v, shape, t.dtype)


def concat(cg, node, a, op="pl.concat"):
    """pl.concat(src0, src1): the columns of src1 after those of src0."""
    x = _tile_only(cg, a.src0, op, "src0")
    y = _tile_only(cg, a.src1, op, "src1")
    if y.dtype is not x.dtype or y.shape[0] != x.shape[0]:
        raise cg.error(a.src1.node, f"{op} joins tiles of one dtype and "
                       f"row count along the columns",
                       expected=f"a {x.dtype.name} tile with {x.shape[0]} rows",
                       found=y.describe())
    cg.require_core(node, op, "vector")
    memories.check_vector_operand(cg, x, a.src0.node, op)
    memories.check_vector_operand(cg, y, a.src1.node, op)
    shape = (x.shape[0], x.shape[1] + y.shape[1])
    v = tile_d.ConcatOp(cg.tile_type(shape, x.dtype), x.value, y.value,
                        loc=cg.loc(node), ip=cg.ip).result
    return TileVal(v, shape, x.dtype)


def reinterpret_view(cg, node, a):
    """pl.reinterpret_view(t, dtype, shape=None): each row's bytes read as
    `dtype`."""
    t = _tile_only(cg, a.data, "pl.reinterpret_view", "data")
    dtype = cg.dtype_arg(a.dtype)
    row_bits = t.shape[1] * t.dtype.bits
    if row_bits % dtype.bits:
        raise cg.error(a.dtype.node, f"a row of {t.describe()} "
                       f"({row_bits // 8} bytes) is not a whole number of "
                       f"{dtype.name}", found=f"{dtype.name} ({dtype.bits // 8}"
                       f" bytes)")
    shape = (t.shape[0], row_bits // dtype.bits)
    if a.shape.value is not None:
        want = cg.shape_arg(a.shape, "shape", rank=2)
        if tuple(want) != shape:
            raise cg.error(a.shape.node, "pl.reinterpret_view(shape=...) "
                           "must keep each row's bytes",
                           expected=shape_str(shape), found=shape_str(want),
                           help="reshape the result with pl.reshape")
    if dtype is t.dtype:
        return t
    cg.require_core(node, "pl.reinterpret_view")
    v = tile_d.ReinterpretViewOp(cg.tile_type(shape, dtype), t.value,
                                 loc=cg.loc(node), ip=cg.ip).result
    return TileVal(v, shape, dtype)


TRI_DTYPES = (FP16, FP32, INT32)


def tri(cg, node, a):
    """pl.tri(diagonal, shape, valid_shape=None, dtype=INT32, upper=False)."""
    d = a.diagonal.value
    if isinstance(d, bool) or not isinstance(d, int):
        raise cg.error(a.diagonal.node, "pl.tri diagonal must be a "
                       "compile-time integer", found=describe(d),
                       help="a runtime diagonal is not supported")
    shape = cg.shape_arg(a.shape, "shape", rank=2)
    if a.valid_shape.value is not None and \
            tuple(cg.shape_arg(a.valid_shape, "valid_shape")) != tuple(shape):
        raise cg.error(a.valid_shape.node, "pl.tri(valid_shape=...) smaller "
                       "than the tile is not supported: tiles are always full",
                       expected=f"valid_shape equal to shape "
                                f"{shape_str(shape)}",
                       found=repr(a.valid_shape.value))
    dtype = INT32 if a.dtype.value is None else cg.dtype_arg(a.dtype)
    if dtype not in TRI_DTYPES:
        raise cg.error(a.dtype.node, f"pl.tri of {dtype.name} is not "
                       f"supported", expected="FP16, FP32 or INT32",
                       found=dtype.name)
    upper = a.upper.value
    if not isinstance(upper, bool):
        raise cg.error(a.upper.node, "pl.tri upper= must be True or False",
                       found=describe(upper))
    cg.require_core(node, "pl.tri", "vector")
    i64 = ir.IntegerType.get_signless(64)
    # Any |diagonal| beyond rows + cols gives the same mask; the attribute is
    # 64-bit.
    bound = shape[0] + shape[1]
    d = max(-bound, min(bound, d))
    v = tile_d.TriOp(cg.tile_type(shape, dtype), ir.IntegerAttr.get(i64, d),
                     upper=upper or None, loc=cg.loc(node), ip=cg.ip).result
    return TileVal(v, tuple(shape), dtype)


def const(cg, node, a):
    """pl.const(value, dtype): the number, checked to be exact in `dtype`;
    a compile-time number (it takes the dtype of the tile it meets)."""
    value = a.value.value
    if not _is_scalar(value):
        raise cg.error(a.value.node, "pl.const takes a compile-time number",
                       found=describe(value))
    dtype = a.dtype.value
    if not isinstance(dtype, DataType) or not dtype.supported:
        raise cg.error(a.dtype.node, "pl.const needs a supported dtype",
                       expected="pl.BF16, FP16, FP32, INT8 or INT32",
                       found=describe(dtype))
    if dtype.is_float:
        return float(value)
    if isinstance(value, float) and not value.is_integer():
        raise cg.error(a.value.node, f"pl.const({value!r}, pl.{dtype.name}) "
                       f"is not an integer", found=repr(value))
    value = int(value)
    lo, hi = -2 ** (dtype.bits - 1), 2 ** (dtype.bits - 1)
    if not lo <= value < hi:
        raise cg.error(a.value.node, f"{value} does not fit in {dtype.name}",
                       expected=f"{lo} <= value < {hi}", found=str(value))
    return value


def get_block_num(cg, node, a, op="pl.get_block_num"):
    """The block count n of the enclosing pl.spmd(n): a compile-time int."""
    b = cg.block_index
    if b is None:
        raise cg.error(node, f"{op}() outside a pl.spmd body",
                       help="use it inside `with pl.spmd(n) as tid:` or "
                            "`for i in pl.spmd(n):` (it is n)")
    lo, hi = cg.index_bounds(b)
    return hi + 1


CATALOG_BUILTINS = {
    "sel": sel, "sels": sels,
    "tile.sel": sel, "tile.sels": sels,
    "transpose": transpose, "concat": concat,
    "tile.transpose": lambda cg, node, a: transpose(cg, node, a,
                                                    "pl.tile.transpose"),
    "tensor.transpose": lambda cg, node, a: transpose(cg, node, a,
                                                      "pl.tensor.transpose"),
    "tile.concat": lambda cg, node, a: concat(cg, node, a, "pl.tile.concat"),
    "tensor.concat": lambda cg, node, a: concat(cg, node, a,
                                                "pl.tensor.concat"),
    "reinterpret_view": reinterpret_view,
    "tri": tri, "tile.tri": tri,
    "const": const,
    "get_block_num": get_block_num,
    "tile.get_block_num": lambda cg, node, a: get_block_num(
        cg, node, a, "pl.tile.get_block_num"),
    "tensor.get_block_num": lambda cg, node, a: get_block_num(
        cg, node, a, "pl.tensor.get_block_num"),
}
