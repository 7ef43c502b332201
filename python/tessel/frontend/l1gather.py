"""PyPTO's kernel-driven gather into L1: `pl.create_l1` and
`pl.gather_row` (docs/language.md, their rows in "Supported: tensors and
memory").

`pl.create_l1(shape, dtype)` is `pl.create_tile(shape, dtype,
target_memory=pl.MemorySpace.Mat)`: a zero-filled Mat tile (`tile.full`
marked `tile.memory = l1`; PyPTO leaves it undefined).

`pl.gather_row(acc, src, dst_offset, src_offset, shapes)` is built from
existing ops, each in Mat:

- the whole window: `tile.load` of `src[src_offset : src_offset + shapes]`
  into Mat, then `tile.insert` of it into `acc` at `dst_offset`;
- `valid_shape=[n, c]` with `n` known only at run time, or a destination
  row whose range the frontend does not know: an `scf.for` over
  the rows, each a `1 x c` `tile.load` inserted at `dst_offset + (i, 0)`,
  carrying the accumulator. The trip count is `min(n, rows(acc) -
  dst_row)`, so no row lands past the accumulator's end (PyPTO's would
  write past the L1 tile), nor before its first (a negative run-time
  row); a count <= 0 writes nothing. A compile-time
  `valid_shape` is the smaller window loaded and inserted whole;
- `transpose=True`: the window's `r` rows one by one (a loop when r > 1),
  each `1 x c` row
  loaded into Mat, `tile.reshape`d to `c x 1` (the same row-major bytes)
  and inserted as column `dst_col + i` of `acc`.

Each insert is placed on the accumulator's bytes where it dies
(tile-place-buffers' in-place rule), so the accumulator stays in one L1
buffer, loop-carried where the author carries it.
"""

from __future__ import annotations

import ast

from ..language.types import MemorySpace
from ..mlir import ir
from ..mlir.dialects import scf
from . import memories
from . import tile_ops as tile_d
from .tensor_ops import _plus
from .values import TileVal, describe, shape_str

Mat = MemorySpace.Mat


def create_l1(cg, node, a):
    """`pl.create_l1(shape, dtype, transpose=False)`: a zero-filled Mat
    tile. `transpose=True` asks PyPTO for the transposed (ZN) L1 layout
    that its transposing gather writes; Tessel chooses each buffer's layout
    itself (docs/placement.md), so the flag changes nothing."""
    from .builtins import full
    from .state import Arg, Args
    if not isinstance(a.transpose.value, bool):
        raise cg.error(a.transpose.node, "pl.create_l1(transpose=...) must "
                       "be True or False", found=describe(a.transpose.value))
    cg.require_core(node, "pl.create_l1")
    memories.check_scope_memory(cg, node, Mat, "pl.create_l1")
    shape = cg.shape_arg(a.shape, "pl.create_l1 shape")
    if len(shape) != 2:
        raise cg.error(a.shape.node, "pl.create_l1 makes a 2-D tile",
                       found=shape_str(shape))
    t = full(cg, node, Args({"shape": a.shape, "dtype": a.dtype,
                             "value": Arg(0, node)}))
    return memories.mark(cg, node, t.value.owner, t, Mat)


def _mat(cg, node, v, like: TileVal) -> TileVal:
    return TileVal(v, like.shape, like.dtype, Mat, like.memory_at)


def _bool(cg, arg, what):
    if not isinstance(arg.value, bool):
        raise cg.error(arg.node, f"{what} must be True or False (a "
                       "compile-time value)", found=describe(arg.value))
    return arg.value


def _load_row_window(cg, node, src, offsets, sizes):
    """A `sizes` window of the GM tensor `src` at `offsets`, loaded into
    Mat (bounds as pl.load: offsets read from data are clamped)."""
    from .builtins import _check_bounds
    offsets = list(offsets)
    _check_bounds(cg, src, offsets, sizes, node)
    t = cg.load_slice(src, offsets, sizes, node)
    return memories.mark(cg, node, t.value.owner, t, Mat)


def _insert_at(cg, node, acc: TileVal, part: TileVal, row, col) -> TileVal:
    """`acc` with `part` at (row, col); the caller proved the window."""
    if part.shape == acc.shape:
        return _mat(cg, node, part.value, acc)
    v = tile_d.InsertOp(part.value, acc.value, cg.index_value(row, node),
                        cg.index_value(col, node), results=[acc.value.type],
                        loc=cg.loc(node), ip=cg.ip).result
    return _mat(cg, node, v, acc)


