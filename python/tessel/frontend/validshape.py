"""Partial tiles in the frontend (issue 14 item 5): the valid shape a tile
value carries, `pl.set_validshape`, `pl.fillpad` / `pl.PadValue`, and the
valid-shape semantics of the ops a partial tile meets.

A `TileVal` carries `valid` = (rows, cols), each an int or an IndexVal (a
runtime extent), or None for a full tile. The IR makes the valid shape
explicit where it matters (dialects/tile/TileValidOps.td):

- `pl.slice` / `pl.load(..., valid_shape=)` -> `tile.load ... valid [r, c]`
  (reads only the valid region; the window may run past the tensor);
- a store of a partial tile -> `tile.store ... valid [r, c]` (writes only
  the valid region);
- `pl.fillpad` -> `tile.fillpad` (the result is a full tile);
- a partial load's padding is zero (`TileVal.pad`);
- a reduction over a partial tile pads it with the reduction's identity
  first (`row_sum` / `col_sum`: zero, `*_max`: min, `*_min`: max) unless
  the padding holds it
  already, and a matmul pads a partial K with zero (a partial load's
  operand needs nothing), so padding never reaches a valid result
  (PTO-ISA's reductions and TMATMUL read only the valid region; the result
  is the same);
- elementwise ops and broadcasts keep the intersection of their operands'
  valid regions (the rest of the result is computed from padding).

Any other op given a partial tile is a CompileError asking for a
`pl.fillpad` first, never a silent read of padding.
"""

from __future__ import annotations

import math

from ..language.validshape import PadValue
from ..mlir import ir
from . import tile_ops as tile_d
from .values import IndexVal, PendingTile, TileVal, describe, shape_str

# ---------------------------------------------------------------------------
# Valid shapes
# ---------------------------------------------------------------------------


def _same_extent(a, b) -> bool:
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    if isinstance(a, IndexVal) and isinstance(b, IndexVal):
        return a is b or (a.value is not None and a.value == b.value)
    return False


def same_valid(a: TileVal, b: TileVal) -> bool:
    """Whether two tiles of one shape have the same valid shape."""
    va, vb = full_valid(a), full_valid(b)
    return all(_same_extent(x, y) for x, y in zip(va, vb))


def full_valid(t: TileVal) -> tuple:
    return tuple(t.valid) if t.valid is not None else tuple(t.shape)


def is_partial(t) -> bool:
    return isinstance(t, TileVal) and t.valid is not None


def _normalize(shape, valid):
    """None when `valid` is the whole of `shape`."""
    if all(isinstance(v, int) and v == s for v, s in zip(valid, shape)):
        return None
    return tuple(valid)


def check_extents(cg, node, shape, valid, what="valid_shape") -> tuple | None:
    """`valid` (a list of ints / IndexVals, the rank of `shape`) checked:
    each extent in 1..size where it is known. None when it is all of
    `shape`."""
    if not isinstance(valid, (list, tuple)):
        raise cg.error(node, f"{what} must be a list of extents",
                       found=describe(valid))
    if len(valid) != len(shape):
        raise cg.error(node, f"{what} has {len(valid)} dimensions, the tile "
                       f"{shape_str(shape)} has {len(shape)}",
                       expected=f"{len(shape)} extents", found=repr(
                           [v if isinstance(v, int) else "index"
                            for v in valid]))
    out = []
    from .scalars import int_scalar_index
    for d, (v, size) in enumerate(zip(valid, shape)):
        # An integer value read (PyPTO passes scalars as extents): a
        # runtime index.
        v = int_scalar_index(cg, v, node)
        if isinstance(v, bool) or not isinstance(v, (int, IndexVal)):
            raise cg.error(node, f"{what} extents must be integers or "
                           "runtime indices", found=describe(v))
        lo, hi = cg.index_bounds(v)
        if isinstance(v, int) or (lo is not None and lo == hi):
            c = v if isinstance(v, int) else lo
            if not 1 <= c <= size:
                raise cg.error(node, f"{what} {c} in dimension {d} is "
                               f"outside the tile's 1..{size}",
                               expected=f"1 <= extent <= {size} (the "
                                        f"tile {shape_str(shape)})",
                               found=str(c))
            out.append(c)
            continue
        if hi is not None and hi < 1 or lo is not None and lo > size:
            raise cg.error(node, f"{what} in dimension {d} is never inside "
                           f"the tile's 1..{size}",
                           found=f"a runtime index in {lo}..{hi}")
        if hi is not None and hi > size:
            raise cg.error(node, f"{what} in dimension {d} may exceed the "
                           f"tile's {size}",
                           expected=f"a runtime extent <= {size}",
                           found=f"a runtime index in {lo}..{hi}",
                           help=f"bound it: pl.min({size}, ...)")
        out.append(v)
    return _normalize(shape, out)


