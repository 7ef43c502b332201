"""The `pl` ops of PyPTO's catalog that Tessel builds from other tile ops
(no tile op of their own; docs/language.md):

- `pl.addc` / `pl.subc` (``lhs +- rhs +- rhs2`` of three tiles) and
  `pl.addsc` / `pl.subsc` (rhs a scalar): two `tile.add` / `tile.sub`
  (or `tile.adds` / `tile.subs`) in that order, each rounded, as
  ``lhs + rhs + rhs2`` is in torch.
- `pl.part_add` / `part_mul` / `part_max` / `part_min` (PTO-ISA's
  TPARTADD ...): over lhs's valid region, ``op(lhs, rhs)`` where rhs is
  valid as well, lhs where it is not; the result keeps lhs's valid shape
  (PyPTO's rule). When rhs's valid region covers lhs's it is the plain op;
  otherwise the op, then `tile.sel` between it and lhs by the packed mask
  of rhs's valid region (a ones tile with rhs's valid shape, `tile.fillpad`
  with zero, `tile.cmps` ne 0): exact, any valid shape, runtime extents
  included.
- `pl.fillpad_inplace`: `pl.fillpad` (placement puts the result on the
  source's bytes when the source dies there).
- `pl.fillpad_expand(t, shape, pad)`: `pl.fillpad` of `t`, inserted at the
  top left of a `pl.full` tile of `shape` holding the pad value.
- `pl.expand_clone(src, target)`: GM to GM, a loop over target's leading
  dimension loading src's matching 2-D slice, broadcasting it
  (`tile.col_expand` / `tile.row_expand`) and storing it.
- `pl.dim` (`pl.tensor.dim`), `pl.get_block_idx` / `pl.tensor.get_block_idx`
  (`pl.tile.get_block_idx`): the same values under PyPTO's other names.
"""

from __future__ import annotations

import math

from ..language.types import BF16, FP16, FP32, INT8
from ..language.validshape import PadValue
from ..mlir import ir
from ..mlir.dialects import scf
from . import tile_ops as tile_d
from . import validshape
from .builtins import (_check_bounds, _check_dtype, _is_scalar, _tile,
                       elementwise, full_tile)
from .optable import ARITH_DTYPES
from .state import Arg
from .values import (GmTensor, PendingTile, ScalarVal, TileVal,
                     describe, shape_str)


def _tile_operand(cg, arg, op, what):
    """A tile operand of `op` (a GM tensor is an error: these ops take
    tiles)."""
    v = arg.value
    if isinstance(v, GmTensor):
        raise cg.error(arg.node, f"{op} takes tiles", expected="a tile",
                       found=describe(v),
                       help=f"load a tile first: {v.name}[a:b, c:d] or "
                            f"pl.load")
    if not isinstance(v, (TileVal, PendingTile)):
        raise cg.error(arg.node, f"{op} takes a tile as {what}",
                       expected="a tile", found=describe(v))
    return _tile(cg, arg, what)


def _same(cg, op, first: TileVal, arg, t: TileVal):
    """`t` (the operand `arg`) has `first`'s dtype and shape."""
    if t.dtype is not first.dtype:
        raise cg.error(arg.node, f"dtype mismatch in {op}",
                       expected=f"{first.dtype.name} (the dtype of lhs)",
                       found=t.describe(), help="convert with pl.cast")
    if t.shape != first.shape:
        raise cg.error(arg.node, f"shape mismatch in {op}",
                       expected=f"{shape_str(first.shape)} (the shape of "
                                f"lhs)", found=t.describe(),
                       help="the operands are tiles of one shape")


# ---------------------------------------------------------------------------
# pl.addc, pl.subc, pl.addsc, pl.subsc
# ---------------------------------------------------------------------------

