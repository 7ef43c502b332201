"""Runtime scalars: `pl.read` / `pl.write` of one element, arithmetic and
comparisons on the values read, `pl.cast` of scalars (to `pl.INDEX` for
offsets), and the clamp of offsets computed from data.

A scalar read of a GM tensor is a 1 x 1 `tile.load` and a `tile.get`; a
scalar write a `tile.set` into a 1 x 1 tile and a `tile.store`. Every GM
access therefore stays a tile.load / tile.store that the race, bounds,
fusion and traffic analyses already see, ordered with the scope's other
accesses. Reading and writing an element of a tile is `tile.get` /
`tile.set` (dialects/tile/TileScalarOps.td).

Scalars compute in their element type: INT32 (arith's signless i32, Python
semantics for `//` and `%`) and FP32 / FP16 (IEEE, one rounding per op).
BF16 and INT8 values are converted with `pl.cast` first, as tiles are.

An index computed from data (`pl.cast(v, pl.INDEX)` of a value read) has
no compile-time range. Used as a slice offset, it is clamped into the
tensor or tile (`max(0, min(off, dim - size))`, a remark says so): an
out-of-range value reads or writes the nearest in-range slice instead of
memory outside the tensor, and the race and bounds analyses take the whole
extent of that dimension.
"""

from __future__ import annotations

import ast

from ..language.types import (BF16, FP16, FP32, INDEX, INT8, INT32, INT64,
                              UINT32, DataType)
from ..mlir import ir
from ..mlir.dialects import arith
from . import tile_ops as tile_d
from . import orchestration
from .state import defining_op
from .values import (BoolVal, GmTensor, IndexVal, Lin, PendingTile, ScalarVal,
                     TileVal, describe, shape_str)

#: The element types scalar arithmetic computes in.
ARITH_DTYPES = (FP16, FP32, INT32, INT64)


def _is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


class TypedInt(int):
    """A compile-time integer the author gave a scalar dtype
    (`pl.cast(0, pl.INT32)`): an int wherever a number is used (shapes,
    offsets, folding), and carried through a loop or an `if` as a scalar of
    its dtype, not as an index (`x = pl.cast(0, pl.INT32)` then
    `x = pl.cast(i, pl.INT32)` in the loop)."""

    def __new__(cls, value: int, dtype: DataType):
        obj = super().__new__(cls, value)
        obj.dtype = dtype
        return obj


# ---------------------------------------------------------------------------
# Data-dependent indices
# ---------------------------------------------------------------------------

def data_atoms(cg) -> set:
    """The index atoms whose value comes from data (pl.cast of a scalar)."""
    atoms = cg.__dict__.get("data_atoms")
    if atoms is None:
        atoms = cg.__dict__["data_atoms"] = set()
    return atoms


def is_data(cg, v) -> bool:
    """Whether the index `v` depends on a value read at run time."""
    if not isinstance(v, IndexVal):
        return False
    atoms = data_atoms(cg)
    return getattr(v, "data", False) or \
        any(a in atoms for a, _ in v.lin.terms)


def data_index(cg, value) -> IndexVal:
    """A new index atom for `value` (an `index` SSA value from data)."""
    iv = cg.new_index(value)
    data_atoms(cg).update(a for a, _ in iv.lin.terms)
    return iv


def scalar_index(cg, s: ScalarVal, node) -> IndexVal:
    """The index of an integer scalar (a value read, or arithmetic on one).

    `r + c` and `r - c` with a constant `c` share the atom of `r`, so a
    slice `t[r:r + 16]` has the compile-time size 16. Cached per region:
    the same scalar gives the same index SSA value."""
    key = ("scalar-index", s.value)
    for cache in reversed(cg.cse):
        hit = cache.get(key)
        if hit is not None:
            return hit
    loc, ip = cg.loc(node), cg.ip
    op = defining_op(s.value)
    iv = None
    if op is not None and op.name in ("arith.addi", "arith.subi"):
        x, y = op.operands
        c = _int_constant(y)
        if c is None and op.name == "arith.addi":
            x, c = y, _int_constant(x)
        if c is not None:
            c = c if op.name == "arith.addi" else -c
            base = scalar_index(cg, ScalarVal(x, s.dtype), node)
            v = arith.AddIOp(base.value, cg.const_index(c, node), loc=loc,
                             ip=ip).result
            iv = cg.new_index(v, base.lin + Lin(c))
    if iv is None:
        iv = data_index(cg, arith.IndexCastOp(ir.IndexType.get(), s.value,
                                              loc=loc, ip=ip).result)
    cg.cse[-1][key] = iv
    return iv


def _int_constant(v) -> int | None:
    """The value of an integer `arith.constant`, else None."""
    op = defining_op(v)
    if op is not None and op.name == "arith.constant":
        attr = op.attributes["value"]
        if isinstance(attr, ir.IntegerAttr):
            return ir.IntegerAttr(attr).value
    return None


def int_scalar_index(cg, v, node):
    """An integer scalar read at run time (INT8 / INT32 / INT64) as a
    data-dependent index (scalar_index); anything else unchanged."""
    if not (isinstance(v, ScalarVal) and v.dtype in (INT8, INT32, INT64)):
        return v
    return scalar_index(cg, v, node)


def propagate_data(cg, result, *operands) -> None:
    """Marks `result` (an index computed from `operands`) as data-dependent
    when an operand is and its range is unknown."""
    if not isinstance(result, IndexVal) or is_data(cg, result):
        return
    if any(is_data(cg, o) for o in operands) and \
            None in cg.index_bounds(result):
        data_atoms(cg).update(a for a, _ in result.lin.terms)