def _check_window(cg, acc: TileVal, offsets, sizes, node, what):
    """The window `sizes` at `offsets` proved inside `acc`."""
    for d, (o, s) in enumerate(zip(offsets, sizes)):
        dim = acc.shape[d]
        lo, hi = cg.index_bounds(o)
        if lo is None or hi is None or lo < 0 or hi + s > dim:
            found = (f"{lo}..{hi} + {s} elements" if lo is not None and
                     hi is not None else f"an offset of unknown range + {s} "
                     f"elements")
            raise cg.error(node, f"pl.gather_row: {what} may leave "
                           f"dimension {d} of the accumulator "
                           f"{acc.describe()}", expected=f"within 0:{dim}",
                           found=found,
                           help="dst_offset must keep the written window "
                                "inside the accumulator for every value of "
                                "the indices it uses (bound it with pl.min / "
                                "pl.max, or pass valid_shape= with a "
                                "run-time row count)")


def _row_loop(cg, node, first, count, acc: TileVal, body,
              bounds) -> TileVal:
    """`acc = body(i, acc)` for i in first .. count - 1 (indices or ints;
    the rows they address lie in the accumulator) as an scf.for carrying
    the accumulator."""
    lb = cg.index_value(first, node)
    ub = cg.index_value(count, node)
    st = cg.index_value(1, node)
    op = scf.ForOp(lb, ub, st, [acc.value], loc=cg.loc(node), ip=cg.ip)
    block = op.body
    iv = cg.new_index(block.arguments[0], bounds=bounds)
    saved = cg.ip
    cg.ip = ir.InsertionPoint(block)
    cg.cse.append({})
    try:
        out = body(iv, _mat(cg, node, block.arguments[1], acc))
        scf.YieldOp([out.value], loc=cg.loc(node), ip=cg.ip)
    finally:
        cg.ip = saved
        cg.cse.pop()
    return _mat(cg, node, op.results[0], acc)


