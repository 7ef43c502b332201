"""Tiles of rank >= 3: N-D loads, stores, elementwise ops and batch matmul.

The `tile` dialect's tiles are 2-D. A tile of logical shape
[d0, ..., dk, M, N] (PyPTO's N-D tiles: `pl.load(x, [0, 0, 0], [B, M, N])`)
is carried as the 2-D tile [d0 * ... * dk * M, N], its leading dimensions
folded into rows; the frontend value (`TileVal.nd`) keeps the logical
shape. Row block i (rows i * M .. i * M + M - 1) is the [M, N] matrix at
the i-th index of the leading dimensions in row-major order.

- Ops that act on each row alone (elementwise, unary, scalar forms, casts,
  compares, row reductions, row broadcasts with an [..., M, 1] operand)
  work unchanged on the folded tile; the result's logical shape is the
  operands' leading dimensions and the result's columns
  ([B, M, N] -> row_sum -> [B, M, 1]).
- A load of an N-D window is one `tile.load` per row block (each a
  rank-reducing [M, N] load, the `parts`), plus the folded tile: one
  `tile.load` of a 2-D view of the tensor ([prod(leading), N], a
  collapse / expand of the memref) when the window is contiguous in its
  rows, else the blocks inserted into a tile (`tile.insert`). Each consumer
  takes the form it needs; the frontend erases the loads and inserts no op
  uses once the kernel is built (`erase_unused`).
- A store writes the folded tile through the same 2-D view when the window
  is contiguous in rows, else one `tile.store` per row block.
- `pl.batch_matmul(a, b)` ([..., M, K] x [..., K, N], the batch dimensions
  broadcast as numpy does, a 2-D operand or a batch of 1 shared by every
  batch) is one `tile.matmul` per batch on the blocks (`pl.batch_matmul_acc`
  one `tile.matmul_acc` per batch into the accumulator's blocks);
  `pl.matmul` / `pl.matmul_acc` / `@` with an N-D operand are the same.
  Each batch's operands go to L0A / L0B on their own, so the capacity
  checks are per batch ([M, K], [K, N], [M, N]).
- Anything else given an N-D tile is a CompileError naming the op and the
  rank (a transpose of non-last axes, a column reduction across batches,
  a subscript, a reshape, ...).
"""

from __future__ import annotations

import ast
import itertools
import math

from ..mlir import ir
from . import tile_ops as tile_d
from .state import Arg, Args
from .values import (GmTensor, PendingTile, TileVal, TransposedView, describe,
                     shape_str)


# ---------------------------------------------------------------------------
# Shapes and values
# ---------------------------------------------------------------------------

def fold(shape) -> tuple:
    """The 2-D tile an N-D shape is carried as: [d0, ..., M, N] ->
    [d0 * ... * M, N]."""
    return (math.prod(shape[:-1]), shape[-1])


def is_nd(v) -> bool:
    return isinstance(v, TileVal) and v.nd is not None


def blocks(nd) -> int:
    """The number of [M, N] row blocks of a tile of logical shape `nd`."""
    return math.prod(nd[:-2])


def flat(t: TileVal) -> TileVal:
    """The folded 2-D tile of `t`, as a plain 2-D value."""
    return TileVal(t.value, t.shape, t.dtype, t.memory, t.memory_at)


def make(folded: TileVal, nd, parts=None, from_parts=False) -> TileVal:
    nd = tuple(nd)
    assert fold(nd) == tuple(folded.shape)
    return TileVal(folded.value, folded.shape, folded.dtype, folded.memory,
                   folded.memory_at, nd=nd,
                   parts=tuple(parts) if parts is not None else None,
                   from_parts=from_parts)


def _speculative(cg, value) -> None:
    """Record the op defining `value` as one the frontend built in case a
    consumer needs it; erase_unused erases it if nothing does."""
    owner = value.owner
    if isinstance(owner, ir.Block):
        return
    ops = cg.__dict__.setdefault("nd_speculative", [])
    ops.append(owner.operation if hasattr(owner, "operation") else owner)


def erase_unused(cg) -> None:
    """Erase the speculative ops (row-block loads and extracts, folded
    tiles assembled from blocks) that no op uses, until none is left."""
    ops = cg.__dict__.get("nd_speculative", [])
    alive = list(ops)
    changed = True
    while changed:
        changed = False
        keep = []
        for op in reversed(alive):
            if all(not any(True for _ in r.uses) for r in op.results):
                op.erase()
                changed = True
            else:
                keep.append(op)
        alive = list(reversed(keep))
    cg.__dict__["nd_speculative"] = []