def ir_valid(cg, node, valid):
    """(dynamic values, DenseI64ArrayAttr) of a tile valid shape."""
    dyn = ir.ShapedType.get_dynamic_size()
    statics, values = [], []
    for v in valid:
        if isinstance(v, int):
            statics.append(v)
        else:
            statics.append(dyn)
            values.append(cg.index_value(v, node))
    return values, ir.DenseI64ArrayAttr.get(statics)


def tile_valid_of_slice(sizes, valid):
    """The (rows, cols) valid shape of a GM slice of `sizes` (the tensor's
    rank) with valid extents `valid`."""
    if len(sizes) == 1:
        return (1, valid[0])
    return (valid[-2], valid[-1])


# ---------------------------------------------------------------------------
# pl.set_validshape, pl.fillpad
# ---------------------------------------------------------------------------


def _tile_arg(cg, arg, op):
    v = arg.value
    if isinstance(v, PendingTile):
        v = cg.materialize(v, arg.node, f"the tile of {op}")
    if not isinstance(v, TileVal):
        raise cg.error(arg.node, f"{op} takes a tile", found=describe(v),
                       help="load a tile first: pl.load / pl.slice / "
                            "a subscript of a GM tensor")
    return v


def set_validshape(cg, node, a):
    t = _tile_arg(cg, a.tile, "pl.set_validshape")
    valid = check_extents(cg, node, t.shape,
                          [a.valid_rows.value, a.valid_cols.value],
                          "pl.set_validshape")
    return TileVal(t.value, t.shape, t.dtype, t.memory, t.memory_at, valid)


_PAD_LITERALS = {0: PadValue.zero, math.inf: PadValue.max,
                 -math.inf: PadValue.min}


def pad_value(cg, arg) -> PadValue:
    p = arg.value
    if isinstance(p, (int, float)) and not isinstance(p, bool) and \
            p in _PAD_LITERALS:
        return _PAD_LITERALS[p]
    if not isinstance(p, PadValue):
        raise cg.error(arg.node, "pad_value must be a pl.PadValue",
                       expected="pl.PadValue.zero / .min / .max, or 0, "
                                "math.inf, -math.inf",
                       found=describe(p) if not isinstance(p, (int, float))
                       else repr(p),
                       help="the hardware pads with zero, the smallest or "
                            "the largest value only")
    if p is PadValue.null:
        raise cg.error(arg.node, "pl.fillpad with pl.PadValue.null fills "
                       "nothing", expected="pl.PadValue.zero, .min or .max")
    return p


def emit_fillpad(cg, node, t: TileVal, pad: PadValue) -> TileVal:
    """`t` with its padding set to `pad` (a full tile); `t` itself when it
    is full."""
    if t.valid is None:
        return t
    cg.require_core(node, "pl.fillpad", "vector")
    values, statics = ir_valid(cg, node, t.valid)
    v = tile_d.FillPadOp(t.value, values, statics,
                         getattr(tile_d.PadValue, pad.name),
                         loc=cg.loc(node), ip=cg.ip).result
    return TileVal(v, t.shape, t.dtype)


