"""PyPTO's indexed gathers and scatters between GM and tiles, built as
loops of existing tile ops (docs/language.md):

- `pl.mgather(mem, idx, coalesce="row" / "elem", gather_oob=...)` (Vec
  output): row mode, `out[i, :] = mem[idx[i], :]` for a [1, R] / [R, 1]
  index tile, a loop of one-row `tile.load`s at the index and `tile.insert`s
  into the result; element mode, `out[i, j] = flat(mem)[idx[i, j]]`, a loop
  of 1 x 1 loads and inserts.
- `pl.mscatter(src, idx, out)`: `flat(out)[idx[i, j]] = src[i, j]`, a loop
  of 1 x 1 `tile.extract`s and stores, in row-major order (a later write
  to one element wins).
- `pl.scatter_update(input, dim, index, src)`: `input[index[k], :] =
  src[k, :]` (2-D, or PyPTO's 4-D paged-cache form), a loop of row loads
  and stores.
- `pl.paged_gather(src, indices, block_table, block_size, size,
  max_indices)`: rows of a paged pool, `phys = block_table[idx //
  block_size] * block_size + idx % block_size`, loaded into a Vec or Mat
  tile.

Indices are read from tiles (`tile.get`) inside the loops; an index is
never used unchecked: an INT32 index is read as PyPTO's hardware reads it,
unsigned (-1 is 4294967295), and what an index outside the tensor does is
the op's documented policy (`gather_oob` for mgather: `clamp` (also the
meaning Tessel gives PyPTO's `undefined`), `wrap`, `zero`; the scatters
and paged_gather skip such an index: nothing is written, a gathered row
stays zero). No access leaves its tensor.
"""

from __future__ import annotations

import ast
import math

from ..language.types import INT32, INT64, MemorySpace
from ..mlir import ir
from ..mlir.dialects import arith, scf
from . import memories
from . import tile_ops as tile_d
from .builtins import full_tile
from .values import GmTensor, IndexVal, PendingTile, TileVal, describe, \
    shape_str

#: PyPTO's gather_oob spellings (and their integer codes).
OOB_MODES = ("undefined", "clamp", "wrap", "zero")


# ---------------------------------------------------------------------------
# Loops, branches and indices
# ---------------------------------------------------------------------------

def _like(t: TileVal, v) -> TileVal:
    return TileVal(v, t.shape, t.dtype, t.memory, t.memory_at)


def _in_region(cg, block, fn):
    saved = cg.ip
    cg.ip = ir.InsertionPoint(block)
    cg.cse.append({})
    try:
        return fn()
    finally:
        cg.ip = saved
        cg.cse.pop()


def loop(cg, node, count, carried: list, body) -> list:
    """`carried = body(i, carried)` for i in 0 .. count - 1 (`count` an int
    or a runtime index) as an scf.for carrying the tiles."""
    _, hi = cg.index_bounds(count)
    op = scf.ForOp(cg.index_value(0, node), cg.index_value(count, node),
                   cg.index_value(1, node), [t.value for t in carried],
                   loc=cg.loc(node), ip=cg.ip)
    i = cg.new_index(op.body.arguments[0],
                     bounds=(0, hi - 1) if hi is not None else None)

    def inner():
        cur = [_like(t, v) for t, v in zip(carried, op.body.arguments[1:])]
        out = body(i, cur)
        scf.YieldOp([t.value for t in out], loc=cg.loc(node), ip=cg.ip)
    _in_region(cg, op.body, inner)
    return [_like(t, v) for t, v in zip(carried, op.results)]


def when(cg, node, cond, carried: list, then) -> list:
    """`then(carried)` where the i1 `cond` holds, `carried` unchanged
    elsewhere (an scf.if)."""
    op = scf.IfOp(cond, [t.value.type for t in carried],
                  has_else=bool(carried), loc=cg.loc(node), ip=cg.ip)

    def then_body():
        out = then(carried)
        scf.YieldOp([t.value for t in out], loc=cg.loc(node), ip=cg.ip)
    _in_region(cg, op.then_block, then_body)
    if carried:
        _in_region(cg, op.else_block, lambda: scf.YieldOp(
            [t.value for t in carried], loc=cg.loc(node), ip=cg.ip))
    return [_like(t, v) for t, v in zip(carried, op.results)]