def _rank_error(cg, node, op, t: TileVal, what="", help_=None):
    return cg.error(node, f"{op} does not take a tile of rank {len(t.nd)} "
                    f"{what}".rstrip(),
                    found=t.describe(),
                    help=help_ or "N-D tiles take elementwise, unary and "
                    "scalar ops, casts, row reductions and row broadcasts, "
                    "loads, stores and batch matmuls (docs/language.md, "
                    "\"N-D tiles\"); slice the tensor into 2-D tiles for "
                    "anything else")


def parts_of(cg, t: TileVal, node) -> list:
    """The [M, N] row blocks of the N-D tile `t`: its producer's, or
    extracted from the folded tile (`tile.extract`)."""
    if t.parts is not None:
        return list(t.parts)
    m, n = t.nd[-2:]
    out = []
    for i in range(blocks(t.nd)):
        v = tile_d.ExtractOp(cg.tile_type((m, n), t.dtype), t.value,
                             cg.const_index(i * m, node),
                             cg.const_index(0, node),
                             loc=cg.loc(node), ip=cg.ip).result
        _speculative(cg, v)
        out.append(TileVal(v, (m, n), t.dtype, t.memory, t.memory_at))
    return out


def assemble(cg, parts, lead, node, memory=None) -> TileVal:
    """The N-D tile of logical shape lead + [M, N] whose row blocks are
    `parts`: a tile.full with each block inserted (speculative)."""
    m, n = parts[0].shape
    nd = tuple(lead) + (m, n)
    shape = fold(nd)
    dtype = parts[0].dtype
    zero = (ir.FloatAttr.get(cg.elt_type(dtype), 0.0) if dtype.is_float
            else ir.IntegerAttr.get(cg.elt_type(dtype), 0))
    cur = tile_d.FullOp(cg.tile_type(shape, dtype), zero, loc=cg.loc(node),
                        ip=cg.ip).result
    _speculative(cg, cur)
    for i, p in enumerate(parts):
        cur = tile_d.InsertOp(p.value, cur, cg.const_index(i * m, node),
                              cg.const_index(0, node),
                              results=[cur.type], loc=cg.loc(node),
                              ip=cg.ip).result
        _speculative(cg, cur)
    memory = memory if memory is not None else parts[0].memory
    folded = TileVal(cur, shape, dtype, memory, parts[0].memory_at)
    return make(folded, nd, parts, from_parts=True)


def _block_indices(lead):
    """Multi-indices over the leading dimensions `lead`, row-major."""
    return itertools.product(*(range(d) for d in lead))


# ---------------------------------------------------------------------------
# GM windows: loads and stores
# ---------------------------------------------------------------------------

def _plus(cg, a, b, node):
    if isinstance(a, int) and isinstance(b, int):
        return a + b
    return cg.binop(ast.Add(), a, b, node)


def _times(cg, a, k: int, node):
    if isinstance(a, int):
        return a * k
    return cg.binop(ast.Mult(), a, k, node)


def _row_view(cg, base: GmTensor, offsets, sizes, node):
    """(2-D view, [row, col]) of the window `offsets + sizes` of `base`
    when it is one run of rows of the memref viewed as
    [prod(leading dims), last dim]; None otherwise."""
    mshape = list(ir.MemRefType(base.value.type).shape)
    rank = len(mshape)
    if rank < 3 or len(sizes) != rank:
        return None
    root = cg.in_root(base, offsets, node, sizes)
    first = next((d for d in range(rank - 1) if sizes[d] > 1), rank - 1)
    if any(sizes[d] != mshape[d] for d in range(first + 1, rank - 1)):
        return None
    row = 0
    for d in range(rank - 1):
        stride = math.prod(mshape[d + 1:rank - 1])
        row = _plus(cg, row, _times(cg, root[d], stride, node), node)
    from .builtins import reshape_view
    whole = GmTensor(base.value, tuple(mshape), base.dtype, base.name,
                     base.writable, "view", base.origin or base.name,
                     root=base.base)
    # The view is made at function level, before the scope (the race and
    # bounds checks follow reshapes of kernel tensors made there).
    saved = cg.ip
    cg.ip = _function_level_ip(cg)
    try:
        view = reshape_view(cg, node, whole,
                            (math.prod(mshape[:-1]), mshape[-1]))
    finally:
        cg.ip = saved
    # The collapse / expand of the memref go with the access using them.
    v = view.value
    while not isinstance(v.owner, ir.Block) and \
            v.owner.name in ("memref.expand_shape", "memref.collapse_shape"):
        _speculative(cg, v)
        v = v.owner.operands[0]
    return view, [row, root[-1]]