def clamp_offset(cg, offset, size: int, dim: int, node, what: str,
                 force: bool = False):
    """`offset` clamped to [0, dim - size] when it depends on data (or
    `force`; else unchanged), with a remark at `node`."""
    if not (force or is_data(cg, offset)):
        return offset
    from .tasks import remark
    hi = dim - size
    loc, ip = cg.loc(node), cg.ip
    v = arith.MaxSIOp(cg.index_value(offset, node), cg.const_index(0, node),
                      loc=loc, ip=ip).result
    v = arith.MinSIOp(v, cg.const_index(hi, node), loc=loc, ip=ip).result
    why = ("depends on a value read at run time" if is_data(cg, offset)
           else "is not proved inside the tile")
    remark(cg, node, f"{what} {why}: clamped to [0, {hi}] (a value outside "
           f"reads or writes the nearest in-range slice); the race and "
           f"bounds checks take the whole extent of the dimension")
    return cg.new_index(v, bounds=(0, hi))


# ---------------------------------------------------------------------------
# Building scalar values
# ---------------------------------------------------------------------------

def const(cg, value, dtype: DataType, node) -> ir.Value:
    """The constant `value` in `dtype` (a Python number of the right kind)."""
    if dtype.is_float:
        return cg.const_scalar(float(value), dtype, node)
    if isinstance(value, float):
        if not value.is_integer():
            raise cg.error(node, f"{value!r} is not an integer, but the "
                           f"other operand is an {dtype.name} scalar",
                           help="convert the scalar with pl.cast(x, pl.FP32)")
        value = int(value)
    bits = 64 if dtype is INT64 else 32
    if not -2**(bits - 1) <= value < 2**(bits - 1):
        raise cg.error(node, f"{value} does not fit in {dtype.name}",
                       expected=f"a {bits}-bit integer", found=str(value))
    return cg.const_scalar(value, dtype, node)


def _values(cg, a, b, dtype: DataType, node) -> tuple:
    """The SSA values of two scalar operands, a Python number as a
    constant of `dtype` (the other operand's)."""
    return tuple(v.value if isinstance(v, ScalarVal)
                 else const(cg, v, dtype, node) for v in (a, b))


def _check_arith(cg, s: ScalarVal, node, what):
    if s.dtype not in ARITH_DTYPES:
        target = "FP32" if s.dtype.is_float else "INT32"
        raise cg.error(node, f"{what} does not compute on {s.dtype.name} "
                       f"scalars", expected="an FP16, FP32, INT32 or INT64 "
                                            "scalar",
                       found=s.describe(),
                       help=f"convert it first: pl.cast(x, pl.{target})")


def _promote(cg, a, b, node) -> tuple:
    """An INT32 and an INT64 scalar: the INT32 one sign-extended to INT64
    (PyPTO's integer promotion: `cur_seq + block_size` of a value read from
    an INT32 tensor and one from an INT64 config tensor). Anything else
    unchanged."""
    if isinstance(a, ScalarVal) and isinstance(b, ScalarVal) and \
            {a.dtype, b.dtype} == {INT32, INT64}:
        loc, ip = cg.loc(node), cg.ip

        def widen(v):
            if v.dtype is INT64:
                return v
            return ScalarVal(arith.ExtSIOp(cg.elt_type(INT64), v.value,
                                           loc=loc, ip=ip).result, INT64)
        return widen(a), widen(b)
    return a, b


