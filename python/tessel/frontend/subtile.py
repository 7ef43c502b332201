"""Tile subscripts: reading `t[a:b, c:d]` of a tile (`tile.extract`) and
assigning into one (`t[a:b, c:d] = s`, `tile.insert`, which tile-place-
buffers places on `t`'s bytes when `t` dies there, so only the window is
written). The window's size is a compile-time constant; its offsets may be
runtime indices whose range the frontend proves inside the tile.

PyPTO's function forms are the same ops: `pl.slice(t, shape, offset)` of a
tile is `t[r:r + m, c:c + n]` (`tile.extract`), and
`pl.tile.assemble(target, source, offset)` (or `pl.assemble` with a tile
target) is `target` with the window at `offset` replaced by `source`
(`tile.insert`; PTO-ISA's TINSERT), returned as a new tile value."""

from __future__ import annotations

import ast

from . import tile_ops as tile_d
from . import validshape
from ..language.types import AtomicType
from .values import PendingTile, TileVal, describe, shape_str


def slice_any(cg, node, a):
    """`pl.slice`: of a tile, a sub-tile; of a GM tensor, a load."""
    if isinstance(a.tensor.value, (TileVal, PendingTile)):
        return slice_tile(cg, node, a)
    from .builtins import slice_
    return slice_(cg, node, a)


def assemble_any(cg, node, a):
    """`pl.assemble`: into a tile, `pl.tile.assemble`; into a GM tensor, a
    store (frontend/index_ops.py)."""
    if isinstance(a.target.value, (TileVal, PendingTile)) and \
            a.atomic.value is AtomicType.None_:
        return assemble_tile(cg, node, a, "pl.assemble")
    from .index_ops import assemble
    return assemble(cg, node, a)





def _window(cg, t: TileVal, sl, node):
    """(offsets, sizes) of a subscript on the 2-D tile `t`, in bounds."""
    return _checked(cg, t, cg.slice_dims(t, sl, node))


def _checked(cg, t: TileVal, dims):
    """(offsets, sizes, raw offsets) of the window `dims` ([(offset, size,
    node)] per dimension) of the tile `t`, proved inside it."""
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


def _no_nd(cg, t, node, what):
    if isinstance(t, TileVal) and t.nd is not None:
        from .ndtile import _rank_error
        raise _rank_error(cg, node, what, t,
                          help_="subscripts take 2-D tiles: load each [M, N] "
                                "block as its own tile (x[b, :, :]), or "
                                "slice the tensor before loading")


def extract(cg, base, node) -> TileVal:
    _no_nd(cg, base, node, "a tile subscript")
    t = cg.as_tile(base, node.value, "the subscripted tile")
    return _extract(cg, t, _window(cg, t, node.slice, node), node)


def _extract(cg, t: TileVal, window, node) -> TileVal:
    offsets, sizes, raw = window
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


def _window_args(cg, t: TileVal, offset_arg, sizes, node):
    """The window of `pl.slice` / `pl.tile.assemble` on the tile `t`:
    `sizes` at the offsets of `offset_arg` ([row, col]), checked."""
    from .builtins import _offsets
    offsets = _offsets(cg, offset_arg, len(t.shape))
    if len(sizes) != len(t.shape):
        raise cg.error(node, f"the window must have {len(t.shape)} "
                       f"dimensions like {t.describe()}",
                       found=shape_str(sizes))
    return _checked(cg, t, [(o, s, offset_arg.node)
                            for o, s in zip(offsets, sizes)])


def slice_tile(cg, node, a) -> TileVal:
    """`pl.slice(t, shape, offset)` of a tile: `t[r:r + m, c:c + n]`."""
    t = cg.as_tile(a.tensor.value, a.tensor.node, "the sliced tile")
    sizes = cg.shape_arg(a.shape, "pl.slice shape")
    out = _extract(cg, t, _window_args(cg, t, a.offset, sizes, node), node)
    if a.valid_shape.value is None:
        return out
    # `valid_shape=` gives the window its valid region (as
    # pl.set_validshape of the slice does).
    from . import validshape
    valid = validshape.check_extents(cg, a.valid_shape.node, out.shape,
                                     list(a.valid_shape.value),
                                     "pl.slice valid_shape")
    return TileVal(out.value, out.shape, out.dtype, out.memory,
                   out.memory_at, valid)