def three_input(name: str):
    """lhs op rhs op rhs2, op "add" / "sub"; rhs a scalar for the `*sc`
    forms, a tile otherwise."""
    base = "add" if name.startswith("add") else "sub"
    scalar_rhs = name.endswith("sc")
    op = f"pl.{name}"

    def impl(cg, node, a):
        cg.require_core(node, op, "vector")
        x = _tile_operand(cg, a.lhs, op, "lhs")
        _check_dtype(cg, a.lhs.node, name, x, ARITH_DTYPES, "lhs")
        r = a.rhs.value
        if scalar_rhs:
            if not (_is_scalar(r) or isinstance(r, ScalarVal)):
                raise cg.error(a.rhs.node, f"{op} takes a scalar as rhs",
                               expected="a number or a runtime scalar",
                               found=describe(r),
                               help=f"for three tiles use pl.{base}c")
            rhs = a.rhs
        else:
            if _is_scalar(r) or isinstance(r, ScalarVal):
                raise cg.error(a.rhs.node, f"{op} takes a tile as rhs",
                               expected="a tile", found=describe(r),
                               help=f"for a scalar rhs use pl.{base}sc")
            y = _tile_operand(cg, a.rhs, op, "rhs")
            _same(cg, op, x, a.rhs, y)
            rhs = Arg(y, a.rhs.node)
        z = _tile_operand(cg, a.rhs2, op, "rhs2")
        _same(cg, op, x, a.rhs2, z)
        first = elementwise(cg, node, base, Arg(x, a.lhs.node), rhs)
        return elementwise(cg, node, base, Arg(first, node),
                           Arg(z, a.rhs2.node))
    return impl


# ---------------------------------------------------------------------------
# pl.part_add, pl.part_mul, pl.part_max, pl.part_min
# ---------------------------------------------------------------------------

_PART_BASE = {"part_add": "add", "part_mul": "mul", "part_max": "maximum",
              "part_min": "minimum"}


def _covers(cg, outer, inner) -> bool:
    """Whether extent `outer` is provably >= extent `inner`."""
    if validshape._same_extent(outer, inner):
        return True
    lo, _ = cg.index_bounds(outer)
    _, hi = cg.index_bounds(inner)
    return lo is not None and hi is not None and lo >= hi


def valid_mask(cg, node, shape, dtype, valid) -> TileVal:
    """The packed predicate mask (INT8, pl.cmp's layout) of the top-left
    `valid` region of a `shape` tile: a ones tile with that valid shape,
    its padding filled with zero, compared != 0."""
    from .builtins import CMP_MODES, predicate_mask_cols
    ones = full_tile(cg, node, shape, dtype, 1, node)
    ind = validshape.emit_fillpad(
        cg, node, TileVal(ones.value, ones.shape, dtype, valid=valid),
        PadValue.zero)
    mshape = (shape[0], predicate_mask_cols(shape[1]))
    zero = cg.const_scalar(0, dtype, node)
    v = tile_d.CmpSOp(cg.tile_type(mshape, INT8), ind.value, zero,
                      getattr(tile_d.CmpMode, CMP_MODES[1]),
                      loc=cg.loc(node), ip=cg.ip).result
    return TileVal(v, mshape, INT8)


def part(name: str, spelled: str):
    base = _PART_BASE[name]
    op = f"pl.{spelled}"

    def impl(cg, node, a):
        lhs, rhs = list(vars(a).values())[:2]
        cg.require_core(node, op, "vector")
        x = _tile_operand(cg, lhs, op, "lhs")
        _check_dtype(cg, lhs.node, name, x, ARITH_DTYPES, "lhs")
        y = _tile_operand(cg, rhs, op, "rhs")
        _same(cg, op, x, rhs, y)
        vx, vy = validshape.full_valid(x), validshape.full_valid(y)
        full_x = TileVal(x.value, x.shape, x.dtype)
        full_y = TileVal(y.value, y.shape, y.dtype)
        r = elementwise(cg, node, base, Arg(full_x, lhs.node),
                        Arg(full_y, rhs.node))
        if not all(_covers(cg, b, s) for b, s in zip(vy, vx)):
            # Where rhs is not valid the result is lhs: select by the mask
            # of rhs's valid region.
            m = valid_mask(cg, node, x.shape, x.dtype, y.valid)
            v = tile_d.SelOp(m.value, r.value, x.value,
                             results=[x.value.type], loc=cg.loc(node),
                             ip=cg.ip).result
            r = TileVal(v, x.shape, x.dtype)
        return TileVal(r.value, r.shape, r.dtype, valid=x.valid)
    return impl


# ---------------------------------------------------------------------------
# pl.fillpad_inplace, pl.fillpad_expand
# ---------------------------------------------------------------------------