def gather_row(cg, node, a):
    """`pl.gather_row(acc, src, dst_offset, src_offset, shapes,
    transpose=False, *, valid_shape=None)`: `acc` with the GM window
    `src[src_offset : src_offset + shapes]` (its valid part) written at
    `dst_offset` (transposed with `transpose=True`)."""
    from .builtins import _gm_arg, _offsets
    from .values import PendingTile
    op = "pl.gather_row"
    if not isinstance(a.acc.value, (TileVal, PendingTile)):
        raise cg.error(a.acc.node, f"{op} writes into an L1 accumulator",
                       expected="a tile made by pl.create_l1",
                       found=describe(a.acc.value),
                       help="acc = pl.create_l1([rows, cols], dtype) inside "
                            "the scope, then acc = pl.gather_row(acc, ...)")
    acc = cg.as_tile(a.acc.value, a.acc.node, "the accumulator")
    # A tile named in another memory cannot be the accumulator (a loop or
    # an `if` carries the accumulator without its memory: None).
    if acc.memory not in (None, Mat) or memories._source_memory(acc) is \
            MemorySpace.Acc:
        raise cg.error(a.acc.node, f"{op} writes into an L1 (Mat) "
                       f"accumulator", expected="a tile made by pl.create_l1",
                       found=f"{acc.describe()} in "
                             f"{memories._source_memory(acc).name}",
                       help="acc = pl.create_l1([rows, cols], dtype) inside "
                            "the scope, then acc = pl.gather_row(acc, ...)")
    src = _gm_arg(cg, a.src, op)
    if len(src.shape) != 2:
        raise cg.error(a.src.node, f"{op} gathers rows of a 2-D GM tensor",
                       found=src.describe(),
                       help="pl.reshape it to [rows, cols] first")
    if src.dtype is not acc.dtype:
        raise cg.error(a.src.node, f"dtype mismatch in {op}",
                       expected=f"{acc.dtype.name} (the accumulator's)",
                       found=src.describe(),
                       help="gather from a tensor of the accumulator's dtype")
    shapes = tuple(cg.shape_arg(a.shapes, f"{op} shapes"))
    if len(shapes) != 2 or any(s < 1 for s in shapes):
        raise cg.error(a.shapes.node, f"{op} shapes is a 2-D window [rows, "
                       f"cols] of positive compile-time sizes",
                       found=repr(a.shapes.value))
    transpose = _bool(cg, a.transpose, f"{op} transpose")
    dst = _offsets(cg, a.dst_offset, 2)
    soff = _offsets(cg, a.src_offset, 2)
    cg.require_core(node, op)
    memories.check_scope_memory(cg, node, Mat, op)
    r, c = shapes
    if transpose:
        if a.valid_shape.value is not None:
            raise cg.error(a.valid_shape.node, f"{op}(transpose=True) takes "
                           "no valid_shape= (as in PyPTO)",
                           help="gather the rows one by one with "
                                "transpose=True, or gather without "
                                "transpose")
        # GM [r, c] lands as the [c, r] block at dst: row i of the window
        # is column dst_col + i.
        _check_window(cg, acc, dst, (c, r), a.dst_offset.node,
                      f"the transposed window {shape_str((c, r))}")
        def column(i, cur):
            row = _load_row_window(cg, node, src,
                                   [_plus(cg, soff[0], i, node), soff[1]],
                                   (1, c))
            col = tile_d.ReshapeOp(cg.tile_type((c, 1), acc.dtype),
                                   row.value, loc=cg.loc(node),
                                   ip=cg.ip).result
            return _insert_at(cg, node, cur, TileVal(col, (c, 1), acc.dtype),
                              dst[0], _plus(cg, dst[1], i, node))

        if r == 1:
            return column(0, acc)
        return _row_loop(cg, node, 0, r, acc, column, (0, r - 1))
    valid = None
    if a.valid_shape.value is not None:
        from . import validshape
        valid = validshape.check_extents(cg, a.valid_shape.node, shapes,
                                         list(a.valid_shape.value),
                                         f"{op} valid_shape")
        if valid is None:
            valid = shapes
    vr, vc = valid if valid is not None else shapes
    if not isinstance(vc, int):
        raise cg.error(a.valid_shape.node, f"{op}: a column count known "
                       f"only at run time is not supported",
                       expected=f"a compile-time column count (1..{c})",
                       found="a run-time index",
                       help="gather whole rows (the valid row count may be "
                            "a run-time value)")
    lo, hi = cg.index_bounds(dst[0])
    if isinstance(vr, int) and lo is not None and hi is not None:
        # The window's valid part, loaded and inserted whole.
        _check_window(cg, acc, dst, (vr, vc), a.dst_offset.node,
                      f"the window {shape_str((vr, vc))}")
        part = _load_row_window(cg, node, src, soff, (vr, vc))
        return _insert_at(cg, node, acc, part, dst[0], dst[1])
    # A run-time row count, or a destination row of unknown range: row by
    # row, only the rows that land inside the accumulator.
    _check_window(cg, acc, [0, dst[1]], (1, vc), a.dst_offset.node,
                  f"the window's columns {shape_str((vr, vc))[1:]}")
    if isinstance(dst[0], int) and dst[0] < 0:
        raise cg.error(a.dst_offset.node, f"{op}: the destination row is "
                       f"negative", expected="a row offset >= 0",
                       found=str(dst[0]))
    # Rows i with 0 <= dst_row + i < rows(acc) (and i < n): a run-time
    # destination row outside the accumulator writes nothing there.
    if isinstance(dst[0], int):
        first, room = 0, acc.shape[0] - dst[0]
    else:
        first = cg.index_minmax(False, [0, cg.binop(ast.Sub(), 0, dst[0],
                                                    node)], node)
        room = cg.binop(ast.Sub(), acc.shape[0], dst[0], node)
    count = cg.index_minmax(True, [vr, room], node)

    def body(i, cur):
        row = _load_row_window(cg, node, src,
                               [_plus(cg, soff[0], i, node), soff[1]],
                               (1, vc))
        return _insert_at(cg, node, cur, row, _plus(cg, dst[0], i, node),
                          dst[1])

    return _row_loop(cg, node, first, count, acc, body,
                     (0, room - 1) if isinstance(dst[0], int) else None)


L1_BUILTINS = {
    "create_l1": create_l1, "tensor.create_l1": create_l1,
    "gather_row": gather_row, "tensor.gather_row": gather_row,
}