def fillpad(cg, node, a):
    t = _tile_arg(cg, a.tile, "pl.fillpad")
    return emit_fillpad(cg, node, t, pad_value(cg, a.pad_value))


# ---------------------------------------------------------------------------
# Valid shapes through the other builtins
# ---------------------------------------------------------------------------

#: Builtins whose result element (i, j) is computed from operand elements
#: (i, j) (or a broadcast row / column): the result's valid region is the
#: intersection of the operands'.
_ELEMENTWISE_EXTRA = {
    "cast", "maximums", "minimums", "fmods", "rems", "relu", "lrelu", "log",
    "move", "tile.move", "tile.rem", "tile.rems", "tile.relu", "tile.lrelu",
    "tile.maximums", "tile.minimums",
}
#: Row / column reductions and the identity their padding gets (a product
#: has none among the pad values: a partial tile is an error there).
_ROW_REDUCTIONS = {"row_sum": PadValue.zero, "row_max": PadValue.min,
                   "row_min": PadValue.max}
_COL_REDUCTIONS = {"col_sum": PadValue.zero, "col_max": PadValue.min,
                   "col_min": PadValue.max}
#: Builtins that handle partial tiles themselves (or make none).
_OWN = {"fillpad", "tile.fillpad", "set_validshape", "tile.set_validshape",
        "tensor.set_validshape",
        "store", "tile.store", "assemble", "tensor.assemble", "reshape",
        "matmul", "matmul_acc", "tensor.dim", "slice", "tile.assemble"}


def _elementwise_names():
    from . import optable
    from .broadcast import BROADCAST_BUILTINS
    from .composed import ELEMENTWISE, OWN_VALID
    from .gathers import OWN_VALID as GATHERS_OWN
    _OWN.update(OWN_VALID | GATHERS_OWN)
    names = {d.name for d in optable.OPS
             if d.family in ("binary", "unary", "expand")}
    names |= set(BROADCAST_BUILTINS)
    names |= _ELEMENTWISE_EXTRA
    names |= ELEMENTWISE
    return names


_ELEMENTWISE = None


def _tile_args(a):
    """[(name, Arg)] of the arguments that hold partial tiles."""
    out = []
    for name, arg in vars(a).items():
        if is_partial(getattr(arg, "value", None)):
            out.append((name, arg))
    return out


def _intersect(cg, node, result: TileVal, operands) -> tuple | None:
    """The valid shape of an elementwise result: per dimension, the
    smallest extent among the operands that span it (a broadcast operand
    of size 1 spans nothing)."""
    valid = list(result.shape)
    for t in operands:
        for d in range(2):
            if t.shape[d] != result.shape[d]:
                continue
            v = full_valid(t)[d]
            cur = valid[d]
            if isinstance(v, int) and isinstance(cur, int):
                valid[d] = min(v, cur)
            elif isinstance(v, int) and v == result.shape[d]:
                continue
            elif isinstance(cur, int) and cur == result.shape[d]:
                valid[d] = v
            elif not _same_extent(v, cur):
                valid[d] = cg.index_minmax(True, [cur, v], node)
    return _normalize(result.shape, valid)