def _function_level_ip(cg):
    """An insertion point in the function body just before the op (the
    scope's tile.spmd) that holds the current insertion point."""
    op = cg.ip.block.owner
    top = None
    while op is not None and op.name != "func.func":
        top = op
        op = op.parent
    return ir.InsertionPoint(top) if top is not None else cg.ip


def _block_offsets(cg, offsets, lead_rank, idx, node):
    return [_plus(cg, o, i, node) if d < lead_rank else o
            for d, (o, i) in enumerate(zip(offsets,
                                           list(idx) + [0] * 2))]


def load(cg, base: GmTensor, offsets, sizes, node, valid=None) -> TileVal:
    """A load of an N-D window (`sizes` has more than one [M, N] block)."""
    rank = len(sizes)
    if valid is not None:
        raise cg.error(node, f"valid_shape= on a load of a rank-{rank} "
                       f"window is not supported yet",
                       found=f"window {shape_str(sizes)} of "
                             f"{base.describe()}",
                       help="load full windows (or 2-D slices with "
                            "valid_shape=)")
    if base.valid is not None:
        raise cg.error(node, f"a rank-{rank} load from '{base.name}', a view "
                       f"with a run-time extent, is not supported",
                       help="slice the tensor it views instead")
    m, n = sizes[-2:]
    parts = []
    for idx in _block_indices(sizes[:-2]):
        offs = _block_offsets(cg, offsets, rank - 2, idx, node)
        p = cg.load_slice(base, offs, [1] * (rank - 2) + [m, n], node)
        _speculative(cg, p.value)
        parts.append(p)
    rows = _row_view(cg, base, offsets, sizes, node)
    if rows is None:
        return assemble(cg, parts, sizes[:-2], node)
    view, at = rows
    folded = cg.load_slice(view, at, [math.prod(sizes[:-1]), n], node)
    _speculative(cg, folded.value)
    return make(folded, sizes, parts)


def mark(cg, node, t: TileVal, memory):
    """pl.load(target_memory=...) of an N-D window: every load op it made
    (the blocks and the folded one) carries the memory."""
    from . import memories
    for p in (t.parts or ()):
        memories.mark(cg, node, p.value.owner, p, memory)
    owner = t.value.owner
    if getattr(owner, "name", "") == "tile.load":
        memories.mark(cg, node, owner, t, memory)
    else:
        t.memory, t.memory_at = memory, (cg.filename, node)
    return t


def _squeeze(shape) -> tuple:
    """`shape` without its leading 1s."""
    shape = list(shape)
    while len(shape) > 2 and shape[0] == 1:
        shape.pop(0)
    return tuple(shape)


def store(cg, base: GmTensor, offsets, sizes, t: TileVal, node, value_node,
          atomic=False):
    """`base[offsets + sizes] = t` for an N-D tile `t`."""
    rank = len(base.shape)
    nd = t.nd
    if sizes is None:
        if rank < len(_squeeze(nd)):
            raise cg.error(node, f"a tile of rank {len(nd)} is stored into a "
                           f"tensor of rank {rank}",
                           expected=f"a tensor of rank {len(nd)} or more",
                           found=f"{t.describe()} into {base.describe()}")
        sizes = [1] * (rank - len(nd)) + list(nd) if rank >= len(nd) else \
            list(_squeeze(nd))
    sizes = list(sizes)
    if _squeeze(sizes) != _squeeze(nd) or len(sizes) < len(_squeeze(nd)):
        raise cg.error(node, f"stored tile does not fit the slice of "
                       f"'{base.name}'",
                       expected=f"tile {shape_str(_squeeze(sizes))} (the "
                                f"slice shape)", found=t.describe())
    if len(sizes) != rank:
        raise cg.error(node, f"expected {rank} offsets and sizes for "
                       f"{base.describe()}", found=shape_str(sizes))
    if t.dtype is not base.dtype:
        raise cg.error(node, f"dtype mismatch storing into '{base.name}'",
                       expected=f"{base.dtype.name} (the tensor's dtype)",
                       found=f"{t.dtype.name} tile",
                       help=f"convert it first: pl.cast(t, target_type="
                            f"pl.{base.dtype.name}, mode=...)")
    m, n = sizes[-2:]
    rows = None if t.from_parts else _row_view(cg, base, offsets, sizes, node)
    if rows is not None:
        view, at = rows
        return cg.store_tile(view, at, [math.prod(sizes[:-1]), n], flat(t),
                             node, value_node, atomic)
    parts = parts_of(cg, t, node)
    for p, idx in zip(parts, _block_indices(sizes[:-2])):
        offs = _block_offsets(cg, offsets, rank - 2, idx, node)
        cg.store_tile(base, offs, [1] * (rank - 2) + [m, n], p, node,
                      value_node, atomic)