def element(cg, node, t: TileVal, row, col):
    """Element (row, col) of the integer tile `t` as an i64: an INT32
    element zero-extended (unsigned, PyPTO's reading of an index), an
    INT64 one as it is."""
    from .scalars import _get
    s = _get(cg, t, row, col, node)
    if s.dtype is INT64:
        return s.value
    return arith.ExtUIOp(ir.IntegerType.get_signless(64), s.value,
                         loc=cg.loc(node), ip=cg.ip).result


def _i64(cg, node, value: int):
    i64 = ir.IntegerType.get_signless(64)
    return arith.ConstantOp(i64, ir.IntegerAttr.get(i64, value),
                            loc=cg.loc(node), ip=cg.ip).result


def in_range(cg, node, u, n: int):
    """i1: 0 <= u < n for the i64 `u` (unsigned compare: a negative INT64
    is out of range too)."""
    return arith.CmpIOp(arith.CmpIPredicate.ult, u, _i64(cg, node, n),
                        loc=cg.loc(node), ip=cg.ip).result


def to_index(cg, node, u, n: int, wrap: bool = False) -> IndexVal:
    """The i64 `u` as an index in [0, n): clamped (unsigned min with n - 1),
    or `wrap`ped (unsigned remainder)."""
    return coords(cg, node, u, (n,), wrap)[0]


def coords(cg, node, u, shape, wrap: bool = False) -> list:
    """The i64 flat row-major position `u` (clamped into the tensor, or
    `wrap`ped) as one index per dimension of `shape`, each with its
    range."""
    loc, ip = cg.loc(node), cg.ip
    n = math.prod(shape)
    if wrap:
        v = arith.RemUIOp(u, _i64(cg, node, n), loc=loc, ip=ip).result
    else:
        v = arith.MinUIOp(u, _i64(cg, node, n - 1), loc=loc, ip=ip).result
    out = []
    for d in reversed(range(len(shape))):
        if d == 0:
            part = v
        else:
            size = _i64(cg, node, shape[d])
            part = arith.RemUIOp(v, size, loc=loc, ip=ip).result
            v = arith.DivUIOp(v, size, loc=loc, ip=ip).result
        part = arith.IndexCastOp(ir.IndexType.get(), part, loc=loc,
                                 ip=ip).result
        # Already in [0, size); the signed clamp (which changes nothing)
        # states the range in the form the race and bounds check reads.
        part = arith.MaxSIOp(part, cg.const_index(0, node), loc=loc,
                             ip=ip).result
        part = arith.MinSIOp(part, cg.const_index(shape[d] - 1, node),
                             loc=loc, ip=ip).result
        out.append(cg.new_index(part, bounds=(0, shape[d] - 1)))
    return out[::-1]


def _insert(cg, node, part: TileVal, into: TileVal, row, col) -> TileVal:
    v = tile_d.InsertOp(part.value, into.value, cg.index_value(row, node),
                        cg.index_value(col, node), results=[into.value.type],
                        loc=cg.loc(node), ip=cg.ip).result
    return _like(into, v)


# ---------------------------------------------------------------------------
# Argument checks
# ---------------------------------------------------------------------------

def _gm(cg, arg, op, what):
    v = arg.value
    if not isinstance(v, GmTensor):
        raise cg.error(arg.node, f"{op} takes a GM tensor as {what}",
                       expected="a GM tensor (a kernel parameter or "
                                "pl.create_tensor)", found=describe(v))
    return v


def _index_tile(cg, arg, op, what, dtypes=(INT32,)) -> TileVal:
    v = arg.value
    kind = f"an {' or '.join(d.name for d in dtypes)} tile"
    if isinstance(v, GmTensor):
        raise cg.error(arg.node, f"{op} takes its {what} as a tile",
                       expected=kind, found=describe(v),
                       help=f"load it first: pl.load({v.name}, [0, 0], "
                            f"[rows, cols])")
    if not isinstance(v, (TileVal, PendingTile)):
        raise cg.error(arg.node, f"{op} takes its {what} as a tile",
                       expected=kind, found=describe(v))
    t = cg.as_tile(v, arg.node, what)
    if t.dtype not in dtypes:
        raise cg.error(arg.node, f"{op} {what} must be "
                       f"{' or '.join(d.name for d in dtypes)}",
                       found=t.describe(),
                       help="convert with pl.cast")
    return t