def assemble_tile(cg, node, a, op="pl.tile.assemble") -> TileVal:
    """`pl.tile.assemble(target, source, offset)`: `target` with the window
    of `source`'s shape at `offset` replaced by `source` (a new value; the
    author rebinds it: `t = pl.tile.assemble(t, s, [r, c])`)."""
    target = a.target.value
    if not isinstance(target, (TileVal, PendingTile)):
        raise cg.error(a.target.node, f"{op} inserts into a tile",
                       found=describe(target),
                       help="to write a tile into a GM tensor use "
                            "pl.assemble or pl.store")
    if a.atomic.value is not AtomicType.None_:
        raise cg.error(a.atomic.node, f"{op} into a tile overwrites its "
                       "window: atomic= is for GM targets",
                       found=describe(a.atomic.value))
    dest = cg.as_tile(target, a.target.node, "the target tile")
    src = a.source.value
    if not isinstance(src, (TileVal, PendingTile)):
        raise cg.error(a.source.node, f"{op} inserts a tile",
                       found=describe(src))
    src = cg.as_tile(src, a.source.node, "the inserted tile")
    window = _window_args(cg, dest, a.offset, src.shape, node)
    return _insert(cg, dest, src, window, a.source.node, node,
                   "the target tile")


def _insert(cg, dest: TileVal, src: TileVal, window, value_node, node,
            dest_name: str, what: str = "a tile insert") -> TileVal:
    offsets, sizes, _ = window
    cg.require_core(node, "inserting into a tile")
    if src.dtype is not dest.dtype:
        raise cg.error(value_node, f"dtype mismatch in {what}",
                       expected=f"{dest.dtype.name} (the dtype of "
                       f"{dest_name})", found=src.describe(),
                       help="convert the value with pl.cast")
    if src.shape != sizes:
        raise cg.error(value_node, f"shape mismatch in {what}",
                       expected=f"{shape_str(sizes)} (the window)",
                       found=src.describe())
    if sizes == dest.shape:
        return src
    if validshape.is_partial(src) or validshape.is_partial(dest):
        t = src if validshape.is_partial(src) else dest
        raise cg.error(value_node, "inserting into a window of a tile needs "
                       "full tiles", found=t.describe(),
                       help="pad the partial tile first with pl.fillpad")
    v = tile_d.InsertOp(src.value, dest.value, *offsets,
                        results=[dest.value.type], loc=cg.loc(node),
                        ip=cg.ip).result
    return TileVal(v, dest.shape, dest.dtype)


def insert(cg, target: ast.Subscript, base, value, stmt) -> None:
    if not isinstance(target.value, ast.Name):
        raise cg.error(target.value, "only a tile variable can be assigned "
                       "into", expected="`name[a:b, c:d] = tile`",
                       found=ast.unparse(target.value))
    from .builtins import _is_scalar, full_tile
    value_node = getattr(stmt, "value", stmt)
    _no_nd(cg, base, target, "a tile subscript assignment")
    _no_nd(cg, value, value_node, "a tile subscript assignment")
    dest = cg.as_tile(base, target.value, "the assigned tile")
    offsets, sizes, _ = _window(cg, dest, target.slice, target)
    if _is_scalar(value):
        # `t[a:b, c:d] = 0.0`: a constant window (checked as pl.full).
        value = full_tile(cg, value_node, sizes, dest.dtype, value,
                          value_node)
    if not isinstance(value, (TileVal, PendingTile)):
        raise cg.error(value_node, "a tile subscript is assigned a tile or a "
                       "number", found=describe(value))
    src = cg.as_tile(value, value_node, "the assigned value")
    r = _insert(cg, dest, src, (offsets, sizes, None), value_node, stmt,
                f"'{target.value.id}'", "a tile subscript assignment")
    from .state import name_value
    name_value(r.value, target.value.id)
    cg.act.vars[target.value.id] = r


SUBTILE_BUILTINS = {
    "slice": slice_any,
    "assemble": assemble_any,
    "tile.assemble": assemble_tile,
}