def store_builtin(cg, node, a):
    """pl.store(tile, offsets, output, shapes=None) of an N-D tile."""
    from .builtins import _check_bounds, _gm_arg, _offsets
    base = _gm_arg(cg, a.output_tensor, "pl.store")
    t = a.tile.value
    rank = len(base.shape)
    if a.shapes.value is not None and \
            _squeeze(cg.shape_arg(a.shapes, "shapes")) != _squeeze(t.nd):
        raise cg.error(a.shapes.node, f"pl.store(shapes=...) of a rank-"
                       f"{len(t.nd)} tile must be its shape (partial N-D "
                       f"stores are not supported yet)",
                       expected=shape_str(t.nd),
                       found=repr(a.shapes.value))
    offsets = _offsets(cg, a.offsets, rank)
    sizes = [1] * (rank - len(t.nd)) + list(t.nd) if rank >= len(t.nd) \
        else None
    if sizes is None:
        return store(cg, base, offsets, None, t, node, a.tile.node)
    _check_bounds(cg, base, offsets, sizes, node)
    store(cg, base, offsets, sizes, t, node, a.tile.node)
    return base


# ---------------------------------------------------------------------------
# Ops on N-D tiles
# ---------------------------------------------------------------------------

#: Builtins whose result row i is computed from the operands' rows i: they
#: work on the folded tile (or block by block) unchanged.
_ROW_OPS_EXTRA = {
    "cast", "maximums", "minimums", "fmods", "rems", "relu", "lrelu", "log",
    "tile.rem", "tile.rems", "tile.relu", "tile.lrelu", "tile.maximums",
    "tile.minimums", "ands", "ors", "xors", "shls", "shrs", "expands",
    "cmps", "tile.cmp", "tile.cmps", "sel", "sels", "tile.sel", "tile.sels",
    "tile.prelu", "fillpad", "tile.fillpad", "concat", "tile.concat",
    "tensor.concat",
}
_ROW_OPS = None


def _row_ops() -> set:
    global _ROW_OPS
    if _ROW_OPS is None:
        from . import optable
        from .broadcast import BROADCAST_BUILTINS
        names = {d.name for d in optable.OPS
                 if d.family in ("binary", "unary", "row_reduce", "compare")
                 or (d.family == "arg_reduce" and d.axis == "row")
                 or (d.family == "expand" and d.broadcast == "row")}
        names |= {k for k in BROADCAST_BUILTINS if k.startswith("row_")}
        names |= _ROW_OPS_EXTRA
        _ROW_OPS = names
    return _ROW_OPS


_MATMULS = {"matmul": False, "tile.matmul": False, "matmul_acc": True,
            "tile.matmul_acc": True}
_BATCH = {"batch_matmul": False, "tile.batch_matmul": False,
          "batch_matmul_acc": True, "tile.batch_matmul_acc": True}
_CREATE = {"full", "tile.full", "create_tile", "tile.create_tile",
           "tile.create"}
_STORES = {"store", "tile.store"}
_MOVES = {"move", "tile.move"}


def _with(a: Args, repl: dict) -> Args:
    """A copy of the bound arguments with some values replaced."""
    out = {}
    for k, arg in vars(a).items():
        if isinstance(arg, Arg):
            out[k] = Arg(repl[k] if k in repl else arg.value, arg.node)
        else:
            out[k] = arg
    return Args(out)