def _valid(t: TileVal):
    from .validshape import full_valid
    return full_valid(t)


def load_row(cg, node, t: GmTensor, u, wrap=False, cols=None,
             col_off=0) -> TileVal:
    """Row `u` (an i64, clamped or wrapped into the tensor's rows: every
    dimension but the last) of the GM tensor `t` as a [1, cols] tile from
    column `col_off`."""
    cols = t.shape[-1] if cols is None else cols
    if len(t.shape) == 1:
        return cg.load_slice(t, [col_off], [cols], node)
    lead = coords(cg, node, u, t.shape[:-1], wrap)
    return cg.load_slice(t, [*lead, col_off],
                         [1] * (len(t.shape) - 1) + [cols], node)


def row_count(t: GmTensor) -> int:
    return math.prod(t.shape[:-1])


def element_slice(cg, node, t: GmTensor, u, wrap=False):
    """(offsets, sizes) of the element at flat position `u` of `t`."""
    return coords(cg, node, u, t.shape, wrap), [1] * len(t.shape)


# ---------------------------------------------------------------------------
# pl.mgather
# ---------------------------------------------------------------------------

def _oob(cg, arg, op) -> str:
    v = arg.value
    if isinstance(v, int) and not isinstance(v, bool) and \
            0 <= v < len(OOB_MODES):
        return OOB_MODES[v]
    if v not in OOB_MODES:
        raise cg.error(arg.node, f"{op} gather_oob must be one of "
                       f"{', '.join(repr(m) for m in OOB_MODES)} (or 0..3)",
                       found=describe(v) if not isinstance(v, str)
                       else repr(v))
    return v


def mgather(op):
    def impl(cg, node, a):
        coalesce = a.coalesce.value
        coalesce = {0: "row", 1: "elem"}.get(coalesce, coalesce) \
            if not isinstance(coalesce, bool) else coalesce
        if coalesce not in ("row", "elem"):
            raise cg.error(a.coalesce.node, f"{op} coalesce must be 'row' "
                           f"or 'elem' (0 or 1)",
                           found=describe(a.coalesce.value))
        mode = _oob(cg, a.gather_oob, op)
        if a.target_memory.value not in (MemorySpace.Vec, None):
            raise cg.error(a.target_memory.node, f"{op} into "
                           f"{describe(a.target_memory.value)} is not "
                           f"supported yet", expected="pl.MemorySpace.Vec",
                           help="gather into Vec, or build an L1 tile "
                                "with pl.gather_row")
        for arg, name in ((a.scratch, "scratch"),
                          (a.valid_shape, "valid_shape")):
            if arg.value is not None:
                raise cg.error(arg.node, f"{op}({name}=...) belongs to the "
                               f"Mat form, which is not supported yet",
                               found=describe(arg.value))
        mem = _gm(cg, a.mem, op, "mem")
        idx = _index_tile(cg, a.idx, op, "idx")
        cg.require_core(node, op, "vector")
        if coalesce == "row":
            return _mgather_rows(cg, node, a, op, mem, idx, mode)
        return _mgather_elems(cg, node, op, mem, idx, mode)
    return impl


def _mgather_rows(cg, node, a, op, mem, idx, mode):
    if len(mem.shape) < 2:
        raise cg.error(a.mem.node, f"{op}(coalesce='row') gathers rows of "
                       f"a tensor of rank 2 or more", found=mem.describe())
    if 1 not in idx.shape:
        raise cg.error(a.idx.node, f"{op}(coalesce='row') takes a [1, R] "
                       f"or [R, 1] index tile", found=idx.describe())
    along = 1 if idx.shape[0] == 1 else 0
    count = idx.shape[along]
    vcount = _valid(idx)[along]
    rows, cols = row_count(mem), mem.shape[-1]
    out = full_tile(cg, node, (count, cols), mem.dtype, 0, node)

    def body(i, cur):
        u = element(cg, node, idx, 0 if along else i, i if along else 0)

        def gather(cur):
            row = load_row(cg, node, mem, u, wrap=mode == "wrap")
            return [_insert(cg, node, row, cur[0], i, 0)]
        if mode == "zero":
            return when(cg, node, in_range(cg, node, u, rows), cur, gather)
        return gather(cur)
    (res,) = loop(cg, node, vcount, [out], body)
    valid = None if isinstance(vcount, int) and vcount == count else \
        (vcount, cols)
    return TileVal(res.value, res.shape, res.dtype, valid=valid)