def pad_number(pad: PadValue, dtype):
    """The value `tile.fillpad` writes for `pad` in `dtype`."""
    if pad is PadValue.zero:
        return 0.0 if dtype.is_float else 0
    low = pad is PadValue.min
    if dtype.is_float:
        return -math.inf if low else math.inf
    return -2 ** (dtype.bits - 1) if low else 2 ** (dtype.bits - 1) - 1


def fillpad_inplace(op):
    def impl(cg, node, a):
        t = validshape._tile_arg(cg, a.tile, op)
        return validshape.emit_fillpad(cg, node, t,
                                       validshape.pad_value(cg, a.pad_value))
    return impl


def fillpad_expand(op):
    def impl(cg, node, a):
        t = validshape._tile_arg(cg, a.tile, op)
        shape = tuple(cg.shape_arg(a.shape, f"{op} shape", rank=2))
        if any(s < d for s, d in zip(shape, t.shape)):
            raise cg.error(a.shape.node, f"{op} makes a tile at least as "
                           f"large as its source",
                           expected=f"each dimension >= "
                                    f"{shape_str(t.shape)}",
                           found=shape_str(shape),
                           help="to take part of a tile use a subscript "
                                "t[a:b, c:d]")
        pad = validshape.pad_value(cg, a.pad_value)
        cg.require_core(node, op, "vector")
        filled = validshape.emit_fillpad(cg, node, t, pad)
        if shape == tuple(t.shape):
            return filled
        big = full_tile(cg, node, shape, t.dtype, pad_number(pad, t.dtype),
                        node)
        zero = cg.index_value(0, node)
        v = tile_d.InsertOp(filled.value, big.value, zero, zero,
                            results=[big.value.type], loc=cg.loc(node),
                            ip=cg.ip).result
        return TileVal(v, shape, t.dtype)
    return impl


# ---------------------------------------------------------------------------
# pl.expand_clone
# ---------------------------------------------------------------------------

#: The type a BF16 / INT8 tile is broadcast in (exactly representable).
_BROADCAST_WIDE = {BF16: FP32, INT8: FP16}


def _cast(cg, node, t: TileVal, dtype, mode) -> TileVal:
    v = tile_d.CastOp(cg.tile_type(t.shape, dtype), t.value,
                      getattr(tile_d.RoundMode, mode), loc=cg.loc(node),
                      ip=cg.ip).result
    return TileVal(v, t.shape, dtype)