def _nd_args(a: Args) -> list:
    return [(k, arg) for k, arg in vars(a).items()
            if isinstance(arg, Arg) and (is_nd(arg.value) or (
                isinstance(arg.value, TransposedView) and
                is_nd(arg.value.tile)))]


def _nd_shape_arg(a: Args):
    """The shape argument of a creation builtin when it has rank >= 3."""
    arg = getattr(a, "shape", None)
    if isinstance(arg, Arg) and isinstance(arg.value, (list, tuple)) and \
            len(arg.value) >= 3:
        return arg
    return None


def dispatch(cg, name, node, a):
    """The N-D form of builtin `name`, or NotImplemented when the call has
    no N-D operand (nor an N-D shape, nor is a batch matmul)."""
    for arg in vars(a).values():
        # A pl.create_tensor of rank >= 3 made in the scope: its N-D tile.
        if isinstance(arg, Arg) and isinstance(arg.value, PendingTile) and \
                len(arg.value.shape) > 2:
            arg.value = cg.as_tile(arg.value, arg.node, "an operand")
    if name in _BATCH:
        return batch_matmul(cg, node, a, _BATCH[name], f"pl.{name}")
    if name in _CREATE and _nd_shape_arg(a) is not None:
        return create(cg, name, node, a)
    nd = _nd_args(a)
    if not nd:
        return NotImplemented
    if name in _MATMULS:
        return batch_matmul(cg, node, a, _MATMULS[name], f"pl.{name}")
    if name in _STORES:
        return store_builtin(cg, node, a)
    if name in _MOVES:
        return move(cg, name, node, a)
    if name == "tile.transpose_view":
        t = a.tile.value
        cg.builtins[name](cg, node, _with(a, {"tile": flat(t)}))
        return TransposedView(t, node)
    if name in ("assemble", "tensor.assemble") and \
            isinstance(a.target.value, GmTensor) and \
            getattr(a.source, "value", None) is not None and \
            is_nd(a.source.value):
        return assemble_gm(cg, node, a)
    if name in _row_ops():
        return row_op(cg, name, node, a, nd)
    k, arg = nd[0]
    t = arg.value.tile if isinstance(arg.value, TransposedView) else arg.value
    raise _rank_error(cg, arg.node, f"pl.{name}", t)


def assemble_gm(cg, node, a):
    """pl.assemble(out, t, offsets) of an N-D tile into a GM tensor."""
    from .builtins import _check_bounds, _offsets
    from ..language.types import AtomicType
    base, t = a.target.value, a.source.value
    atomic = a.atomic.value
    if not isinstance(atomic, AtomicType):
        raise cg.error(a.atomic.node, "pl.assemble(atomic=...) takes a "
                       "pl.AtomicType", found=describe(atomic))
    rank = len(base.shape)
    offsets = _offsets(cg, a.offset, rank)
    if rank < len(t.nd):
        return store(cg, base, offsets, None, t, node, a.source.node)
    sizes = [1] * (rank - len(t.nd)) + list(t.nd)
    _check_bounds(cg, base, offsets, sizes, node)
    store(cg, base, offsets, sizes, t, node, a.source.node,
          atomic is AtomicType.Add)
    return base


def create(cg, name, node, a):
    """pl.full / pl.create_tile of an N-D shape: the folded tile and each
    row block made the same way (whichever the consumers use is kept)."""
    shape_arg = _nd_shape_arg(a)
    nd = tuple(cg.shape_arg(shape_arg, "shape"))
    impl = cg.builtins[name]
    folded = impl(cg, node, _with(a, {"shape": list(fold(nd))}))
    parts = [impl(cg, node, _with(a, {"shape": list(nd[-2:])}))
             for _ in range(blocks(nd))]
    _speculative(cg, folded.value)
    for p in parts:
        _speculative(cg, p.value)
    return make(folded, nd, parts)


def move(cg, name, node, a):
    """pl.move of an N-D tile: each row block moves (and is checked
    against the target memory's capacity) on its own."""
    t = a.tile.value
    impl = cg.builtins[name]
    parts = [impl(cg, node, _with(a, {"tile": p}))
             for p in parts_of(cg, t, node)]
    memory = parts[0].memory
    folded = TileVal(t.value, t.shape, t.dtype, memory, parts[0].memory_at)
    return make(folded, t.nd, parts, from_parts=t.from_parts)


