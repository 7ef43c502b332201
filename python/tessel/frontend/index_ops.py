"""The frontend of the ops that move elements by index
(language/index_ops.py, dialects/tile/TileIndexOps.td): the index forms of
`pl.gather` / `pl.scatter` (tile.gather_index / tile.scatter_index),
`pl.sort32` (tile.sort32), `pl.mrgsort` (tile.mrgsort, tile.mrgsort_lists)
and `pl.assemble` (a tile.store, `atomic_add` for `pl.AtomicType.Add`).
"""

from __future__ import annotations

import ast

from ..language.types import FP16, FP32, INT32, UINT32, AtomicType
from ..mlir import ir
from . import builtins as _b
from . import tile_ops as tile_d
from .builtins import _tile
from .values import GmTensor, PendingTile, TileVal, describe, shape_str


def _index_tile(cg, arg, op):
    t = _tile(cg, arg, "index")
    if t.dtype is not INT32:
        raise cg.error(arg.node, f"the index of {op} holds INT32 column "
                       "indices", expected="an INT32 tile",
                       found=t.describe(),
                       help="convert it with pl.cast(idx, target_type="
                            "pl.INT32)")
    return t


def _last_dim(cg, arg, op):
    dim = arg.value
    if isinstance(dim, bool) or dim not in (-1, 1):
        raise cg.error(arg.node, f"{op} works along the last dimension only",
                       expected="dim=-1 (or 1)", found=describe(dim))


def gather(cg, node, a, op="pl.gather"):
    """`pl.gather`: the index form (dim, index) or the mask form."""
    index_form = a.dim.value is not None or a.index.value is not None
    if a.kvalue.value is not None or a.cmp_mode.value is not None or \
            a.out_cols.value is not None:
        raise cg.error(node, f"the compare form of {op} (kvalue=, cmp_mode=, "
                       "out_cols=) is not supported yet",
                       help="use the index form (dim=-1, index=idx) or the "
                            "mask form (mask_pattern=...)")
    if not index_form:
        return _b.gather(cg, node, a, op)
    if a.mask_pattern.value is not None or a.output_dtype.value is not None:
        raise cg.error(node, f"{op}: the index form (dim, index) and the mask "
                       "form (mask_pattern=, output_dtype=) do not mix")
    if a.dim.value is None or a.index.value is None:
        raise cg.error(node, f"the index form of {op} needs both dim and "
                       "index", expected="dim=-1, index=idx")
    _last_dim(cg, a.dim, op)
    cg.require_core(node, op, "vector")
    t = _tile(cg, a.input, "input")
    idx = _index_tile(cg, a.index, op)
    if idx.shape[0] != t.shape[0]:
        raise cg.error(a.index.node, f"the index of {op} needs a row per "
                       "input row", expected=f"[{t.shape[0]}, K]",
                       found=idx.describe())
    v = tile_d.GatherIndexOp(cg.tile_type(idx.shape, t.dtype), t.value,
                             idx.value, loc=cg.loc(node), ip=cg.ip).result
    return TileVal(v, idx.shape, t.dtype)


def scatter(cg, node, a, op="pl.scatter"):
    """`pl.scatter`: the index form (dim, index, src) or the mask form."""
    if a.mask_pattern.value is not None or a.dst.value is not None:
        if a.dim.value is not None or a.index.value is not None or \
                a.src.value is not None:
            raise cg.error(node, f"{op}: the index form (dim, index, src) and "
                           "the mask form (mask_pattern=, dst=) do not mix")
        return _b.scatter(cg, node, a, op)
    if a.dim.value is None or a.index.value is None or a.src.value is None:
        raise cg.error(node, f"the index form of {op} needs dim, index and "
                       "src", expected="pl.scatter(input, -1, idx, src)")
    _last_dim(cg, a.dim, op)
    cg.require_core(node, op, "vector")
    dst = _tile(cg, a.input, "input")
    idx = _index_tile(cg, a.index, op)
    src = _tile(cg, a.src, "src")
    if src.dtype is not dst.dtype:
        raise cg.error(a.src.node, f"dtype mismatch in {op}",
                       expected=f"{dst.dtype.name} (the dtype of input)",
                       found=f"{src.dtype.name} (src)")
    if idx.shape != src.shape or src.shape[0] != dst.shape[0]:
        raise cg.error(a.index.node, f"{op} takes an index of src's shape, "
                       "with a row per input row",
                       expected=f"index and src [{dst.shape[0]}, K]",
                       found=f"index {shape_str(idx.shape)}, src "
                             f"{shape_str(src.shape)}")
    v = tile_d.ScatterIndexOp(src.value, idx.value, dst.value,
                              results=[dst.value.type], loc=cg.loc(node),
                              ip=cg.ip).result
    return TileVal(v, dst.shape, dst.dtype)