def binop(cg, op, a, b, node):
    """`a <op> b` where at least one side is a ScalarVal (the other a
    ScalarVal of the same dtype or a Python number)."""
    from .state import OP_SYMBOLS
    sym = OP_SYMBOLS.get(type(op), type(op).__name__)
    if any(isinstance(v, IndexVal) for v in (a, b)) and all(
            isinstance(v, (IndexVal, int)) or (isinstance(v, ScalarVal) and
                                               v.dtype.is_int)
            for v in (a, b)) and not any(isinstance(v, bool) for v in (a, b)):
        # A loop or block index and an integer scalar (PyPTO mixes them:
        # `b * N + pos`): index arithmetic on the scalar's index.
        return cg.index_binop(op, int_scalar_index(cg, a, node),
                              int_scalar_index(cg, b, node), node)
    for v in (a, b):
        if isinstance(v, IndexVal):
            raise cg.error(node, f"'{sym}' of a runtime index and a runtime "
                           f"scalar", found=f"{describe(a)} and {describe(b)}",
                           help="convert one side: pl.cast(x, pl.INDEX) or "
                                "pl.cast(i, pl.INT32)")
        if not (isinstance(v, ScalarVal) or _is_num(v)):
            raise cg.error(node, f"unsupported operands for '{sym}'",
                           found=f"{describe(a)} and {describe(b)}")
    a, b = _promote(cg, a, b, node)
    s = a if isinstance(a, ScalarVal) else b
    dtype = s.dtype
    if isinstance(a, ScalarVal) and isinstance(b, ScalarVal) and \
            a.dtype is not b.dtype:
        raise cg.error(node, f"dtype mismatch in '{sym}'",
                       expected=f"two {a.dtype.name} scalars",
                       found=f"{a.dtype.name} and {b.dtype.name}",
                       help="convert one side with pl.cast")
    _check_arith(cg, s, node, f"'{sym}'")
    x, y = _values(cg, a, b, dtype, node)
    loc, ip = cg.loc(node), cg.ip
    if dtype.is_float:
        cls = {ast.Add: arith.AddFOp, ast.Sub: arith.SubFOp,
               ast.Mult: arith.MulFOp, ast.Div: arith.DivFOp}.get(type(op))
        if cls is None:
            raise cg.error(node, f"operator '{sym}' is not supported on "
                           f"{dtype.name} scalars", expected="+, -, * or /")
        return ScalarVal(cls(x, y, loc=loc, ip=ip).result, dtype)
    if isinstance(op, ast.Div):
        raise cg.error(node, "'/' on INT32 scalars is not supported",
                       help="use '//' for integer division, or convert to "
                            "FP32 with pl.cast")
    simple = {ast.Add: arith.AddIOp, ast.Sub: arith.SubIOp,
              ast.Mult: arith.MulIOp}.get(type(op))
    if simple is not None:
        return ScalarVal(simple(x, y, loc=loc, ip=ip).result, dtype)
    if isinstance(op, (ast.FloorDiv, ast.Mod)):
        if _is_num(b) and int(b) == 0:
            raise cg.error(node, "division by zero")
        if isinstance(op, ast.FloorDiv):
            v = arith.FloorDivSIOp(x, y, loc=loc, ip=ip).result
            return ScalarVal(v, dtype)
        # Python's %: remsi has the dividend's sign; add y when the
        # remainder is non-zero and its sign differs from y's.
        r = arith.RemSIOp(x, y, loc=loc, ip=ip).result
        zero = const(cg, 0, dtype, node)
        r_neg = arith.CmpIOp(arith.CmpIPredicate.slt, r, zero, loc=loc,
                             ip=ip).result
        y_neg = arith.CmpIOp(arith.CmpIPredicate.slt, y, zero, loc=loc,
                             ip=ip).result
        r_nz = arith.CmpIOp(arith.CmpIPredicate.ne, r, zero, loc=loc,
                            ip=ip).result
        differ = arith.XOrIOp(r_neg, y_neg, loc=loc, ip=ip).result
        fix = arith.AndIOp(differ, r_nz, loc=loc, ip=ip).result
        ry = arith.AddIOp(r, y, loc=loc, ip=ip).result
        return ScalarVal(arith.SelectOp(fix, ry, r, loc=loc, ip=ip).result,
                         dtype)
    raise cg.error(node, f"operator '{sym}' is not supported on INT32 "
                   f"scalars", expected="+, -, *, // or %")


def negate(cg, s: ScalarVal, node):
    _check_arith(cg, s, node, "'-'")
    if s.dtype.is_float:
        return ScalarVal(arith.NegFOp(s.value, loc=cg.loc(node),
                                      ip=cg.ip).result, s.dtype)
    return binop(cg, ast.Sub(), 0, s, node)


_FCMP = {"eq": "OEQ", "ne": "UNE", "slt": "OLT", "sle": "OLE", "sgt": "OGT",
         "sge": "OGE"}


def compare(cg, pred: str, a, b, node):
    """A comparison where one side is a ScalarVal."""
    for v in (a, b):
        if isinstance(v, IndexVal):
            raise cg.error(node, "comparison of a runtime index and a "
                           "runtime scalar",
                           found=f"{describe(a)} and {describe(b)}",
                           help="convert one side: pl.cast(x, pl.INDEX) or "
                                "pl.cast(i, pl.INT32)")
        if not (isinstance(v, ScalarVal) or _is_num(v)):
            raise cg.error(node, "a runtime comparison takes two scalars or "
                           "two indices",
                           found=f"{describe(a)} and {describe(b)}")
    a, b = _promote(cg, a, b, node)
    s = a if isinstance(a, ScalarVal) else b
    if isinstance(a, ScalarVal) and isinstance(b, ScalarVal) and \
            a.dtype is not b.dtype:
        raise cg.error(node, "dtype mismatch in a comparison",
                       expected=f"two {a.dtype.name} scalars",
                       found=f"{a.dtype.name} and {b.dtype.name}",
                       help="convert one side with pl.cast")
    _check_arith(cg, s, node, "a comparison")
    dtype = s.dtype
    x, y = _values(cg, a, b, dtype, node)
    loc, ip = cg.loc(node), cg.ip
    if dtype.is_float:
        v = arith.CmpFOp(getattr(arith.CmpFPredicate, _FCMP[pred]), x, y,
                         loc=loc, ip=ip).result
    else:
        v = arith.CmpIOp(getattr(arith.CmpIPredicate, pred), x, y, loc=loc,
                         ip=ip).result
    return BoolVal(v)


def minmax(cg, is_min: bool, a, b, node):
    """pl.min / pl.max with a runtime scalar."""
    name = "pl.min" if is_min else "pl.max"
    for v in (a, b):
        if not (isinstance(v, ScalarVal) or _is_num(v)):
            raise cg.error(node, f"{name} of a runtime scalar takes scalars "
                           f"and numbers", found=f"{describe(a)} and "
                                                 f"{describe(b)}",
                           help="convert indices with pl.cast(i, pl.INT32)")
    a, b = _promote(cg, a, b, node)
    s = a if isinstance(a, ScalarVal) else b
    if isinstance(a, ScalarVal) and isinstance(b, ScalarVal) and \
            a.dtype is not b.dtype:
        raise cg.error(node, f"dtype mismatch in {name}",
                       found=f"{a.dtype.name} and {b.dtype.name}")
    _check_arith(cg, s, node, name)
    dtype = s.dtype
    x, y = _values(cg, a, b, dtype, node)
    if dtype.is_float:
        cls = arith.MinimumFOp if is_min else arith.MaximumFOp
    else:
        cls = arith.MinSIOp if is_min else arith.MaxSIOp
    return ScalarVal(cls(x, y, loc=cg.loc(node), ip=cg.ip).result, dtype)