def dispatch(cg, name, node, a):
    """Runs builtin `name` with valid-shape semantics (see the module)."""
    global _ELEMENTWISE
    impl = cg.builtins[name]
    partial = _tile_args(a)
    if _ELEMENTWISE is None:
        _ELEMENTWISE = _elementwise_names()
    if not partial or name in _OWN:
        if name in ("matmul", "matmul_acc") and partial:
            return _matmul(cg, name, node, a, impl)
        return impl(cg, node, a)
    if _ELEMENTWISE is None:
        _ELEMENTWISE = _elementwise_names()
    if name in _ROW_REDUCTIONS or name in _COL_REDUCTIONS:
        row = name in _ROW_REDUCTIONS
        identity = (_ROW_REDUCTIONS if row else _COL_REDUCTIONS)[name]
        t = a.input.value
        keep = 0 if row else 1          # the dimension the result keeps
        red = 1 - keep                  # the one reduced
        filled = t
        if not _same_extent(full_valid(t)[red], t.shape[red]) and \
                t.pad is not identity:
            # Padding would enter the reduction: give it the reduction's
            # identity (a partial load's zero padding is already the
            # identity of a sum).
            filled = emit_fillpad(cg, node, t, identity)
        a.input.value = filled
        r = impl(cg, node, a)
        valid = [1, 1]
        valid[keep] = full_valid(t)[keep]
        r.valid = _normalize(r.shape, valid)
        return r
    if name in _ELEMENTWISE:
        r = impl(cg, node, a)
        if isinstance(r, TileVal):
            operands = [arg.value for arg in vars(a).values()
                        if isinstance(getattr(arg, "value", None), TileVal)]
            r.valid = _intersect(cg, node, r, operands)
            # A move keeps the data, so what the padding holds.
            r.pad = a.tile.value.pad if name in ("move", "tile.move") and \
                r.valid is not None else None
        return r
    pname, parg = partial[0]
    raise cg.error(parg.node, f"pl.{name} does not take a partial tile",
                   expected="a full tile", found=parg.value.describe(),
                   help=f"pad it first: pl.fillpad({pname}, pad_value="
                        f"pl.PadValue.zero / .min / .max)")


def _matmul(cg, name, node, a, impl):
    """A matmul reads only the valid K of its operands: a partial K is
    padded with zero. The product's valid shape is (lhs rows, rhs cols)."""
    lhs, rhs = a.lhs.value, a.rhs.value
    a_trans = bool(a.a_trans.value) if hasattr(a, "a_trans") else False
    b_trans = bool(a.b_trans.value) if hasattr(a, "b_trans") else False
    lk, lm = (0, 1) if a_trans else (1, 0)    # lhs dims of K and M
    rk, rn = (1, 0) if b_trans else (0, 1)    # rhs dims of K and N
    vm = full_valid(lhs)[lm] if isinstance(lhs, TileVal) else None
    vn = full_valid(rhs)[rn] if isinstance(rhs, TileVal) else None
    for arg, t, k in ((a.lhs, lhs, lk), (a.rhs, rhs, rk)):
        # A partial load's padding is zero already.
        if is_partial(t) and t.pad is not PadValue.zero and \
                not _same_extent(full_valid(t)[k], t.shape[k]):
            if cg.scope.kind == "at" and cg.scope.core == "cube":
                raise cg.error(arg.node, "a matmul operand with a partial K "
                               "needs its padding zeroed on the vector unit",
                               found=f"{t.describe()} in a cube scope",
                               help="use a pl.Level.CORE_GROUP scope, or "
                                    "pl.fillpad(t, pl.PadValue.zero) it in "
                                    "a vector scope before the matmul")
            arg.value = emit_fillpad(cg, arg.node, t, PadValue.zero)
    if name == "matmul_acc" and is_partial(a.acc.value):
        acc = a.acc.value
    else:
        acc = None
    r = impl(cg, node, a)
    valid = [vm if vm is not None else r.shape[0],
             vn if vn is not None else r.shape[1]]
    r.valid = _normalize(r.shape, valid)
    if acc is not None:
        r.valid = _intersect(cg, node, r, [acc, r])
    return r