def _mgather_elems(cg, node, op, mem, idx, mode):
    from .scalars import _get, _set
    total = math.prod(mem.shape)
    out = full_tile(cg, node, idx.shape, mem.dtype, 0, node)
    vr, vc = _valid(idx)

    def row(i, cur):
        def col(j, cur):
            u = element(cg, node, idx, i, j)
            offsets, sizes = element_slice(cg, node, mem, u,
                                           wrap=mode == "wrap")
            one = cg.load_slice(mem, offsets, sizes, node)
            v = _get(cg, one, 0, 0, node).value
            if mode == "zero":
                # The (clamped) element where the index is inside mem,
                # else 0: a scalar select, no branch.
                zero = cg.const_scalar(0, mem.dtype, node)
                v = arith.SelectOp(in_range(cg, node, u, total), v, zero,
                                   loc=cg.loc(node), ip=cg.ip).result
            return [_like(cur[0], _set(cg, cur[0], i, j, v, node))]
        return loop(cg, node, vc, cur, col)
    (res,) = loop(cg, node, vr, [out], row)
    return TileVal(res.value, res.shape, res.dtype, valid=idx.valid)


# ---------------------------------------------------------------------------
# pl.mscatter
# ---------------------------------------------------------------------------

def mscatter(op):
    def impl(cg, node, a):
        src = a.src.value
        if not isinstance(src, (TileVal, PendingTile)):
            raise cg.error(a.src.node, f"{op} scatters a tile",
                           expected="a tile", found=describe(src))
        src = cg.as_tile(src, a.src.node, "src")
        idx = _index_tile(cg, a.idx, op, "idx")
        out = _gm(cg, a.output_tensor, op, "output_tensor")
        if idx.shape != src.shape:
            raise cg.error(a.idx.node, f"{op} takes one index per element "
                           f"of src", expected=f"an INT32 tile "
                                               f"{shape_str(src.shape)}",
                           found=idx.describe())
        if out.dtype is not src.dtype:
            raise cg.error(a.output_tensor.node, f"dtype mismatch in {op}",
                           expected=f"a {src.dtype.name} tensor (the dtype "
                                    f"of src)", found=out.describe(),
                           help="convert src with pl.cast")
        cg.require_core(node, op, "vector")
        total = math.prod(out.shape)
        from .scalars import _get, _set
        base = full_tile(cg, node, (1, 1), src.dtype, 0, node)
        from .validshape import _intersect
        valid = _intersect(cg, node, TileVal(src.value, src.shape,
                                             src.dtype), [src, idx]) \
            or src.shape

        def row(i, cur):
            def col(j, cur):
                u = element(cg, node, idx, i, j)

                def put(cur):
                    offsets, sizes = element_slice(cg, node, out, u)
                    v = _get(cg, src, i, j, node).value
                    one = _set(cg, base, 0, 0, v, node)
                    cg.store_tile(out, offsets, sizes,
                                  TileVal(one, (1, 1), src.dtype), node,
                                  node)
                    return cur
                return when(cg, node, in_range(cg, node, u, total), cur,
                            put)
            return loop(cg, node, valid[1], cur, col)
        loop(cg, node, valid[0], [], row)
        return out
    return impl


# ---------------------------------------------------------------------------
# pl.scatter_update
# ---------------------------------------------------------------------------

def _scatter_update_args(cg, node, a, op):
    """(dim Arg-value, index Arg, src Arg) of PyPTO's three call forms."""
    from .state import Arg
    pos = list(a.args) if isinstance(a.args, tuple) else []
    dim, index, src = a.dim, a.index, a.src
    if len(pos) == 3:
        dim, index, src = pos
    elif len(pos) == 2:
        index, src = pos
    elif len(pos) == 1:
        dim = pos[0]
    elif pos:
        raise cg.error(node, f"{op} takes (input, dim, index, src)",
                       found=f"{len(pos) + 1} positional arguments")
    if dim.value is None:
        dim = Arg(-2, node)
    for arg, what in ((index, "index"), (src, "src")):
        if arg.value is None:
            raise cg.error(node, f"{op} needs {what}",
                           expected="pl.scatter_update(input, dim, index, "
                                    "src)")
    return dim, index, src