def select(cg, cond: BoolVal, a, b, node):
    """`a if cond else b` of scalars (numbers take the other's dtype)."""
    s = a if isinstance(a, ScalarVal) else b
    for v in (a, b):
        if not (isinstance(v, ScalarVal) or _is_num(v)):
            raise cg.error(node, "a runtime conditional expression chooses "
                           "between two scalars or two indices",
                           found=f"{describe(a)} and {describe(b)}")
    if isinstance(a, ScalarVal) and isinstance(b, ScalarVal) and \
            a.dtype is not b.dtype:
        raise cg.error(node, "the two choices have different dtypes",
                       found=f"{a.dtype.name} and {b.dtype.name}")
    x, y = _values(cg, a, b, s.dtype, node)
    return ScalarVal(arith.SelectOp(cond.value, x, y, loc=cg.loc(node),
                                    ip=cg.ip).result, s.dtype)


# ---------------------------------------------------------------------------
# pl.cast of scalars and indices
# ---------------------------------------------------------------------------

#: Float -> INT32 rounding of pl.cast's `mode` (the tile casts' names).
_INT_MODES = ("round", "rint", "trunc", "floor", "ceil")


def cast(cg, node, a):
    """pl.cast(x, target) where x is a runtime scalar, a runtime index or a
    Python number (and the target a scalar dtype or pl.INDEX)."""
    v = a.input.value
    target = a.target_type.value
    if not isinstance(target, DataType):
        raise cg.error(a.target_type.node, "target_type must be a pl dtype",
                       found=describe(target))
    mode = a.mode.value
    if target is INDEX:
        if _is_num(v):
            if isinstance(v, float) and not v.is_integer():
                raise cg.error(a.input.node, "pl.cast(..., pl.INDEX) of a "
                               "non-integer", found=repr(v))
            return int(v)
        if isinstance(v, IndexVal):
            return v
        if isinstance(v, ScalarVal) and v.dtype in (INT32, INT8, INT64):
            iv = arith.IndexCastOp(ir.IndexType.get(), v.value,
                                   loc=cg.loc(node), ip=cg.ip).result
            return data_index(cg, iv)
        raise cg.error(a.input.node, "pl.cast(..., pl.INDEX) takes an integer "
                       "scalar or index", expected="an INT8, INT32 or INT64 "
                       "scalar, or an index", found=describe(v),
                       help="convert a float first: pl.cast(x, pl.INT32, "
                            "mode=...)" if isinstance(v, ScalarVal) and
                       v.dtype.is_float else None)
    cg.check_dtype_supported(target, a.target_type.node)
    if _is_num(v):
        if target.is_float:
            return float(v)
        return TypedInt(int(v), target)
    loc, ip = cg.loc(node), cg.ip
    if isinstance(v, IndexVal):
        if target not in (INT32, UINT32):
            raise cg.error(node, f"a runtime index converts to INT32, UINT32 "
                           f"or INDEX, not {target.name}",
                           help="convert to INT32 first")
        # UINT32 scalars are i32 values (the same bits) as UINT32 tiles.
        i32 = cg.elt_type(INT32)
        return ScalarVal(arith.IndexCastOp(i32, v.value, loc=loc,
                                           ip=ip).result, target)
    if not isinstance(v, ScalarVal):
        return None          # not a scalar: the tile cast handles it
    src = v.dtype
    if src is target:
        return v
    t = cg.elt_type(target)
    if src.is_float and target.is_float:
        if target.bits > src.bits:
            out = arith.ExtFOp(t, v.value, loc=loc, ip=ip).result
        else:
            if mode not in (None, "none", "rint"):
                raise cg.error(a.mode.node, f"a scalar {src.name} -> "
                               f"{target.name} conversion rounds to nearest "
                               f"even", expected="mode 'rint' or none",
                               found=repr(mode))
            out = arith.TruncFOp(t, v.value, loc=loc, ip=ip).result
        return ScalarVal(out, target)
    if src.is_int and target.is_int:
        if target.bits == src.bits:
            return ScalarVal(v.value, target)    # INT32 <-> UINT32: the bits
        if target.bits > src.bits:
            ext = arith.ExtUIOp if src is UINT32 else arith.ExtSIOp
            out = ext(t, v.value, loc=loc, ip=ip).result
        else:
            out = arith.TruncIOp(t, v.value, loc=loc, ip=ip).result
        return ScalarVal(out, target)
    if src.is_int:
        # Exact for |x| <= 2^24 (FP32); otherwise rounded to nearest even.
        tofp = arith.UIToFPOp if src is UINT32 else arith.SIToFPOp
        return ScalarVal(tofp(t, v.value, loc=loc, ip=ip).result, target)
    if mode is None:
        mode = "round"
    if mode not in _INT_MODES:
        raise cg.error(a.mode.node, f"rounding mode {mode!r} is not legal for "
                       f"{src.name} -> {target.name}",
                       expected=", ".join(repr(m) for m in _INT_MODES),
                       found=repr(mode))
    from ..mlir.dialects import math as math_d
    x = v.value
    rounder = {"round": math_d.RoundOp, "rint": math_d.RoundEvenOp,
               "floor": math_d.FloorOp, "ceil": math_d.CeilOp}.get(mode)
    if rounder is not None:
        x = rounder(x, loc=loc, ip=ip).result
    return ScalarVal(arith.FPToSIOp(t, x, loc=loc, ip=ip).result, target)