def row_op(cg, name, node, a, nd):
    """A row-wise op on N-D tiles: on the folded tiles, or block by block
    when an operand was assembled from blocks."""
    first = max((arg.value for _, arg in nd), key=lambda t: len(t.nd))
    lead = first.nd[:-1]
    for k, arg in nd:
        # Leading dimensions of 1 are no dimensions ([1, 2, 8, N] and
        # [2, 8, N] have the same rows).
        if _squeeze(arg.value.nd[:-1] + (0,)) != _squeeze(lead + (0,)):
            raise cg.error(arg.node, f"shape mismatch in pl.{name}",
                           expected=f"a tile {shape_str(lead + ('*',))} "
                                    f"(the leading dimensions of "
                                    f"{first.describe()})",
                           found=arg.value.describe(),
                           help="N-D operands of one op have the same "
                                "leading dimensions (no broadcast across "
                                "them)")
    names = {k for k, _ in nd}
    for k, arg in vars(a).items():
        v = getattr(arg, "value", None) if isinstance(arg, Arg) else None
        if k not in names and isinstance(v, (TileVal, PendingTile)):
            raise cg.error(arg.node, f"pl.{name} mixes a tile of rank "
                           f"{len(first.nd)} with a 2-D tile",
                           expected=f"a tile {shape_str(lead + ('*',))}",
                           found=describe(v),
                           help="give both operands the same rank (load the "
                                "2-D operand as an N-D window, or slice the "
                                "N-D one)")
    from . import validshape
    if not any(arg.value.from_parts for _, arg in nd):
        r = validshape.dispatch(cg, name, node,
                                _with(a, {k: flat(arg.value)
                                          for k, arg in nd}))
        return _wrap(cg, name, node, r, lead, first)
    blocks_of = {k: parts_of(cg, arg.value, node) for k, arg in nd}
    outs = []
    for i in range(blocks(first.nd)):
        r = validshape.dispatch(cg, name, node,
                                _with(a, {k: blocks_of[k][i] for k in names}))
        if not isinstance(r, TileVal) or r.shape[0] != lead[-1]:
            raise _rank_error(cg, node, f"pl.{name}", first,
                              "(it does not act on each row alone)")
        outs.append(r)
    return assemble(cg, outs, lead[:-1], node)


def _wrap(cg, name, node, r, lead, first):
    if not isinstance(r, TileVal) or r.shape[0] != math.prod(lead):
        raise _rank_error(cg, node, f"pl.{name}", first,
                          "(it does not act on each row alone)")
    return make(r, tuple(lead) + (r.shape[1],))


# ---------------------------------------------------------------------------
# Batch matmul
# ---------------------------------------------------------------------------

def _operand(cg, arg, what, op):
    """(blocks, batch shape, transposed view?) of a matmul operand."""
    v = arg.value
    view = isinstance(v, TransposedView)
    t = v.tile if view else v
    if isinstance(t, (PendingTile,)) or not isinstance(t, TileVal):
        t = cg.as_tile(t, arg.node, what)
    if t.nd is None:
        parts = [t]
        batch = ()
    else:
        parts = parts_of(cg, t, arg.node)
        batch = tuple(t.nd[:-2])
    if view:
        parts = [TransposedView(p, v.node) for p in parts]
    return parts, batch, t


def _broadcast(cg, node, op, shapes_args):
    """The broadcast batch shape of the operands' batch shapes (numpy's
    rule: aligned from the right, a dimension of 1 or a missing one takes
    the other's)."""
    out = []
    rank = max(len(s) for s, _, _ in shapes_args)
    for d in range(rank):
        size = 1
        for s, arg, t in shapes_args:
            k = d - (rank - len(s))
            if k < 0 or s[k] == 1:
                continue
            if size not in (1, s[k]):
                a0 = shapes_args[0]
                raise cg.error(arg.node, f"{op} batch dimensions do not "
                               f"broadcast",
                               expected=f"batch dimension {d} of size "
                                        f"{size} or 1 (lhs "
                                        f"{a0[2].describe()})",
                               found=t.describe(),
                               help="batch dimensions are equal, or 1 in "
                                    "one operand (shared by every batch)")
            size = s[k]
        out.append(size)
    return tuple(out)


def _flat_index(idx, shape, rank):
    """The block index of the batch multi-index `idx` (the broadcast
    batch shape's, rank `rank`) in an operand of batch shape `shape`."""
    k = 0
    lead = rank - len(shape)
    for d, size in enumerate(shape):
        i = idx[lead + d] if size != 1 else 0
        k = k * size + i
    return k