def sort32(cg, node, a, op="pl.sort32"):
    cg.require_core(node, op, "vector")
    src = _tile(cg, a.src, "src")
    idx = _tile(cg, a.idx, "idx")
    if src.dtype not in (FP16, FP32):
        raise cg.error(a.src.node, f"{op} sorts FP16 or FP32 values",
                       expected="an FP16 or FP32 tile", found=src.describe(),
                       help="pl.cast the values to pl.FP32")
    if idx.dtype is not UINT32:
        raise cg.error(a.idx.node, f"the indices of {op} are UINT32",
                       expected="a UINT32 tile, e.g. pl.arange(0, [1, N], "
                                "dtype=pl.UINT32)", found=idx.describe())
    m, c = src.shape
    if c % 32:
        raise cg.error(a.src.node, f"{op} sorts whole blocks of 32 columns",
                       expected="a column count that is a multiple of 32",
                       found=src.describe())
    if idx.shape not in ((m, c), (1, c)):
        raise cg.error(a.idx.node, f"the indices of {op} have src's shape, "
                       "or one row for every row",
                       expected=f"[{m}, {c}] or [1, {c}]",
                       found=idx.describe())
    # An 8-byte (value, index) pair: 2 FP32 or 4 FP16 elements.
    shape = (m, 8 // src.dtype.bytes * c)
    v = tile_d.Sort32Op(cg.tile_type(shape, src.dtype), src.value, idx.value,
                        loc=cg.loc(node), ip=cg.ip).result
    return TileVal(v, shape, src.dtype)


def _pair_list(cg, arg, op, what):
    t = _tile(cg, arg, what)
    if t.dtype not in (FP16, FP32) or t.shape[0] != 1 or \
            t.shape[1] % (8 // t.dtype.bytes):
        raise cg.error(arg.node, f"{op} merges one-row FP16 / FP32 tiles of "
                       "(value, index) pairs (the result of pl.sort32)",
                       expected="an FP32 tile [1, 2n] or an FP16 tile "
                                "[1, 4n]", found=t.describe())
    return t


def mrgsort(cg, node, a, op="pl.mrgsort"):
    cg.require_core(node, op, "vector")
    others = [x for x in (a.src1, a.src2, a.src3) if x.value is not None]
    if a.block_len.value is not None:
        if others or a.exhausted.value:
            raise cg.error(node, f"{op}(src, block_len=...) merges runs of one "
                           "tile: it takes no src1..src3 and no exhausted=")
        t = _pair_list(cg, a.src0, op, "src0")
        n = a.block_len.value
        if isinstance(n, bool) or not isinstance(n, int) or n <= 0 or n % 64:
            raise cg.error(a.block_len.node, "block_len must be a positive "
                           "multiple of 64 (columns: 32 FP32 or 16 FP16 "
                           "pairs per 64)", found=describe(n))
        cols = t.shape[1]
        if cols % (4 * n) or cols // (4 * n) > 255:
            raise cg.error(a.block_len.node, f"{op} merges groups of 4 runs "
                           f"of {n} columns", expected=f"a column count that "
                           f"is a multiple of {4 * n} (at most 255 groups)",
                           found=t.describe())
        attr = ir.IntegerAttr.get(ir.IntegerType.get_signless(64), n)
        v = tile_d.MrgSortOp(t.value, attr, results=[t.value.type],
                             loc=cg.loc(node), ip=cg.ip).result
        return TileVal(v, t.shape, t.dtype)
    if not others:
        raise cg.error(node, f"{op} needs block_len= (one tile of runs) or 2 "
                       "to 4 sorted tiles", expected="pl.mrgsort(s, "
                       "block_len=64) or pl.mrgsort(a, b)")
    if a.exhausted.value:
        raise cg.error(a.exhausted.node, f"{op}(exhausted=True) (stop at the "
                       "first exhausted list) is not supported yet",
                       help="merge the whole lists (exhausted=False) and "
                            "slice the leading columns")
    if a.src1.value is None or (a.src3.value is not None and
                                a.src2.value is None):
        raise cg.error(node, f"{op} takes the lists in order: src0, src1, "
                       "then src2 and src3")
    args = [x for x in (a.src0, a.src1, a.src2, a.src3) if x.value is not None]
    lists = [_pair_list(cg, x, op, f"src{i}") for i, x in enumerate(args)]
    for x, t in zip(args, lists):
        if t.dtype is not lists[0].dtype:
            raise cg.error(x.node, f"dtype mismatch in {op}",
                           expected=f"{lists[0].dtype.name} (the dtype of "
                                    "src0)", found=t.describe())
    shape = (1, sum(t.shape[1] for t in lists))
    v = tile_d.MrgSortListsOp(cg.tile_type(shape, lists[0].dtype),
                              [t.value for t in lists], loc=cg.loc(node),
                              ip=cg.ip).result
    return TileVal(v, shape, lists[0].dtype)


#: pto-isa's TSTORE AtomicAdd destination dtypes (of Tessel's tile dtypes).
_ATOMIC_DTYPES = ("FP32", "FP16", "BF16", "INT32", "INT8")


def assemble(cg, node, a, op="pl.assemble"):
    """`target[offset...] = source`, or `+=` atomically; returns target."""
    target = a.target.value
    if not isinstance(target, GmTensor):
        raise cg.error(a.target.node, f"{op} writes into a GM tensor (a "
                       "kernel output or pl.create_tensor)",
                       found=describe(target),
                       help="write into a tile with a subscript: "
                            "t[a:b, c:d] = tile")
    atomic = a.atomic.value
    if not isinstance(atomic, AtomicType):
        raise cg.error(a.atomic.node, f"{op}(atomic=...) takes a "
                       "pl.AtomicType", expected="pl.AtomicType.None_ or "
                       "pl.AtomicType.Add", found=describe(atomic))
    src = a.source.value
    if isinstance(src, GmTensor):
        if atomic is not AtomicType.None_:
            raise cg.error(a.atomic.node, f"{op} of a GM tensor into a GM "
                           f"tensor is a copy: atomic= is not supported",
                           help="load the source as a tile and assemble the "
                                "tile atomically")
        copy_gm(cg, node, target, src, _b._offsets(cg, a.offset,
                                                    len(target.shape)),
                a.source.node)
        return target
    if not isinstance(src, (TileVal, PendingTile)):
        raise cg.error(a.source.node, f"{op} stores a tile",
                       found=describe(src))
    rank = len(target.shape)
    offsets = _b._offsets(cg, a.offset, rank)
    shape = src.shape
    sizes = [shape[1]] if rank == 1 else [1] * (rank - 2) + list(shape)
    # A partial tile stores (or atomically adds) its valid region only (the
    # window may run past the tensor).
    valid = getattr(src, "valid", None)
    if valid is not None:
        valid = [valid[1]] if rank == 1 else [1] * (rank - 2) + list(valid)
    _b._check_bounds_valid(cg, target, offsets, sizes, valid, node)
    if atomic is AtomicType.Add and target.dtype.name not in _ATOMIC_DTYPES:
        raise cg.error(node, f"{op}(atomic=pl.AtomicType.Add) into a "
                       f"{target.dtype.name} tensor: the atomic store adds "
                       f"{', '.join(_ATOMIC_DTYPES)} only",
                       found=target.describe())
    cg.store_tile(target, offsets, sizes, src, node, a.source.node,
                  atomic=atomic is AtomicType.Add)
    return target


def copy_gm(cg, node, target: GmTensor, src: GmTensor, offsets,
            src_node) -> None:
    """`pl.assemble(target, src, offsets)` of two GM tensors: the copy of
    `src` into the window of `target` at `offsets` (PyPTO's tensor-level
    assemble). Outside the core scopes it is a vector scope of its own, its
    blocks each moving a tile of at most FILL_TILE_BYTES (rows of the
    source, or column chunks of one row); inside a core scope, one tile.load
    of the whole source and its store (placement checks that it fits)."""
    rank = len(target.shape)
    if len(src.shape) not in (rank, 2) or len(src.shape) > rank or \
            any(d != 1 for d in src.shape[:-2]):
        raise cg.error(src_node, "a GM tensor assembled into a GM tensor "
                       "must be 2-D (leading dimensions of 1), of at most the "
                       "target's rank", found=src.describe(),
                       expected=f"rank <= {rank}")
    shape = tuple(src.shape[-2:]) if len(src.shape) >= 2 else (1, src.shape[0])
    sizes = [shape[1]] if rank == 1 else [1] * (rank - 2) + list(shape)
    _b._check_bounds_valid(cg, target, offsets, sizes, None, node)
    src2 = src if len(src.shape) == 2 else \
        _b.reshape_view(cg, node, src, shape)

    def move(r0, c0, rows, cols):
        tile = cg.load_slice(src2, [r0, c0], [rows, cols], node)
        lead = list(offsets[:-2]) if rank >= 2 else []
        row_off = cg.binop(ast.Add(), offsets[-2], r0, node) if rank >= 2 \
            else None
        col_off = cg.binop(ast.Add(), offsets[-1], c0, node)
        at = lead + ([row_off] if rank >= 2 else []) + [col_off]
        window = [cols] if rank == 1 else [1] * (rank - 2) + [rows, cols]
        cg.store_tile(target, at, window, tile, node, src_node)

    def whole():
        move(0, 0, shape[0], shape[1])

    if cg.scope.kind == "at":
        whole()
        return
    limit = max(1, _b.FILL_TILE_BYTES // src.dtype.bytes)
    cols = shape[1] if shape[1] <= limit else \
        _b._largest_divisor(shape[1], limit)
    per_block = _b._largest_divisor(shape[0], max(1, limit // cols))
    col_chunks = shape[1] // cols
    blocks = (shape[0] // per_block) * col_chunks
    holder = {}

    def body():
        b = holder["b"]
        r = cg.binop(ast.FloorDiv(), b, col_chunks, node) \
            if col_chunks > 1 else b
        c = cg.binop(ast.Mod(), b, col_chunks, node) if col_chunks > 1 else 0
        move(cg.binop(ast.Mult(), r, per_block, node),
             cg.binop(ast.Mult(), c, cols, node), per_block, cols)

    if cg.scope.kind == "spmd":
        cg.make_at(node, "vector", whole)
        return
    cg.make_spmd(node, blocks, f"{target.name}_assemble",
                 lambda b: holder.__setitem__("b", b),
                 lambda: cg.make_at(node, "vector", body))


def _spelled(fn, name, spaces):
    """`name` and its `pl.<space>.<name>` spellings, each reporting its own
    spelling in errors."""
    table = {name: fn}
    for space in spaces:
        table[f"{space}.{name}"] = (
            lambda cg, node, a, op=f"pl.{space}.{name}": fn(cg, node, a, op))
    return table


INDEX_BUILTINS = {
    **_spelled(gather, "gather", ("tensor", "tile")),
    **_spelled(scatter, "scatter", ("tensor", "tile")),
    **_spelled(sort32, "sort32", ("tensor", "tile")),
    **_spelled(mrgsort, "mrgsort", ("tensor", "tile")),
    **_spelled(assemble, "assemble", ("tensor",)),
}