# ---------------------------------------------------------------------------
# Tile-scalar operands
# ---------------------------------------------------------------------------

def tile_operand(cg, s: ScalarVal, t: TileVal, op: str, node) -> ir.Value:
    """The scalar operand of a tile-scalar op on `t`: of t's dtype."""
    if s.dtype is not t.dtype:
        raise cg.error(node, f"pl.{op} of a {t.dtype.name} tile and a "
                       f"{s.dtype.name} scalar",
                       expected=f"a {t.dtype.name} scalar",
                       found=s.describe(),
                       help=f"convert it: pl.cast(x, pl.{t.dtype.name})")
    return s.value


# ---------------------------------------------------------------------------
# pl.read / pl.write
# ---------------------------------------------------------------------------

def _indices(cg, arg, shape, what: str) -> list:
    """One index per dimension of `shape`; a single index (not in a list)
    is PyPTO's flat row-major index, unravelled here."""
    rank = len(shape)
    v = arg.value
    flat = isinstance(v, (int, IndexVal, ScalarVal)) and \
        not isinstance(v, bool)
    if flat:
        v = [v]
    if not isinstance(v, (list, tuple)):
        raise cg.error(arg.node, f"{what} takes a list of indices",
                       expected=f"{rank} indices", found=describe(v))
    if len(v) != rank and not flat:
        raise cg.error(arg.node, f"{what} needs one index per dimension",
                       expected=f"{rank} indices (rank {rank})",
                       found=f"{len(v)} indices")
    out = []
    for i in v:
        if isinstance(i, ScalarVal) and i.dtype in (INT32, INT8):
            i = scalar_index(cg, i, arg.node)
        if isinstance(i, bool) or not isinstance(i, (int, IndexVal)):
            raise cg.error(arg.node, f"{what}: an index must be an integer",
                           expected="an int, a loop or block index, or an "
                                    "INT32 scalar",
                           found=describe(i))
        out.append(i)
    if flat and rank > 1:
        i, out = out[0], []
        if not is_data(cg, i):
            lo, hi = cg.index_bounds(i)
            total = 1
            for dim in shape:
                total *= dim
            if (lo is not None and lo < 0) or (hi is not None and
                                               hi >= total):
                raise cg.error(arg.node, f"{what}: flat index out of bounds",
                               expected=f"0 <= index < {total} (shape "
                                        f"{shape_str(shape)})",
                               found=str(i) if isinstance(i, int) else
                               f"indices {lo}..{hi}")
        for d in range(rank - 1, -1, -1):
            dim = shape[d]
            if d == 0:
                out.insert(0, i)
                break
            out.insert(0, cg.index_binop(ast.Mod(), i, dim, arg.node))
            i = cg.index_binop(ast.FloorDiv(), i, dim, arg.node)
    return out


def _element(cg, idx, shape, node, what, on_tile: bool):
    """The indices checked against `shape`. A constant out of range is an
    error here; data-dependent ones are clamped. Other runtime indices of
    a GM tensor are left to tile-check-races' exact bounds check (as for
    slices: an interval may over-approximate, `b - (b // 4) * 4`); of a
    tile, where no later check runs, an index not proved inside by its
    interval is clamped too."""
    out = []
    for d, (i, dim) in enumerate(zip(idx, shape)):
        if isinstance(i, int):
            if i < 0:
                i += dim
            if not 0 <= i < dim:
                raise cg.error(node, f"{what}: index {d} is out of bounds",
                               expected=f"0 <= index < {dim} (shape "
                                        f"{shape_str(shape)})",
                               found=str(idx[d]))
            out.append(i)
            continue
        lo, hi = cg.index_bounds(i)
        inside = lo is not None and hi is not None and 0 <= lo and hi < dim
        if is_data(cg, i) or (on_tile and not inside):
            out.append(clamp_offset(cg, i, 1, dim, node,
                                    f"{what}: index {d}", force=True))
            continue
        out.append(i)
    return out


def _source_arg(a):
    for name in ("src", "dst", "tile", "tensor"):
        if name in a.__dict__:
            return a.__dict__[name]
    raise KeyError("source")


def _offset_arg(a):
    return a.__dict__["offset"] if "offset" in a.__dict__ else a.indices


def _check_element(cg, dtype: DataType, node, what):
    """Scalar element access (tile.get / tile.set) takes elements of at most
    32 bits."""
    if dtype.bits > 32:
        raise cg.error(node, f"{what} of {dtype.name} elements is not "
                       f"supported yet", found=f"{dtype.name} elements",
                       expected="BF16, FP16, FP32, INT8, INT32 or UINT32 "
                                "elements",
                       help="keep the values in an INT32 tensor")


