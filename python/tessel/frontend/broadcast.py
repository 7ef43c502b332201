"""The frontend of the broadcast family: `pl.row_expand`, `pl.col_expand`,
`pl.row_expand_{add,sub,div,max,min,expdif}`,
`pl.col_expand_{add,sub,div,max,min,expdif}` (the `_mul` pair is in
builtins.py) and `pl.expands`: checks at the author's line, then one tile
op each (dialects/tile/TileViewOps.td), as PTO-ISA has one instruction each
(TROWEXPANDADD, TCOLEXPANDEXPDIF, ...)."""

from __future__ import annotations

from . import tile_ops as tile_d
from .builtins import _check_dtype, _is_scalar, _tile, full_tile
from .optable import ARITH_DTYPES, FLOAT_DTYPES
from .values import PendingTile, TileVal, describe, shape_str

#: arith -> the dtypes it computes in.
EXPAND_ARITH = {
    "add": ARITH_DTYPES, "sub": ARITH_DTYPES, "div": FLOAT_DTYPES,
    "max": ARITH_DTYPES, "min": ARITH_DTYPES, "expdif": FLOAT_DTYPES,
}


def _op_class(name: str):
    """tile_d.RowExpandAddOp for "row_expand_add" and so on."""
    return getattr(tile_d, "".join(p.capitalize() for p in name.split("_"))
                   + "Op")


def _want(shape, per_row: bool) -> tuple:
    m, n = shape
    return (m, 1) if per_row else (1, n)


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
    allowed = EXPAND_ARITH[name.split("_")[-1]]

    def impl(cg, node, a):
        t, s = _operands(cg, node, a, name, per_row, allowed)
        v = _op_class(name)(t.value, s.value, results=[t.value.type],
                            loc=cg.loc(node), ip=cg.ip).result
        return TileVal(v, t.shape, t.dtype)
    return impl


def broadcast(name: str):
    per_row = name == "row_expand"

    def impl(cg, node, a):
        cg.require_core(node, f"pl.{name}", "vector")
        target = _tile(cg, a.lhs, "lhs")
        v = _tile(cg, a.rhs, "rhs")
        # A bit copy: every tile dtype (TROWEXPAND / TCOLEXPAND take b8,
        # b16 and b32 elements).
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
        if v.shape == target.shape:
            return v
        cls = tile_d.RowExpandOp if per_row else tile_d.ColExpandOp
        r = cls(target.value.type, v.value, loc=cg.loc(node),
                ip=cg.ip).result
        return TileVal(r, target.shape, target.dtype)
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
    return full_tile(cg, node, t.shape, t.dtype, a.scalar.value,
                     a.scalar.node)


BROADCAST_BUILTINS = {
    **{f"{d}_expand_{k}": expand_arith(f"{d}_expand_{k}")
       for d in ("row", "col") for k in EXPAND_ARITH},
    "row_expand": broadcast("row_expand"),
    "col_expand": broadcast("col_expand"),
    "expands": expands,
}
