"""Tile subscripts: reading `t[a:b, c:d]` of a tile (`tile.extract`) and
assigning into one (`t[a:b, c:d] = s`, `tile.insert`, which tile-place-
buffers places on `t`'s bytes when `t` dies there, so only the window is
written). The window's size is a compile-time constant; its offsets may be
runtime indices whose range the frontend proves inside the tile."""

from __future__ import annotations

import ast

from . import tile_ops as tile_d
from . import validshape
from .builtins import _is_scalar, full_tile
from .values import PendingTile, TileVal, describe, shape_str


def _window(cg, t: TileVal, sl, node):
    """(offsets, sizes) of a subscript on the 2-D tile `t`, in bounds."""
    dims = cg.slice_dims(t, sl, node)
    offsets, sizes, raw = [], [], []
    for d, (offset, size, onode) in enumerate(dims):
        dim = t.shape[d]
        lo, hi = cg.index_bounds(offset)
        if lo is None or hi is None or lo < 0 or hi + size > dim:
            found = (f"{lo}..{hi} + {size} elements" if lo is not None
                     else f"an index of unknown range + {size} elements")
            raise cg.error(onode, f"tile subscript may leave dimension {d} "
                           f"of {t.describe()}", expected=f"within 0:{dim}",
                           found=found,
                           help="a tile subscript's offsets must stay inside "
                                "the tile for every value of the loop and "
                                "block indices they use")
        offsets.append(cg.index_value(offset, onode))
        raw.append(offset)
        sizes.append(size)
    return offsets, tuple(sizes), raw


def extract(cg, base, node) -> TileVal:
    t = cg.as_tile(base, node.value, "the subscripted tile")
    offsets, sizes, raw = _window(cg, t, node.slice, node)
    if sizes == t.shape:
        return t
    valid = None
    if validshape.is_partial(t):
        try:
            valid = validshape.subtile_valid(cg, t, raw, sizes)
        except ValueError as e:
            raise cg.error(node, f"a subscript of a partial tile: {e}",
                           found=t.describe(),
                           help="pad it first with pl.fillpad, or use "
                                "compile-time offsets and valid shapes") \
                from None
    cg.require_core(node, "a tile subscript")
    v = tile_d.ExtractOp(cg.tile_type(sizes, t.dtype), t.value, *offsets,
                         loc=cg.loc(node), ip=cg.ip).result
    return TileVal(v, sizes, t.dtype, valid=valid)


def insert(cg, target: ast.Subscript, base, value, stmt) -> None:
    if not isinstance(target.value, ast.Name):
        raise cg.error(target.value, "only a tile variable can be assigned "
                       "into", expected="`name[a:b, c:d] = tile`",
                       found=ast.unparse(target.value))
    value_node = getattr(stmt, "value", stmt)
    dest = cg.as_tile(base, target.value, "the assigned tile")
    offsets, sizes, _ = _window(cg, dest, target.slice, target)
    cg.require_core(target, "assigning into a tile subscript")
    if _is_scalar(value):
        # `t[a:b, c:d] = 0.0`: a constant window (checked as pl.full).
        value = full_tile(cg, value_node, sizes, dest.dtype, value,
                          value_node)
    if not isinstance(value, (TileVal, PendingTile)):
        raise cg.error(value_node, "a tile subscript is assigned a tile or a "
                       "number", found=describe(value))
    src = cg.as_tile(value, value_node, "the assigned value")
    if src.dtype is not dest.dtype:
        raise cg.error(value_node, "dtype mismatch in a tile subscript "
                       "assignment", expected=f"{dest.dtype.name} (the dtype "
                       f"of '{target.value.id}')", found=src.describe(),
                       help="convert the value with pl.cast")
    if src.shape != sizes:
        raise cg.error(value_node, "shape mismatch in a tile subscript "
                       "assignment", expected=f"{shape_str(sizes)} (the "
                       f"window)", found=src.describe())
    if sizes == dest.shape:
        r = src
    elif validshape.is_partial(src) or validshape.is_partial(dest):
        t = src if validshape.is_partial(src) else dest
        raise cg.error(value_node, "assigning into a window of a tile needs "
                       "full tiles", found=t.describe(),
                       help="pad the partial tile first with pl.fillpad")
    else:
        v = tile_d.InsertOp(src.value, dest.value, *offsets,
                            results=[dest.value.type], loc=cg.loc(stmt),
                            ip=cg.ip).result
        r = TileVal(v, dest.shape, dest.dtype)
    from .state import name_value
    name_value(r.value, target.value.id)
    cg.act.vars[target.value.id] = r