def _get(cg, tile: TileVal, row, col, node) -> ScalarVal:
    """The element (row, col) of `tile` as a scalar. An INT64 element
    (tile.get takes elements of at most 32 bits) is read as its two INT32
    halves through a `tile.reinterpret_view` of the tile and combined as
    `hi * 2**32 + zext(lo)`: exact for every value (both the host and the
    AI Core are little-endian), and affine in the two values read, so the
    race and bounds analyses model an offset computed from it as they
    model any value read."""
    loc, ip = cg.loc(node), cg.ip
    if tile.dtype is not INT64:
        v = tile_d.GetOp(tile.value, cg.index_value(row, node),
                         cg.index_value(col, node), loc=loc, ip=ip).result
        return ScalarVal(v, tile.dtype)
    rows, cols = tile.shape
    halves = tile_d.ReinterpretViewOp(cg.tile_type((rows, 2 * cols), INT32),
                                      tile.value, loc=loc, ip=ip).result
    c_lo = cg.index_binop(ast.Mult(), col, 2, node)
    c_hi = cg.index_binop(ast.Add(), c_lo, 1, node)
    r = cg.index_value(row, node)
    lo = tile_d.GetOp(halves, r, cg.index_value(c_lo, node), loc=loc,
                      ip=ip).result
    hi = tile_d.GetOp(halves, r, cg.index_value(c_hi, node), loc=loc,
                      ip=ip).result
    i64 = cg.elt_type(INT64)
    lo = arith.ExtUIOp(i64, lo, loc=loc, ip=ip).result
    hi = arith.ExtSIOp(i64, hi, loc=loc, ip=ip).result
    scale = arith.ConstantOp(i64, ir.IntegerAttr.get(i64, 1 << 32), loc=loc,
                             ip=ip).result
    hi = arith.MulIOp(hi, scale, loc=loc, ip=ip).result
    return ScalarVal(arith.AddIOp(hi, lo, loc=loc, ip=ip).result, INT64)


def read(cg, node, a):
    """pl.read(t, [i, ...]): one element of a GM tensor or a tile."""
    src = _source_arg(a)
    t = src.value
    if isinstance(t, PendingTile):
        t = cg.as_tile(t, src.node)
    if isinstance(t, TileVal):
        cg.require_core(node, "pl.read of a tile")
        if t.dtype is not INT64:
            _check_element(cg, t.dtype, node, "pl.read")
        idx = _indices(cg, _offset_arg(a), t.shape, "pl.read")
        idx = _element(cg, idx, t.shape, node, "pl.read", True)
        return _get(cg, t, idx[0], idx[1], node)
    if not isinstance(t, GmTensor):
        raise cg.error(src.node, "pl.read takes a GM tensor or a tile",
                       found=describe(t))
    if t.dtype is not INT64:
        _check_element(cg, t.dtype, node, "pl.read")
    rank = len(t.shape)
    idx = _indices(cg, _offset_arg(a), t.shape, "pl.read")
    what = f"pl.read of '{t.name}'"
    idx = _element(cg, idx, t.shape, node, what, False)
    if cg.scope.kind != "at":
        # An orchestration-level read: built here, sunk into the scopes
        # that use it when the function is complete (orchestration.py),
        # or a compile-time value where the kernel is specialised on it.
        key = element_key(cg, t, idx, node)
        bound = cg.param_shapes.get(key) if key is not None else None
        if isinstance(bound, tuple) and len(bound) == 2 and \
                bound[0] == "element":
            return _specialised_element(cg, key, bound[1], t, node)
        cg.check_written(t, node)
        shape = cg.tile_shape_of(t, [1] * rank, node)
        load = tile_d.LoadOp(cg.tile_type(shape, t.dtype), t.value,
                             [cg.index_value(i, node)
                              for i in cg.in_root(t, idx, node,
                                                  [1] * rank)], [],
                             loc=cg.loc(node), ip=cg.ip)
        value = _get(cg, TileVal(load.result, shape, t.dtype), 0, 0, node)
        orchestration.note_read(cg, (load,), node, what, value.value)
        if key is not None:
            cg.__dict__.setdefault("element_reads", {})[load.operation] = key
        return value
    tile = cg.load_slice(t, idx, [1] * rank, node)
    return _get(cg, tile, 0, 0, node)


def _value_for(cg, value, dtype: DataType, node, what):
    if isinstance(value, ScalarVal):
        if value.dtype is not dtype:
            raise cg.error(node, f"{what}: dtype mismatch",
                           expected=f"a {dtype.name} value",
                           found=value.describe(),
                           help=f"convert it: pl.cast(x, pl.{dtype.name})")
        return value.value
    if isinstance(value, IndexVal) and dtype in (INT32, INT64):
        return arith.IndexCastOp(cg.elt_type(dtype), value.value,
                                 loc=cg.loc(node), ip=cg.ip).result
    if _is_num(value):
        if dtype in (BF16, INT8):
            if dtype is BF16:
                return cg.const_scalar(float(value), dtype, node)
            if not -128 <= int(value) < 128 or (isinstance(value, float)
                                                and not value.is_integer()):
                raise cg.error(node, f"{what}: {value!r} is not an INT8",
                               found=repr(value))
            return cg.const_scalar(int(value), dtype, node)
        return const(cg, value, dtype, node)
    raise cg.error(node, f"{what}: the value must be a scalar or a number",
                   found=describe(value))