def batch_matmul(cg, node, a, acc: bool, op: str):
    """[..., M, K] x [..., K, N] per batch (see the module docstring)."""
    from . import builtins as bi
    cg.require_core(node, op, "cube")
    at = bt = False
    if hasattr(a, "a_trans"):
        at, bt = bi._flags(cg, a)
    if hasattr(a, "c_matrix_nz"):
        bi._check_c_matrix_nz(cg, a)
    lparts, lb, lt = _operand(cg, a.lhs, "lhs", op)
    rparts, rb, rt = _operand(cg, a.rhs, "rhs", op)
    ops = [(lb, a.lhs, lt), (rb, a.rhs, rt)]
    if acc:
        aparts, ab, atile = _operand(cg, a.acc, "acc", op)
        if isinstance(a.acc.value, TransposedView):
            raise cg.error(a.acc.node, f"{op} accumulator cannot be a "
                           f"transpose view", found=describe(a.acc.value))
    batch = _broadcast(cg, node, op, ops)
    if acc and ab != batch:
        raise cg.error(a.acc.node, f"{op} accumulator does not match the "
                       f"product's batch", expected=f"batch dimensions "
                       f"{shape_str(batch)} (of lhs and rhs broadcast)",
                       found=atile.describe(),
                       help="the accumulator is not broadcast: give it the "
                            "batch dimensions of the product")
    out_dtype = getattr(a, "out_dtype", None)
    results = []
    for idx in _block_indices(batch):
        lp = lparts[_flat_index(idx, lb, len(batch))]
        rp = rparts[_flat_index(idx, rb, len(batch))]
        la, ra = Arg(lp, a.lhs.node), Arg(rp, a.rhs.node)
        if acc:
            ap = aparts[_flat_index(idx, ab, len(batch))]
            r = bi._acc_impl(cg, node, Args({"acc": Arg(ap, a.acc.node),
                                             "lhs": la, "rhs": ra}),
                             at, bt, op)
        else:
            r = bi.matmul_impl(cg, node, la, ra, out_dtype, at, bt, op)
        results.append(r)
    if not batch:
        return results[0]
    return assemble(cg, results, batch, node)


# ---------------------------------------------------------------------------
# Tensor level: pl.matmul of GM tensors with batch dimensions
# ---------------------------------------------------------------------------

def _batch_of(v) -> tuple:
    """The batch dimensions of a tensor-level matmul operand (a GM tensor
    of rank >= 3: all but its last two; () for anything else)."""
    if isinstance(v, GmTensor) and len(v.shape) >= 3:
        return tuple(v.shape[:-2])
    return ()


def is_batched_matmul(name, a) -> bool:
    """A tensor-level pl.matmul whose GM operands have a batch of more
    than one matrix."""
    if name != "matmul":
        return False
    return any(math.prod(_batch_of(getattr(a, p).value)) > 1
               for p in ("lhs", "rhs"))


def _batch_view(cg, t: GmTensor, idx, batch, node) -> GmTensor:
    """The [M, K] matrix of `t` at the batch multi-index `idx` (of the
    broadcast batch shape `batch`), as a view of `t`."""
    shape = _batch_of(t)
    if not shape:
        return t
    lead = len(batch) - len(shape)
    dims = [(idx[lead + d] if s != 1 else 0, 1) for d, s in enumerate(shape)]
    dims += [(0, t.shape[-2]), (0, t.shape[-1])]
    saved, cg.assign_hint = cg.assign_hint, f"{t.name}_batch"
    try:
        return cg.view_of(t, dims, node)
    finally:
        cg.assign_hint = saved