def reshape_valid(t: TileVal, shape) -> tuple | None:
    """The valid shape of a row-major reshape of partial tile `t`, when its
    valid elements stay a top-left block; else raises ValueError."""
    rows, cols = t.shape
    vr, vc = full_valid(t)
    if not (isinstance(vr, int) and isinstance(vc, int)):
        # A runtime extent survives a reshape between a column and a row
        # ([R, 1] valid [n, 1] <-> [1, R] valid [1, n]): no arithmetic on
        # it is needed.
        n = vr if cols == 1 else vc if rows == 1 else None
        if n is not None and shape[0] == 1:
            return _normalize(shape, (1, n))
        if n is not None and shape[1] == 1:
            return _normalize(shape, (n, 1))
        raise ValueError("a runtime valid shape")
    if vc != cols and vr != 1:
        raise ValueError("its valid elements are not a prefix in row-major "
                         "order")
    n = vr * cols if vc == cols else vc
    r2, c2 = shape
    if n % c2 == 0:
        return _normalize(shape, (n // c2, c2))
    if n < c2:
        return _normalize(shape, (1, n))
    raise ValueError(f"its {n} valid elements do not fill whole rows of "
                     f"{shape_str(shape)}")


def subtile_valid(cg, t: TileVal, offsets, sizes):
    """The valid shape of the sub-tile `sizes` at `offsets` (ints or
    IndexVals) of partial tile `t`; raises ValueError when it is not known
    at compile time or the window holds only padding."""
    out = []
    for d in range(2):
        v = full_valid(t)[d]
        o = offsets[d]
        if isinstance(v, int) and v == t.shape[d]:
            out.append(sizes[d])
            continue
        if not (isinstance(v, int) and isinstance(o, int)):
            raise ValueError("a runtime offset or valid extent")
        e = min(sizes[d], v - o)
        if e < 1:
            raise ValueError(f"the window holds only padding in dimension "
                             f"{d}")
        out.append(e)
    return _normalize(sizes, out)


#: Tile ops whose result element (i, j) reads only element (i, j) of each
#: operand (or a broadcast row / column of it).
_ELEMENTWISE_OPS = {
    "tile.add", "tile.sub", "tile.mul", "tile.div", "tile.max", "tile.min",
    "tile.adds", "tile.subs", "tile.rsubs", "tile.muls", "tile.divs",
    "tile.rdivs", "tile.maxs", "tile.mins", "tile.neg", "tile.abs",
    "tile.sqrt", "tile.rsqrt", "tile.recip", "tile.exp", "tile.log",
    "tile.sin", "tile.cos", "tile.fmod", "tile.rem", "tile.fmods",
    "tile.rems", "tile.cast", "tile.copy",
} | {f"tile.{d}_expand{k}" for d in ("row", "col")
     for k in ("", "_add", "_sub", "_mul", "_div", "_max", "_min",
               "_expdif")}
#: Uses that end the walk: the loop's next iteration or result.
_SINKS = {"tile.yield", "scf.yield"}


def narrower(a: TileVal, b: TileVal) -> bool:
    """Whether `a`'s valid shape is inside `b`'s, provably (compile-time
    extents, or `b`'s extent the full size)."""
    for x, y, size in zip(full_valid(a), full_valid(b), b.shape):
        if _same_extent(x, y) or (isinstance(y, int) and y == size):
            continue
        if isinstance(x, int) and isinstance(y, int) and x <= y:
            continue
        return False
    return True


def mixes_elements(value) -> bool:
    """Whether `value` (a loop's carried tile) reaches, through elementwise
    ops only, an op that combines its elements across positions (a
    reduction, a matmul operand, a reshape, a sub-tile...) or a store: then
    narrowing its valid shape after the body was built would let padding
    into a valid result or GM."""
    seen, work = [], [value]
    while work:
        v = work.pop()
        for use in v.uses:
            op = use.owner.operation
            name = op.name
            if name in _SINKS:
                continue
            if name == "tile.matmul_acc" and use.operand_number == 0:
                pass  # the accumulator is added elementwise
            elif name not in _ELEMENTWISE_OPS:
                return True
            for r in op.results:
                if not any(r == s for s in seen):
                    seen.append(r)
                    work.append(r)
    return False