def _set(cg, tile: TileVal, row, col, v, node):
    """`tile` with element (row, col) set to the SSA value `v`. An INT64
    element is set as its two INT32 halves (lo = the low 32 bits, hi = the
    high) through a `tile.reinterpret_view` of the tile, as `_get` reads
    it."""
    loc, ip = cg.loc(node), cg.ip
    if tile.dtype is not INT64:
        return tile_d.SetOp(v, tile.value, cg.index_value(row, node),
                            cg.index_value(col, node), loc=loc, ip=ip).result
    rows, cols = tile.shape
    i32 = cg.elt_type(INT32)
    halves = tile_d.ReinterpretViewOp(cg.tile_type((rows, 2 * cols), INT32),
                                      tile.value, loc=loc, ip=ip).result
    lo = arith.TruncIOp(i32, v, loc=loc, ip=ip).result
    i64 = cg.elt_type(INT64)
    shift = arith.ConstantOp(i64, ir.IntegerAttr.get(i64, 32), loc=loc,
                             ip=ip).result
    hi = arith.TruncIOp(i32, arith.ShRSIOp(v, shift, loc=loc, ip=ip).result,
                        loc=loc, ip=ip).result
    c_lo = cg.index_binop(ast.Mult(), col, 2, node)
    c_hi = cg.index_binop(ast.Add(), c_lo, 1, node)
    r = cg.index_value(row, node)
    halves = tile_d.SetOp(lo, halves, r, cg.index_value(c_lo, node),
                          loc=loc, ip=ip).result
    halves = tile_d.SetOp(hi, halves, r, cg.index_value(c_hi, node),
                          loc=loc, ip=ip).result
    return tile_d.ReinterpretViewOp(tile.value.type, halves, loc=loc,
                                    ip=ip).result


def write(cg, node, a):
    """pl.write(t, [i, ...], value): replace one element of a GM tensor or a
    tile (a tile variable named in the call gets the new tile)."""
    src = _source_arg(a)
    t = src.value
    if isinstance(t, PendingTile):
        t = cg.as_tile(t, src.node)
    if isinstance(t, TileVal):
        cg.require_core(node, "pl.write of a tile")
        if t.dtype is not INT64:
            _check_element(cg, t.dtype, node, "pl.write")
        idx = _indices(cg, _offset_arg(a), t.shape, "pl.write")
        idx = _element(cg, idx, t.shape, node, "pl.write", True)
        v = _value_for(cg, a.value.value, t.dtype, a.value.node, "pl.write")
        r = _set(cg, t, idx[0], idx[1], v, node)
        out = TileVal(r, t.shape, t.dtype, t.memory, t.memory_at)
        if isinstance(src.node, ast.Name):
            cg.assign(src.node, out, node)
        return out
    if not isinstance(t, GmTensor):
        raise cg.error(src.node, "pl.write takes a GM tensor or a tile",
                       found=describe(t))
    cg.require_core(node, f"pl.write into '{t.name}'")
    if t.dtype is not INT64:
        _check_element(cg, t.dtype, node, "pl.write")
    rank = len(t.shape)
    idx = _indices(cg, _offset_arg(a), t.shape, "pl.write")
    idx = _element(cg, idx, t.shape, node, f"pl.write into '{t.name}'",
                   False)
    v = _value_for(cg, a.value.value, t.dtype, a.value.node, "pl.write")
    shape = cg.tile_shape_of(t, [1] * rank, node)
    ttype = cg.tile_type(shape, t.dtype)
    zero_attr = (ir.FloatAttr.get(cg.elt_type(t.dtype), 0.0)
                 if t.dtype.is_float else
                 ir.IntegerAttr.get(cg.elt_type(t.dtype), 0))
    loc, ip = cg.loc(node), cg.ip
    base = tile_d.FullOp(ttype, zero_attr, loc=loc, ip=ip).result
    one = _set(cg, TileVal(base, shape, t.dtype), 0, 0, v, node)
    cg.store_tile(t, idx, [1] * rank, TileVal(one, shape, t.dtype), node,
                  a.value.node)
    return None


SCALAR_BUILTINS = {
    "read": read, "tile.read": read, "tensor.read": read,
    "write": write, "tile.write": write, "tensor.write": write,
}


# ---------------------------------------------------------------------------
# pl.Scalar kernel parameters
# ---------------------------------------------------------------------------

class ScalarParam:
    """A `pl.Scalar[DTYPE]` kernel parameter. The call passes a Python
    number; the kernel receives it as a one-element GM tensor (`memref<1x..>`)
    and reads it where it is used inside a core scope, so one compiled
    kernel serves every value (no recompile per value). A use at function
    level (a grid size, a function-level `if`) needs the value at compile
    time: the kernel is then specialised on it (`value`, see
    `NeedsScalarValue`)."""

    def __init__(self, tensor: GmTensor, node, value=None, index=False):
        self.tensor = tensor
        self.node = node
        self.value = value
        # A pl.INDEX parameter: passed as an INT64, read as an index.
        self.index = index

    @property
    def name(self) -> str:
        return self.tensor.name

    def describe(self) -> str:
        dtype = "INDEX" if self.index else self.tensor.dtype.name
        return f"pl.Scalar[pl.{dtype}] parameter '{self.name}'"


#: The dtypes a pl.Scalar parameter may have (INDEX is passed as an INT64).
PARAM_DTYPES = (BF16, FP16, FP32, INT8, INT32, INT64, INDEX)


class NeedsScalarValue(Exception):
    """Raised by the frontend when a `pl.Scalar` parameter without a
    compile-time value is used at function level: the caller (JitKernel)
    compiles again, specialised on the call's value. `error` is the
    CompileError to show when there is no value (``kernel.ir()`` without
    a call)."""

    def __init__(self, name: str, error):
        super().__init__(name)
        self.name = name
        self.error = error