def tensor_matmul(cg, name, node, a):
    """pl.matmul of GM tensors [..., M, K] x [..., K, N] with batches: a
    tensor-level result of one 2-D tensor-level matmul per batch (the
    batch dimensions broadcast as for pl.batch_matmul), computed where it
    is stored."""
    from . import tensor_ops
    from .values import TensorExpr
    ops = []
    for p in ("lhs", "rhs"):
        arg = getattr(a, p)
        v = arg.value
        if isinstance(v, TensorExpr) and v.op == "bmm":
            raise cg.error(arg.node, f"pl.{name} of a batched tensor-level "
                           f"result is not supported yet",
                           found=v.describe(),
                           help="store it into a GM tensor first")
        if not isinstance(v, GmTensor) and not _batch_of(v):
            if isinstance(v, TileVal) and v.nd is not None:
                raise cg.error(arg.node, f"pl.{name} mixes a batched GM "
                               f"tensor with an N-D tile",
                               found=v.describe(),
                               help="load the GM operand as an N-D tile "
                                    "too (pl.batch_matmul of tiles)")
        ops.append((_batch_of(v), arg, v))
    batch = _broadcast(cg, node, f"pl.{name}", [
        (s, arg, v) for s, arg, v in ops])
    exprs = []
    for idx in _block_indices(batch):
        views = {p: _batch_view(cg, v, idx, batch, arg.node)
                 if isinstance(v, GmTensor) else v
                 for p, (_, arg, v) in zip(("lhs", "rhs"), ops)}
        exprs.append(tensor_ops.call(cg, name, node,
                                     tensor_ops._with(a, views)))
    first = exprs[0]
    return TensorExpr("bmm", node, a, tuple(exprs),
                      tuple(batch) + tuple(first.shape), first.dtype,
                      scope=cg.scope)


def tensor_store(cg, base: GmTensor, offsets, sizes, e, node, value_node,
                 atomic=False):
    """Store a batched tensor-level matmul: each batch's result into its
    [M, N] matrix of the window."""
    from . import tensor_ops
    rank = len(base.shape)
    if _squeeze(sizes) != _squeeze(e.shape) or rank < len(_squeeze(e.shape)):
        raise cg.error(node, f"the result does not fit the slice of "
                       f"'{base.name}'",
                       expected=f"{shape_str(_squeeze(sizes))} (the slice "
                                f"shape)", found=e.describe())
    m, n = e.shape[-2:]
    for sub, idx in zip(e.operands, _block_indices(sizes[:-2])):
        offs = _block_offsets(cg, offsets, rank - 2, idx, node)
        tensor_ops.store(cg, base, offs, [1] * (rank - 2) + [m, n], sub,
                         node, value_node, atomic)


def tensor_as_tile(cg, e, node, what) -> TileVal:
    """A batched tensor-level matmul where a tile is needed: each batch's
    result as one tile, the N-D tile of them."""
    from . import tensor_ops
    parts = [tensor_ops.as_tile(cg, sub, node, what) for sub in e.operands]
    return assemble(cg, parts, e.shape[:-2], node)


# ---------------------------------------------------------------------------
# Loops: an N-D tile carried block by block
# ---------------------------------------------------------------------------

class Blocks:
    """The prototype of a loop-carried N-D tile whose row blocks are
    carried one iter_arg each (so a batch accumulator stays one [M, N]
    tile per batch, as the NPU back end needs, instead of a folded tile
    the loop body splits and reassembles)."""

    def __init__(self, t: TileVal, node):
        self.nd, self.dtype, self.node = t.nd, t.dtype, node
        self.memory, self.memory_at = t.memory, t.memory_at
        self.count = blocks(t.nd)

    def describe(self) -> str:
        return f"tile {list(self.nd)} {self.dtype.name}"


def carry_init(cg, t: TileVal, node):
    """(the blocks' SSA values, Blocks prototype) of an N-D tile carried
    by a loop, or None to carry the folded tile (no blocks to carry)."""
    if t.parts is None:
        return None
    return tuple(p.value for p in t.parts), Blocks(t, node)


def from_blocks(cg, proto: Blocks, values) -> TileVal:
    """The N-D tile whose blocks are the loop's `values`."""
    m, n = proto.nd[-2:]
    parts = [TileVal(v, (m, n), proto.dtype, proto.memory, proto.memory_at)
             for v in values]
    return assemble(cg, parts, proto.nd[:-2], proto.node)


def yield_blocks(cg, name, v, proto: Blocks, where) -> tuple:
    """The blocks' SSA values of the carried N-D tile `v` at the end of
    the loop body."""
    if not is_nd(v) or _squeeze(v.nd) != _squeeze(proto.nd) or \
            v.dtype is not proto.dtype:
        raise cg.error(where, f"loop-carried '{name}' changes type in the "
                       f"loop", expected=f"{proto.describe()} (its type "
                       f"before the loop)", found=describe(v))
    return tuple(p.value for p in parts_of(cg, v, where))
