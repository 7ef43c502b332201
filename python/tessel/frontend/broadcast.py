"""The frontend of the broadcast family: `pl.row_expand`, `pl.col_expand`,
`pl.row_expand_{add,sub,div,max,min,expdif}`,
`pl.col_expand_{add,sub,div,max,min,expdif}` and `pl.expands` (the `_mul`
pair has tile ops of its own, builtins.py).

Each is built from ops the whole pipeline already carries (scheduling,
placement, CPU simulation, the PTO back end): the [M, 1] / [1, N] operand
is broadcast to [M, N] exactly as ``row_expand_mul(ones, v)`` /
``col_expand_mul(ones, v)`` (1 * v is v for every value: -0, inf, NaN,
i32), then the elementwise op (`tile.add`, `tile.sub`, `tile.div`,
`tile.max`, `tile.min`; expdif is `tile.exp` of `tile.sub`). The results
are therefore bit-identical to a fused broadcast instruction's, at the
cost of one [M, N] tile more of UB."""

from __future__ import annotations

from . import tile_ops as tile_d
from .builtins import _check_dtype, _is_scalar, _tile, full
from .optable import ARITH_DTYPES, BY_NAME, FLOAT_DTYPES
from .values import PendingTile, TileVal, describe, shape_str

#: arith -> (dtypes, elementwise op name of TILE_BINARY, or "expdif").
EXPAND_ARITH = {
    "add": (ARITH_DTYPES, "add"), "sub": (ARITH_DTYPES, "sub"),
    "div": (FLOAT_DTYPES, "div"), "max": (ARITH_DTYPES, "maximum"),
    "min": (ARITH_DTYPES, "minimum"), "expdif": (FLOAT_DTYPES, "expdif"),
}


class _Arg:
    def __init__(self, value, node):
        self.value, self.node = value, node


class _FullArgs:
    def __init__(self, shape, dtype, value, node):
        self.shape = _Arg(list(shape), node)
        self.dtype = _Arg(dtype, node)
        self.value = _Arg(value, node)


def _want(shape, per_row: bool) -> tuple:
    m, n = shape
    return (m, 1) if per_row else (1, n)


def broadcast_to(cg, node, v: TileVal, shape, per_row: bool) -> TileVal:
    """`v` ([M, 1] per row, [1, N] per column) broadcast to `shape`."""
    if v.shape == tuple(shape):
        return v
    ones = full(cg, node, _FullArgs(shape, v.dtype, 1, node))
    cls = tile_d.RowExpandMulOp if per_row else tile_d.ColExpandMulOp
    r = cls(ones.value, v.value, results=[ones.value.type], loc=cg.loc(node),
            ip=cg.ip).result
    return TileVal(r, tuple(shape), v.dtype)


def _operands(cg, node, a, name, per_row, allowed):
    cg.require_core(node, f"pl.{name}", "vector")
    t = _tile(cg, a.lhs, "lhs")
    s = _tile(cg, a.rhs, "rhs")
    _check_dtype(cg, a.lhs.node, name, t, allowed, "lhs")
    if s.dtype is not t.dtype:
        raise cg.error(a.rhs.node, f"dtype mismatch in pl.{name}",
                       expected=f"{t.dtype.name} (the dtype of lhs)",
                       found=f"{s.dtype.name} (rhs: {s.describe()})",
                       help="convert one side with pl.cast")
    want = _want(t.shape, per_row)
    if s.shape != want:
        raise cg.error(a.rhs.node, f"pl.{name} rhs has the wrong shape for a "
                       f"{shape_str(t.shape)} lhs", expected=shape_str(want),
                       found=shape_str(s.shape),
                       help="a per-row operand is [M, 1] (pl.row_expand_*), "
                            "a per-column one [1, N] (pl.col_expand_*)")
    return t, s


def expand_arith(name: str):
    per_row = name.startswith("row_")
    allowed, op = EXPAND_ARITH[name.split("_")[-1]]

    def impl(cg, node, a):
        t, s = _operands(cg, node, a, name, per_row, allowed)
        b = broadcast_to(cg, node, s, t.shape, per_row)
        loc, ip, ty = cg.loc(node), cg.ip, t.value.type
        if op == "expdif":
            d = tile_d.SubOp(t.value, b.value, results=[ty], loc=loc,
                             ip=ip).result
            v = tile_d.ExpOp(d, results=[ty], loc=loc, ip=ip).result
        else:
            cls = getattr(tile_d, BY_NAME[op].tile_op)
            v = cls(t.value, b.value, results=[ty], loc=loc, ip=ip).result
        return TileVal(v, t.shape, t.dtype)
    return impl


def broadcast(name: str):
    per_row = name == "row_expand"

    def impl(cg, node, a):
        cg.require_core(node, f"pl.{name}", "vector")
        target = _tile(cg, a.lhs, "lhs")
        v = _tile(cg, a.rhs, "rhs")
        _check_dtype(cg, a.rhs.node, name, v, ARITH_DTYPES, "rhs")
        if v.dtype is not target.dtype:
            raise cg.error(a.rhs.node, f"dtype mismatch in pl.{name}",
                           expected=f"{target.dtype.name} (the dtype of lhs)",
                           found=f"{v.dtype.name} (rhs: {v.describe()})")
        want = _want(target.shape, per_row)
        if v.shape != want:
            raise cg.error(a.rhs.node, f"pl.{name} broadcasts a "
                           f"{'[M, 1]' if per_row else '[1, N]'} tile",
                           expected=f"{shape_str(want)} for a "
                                    f"{shape_str(target.shape)} lhs",
                           found=shape_str(v.shape))
        return broadcast_to(cg, node, v, target.shape, per_row)
    return impl


def expands(cg, node, a):
    t = a.target.value
    if not isinstance(t, (TileVal, PendingTile)):
        raise cg.error(a.target.node, "pl.expands takes a tile as its target",
                       found=describe(t))
    if not _is_scalar(a.scalar.value):
        raise cg.error(a.scalar.node, "pl.expands needs a compile-time number",
                       found=describe(a.scalar.value),
                       help="a runtime scalar cannot be broadcast yet")
    return full(cg, node, _FullArgs(t.shape, t.dtype, a.scalar.value,
                                    a.scalar.node))


BROADCAST_BUILTINS = {
    **{f"{d}_expand_{k}": expand_arith(f"{d}_expand_{k}")
       for d in ("row", "col") for k in EXPAND_ARITH},
    "row_expand": broadcast("row_expand"),
    "col_expand": broadcast("col_expand"),
    "expands": expands,
}