def param_value(cg, p: ScalarParam, node):
    """The value of a scalar parameter where `node` uses it: a read of the
    parameter's one-element tensor inside a core scope; the parameter itself
    elsewhere (it may be passed on to a `@pl.jit.inline` helper); the
    compile-time value where the kernel is specialised on it."""
    if p.value is not None:
        return p.value
    if cg.scope.kind != "at":
        return p
    t = p.tensor
    tile = cg.load_slice(t, [0], [1], node)
    v = _get(cg, tile, 0, 0, node)
    if p.index:
        # A pl.INDEX parameter (passed as one INT64): an index read at run
        # time, clamped where it is an offset (data_index).
        return data_index(cg, arith.IndexCastOp(
            ir.IndexType.get(), v.value, loc=cg.loc(node), ip=cg.ip).result)
    return v


def param_misuse(cg, p: ScalarParam, node):
    """A use of `p` at function level: the kernel must be specialised on
    its value (NeedsScalarValue carries the error for when it cannot)."""
    return NeedsScalarValue(p.name, _misuse_error(cg, p, node))


def specialised_remark(cg, p: ScalarParam, node) -> None:
    from .tasks import remark
    remark(cg, node, f"{p.describe()} is used at function level: the kernel "
           f"is specialised on its value ({p.value!r}) and compiled once per "
           f"value")


def _misuse_error(cg, p: ScalarParam, node):
    return cg.error(node, f"{p.describe()} is used outside a core scope",
                    expected="a use inside a pl.spmd / pl.at body",
                    found="a use at function level",
                    help="called with a value (kernel(..., n)), the kernel "
                         "is specialised on it; kernel.ir() / compile() "
                         "without arguments have no value")


# ---------------------------------------------------------------------------
# Function-level reads the kernel is specialised on
# ---------------------------------------------------------------------------

def element_key(cg, t: GmTensor, idx, node):
    """(parameter name, flat index) of a function-level read of one element
    of an integer input parameter at compile-time indices, the key a
    specialisation on its value is cached under; None for any other read."""
    root = t.base
    if root.kind != "input" or t.dtype not in (INT8, INT32, INT64) or \
            root.name in cg.written_inputs:
        return None
    offsets = cg.in_root(t, idx, node)
    if not all(isinstance(o, int) and not isinstance(o, bool)
               for o in offsets):
        return None
    flat = 0
    for o, d in zip(offsets, root.shape):
        flat = flat * d + o
    return (root.name, flat)


def _specialised_element(cg, key, value, t: GmTensor, node):
    from .tasks import remark
    cg.__dict__.setdefault("specialised_elements", {})[key] = node
    remark(cg, node, f"element {key[1]} of '{key[0]}' decides a shape or a "
           f"compile-time count at function level: the kernel is "
           f"specialised on its value ({value}) and compiled once per value")
    return int(value)


def need_compile_time(cg, v, node) -> None:
    """`v`, a runtime scalar where a compile-time integer is needed (a
    shape, a block count): when it is computed at function level from
    elements of input tensors read at compile-time indices only, raise
    NeedsScalarValue for the first element without a value, so that the
    call specialises the kernel on it (JitKernel); else return."""
    if not isinstance(v, ScalarVal) or cg.scope.kind == "at":
        return
    reads = cg.__dict__.get("element_reads", {})
    keys, stack, seen = [], [v.value], set()
    while stack:
        op = defining_op(stack.pop())
        if op is None or op in seen:
            continue
        seen.add(op)
        if op.name == "tile.load":
            key = reads.get(op)
            if key is None:
                return
            keys.append(key)
            continue
        if not (op.name.startswith("arith.") or
                op.name in ("tile.get", "tile.reinterpret_view")):
            return
        stack.extend(op.operands)
    for key in keys:
        if key not in cg.param_shapes:
            raise NeedsScalarValue(key, cg.error(
                node, f"a value read from element {key[1]} of '{key[0]}' "
                      f"is used where a compile-time integer is needed",
                expected="a compile-time integer",
                found="a value read at run time",
                help="called with tensors, the kernel is specialised on "
                     "that element's value; kernel.ir() / compile() "
                     "without arguments have none"))


def specialise_trip_counts(cg) -> None:
    """An element of an input tensor read at compile-time indices at
    function level (element_key) whose value decides a loop's trip count
    (a bound of an scf.for or tile.pipeline, at function level or in a
    scope it is passed into) makes the kernel specialise on it: raise
    NeedsScalarValue for the first such element without a value. A loop
    over `pl.range(batch)` with `batch` read from a config tensor is then
    a compile-time loop the race and bounds checks see through."""
    reads = cg.__dict__.get("orchestration_reads", [])
    keys = cg.__dict__.get("element_reads", {})
    for ops, node, _what, value in reads:
        key = keys.get(ops[0])
        if key is None or value is None or key in cg.param_shapes:
            continue
        seen, work = set(), [value]
        while work:
            v = work.pop()
            for use in v.uses:
                user = use.owner
                user = getattr(user, "operation", user)
                if user.name in ("scf.for", "tile.pipeline") and \
                        use.operand_number < 3:
                    raise NeedsScalarValue(key, cg.error(
                        node, f"element {key[1]} of '{key[0]}' is a loop's "
                              f"trip count",
                        expected="a value the call gives",
                        found="no call (kernel.ir() / compile() without "
                              "arguments)"))
                if len(user.regions) or user in seen:
                    continue
                seen.add(user)
                work.extend(user.results)