def scatter_update(op):
    def impl(cg, node, a):
        dim, index_arg, src_arg = _scatter_update_args(cg, node, a, op)
        inp = _gm(cg, a.input, op, "input")
        rank = len(inp.shape)
        if rank not in (2, 4):
            raise cg.error(a.input.node, f"{op} takes a 2-D [rows, d] or "
                           f"4-D [blocks, block_size, 1, d] input",
                           found=inp.describe())
        if dim.value not in (-2, rank - 2):
            raise cg.error(dim.node, f"{op} updates rows: dim must be -2",
                           found=describe(dim.value))
        src = _gm(cg, src_arg, op, "src")
        index = index_arg.value
        if isinstance(index, GmTensor):
            if len(index.shape) != 2:
                raise cg.error(index_arg.node, f"{op} index is [b, s]",
                               found=index.describe())
            if index.dtype not in (INT32, INT64):
                raise cg.error(index_arg.node, f"{op} index must be INT32 "
                               f"or INT64", found=index.describe())
            cg.require_core(node, op, "vector")
            index = cg.load_slice(index, [0, 0], list(index.shape),
                                  index_arg.node)
        else:
            index = _index_tile(cg, index_arg, op, "index", (INT32, INT64))
            if index.valid is not None:
                raise cg.error(index_arg.node, f"{op} takes a full index "
                               f"tile", found=index.describe(),
                               help="pass the valid part: a subscript "
                                    "index[0:b, 0:s]")
        cg.require_core(node, op, "vector")
        b, s = index.shape
        d = inp.shape[-1]
        want = (b * s, d) if rank == 2 else (b, s, 1, d)
        if tuple(src.shape) != want:
            raise cg.error(src_arg.node, f"{op} src holds one row of "
                           f"{d} per index", expected=f"src "
                                                      f"{shape_str(want)}",
                           found=src.describe())
        if src.dtype is not inp.dtype:
            raise cg.error(src_arg.node, f"dtype mismatch in {op}",
                           expected=f"{inp.dtype.name} (the dtype of input)",
                           found=src.describe())
        rows = row_count(inp)

        def row(i, cur):
            def col(j, cur):
                u = element(cg, node, index, i, j)
                k = cg.index_binop(ast.Add(), cg.index_binop(
                    ast.Mult(), i, s, node), j, node)

                def put(cur):
                    if rank == 2:
                        t = cg.load_slice(src, [k, 0], [1, d], node)
                    else:
                        t = cg.load_slice(src, [i, j, 0, 0], [1, 1, 1, d],
                                          node)
                    lead = coords(cg, node, u, inp.shape[:-1])
                    cg.store_tile(inp, [*lead, 0],
                                  [1] * (rank - 1) + [d], t, node, node)
                    return cur
                return when(cg, node, in_range(cg, node, u, rows), cur, put)
            return loop(cg, node, s, cur, col)
        loop(cg, node, b, [], row)
        return inp
    return impl


# ---------------------------------------------------------------------------
# pl.paged_gather
# ---------------------------------------------------------------------------

def _positive_int(cg, arg, op, what, lo=1):
    v = arg.value
    if isinstance(v, bool) or not isinstance(v, int) or v < lo:
        raise cg.error(arg.node, f"{op} {what} must be a compile-time "
                       f"integer >= {lo}", found=describe(v))
    return v