def expand_clone(op):
    def impl(cg, node, a):
        src, target = a.src.value, a.target.value
        for arg, what in ((a.src, "src"), (a.target, "target")):
            if not isinstance(arg.value, GmTensor):
                raise cg.error(arg.node, f"{op} copies a GM tensor into a GM "
                               f"tensor", expected=f"a GM tensor as {what}",
                               found=describe(arg.value),
                               help="for tiles use pl.row_expand / "
                                    "pl.col_expand")
        cg.require_core(node, op, "vector")
        if src.dtype is not target.dtype:
            raise cg.error(a.src.node, f"dtype mismatch in {op}",
                           expected=f"{target.dtype.name} (the dtype of "
                                    f"target)", found=src.describe(),
                           help="convert with pl.cast")
        rank = len(target.shape)
        if len(src.shape) != rank or rank > 3:
            raise cg.error(a.src.node, f"{op} takes tensors of one rank, "
                           f"at most 3", expected=f"a {rank}-D src like "
                                                  f"target {shape_str(target.shape)}"
                           if rank <= 3 else "tensors of rank 1 to 3",
                           found=src.describe())
        for d, (s, t) in enumerate(zip(src.shape, target.shape)):
            if s != t and s != 1:
                raise cg.error(a.src.node, f"{op} repeats dimensions of "
                               f"size 1 only: dimension {d} of src is {s}, "
                               f"of target {t}",
                               expected=f"src dimension {d} of 1 or {t}",
                               found=src.describe())
        # Rank 1 and 2 are one [rows, cols] slice; rank 3 one per index of
        # the leading dimension.
        if rank == 1:
            s2, t2 = (1, src.shape[0]), (1, target.shape[0])
        else:
            s2, t2 = tuple(src.shape[-2:]), tuple(target.shape[-2:])

        def copy(i):
            if rank == 3:
                offsets = [0 if src.shape[0] == 1 else i, 0, 0]
                sizes = [1, *s2]
            elif rank == 2:
                offsets, sizes = [0, 0], list(s2)
            else:
                offsets, sizes = [0], [s2[1]]
            _check_bounds(cg, src, offsets, sizes, node)
            t = cg.load_slice(src, offsets, sizes, node)
            stored = t.dtype
            wide = _BROADCAST_WIDE.get(stored)
            if wide is not None and s2 != t2:
                # The broadcasts move FP16 / FP32 / INT32: BF16 goes
                # through FP32, INT8 through FP16 (exact both ways).
                t = _cast(cg, node, t, wide, "none")
            if s2[0] != t2[0]:
                # [1, cols] down every row.
                shape = (t2[0], s2[1])
                t = TileVal(tile_d.ColExpandOp(cg.tile_type(shape, t.dtype),
                                               t.value, loc=cg.loc(node),
                                               ip=cg.ip).result,
                            shape, t.dtype)
            if s2[1] != t2[1]:
                # [rows, 1] across every column.
                t = TileVal(tile_d.RowExpandOp(cg.tile_type(t2, t.dtype),
                                               t.value, loc=cg.loc(node),
                                               ip=cg.ip).result,
                            t2, t.dtype)
            if t.dtype is not stored:
                t = _cast(cg, node, t, stored, "rint")
            if rank == 3:
                out_offsets, out_sizes = [i, 0, 0], [1, *t2]
            elif rank == 2:
                out_offsets, out_sizes = [0, 0], list(t2)
            else:
                out_offsets, out_sizes = [0], [t2[1]]
            _check_bounds(cg, target, out_offsets, out_sizes, node)
            cg.store_tile(target, out_offsets, out_sizes, t, node, node)

        if rank < 3 or target.shape[0] == 1:
            copy(0)
            return target
        n = target.shape[0]
        loop = scf.ForOp(cg.index_value(0, node), cg.index_value(n, node),
                         cg.index_value(1, node), [], loc=cg.loc(node),
                         ip=cg.ip)
        i = cg.new_index(loop.body.arguments[0], bounds=(0, n - 1))
        saved = cg.ip
        cg.ip = ir.InsertionPoint(loop.body)
        cg.cse.append({})
        try:
            copy(i)
            scf.YieldOp([], loc=cg.loc(node), ip=cg.ip)
        finally:
            cg.ip = saved
            cg.cse.pop()
        return target
    return impl


# ---------------------------------------------------------------------------
# Aliases
# ---------------------------------------------------------------------------

def _dim(cg, node, a):
    from .extra_ops import tensor_dim
    return tensor_dim(cg, node, a, "pl.dim")


def _block_idx(op):
    def impl(cg, node, a):
        b = cg.block_index
        if b is None:
            raise cg.error(node, f"{op}() outside a pl.spmd body",
                           help="use it inside `with pl.spmd(n) as tid:` "
                                "(or the loop form `for i in pl.spmd(n):`)")
        return b
    return impl


COMPOSED_BUILTINS = {
    **{n: three_input(n) for n in ("addc", "subc", "addsc", "subsc")},
    **{f"tile.{n}": three_input(n) for n in ("addc", "subc", "addsc",
                                             "subsc")},
    **{n: part(n, n) for n in _PART_BASE},
    **{f"tile.{n}": part(n, f"tile.{n}") for n in _PART_BASE},
    "fillpad_inplace": fillpad_inplace("pl.fillpad_inplace"),
    "tile.fillpad_inplace": fillpad_inplace("pl.tile.fillpad_inplace"),
    "fillpad_expand": fillpad_expand("pl.fillpad_expand"),
    "tile.fillpad_expand": fillpad_expand("pl.tile.fillpad_expand"),
    "expand_clone": expand_clone("pl.expand_clone"),
    "tensor.expand_clone": expand_clone("pl.tensor.expand_clone"),
    "dim": _dim,
    "get_block_idx": _block_idx("pl.get_block_idx"),
    "tensor.get_block_idx": _block_idx("pl.tensor.get_block_idx"),
}

#: The names that handle partial tiles themselves (validshape.dispatch):
#: the part ops, the fills, and expand_clone (GM tensors only).
OWN_VALID = {n for n in COMPOSED_BUILTINS
             if "part_" in n or "fillpad" in n or "expand_clone" in n}
#: Elementwise names: the result's valid shape is the intersection of the
#: operands'.
ELEMENTWISE = {n for n in COMPOSED_BUILTINS if n.split(".")[-1] in
               ("addc", "subc", "addsc", "subsc")}