def paged_gather(op):
    def impl(cg, node, a):
        src = _gm(cg, a.src, op, "src")
        if len(src.shape) != 2:
            raise cg.error(a.src.node, f"{op} gathers rows of a 2-D pool",
                           found=src.describe())
        block_size = _positive_int(cg, a.block_size, op, "block_size")
        size = _positive_int(cg, a.size, op, "size")
        max_indices = _positive_int(cg, a.max_indices, op, "max_indices")
        col_off = _positive_int(cg, a.col_off, op, "col_off", lo=0)
        if col_off + size > src.shape[1]:
            raise cg.error(a.size.node, f"{op} reads columns "
                           f"{col_off}:{col_off + size} of a pool with "
                           f"{src.shape[1]}", found=src.describe())
        if a.is_trans.value not in (False, None):
            raise cg.error(a.is_trans.node, f"{op}(is_trans=True) is not "
                           f"supported yet", help="gather the rows and "
                                                  "pass b_trans=True to "
                                                  "the matmul")
        space = a.space.value
        if space not in (MemorySpace.Mat, MemorySpace.Vec):
            raise cg.error(a.space.node, f"{op} space must be "
                           f"pl.MemorySpace.Mat or Vec", found=describe(space))
        tensors = []
        for arg, what in ((a.indices, "indices"),
                          (a.block_table, "block_table")):
            t = _gm(cg, arg, op, what)
            if t.dtype is not INT32 or len(t.shape) > 2 or \
                    len(t.shape) == 2 and t.shape[0] != 1:
                raise cg.error(arg.node, f"{op} {what} is an INT32 [n] or "
                               f"[1, n] tensor", found=t.describe())
            tensors.append(t)
        indices, table = tensors
        n = indices.shape[-1]
        if n > max_indices:
            raise cg.error(a.max_indices.node, f"{op} gathers {n} indices "
                           f"into {max_indices} rows",
                           expected=f"max_indices >= {n}")
        cg.require_core(node, op, "vector" if space is MemorySpace.Vec
                        else None)
        idx_t = cg.load_slice(indices, [0] * len(indices.shape),
                              list(indices.shape), a.indices.node)
        tab_t = cg.load_slice(table, [0] * len(table.shape),
                              list(table.shape), a.block_table.node)
        blocks = table.shape[-1]
        rows = src.shape[0]
        out = full_tile(cg, node, (max_indices, size), src.dtype, 0, node)
        if space is MemorySpace.Mat:
            out = memories.mark(cg, node, out.value.owner, out,
                                MemorySpace.Mat)

        def body(i, cur):
            u = element(cg, node, idx_t, 0, i)
            loc, ip = cg.loc(node), cg.ip
            bs = _i64(cg, node, block_size)
            blk = arith.DivUIOp(u, bs, loc=loc, ip=ip).result
            off = arith.RemUIOp(u, bs, loc=loc, ip=ip).result
            ok = in_range(cg, node, blk, blocks)

            def lookup(cur):
                bi = to_index(cg, node, blk, blocks)
                page = element(cg, node, tab_t, 0, bi)
                phys = arith.AddIOp(arith.MulIOp(page, bs, loc=loc,
                                                 ip=cg.ip).result, off,
                                    loc=loc, ip=cg.ip).result

                def gather(cur):
                    row = load_row(cg, node, src, phys, cols=size,
                                   col_off=col_off)
                    if space is MemorySpace.Mat:
                        row = memories.mark(cg, node, row.value.owner, row,
                                            MemorySpace.Mat)
                    return [_insert(cg, node, row, cur[0], i, 0)]
                return when(cg, node, in_range(cg, node, phys, rows), cur,
                            gather)
            return when(cg, node, ok, cur, lookup)
        (res,) = loop(cg, node, n, [out], body)
        return res
    return impl


# ---------------------------------------------------------------------------
# pl.gatherb
# ---------------------------------------------------------------------------

BLOCK_BYTES = 32


def gatherb(op):
    """`pl.gatherb(src, offset, output_dtype=None)`: pto-isa's TGATHERB on
    the CPU: block (r, c) of the result (32 bytes) is the 32 bytes of `src`
    (row-major, as laid out in its tile) from byte `offset[r, c]`. An offset
    with fewer than 32 bytes after it is clamped to the last 32 bytes of
    `src`."""
    def impl(cg, node, a):
        src = a.src.value
        if not isinstance(src, (TileVal, PendingTile)):
            raise cg.error(a.src.node, f"{op} gathers from a tile",
                           expected="a tile", found=describe(src),
                           help="load the GM tensor's slice first")
        src = cg.as_tile(src, a.src.node, "src")
        if src.valid is not None:
            raise cg.error(a.src.node, f"{op} reads the bytes of the whole "
                           f"tile: src must be full", found=src.describe(),
                           help="pad it first with pl.fillpad")
        if src.dtype.bits not in (8, 16, 32):
            raise cg.error(a.src.node, f"{op} takes 8-, 16- or 32-bit "
                           f"elements", found=src.describe())
        from ..language.types import INT8, UINT32
        off = _index_tile(cg, a.offset, op, "offset", (UINT32,))
        if off.shape[1] % 8:
            raise cg.error(a.offset.node, f"{op} offset rows are whole "
                           f"32-byte blocks of UINT32", expected="a multiple "
                           "of 8 columns", found=off.describe())
        out_dtype = src.dtype if a.output_dtype.value is None else \
            cg.dtype_arg(a.output_dtype, "output_dtype")
        if out_dtype.bits not in (8, 16, 32):
            raise cg.error(a.output_dtype.node, f"{op} output_dtype must be "
                           f"an 8-, 16- or 32-bit type", found=out_dtype.name)
        cg.require_core(node, op, "vector")
        total = src.shape[0] * src.shape[1] * src.dtype.bits // 8
        if total < BLOCK_BYTES:
            raise cg.error(a.src.node, f"{op} gathers 32-byte blocks from "
                           f"a tile of {total} bytes", found=src.describe())
        loc = cg.loc(node)
        byte_row = src.shape[1] * src.dtype.bits // 8
        by = src.value
        if src.dtype is not INT8:
            by = tile_d.ReinterpretViewOp(
                cg.tile_type((src.shape[0], byte_row), INT8), by, loc=loc,
                ip=cg.ip).result
        if src.shape[0] != 1:
            by = tile_d.ReshapeOp(cg.tile_type((1, total), INT8), by, loc=loc,
                                  ip=cg.ip).result
        flat = TileVal(by, (1, total), INT8)
        rows, k = off.shape
        out = full_tile(cg, node, (rows, k * BLOCK_BYTES), INT8, 0, node)
        vr, vk = _valid(off)

        def row(r, cur):
            def col(c, cur):
                u = element(cg, node, off, r, c)
                start = coords(cg, node, u, (total - BLOCK_BYTES + 1,))[0]
                blk = tile_d.ExtractOp(
                    cg.tile_type((1, BLOCK_BYTES), INT8), flat.value,
                    cg.index_value(0, node), cg.index_value(start, node),
                    loc=loc, ip=cg.ip).result
                at = cg.index_binop(ast.Mult(), c, BLOCK_BYTES, node)
                return [_insert(cg, node, TileVal(blk, (1, BLOCK_BYTES),
                                                  INT8), cur[0], r, at)]
            return loop(cg, node, vk, cur, col)
        (res,) = loop(cg, node, vr, [out], row)
        per = BLOCK_BYTES * 8 // out_dtype.bits
        shape = (rows, k * per)
        v = res.value
        if out_dtype is not INT8:
            v = tile_d.ReinterpretViewOp(cg.tile_type(shape, out_dtype), v,
                                         loc=loc, ip=cg.ip).result
        valid = None
        if off.valid is not None:
            vc = vk * per if isinstance(vk, int) else \
                cg.index_binop(ast.Mult(), vk, per, node)
            valid = (vr, vc)
        return TileVal(v, shape, out_dtype, valid=valid)
    return impl


GATHER_BUILTINS = {
    "gatherb": gatherb("pl.gatherb"),
    "tile.gatherb": gatherb("pl.tile.gatherb"),
    "mgather": mgather("pl.mgather"),
    "tile.mgather": mgather("pl.tile.mgather"),
    "mscatter": mscatter("pl.mscatter"),
    "tile.mscatter": mscatter("pl.tile.mscatter"),
    "scatter_update": scatter_update("pl.scatter_update"),
    "tensor.scatter_update": scatter_update("pl.tensor.scatter_update"),
    "paged_gather": paged_gather("pl.paged_gather"),
    "tensor.paged_gather": paged_gather("pl.tensor.paged_gather"),
}
#: Builtins that handle partial tiles themselves (validshape.dispatch).
OWN_VALID = set(GATHER_BUILTINS)
