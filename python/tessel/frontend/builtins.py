"""The `pl` operations: shape and dtype inference, checks, and the tile ops
they build.

The regular families (elementwise binary and unary ops, row reductions,
row / column broadcasts) are generated from the declarative table in
`optable`; the irregular ops (cast, matmul, gather / scatter, tensors and
slices) are written out below. Each entry of `BUILTINS` takes the code generator, the call node and the
bound arguments (`Args`, each an `Arg(value, node)`) and returns the value
of the call. Every check happens here, before an op is built, so the
author sees a CompileError at their line instead of an MLIR verifier
message; the rules mirror the verifiers in dialects/tile/TileOps.cpp.
"""

from __future__ import annotations

import ast
import math

from ..language.types import (BF16, FP16, FP32, INDEX, INT8, INT32, INT64,
                              UINT32, MaskPattern)
from ..mlir import ir
from ..mlir.dialects import memref
from .. import targets
from ..language.types import MemorySpace
from . import memories, optable, validshape
from . import tile_ops as tile_d
from .state import Arg, Args
from .values import (RUNTIME_TYPES, GmTensor, IndexVal, PendingTile,
                     ScalarVal, TensorExpr, TileVal, TransposedView, describe,
                     shape_str)



def _names(dtypes) -> str:
    return ", ".join(d.name for d in dtypes)


def _tile(cg, arg, what):
    return cg.as_tile(arg.value, arg.node, what)


def _is_scalar(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _check_dtype(cg, node, op, t: TileVal, allowed, what="operand"):
    if t.dtype not in allowed:
        help_ = None
        if t.dtype is BF16 or t.dtype is INT8:
            help_ = (f"convert first, e.g. pl.cast(t, target_type=pl."
                     f"{'FP32' if t.dtype is BF16 else 'FP16'})")
        raise cg.error(node, f"pl.{op} does not compute in {t.dtype.name}",
                       expected=f"a tile of {_names(allowed)}",
                       found=f"{what}: {t.describe()}", help=help_)


def _result(op_view) -> ir.Value:
    return op_view.result


# ---------------------------------------------------------------------------
# The regular families, generated from optable.OPS
# ---------------------------------------------------------------------------

def _op_class(name: str):
    return getattr(tile_d, name)


def _scalar_for(cg, node, op, value, t: TileVal, arg_node):
    """The arith.constant of `value` in the element type of `t`."""
    if t.dtype.is_float:
        v = float(value)
        if t.dtype is FP16 and math.isfinite(v) and abs(v) > 65504.0:
            raise cg.error(arg_node, f"scalar {value!r} overflows FP16",
                           expected="|value| <= 65504", found=repr(value))
        return cg.const_scalar(v, t.dtype, arg_node)
    if isinstance(value, float):
        if not value.is_integer():
            raise cg.error(arg_node, f"pl.{op} of an {t.dtype.name} tile needs "
                           f"an integer scalar", expected="an integer",
                           found=repr(value))
        value = int(value)
    lo, hi = -2 ** (t.dtype.bits - 1), 2 ** (t.dtype.bits - 1)
    if not lo <= value < hi:
        raise cg.error(arg_node, f"scalar {value} does not fit in "
                       f"{t.dtype.name}", expected=f"{lo} <= value < {hi}",
                       found=str(value))
    return cg.const_scalar(value, t.dtype, arg_node)


def elementwise(cg, node, op, lhs, rhs):
    """pl.<op>(lhs, rhs) of the binary family (also the tile operators
    ``+ - * /``): tile-tile, tile-scalar, scalar-tile or folded."""
    d = optable.BY_NAME[op]
    L, R = lhs.value, rhs.value
    if _is_scalar(L) and _is_scalar(R):
        try:
            return d.fold(L, R)
        except ZeroDivisionError:
            raise cg.error(node, "division by zero") from None
        except (ValueError, OverflowError) as e:
            raise cg.error(node, f"pl.{op}({L!r}, {R!r}): {e}") from None
    tiles = (TileVal, PendingTile)
    scalar = (ScalarVal, int, float)
    if (isinstance(L, ScalarVal) or isinstance(R, ScalarVal)) and \
            isinstance(L, scalar) and isinstance(R, scalar) and \
            not isinstance(L, bool) and not isinstance(R, bool):
        import ast as _ast
        from . import scalars
        pyop = {"add": _ast.Add, "sub": _ast.Sub, "mul": _ast.Mult,
                "div": _ast.Div}.get(op)
        if pyop is not None:
            return scalars.binop(cg, pyop(), L, R, node)
        if op in ("maximum", "minimum"):
            return scalars.minmax(cg, op == "minimum", L, R, node)
    if isinstance(L, tiles) and isinstance(R, tiles):
        cg.require_core(node, f"pl.{op}", d.unit)
        a, b = _tile(cg, lhs, "lhs"), _tile(cg, rhs, "rhs")
        _check_dtype(cg, lhs.node, op, a, d.dtypes, "lhs")
        memories.check_vector_operand(cg, a, lhs.node, f"pl.{op}")
        memories.check_vector_operand(cg, b, rhs.node, f"pl.{op}")
        if a.dtype is not b.dtype:
            raise cg.error(rhs.node, f"dtype mismatch in pl.{op}",
                           expected=f"{a.dtype.name} (the dtype of lhs)",
                           found=f"{b.dtype.name} (rhs: {b.describe()})",
                           help="convert one side with pl.cast")
        if a.shape != b.shape:
            r = _broadcast(cg, node, op, d, a, b)
            if r is not None:
                return r
            raise cg.error(rhs.node, f"shape mismatch in pl.{op}",
                           expected=f"{shape_str(a.shape)} (the shape of lhs)",
                           found=f"{shape_str(b.shape)} (rhs)",
                           help=_broadcast_help(op, a.shape, b.shape))
        v = _op_class(d.tile_op)(a.value, b.value, results=[a.value.type],
                                 loc=cg.loc(node), ip=cg.ip).result
        return TileVal(v, a.shape, a.dtype)
    if isinstance(L, tiles) and (_is_scalar(R) or isinstance(R, ScalarVal)):
        cls, t_arg, s_arg = d.scalar_op, lhs, rhs
    elif (_is_scalar(L) or isinstance(L, ScalarVal)) and \
            isinstance(R, tiles):
        cls, t_arg, s_arg = d.rscalar_op, rhs, lhs
    else:
        bad = lhs if not (isinstance(L, tiles) or _is_scalar(L)) else rhs
        raise cg.error(bad.node, f"pl.{op} takes tiles and scalars",
                       expected="a tile or a number",
                       found=describe(bad.value),
                       help=(f"slice the GM tensor to load a tile"
                             if isinstance(bad.value, GmTensor) else
                             "runtime scalars are not supported; scalars are "
                             "compile-time numbers"
                             if isinstance(bad.value, RUNTIME_TYPES) else None))
    if cls is None and t_arg is lhs:
        raise cg.error(rhs.node, f"pl.{op} takes two tiles",
                       expected="a tile", found=describe(R),
                       help=f"make the number a tile with pl.full"
                            + ("; pl.lrelu takes a scalar slope"
                               if op == "prelu" else ""))
    if cls is None:
        raise cg.error(lhs.node, f"pl.{op} takes the tile first",
                       expected="a tile as lhs", found=describe(L),
                       help=f"pl.{op}(number, tile) has no tile op; make "
                            f"the number a tile with pl.full")
    cg.require_core(node, f"pl.{op}", d.unit)
    t = _tile(cg, t_arg, "the tile operand")
    _check_dtype(cg, t_arg.node, op, t, d.dtypes)
    memories.check_vector_operand(cg, t, t_arg.node, f"pl.{op}")
    if isinstance(s_arg.value, ScalarVal):
        from . import scalars
        s = scalars.tile_operand(cg, s_arg.value, t, op, s_arg.node)
    else:
        s = _scalar_for(cg, node, op, s_arg.value, t, s_arg.node)
        problem = d.scalar_check and d.scalar_check(s_arg.value, t.dtype)
        if problem:
            raise cg.error(s_arg.node, problem)
    v = _op_class(cls)(t.value, s, results=[t.value.type], loc=cg.loc(node),
                       ip=cg.ip).result
    return TileVal(v, t.shape, t.dtype)


#: The binary ops that broadcast NumPy-style over 2-D tiles (PyPTO's
#: elementwise arithmetic), with their fused row / col expand forms.
_BROADCASTING = {"add": "Add", "sub": "Sub", "mul": "Mul", "div": "Div",
                 "maximum": "Max", "minimum": "Min"}
_COMMUTATIVE = ("add", "mul", "maximum", "minimum")


def _broadcast(cg, node, op, d, a: TileVal, b: TileVal):
    """pl.<op>(a, b) of full tiles whose shapes differ but broadcast
    ([M, N] with [M, 1], [1, N] or [1, 1]; [M, 1] with [1, N]): PyPTO's
    NumPy-style broadcasting. A full operand with a per-row or per-column
    one is one fused op (tile.row_expand_<op> / col_expand_<op>, PTO-ISA's
    TROWEXPAND*); otherwise each narrower operand is expanded first
    (tile.row_expand / col_expand). None when the shapes do not broadcast
    (the caller reports the mismatch)."""
    from . import validshape
    if op not in _BROADCASTING or validshape.is_partial(a) or \
            validshape.is_partial(b):
        return None
    out = []
    for x, y in zip(a.shape, b.shape):
        if x != y and 1 not in (x, y):
            return None
        out.append(max(x, y))
    out = tuple(out)
    loc, ip = cg.loc(node), cg.ip
    name = _BROADCASTING[op]
    full, narrow = (a, b) if a.shape == out else \
        (b, a) if b.shape == out and op in _COMMUTATIVE else (None, None)
    if full is not None:
        per_row = narrow.shape == (out[0], 1)
        if per_row or narrow.shape == (1, out[1]):
            cls = getattr(tile_d, ("RowExpand" if per_row else "ColExpand")
                          + name + "Op")
            v = cls(full.value, narrow.value, results=[full.value.type],
                    loc=loc, ip=ip).result
            return TileVal(v, out, a.dtype)

    def expanded(t: TileVal):
        v = t.value
        if t.shape[1] != out[1]:
            v = tile_d.RowExpandOp(cg.tile_type((t.shape[0], out[1]),
                                                t.dtype), v,
                                   loc=loc, ip=ip).result
        if t.shape[0] != out[0]:
            v = tile_d.ColExpandOp(cg.tile_type(out, t.dtype), v,
                                   loc=loc, ip=ip).result
        return v

    v = _op_class(d.tile_op)(expanded(a), expanded(b),
                             results=[cg.tile_type(out, a.dtype)], loc=loc,
                             ip=ip).result
    return TileVal(v, out, a.dtype)


def _broadcast_help(op, shape, other):
    """What to use instead of a binary op whose operands differ in shape:
    the expand op of the same operation that broadcasts `other`."""
    m, n = shape
    for d in optable.OPS:
        if d.family != "expand" or d.name.split("_expand_")[1] != op:
            continue
        if d.broadcast == "row" and other == (m, 1):
            return f"use pl.{d.name}(lhs, rhs) to broadcast rhs along each row"
        if d.broadcast == "col" and other == (1, n):
            return f"use pl.{d.name}(lhs, rhs) to broadcast rhs along each column"
    return "elementwise operations take tiles of the same shape"


def unary(cg, node, op, arg):
    d = optable.BY_NAME[op]
    if _is_scalar(arg.value):
        try:
            return d.fold(arg.value)
        except TypeError as e:
            raise cg.error(node, f"pl.{op}({arg.value!r}): {e}") from None
        except (ValueError, ZeroDivisionError, OverflowError) as e:
            raise cg.error(node, f"pl.{op}({arg.value!r}): {e}") from None
    cg.require_core(node, f"pl.{op}", d.unit)
    t = _tile(cg, arg, "input")
    _check_dtype(cg, arg.node, op, t, d.dtypes, "input")
    memories.check_vector_operand(cg, t, arg.node, f"pl.{op}")
    v = _op_class(d.tile_op)(t.value, results=[t.value.type],
                             loc=cg.loc(node), ip=cg.ip).result
    return TileVal(v, t.shape, t.dtype)


def _first(a, n):
    """The first `n` bound arguments (in parameter order: `lhs, rhs` of
    pl.add, `tile, slope` of pl.prelu)."""
    return list(vars(a).values())[:n]


def _binary_family(d):
    return lambda cg, node, a: elementwise(cg, node, d.name, *_first(a, 2))


def _unary_family(d):
    return lambda cg, node, a: unary(cg, node, d.name, *_first(a, 1))


def _reduce_family(d, index=False):
    """Row / column reductions ([M, 1] / [1, N] of the input's dtype) and
    arg-reductions (INT32 indices)."""
    op = d.name
    per_row = d.axis != "col"

    def impl(cg, node, a):
        cg.require_core(node, f"pl.{op}", d.unit)
        t = _tile(cg, a.input, "input")
        _check_dtype(cg, a.input.node, op, t, d.dtypes, "input")
        memories.check_vector_operand(cg, t, a.input.node, f"pl.{op}")
        shape = (t.shape[0], 1) if per_row else (1, t.shape[1])
        dtype = INT32 if index else t.dtype
        v = _op_class(d.tile_op)(cg.tile_type(shape, dtype), t.value,
                                 loc=cg.loc(node), ip=cg.ip).result
        return TileVal(v, shape, dtype)
    return impl


def _row_reduce_family(d):
    return _reduce_family(d)


def _arg_reduce_family(d):
    return _reduce_family(d, index=True)


#: PyPTO's comparison codes (`cmp_type=`), tile.cmp's modes.
CMP_MODES = ("eq", "ne", "lt", "le", "gt", "ge")


def predicate_mask_cols(cols: int) -> int:
    """Byte columns of the packed mask of an N-column comparison: ceil(N/8)
    rounded up to 32 (getPredicateMaskCols in dialects/tile)."""
    return ((cols + 7) // 8 + 31) // 32 * 32


def _compare_family(d):
    """pl.cmp(lhs, rhs, cmp_type): tile.cmp, or tile.cmps for a number rhs
    (PyPTO's dispatch); the result is the packed predicate mask."""
    op = d.name

    def impl(cg, node, a):
        mode = a.cmp_type.value
        if isinstance(mode, bool) or not isinstance(mode, int) or \
                not 0 <= mode < len(CMP_MODES):
            raise cg.error(a.cmp_type.node, f"pl.{op} cmp_type must be a "
                           f"compile-time code 0..5",
                           expected="0=eq, 1=ne, 2=lt, 3=le, 4=gt, 5=ge",
                           found=describe(mode))
        cg.require_core(node, f"pl.{op}", d.unit)
        t = _tile(cg, a.lhs, "lhs")
        _check_dtype(cg, a.lhs.node, op, t, d.dtypes, "lhs")
        memories.check_vector_operand(cg, t, a.lhs.node, f"pl.{op}")
        attr = getattr(tile_d.CmpMode, CMP_MODES[mode])
        shape = (t.shape[0], predicate_mask_cols(t.shape[1]))
        rtype = cg.tile_type(shape, INT8)
        if _is_scalar(a.rhs.value):
            s = _scalar_for(cg, node, op, a.rhs.value, t, a.rhs.node)
            v = _op_class(d.scalar_op)(rtype, t.value, s, attr,
                                       loc=cg.loc(node), ip=cg.ip).result
            return TileVal(v, shape, INT8)
        if not isinstance(a.rhs.value, (TileVal, PendingTile)):
            raise cg.error(a.rhs.node, f"pl.{op} compares a tile with a tile "
                           f"or a compile-time number",
                           expected="a tile or a number",
                           found=describe(a.rhs.value))
        r = _tile(cg, a.rhs, "rhs")
        memories.check_vector_operand(cg, r, a.rhs.node, f"pl.{op}")
        if r.dtype is not t.dtype or r.shape != t.shape:
            raise cg.error(a.rhs.node, f"pl.{op} compares tiles of one shape "
                           f"and dtype", expected=t.describe(),
                           found=r.describe(),
                           help="convert with pl.cast; broadcast with "
                                "pl.row_expand / pl.col_expand")
        v = _op_class(d.tile_op)(rtype, t.value, r.value, attr,
                                 loc=cg.loc(node), ip=cg.ip).result
        return TileVal(v, shape, INT8)
    return impl


def _expand_family(d):
    op = d.name

    def impl(cg, node, a):
        cg.require_core(node, f"pl.{op}", d.unit)
        t = _tile(cg, a.input, "input")
        s = _tile(cg, a.scale, "scale")
        _check_dtype(cg, a.input.node, op, t, d.dtypes, "input")
        memories.check_vector_operand(cg, t, a.input.node, f"pl.{op}")
        memories.check_vector_operand(cg, s, a.scale.node, f"pl.{op}")
        if s.dtype is not t.dtype:
            raise cg.error(a.scale.node, f"dtype mismatch in pl.{op}",
                           expected=f"{t.dtype.name} (the dtype of input)",
                           found=f"{s.dtype.name} (scale)")
        m, n = t.shape
        want = (m, 1) if d.broadcast == "row" else (1, n)
        if s.shape != want:
            raise cg.error(a.scale.node, f"pl.{op} scale has the wrong shape "
                           f"for a {shape_str(t.shape)} input",
                           expected=shape_str(want), found=shape_str(s.shape))
        v = _op_class(d.tile_op)(t.value, s.value, results=[t.value.type],
                                 loc=cg.loc(node), ip=cg.ip).result
        return TileVal(v, t.shape, t.dtype)
    return impl


# ---------------------------------------------------------------------------
# Activations and scalar forms built from the table's tile ops
# ---------------------------------------------------------------------------

#: The tile-scalar builtins named apart from their table op (PyPTO's
#: ``maximums`` for ``maximum`` with a number): name -> the optable op.
SCALAR_FORMS = {"maximums": "maximum", "minimums": "minimum",
                "fmods": "fmod", "rems": "rem", "ands": "and_", "ors": "or_",
                "xors": "xor", "shls": "shl", "shrs": "shr"}


def _scalar_form(op, base):
    """pl.maximums / pl.minimums: the tile-scalar form of `base`."""
    def impl(cg, node, a):
        if not _is_scalar(a.rhs.value):
            raise cg.error(a.rhs.node, f"pl.{op} takes a tile and a "
                           f"compile-time number", expected="a number",
                           found=describe(a.rhs.value),
                           help=f"use pl.{base} for two tiles")
        if not isinstance(a.lhs.value, (TileVal, PendingTile)):
            raise cg.error(a.lhs.node, f"pl.{op} takes a tile and a "
                           f"compile-time number", expected="a tile",
                           found=describe(a.lhs.value))
        return elementwise(cg, node, base, a.lhs, a.rhs)
    return impl


def relu(cg, node, a):
    """max(x, 0): tile.maxs."""
    if _is_scalar(a.tile.value):
        return max(a.tile.value, 0)
    return elementwise(cg, node, "maximum", a.tile, Arg(0, node))


def lrelu(cg, node, a):
    """PyPTO's definition, max(x, slope * x): tile.muls then tile.max."""
    if not _is_scalar(a.slope.value):
        raise cg.error(a.slope.node, "pl.lrelu takes a compile-time slope",
                       expected="a number", found=describe(a.slope.value))
    if _is_scalar(a.tile.value):
        return max(a.tile.value, a.slope.value * a.tile.value)
    scaled = elementwise(cg, node, "mul", a.tile, a.slope)
    return elementwise(cg, node, "maximum", a.tile, Arg(scaled, a.tile.node))


#: How each family of optable.OPS becomes a builtin.
FAMILIES = {"binary": _binary_family, "unary": _unary_family,
            "row_reduce": _row_reduce_family, "col_reduce": _row_reduce_family,
            "arg_reduce": _arg_reduce_family, "compare": _compare_family,
            "expand": _expand_family}


# ---------------------------------------------------------------------------
# Cast
# ---------------------------------------------------------------------------

ROUNDING = ("rint", "round", "trunc", "floor", "ceil")
ALL_MODES = ("none",) + ROUNDING
#: (from, to) -> legal modes, as AscendC's Cast provides them.
CAST_RULES = {
    (FP32, FP16): ALL_MODES, (FP32, BF16): ALL_MODES,
    (FP32, INT32): ROUNDING, (FP32, FP32): ROUNDING,
    (FP16, INT32): ROUNDING, (FP16, INT8): ALL_MODES,
    (FP16, FP32): ("none",), (BF16, FP32): ("none",), (INT8, FP16): ("none",),
    (INT32, FP32): ALL_MODES, (INT32, FP16): ROUNDING,
    # 64-bit tiles: sign extension and (as torch) a wrapping truncation.
    (INT32, INT64): ("none",), (INT64, INT32): ("none",),
    (INT32, INDEX): ("none",), (INDEX, INT32): ("none",),
}
PYPTO_DEFAULT_MODE = "round"


def cast(cg, node, a):
    if not isinstance(a.input.value, (TileVal, PendingTile)):
        # A runtime scalar, a runtime index or a number (frontend/scalars.py).
        from . import scalars
        out = scalars.cast(cg, node, a)
        if out is not None:
            return out
    target = cg.dtype_arg(a.target_type, "target_type")
    mode = a.mode.value
    if mode is not None and (not isinstance(mode, str) or
                             mode not in ALL_MODES):
        raise cg.error(a.mode.node, "unknown rounding mode",
                       expected=", ".join(repr(m) for m in ALL_MODES),
                       found=describe(mode))
    cg.require_core(node, "pl.cast", "vector")
    t = _tile(cg, a.input, "input")
    memories.check_vector_operand(cg, t, a.input.node, "pl.cast")
    if t.dtype is target and (mode is None or mode == "none"):
        return t
    if {t.dtype, target} in ({INT32, UINT32}, {INT64, INDEX}):
        # The same bits (as torch's .to() between them): no IR.
        return TileVal(t.value, t.shape, target)
    if UINT32 in (t.dtype, target):
        raise cg.error(node, f"no {t.dtype.name} -> {target.name} conversion",
                       expected="UINT32 <-> INT32 (the same bits)",
                       found=f"{t.dtype.name} -> {target.name}",
                       help="cast through pl.INT32 (exact for values below "
                            "2**31)")
    rule = CAST_RULES.get((t.dtype, target))
    if rule is None:
        legal = [d.name for (f, d) in CAST_RULES if f is t.dtype]
        raise cg.error(node, f"no {t.dtype.name} -> {target.name} conversion "
                       f"on the vector unit",
                       expected=f"{t.dtype.name} -> {', '.join(legal)}",
                       found=f"{t.dtype.name} -> {target.name}",
                       help="convert in steps (e.g. FP32 -> FP16 -> INT8)")
    if rule == ("none",):
        mode = "none"             # exact widening: every mode is the same
    elif mode is None:
        mode = PYPTO_DEFAULT_MODE
    if mode not in rule:
        raise cg.error(a.mode.node, f"rounding mode {mode!r} is not legal for "
                       f"{t.dtype.name} -> {target.name}",
                       expected=", ".join(repr(m) for m in rule),
                       found=repr(mode))
    v = tile_d.CastOp(cg.tile_type(t.shape, target), t.value,
                      getattr(tile_d.RoundMode, mode), loc=cg.loc(node),
                      ip=cg.ip).result
    return TileVal(v, t.shape, target)


# ---------------------------------------------------------------------------
# Cube
# ---------------------------------------------------------------------------

Left, Right = MemorySpace.Left, MemorySpace.Right
_BY_MLIR = {d.mlir: d for d in (BF16, FP16, FP32, INT8, INT32)}


def cube_dtypes(target: str) -> dict:
    """operand dtype -> accumulator dtype of `target`'s cube (TargetInfo's
    table: pto-isa TMATMUL's supported pairs)."""
    table = targets.get(target)["cube_dtypes"]
    return {_BY_MLIR[op]: _BY_MLIR[acc] for op, (acc, _) in table.items()
            if op in _BY_MLIR and acc in _BY_MLIR}


def _trans_flag(cg, arg, name) -> bool:
    v = arg.value
    if not isinstance(v, bool):
        raise cg.error(arg.node, f"{name}= must be True or False",
                       expected="a compile-time bool", found=describe(v))
    return v


def _oriented(shape, trans):
    return (shape[1], shape[0]) if trans else tuple(shape)


def _side(t: TileVal, trans, stored_as):
    if not trans:
        return t.describe()
    return (f"{t.describe()} stored {stored_as}, transposed to "
            f"{shape_str(_oriented(t.shape, True))}")


def _matmul_types(cg, node, lhs: TileVal, rhs: TileVal, a_lhs, a_rhs,
                  op="pl.matmul", a_trans=False, b_trans=False):
    """The accumulator dtype and [M, N] of op(lhs) @ op(rhs), checked: the
    dtypes on the target's cube, K under the transpositions."""
    memories.check_matmul_operand(cg, lhs, a_lhs.node, "lhs", op)
    memories.check_matmul_operand(cg, rhs, a_rhs.node, "rhs", op)
    for t, arg, trans, name in ((lhs, a_lhs, a_trans, "a_trans"),
                                (rhs, a_rhs, b_trans, "b_trans")):
        if trans and t.memory in (Left, Right):
            raise cg.error(arg.node, f"{name}=True transposes the operand "
                           f"as the cube moves it from Mat into "
                           f"{t.memory.name}, but it is in {t.memory.name} "
                           f"already", found=t.describe(),
                           help="pass the Mat tile (or the tensor slice) "
                                "and let the matmul move it")
    if lhs.dtype is not rhs.dtype:
        raise cg.error(a_rhs.node, f"{op} operands have different dtypes",
                       expected=f"{lhs.dtype.name} (the dtype of lhs)",
                       found=f"{rhs.dtype.name} (rhs)")
    cube = cube_dtypes(cg.target)
    out = cube.get(lhs.dtype)
    if out is None:
        raise cg.error(a_lhs.node, f"no cube matmul of {lhs.dtype.name} tiles "
                       f"on {cg.target}",
                       expected=", ".join(f"{a.name} (-> {c.name})"
                                          for a, c in cube.items()),
                       found=lhs.describe(),
                       help="convert the operands with pl.cast")
    m, k = _oriented(lhs.shape, a_trans)
    k2, n = _oriented(rhs.shape, b_trans)
    if k != k2:
        raise cg.error(a_rhs.node, f"{op} contraction sizes differ",
                       expected=f"rhs with {k} "
                                f"{'columns' if b_trans else 'rows'} (lhs "
                                f"{_side(lhs, a_trans, '[K, M]')} has "
                                f"K = {k})",
                       found=f"rhs {_side(rhs, b_trans, '[N, K]')}, K = {k2}",
                       help="a_trans=True reads lhs as [K, M], b_trans=True "
                            "reads rhs as [N, K]")
    return out, (m, n)


def _flags(cg, a):
    at = _trans_flag(cg, a.a_trans, "a_trans")
    bt = _trans_flag(cg, a.b_trans, "b_trans")
    return at, bt


def _build_matmul(cg, node, shape, out, lhs, rhs, at, bt, acc=None):
    kw = dict(loc=cg.loc(node), ip=cg.ip)
    if at:
        kw["a_trans"] = True
    if bt:
        kw["b_trans"] = True
    if acc is None:
        v = tile_d.MatmulOp(cg.tile_type(shape, out), lhs.value, rhs.value,
                            **kw).result
    else:
        v = tile_d.MatmulAccOp(acc.value, lhs.value, rhs.value,
                               results=[acc.value.type], **kw).result
    return TileVal(v, shape, out)


def _operands(cg, a_lhs, a_rhs, at, bt):
    """The matmul operands as tiles and the transpositions: a
    pl.tile.transpose_view operand is its tile, transposed by the cube."""
    out = []
    for arg, trans, what in ((a_lhs, at, "lhs"), (a_rhs, bt, "rhs")):
        v = arg.value
        if isinstance(v, TransposedView):
            out += [v.tile, not trans]
        else:
            out += [_tile(cg, arg, what), trans]
    return out


def matmul_impl(cg, node, a_lhs, a_rhs, out_arg, at=False, bt=False,
                op="pl.matmul"):
    cg.require_core(node, op, "cube")
    lhs, at, rhs, bt = _operands(cg, a_lhs, a_rhs, at, bt)
    out, shape = _matmul_types(cg, node, lhs, rhs, a_lhs, a_rhs, op, at, bt)
    if out_arg is not None and out_arg.value is not None:
        want = cg.dtype_arg(out_arg, "out_dtype")
        if want is not out:
            raise cg.error(out_arg.node, f"{op} of {lhs.dtype.name} tiles "
                           f"accumulates in {out.name}",
                           expected=f"out_dtype=pl.{out.name}",
                           found=f"out_dtype=pl.{want.name}",
                           help="convert the result with pl.cast")
    return _build_matmul(cg, node, shape, out, lhs, rhs, at, bt)


def _check_c_matrix_nz(cg, a):
    if a.c_matrix_nz.value is not False:
        raise cg.error(a.c_matrix_nz.node, "pl.matmul(c_matrix_nz=True) is "
                       "not supported: Tessel chooses each buffer's layout",
                       found=describe(a.c_matrix_nz.value),
                       help="drop c_matrix_nz=")


def matmul(cg, node, a):
    at, bt = _flags(cg, a)
    _check_c_matrix_nz(cg, a)
    return matmul_impl(cg, node, a.lhs, a.rhs, a.out_dtype, at, bt)


def _acc_impl(cg, node, a, at, bt, op):
    cg.require_core(node, op, "cube")
    acc = _tile(cg, a.acc, "acc")
    lhs, at, rhs, bt = _operands(cg, a.lhs, a.rhs, at, bt)
    out, shape = _matmul_types(cg, node, lhs, rhs, a.lhs, a.rhs, op, at, bt)
    if acc.dtype is not out or acc.shape != shape:
        raise cg.error(a.acc.node, f"{op} accumulator does not match "
                       "the product", expected=f"tile {shape_str(shape)} "
                       f"{out.name}", found=acc.describe())
    return _build_matmul(cg, node, shape, out, lhs, rhs, at, bt, acc)


def matmul_acc(cg, node, a):
    at, bt = _flags(cg, a)
    return _acc_impl(cg, node, a, at, bt, "pl.matmul_acc")


def _bias_add(cg, node, a, product: TileVal, op):
    """product + bias[1, N] per column: the vector unit adds it (Tessel has
    no bias table), so the scope must have both units."""
    bias = _tile(cg, a.bias, "bias")
    want = (1, product.shape[1])
    if bias.dtype is not product.dtype or tuple(bias.shape) != want:
        raise cg.error(a.bias.node, f"{op} bias does not match the product",
                       expected=f"tile {shape_str(want)} {product.dtype.name} "
                                f"(one row, the accumulator dtype)",
                       found=bias.describe())
    memories.check_vector_operand(cg, bias, a.bias.node, op)
    v = tile_d.ColExpandAddOp(product.value, bias.value,
                              results=[product.value.type], loc=cg.loc(node),
                              ip=cg.ip).result
    return TileVal(v, product.shape, product.dtype)


def _need_both_units(cg, node, op):
    cg.require_core(node, op)
    if cg.scope.core != "core_group":
        raise cg.error(node, f"{op} adds its bias on the vector unit and "
                       f"needs both units", expected="a pl.at(level="
                       "pl.Level.CORE_GROUP) scope",
                       found=f"a {cg.scope.core} scope",
                       help="Tessel has no bias table: call it in a "
                            "CORE_GROUP scope, or use pl.matmul and add the "
                            "bias with pl.col_expand_add in a vector scope")


def matmul_bias(cg, node, a):
    """PyPTO's tile.matmul_bias: lhs @ rhs + bias[1, N]."""
    _need_both_units(cg, node, "pl.matmul_bias")
    product = matmul_impl(cg, node, a.lhs, a.rhs, None, op="pl.matmul_bias")
    return _bias_add(cg, node, a, product, "pl.matmul_bias")


def _gemv_lhs(cg, a, op):
    phase = a.acc_phase.value
    if phase not in ("unspecified", "partial", "final"):
        raise cg.error(a.acc_phase.node, f"{op} acc_phase must be "
                       "'unspecified', 'partial' or 'final'",
                       found=describe(phase))
    if phase != "unspecified":
        raise cg.error(a.acc_phase.node, f"{op}(acc_phase={phase!r}) is not "
                       "supported: Tessel orders the accumulation itself",
                       help="drop acc_phase= (pl.gemv_acc accumulates)")
    lhs = _tile(cg, a.lhs, "lhs")
    if lhs.shape[0] != 1:
        raise cg.error(a.lhs.node, f"{op} multiplies a row vector",
                       expected="lhs [1, K]", found=lhs.describe(),
                       help="use pl.matmul for an [M, K] lhs")


def gemv(cg, node, a):
    """PyPTO's tile.gemv: [1, K] @ [K, N] -> [1, N] (a one-row matmul)."""
    _gemv_lhs(cg, a, "pl.gemv")
    return matmul_impl(cg, node, a.lhs, a.rhs, None, op="pl.gemv")


def gemv_acc(cg, node, a):
    _gemv_lhs(cg, a, "pl.gemv_acc")
    return _acc_impl(cg, node, a, False, False, "pl.gemv_acc")


def gemv_bias(cg, node, a):
    _need_both_units(cg, node, "pl.gemv_bias")
    _gemv_lhs(cg, a, "pl.gemv_bias")
    product = matmul_impl(cg, node, a.lhs, a.rhs, None, op="pl.gemv_bias")
    return _bias_add(cg, node, a, product, "pl.gemv_bias")


# ---------------------------------------------------------------------------
# Gather / scatter
# ---------------------------------------------------------------------------

def _pattern(cg, arg, op):
    p = arg.value
    if not isinstance(p, MaskPattern):
        raise cg.error(arg.node, f"{op} needs a mask pattern",
                       expected="mask_pattern=pl.tile.MaskPattern.P0101 or "
                                "P1010", found=describe(p),
                       help="or the index form: dim=-1, index=idx")
    return getattr(tile_d.MaskPattern, p.name.lower())


def _mask_element(cg, node, op, t: TileVal):
    if t.dtype.bits not in (16, 32):
        raise cg.error(node, f"{op} moves 16- or 32-bit elements",
                       expected="a BF16, FP16, FP32 or INT32 tile",
                       found=t.describe())


def gather(cg, node, a, op="pl.gather"):
    """The mask form (frontend/index_ops.py dispatches the forms)."""
    pattern = _pattern(cg, a.mask_pattern, op)
    cg.require_core(node, op, "vector")
    t = _tile(cg, a.input, "input")
    _mask_element(cg, a.input.node, op, t)
    out = t.dtype
    if a.output_dtype.value is not None:
        # A reinterpretation of the kept elements' bits (pto-isa's TGATHER
        # mask form), e.g. the index half of sort32 pairs as INT32.
        out = cg.dtype_arg(a.output_dtype, "output_dtype")
        if out.bits != t.dtype.bits:
            raise cg.error(a.output_dtype.node, f"{op}(output_dtype=...) "
                           "reinterprets the elements' bits, so it must have "
                           "the input's width",
                           expected=f"a {t.dtype.bits}-bit dtype",
                           found=f"{out.name} ({out.bits}-bit)",
                           help="convert values with pl.cast")
    m, n = t.shape
    if n % 2:
        raise cg.error(a.input.node, f"{op} needs an even number of columns",
                       expected="[M, 2K]", found=t.describe())
    shape = (m, n // 2)
    v = tile_d.GatherOp(cg.tile_type(shape, out), t.value, pattern,
                        loc=cg.loc(node), ip=cg.ip).result
    return TileVal(v, shape, out)


def scatter(cg, node, a, op="pl.tensor.scatter"):
    """The mask form: `input` is the compact tile written into `dst`."""
    pattern = _pattern(cg, a.mask_pattern, op)
    if a.dst.value is None:
        raise cg.error(node, f"{op} needs dst=, the tile it writes into")
    cg.require_core(node, op, "vector")
    src = _tile(cg, a.input, "input")
    dst = _tile(cg, a.dst, "dst")
    _mask_element(cg, a.dst.node, op, dst)
    if src.dtype is not dst.dtype:
        raise cg.error(a.input.node, f"dtype mismatch in {op}",
                       expected=f"{dst.dtype.name} (the dtype of dst)",
                       found=f"{src.dtype.name} (src)")
    m, n = dst.shape
    if n % 2 or src.shape != (m, n // 2):
        raise cg.error(a.input.node, f"{op} writes every other column of dst",
                       expected=f"src [{m}, {n // 2}] for dst {shape_str(dst.shape)}"
                       if n % 2 == 0 else "dst with an even number of columns",
                       found=f"src {shape_str(src.shape)}")
    v = tile_d.ScatterOp(src.value, dst.value, pattern,
                         results=[dst.value.type], loc=cg.loc(node),
                         ip=cg.ip).result
    return TileVal(v, dst.shape, dst.dtype)


# ---------------------------------------------------------------------------
# Tensors: full, create_tensor, reshape, slice/load/store
# ---------------------------------------------------------------------------

def full(cg, node, a):
    shape = cg.shape_arg(a.shape, "shape", rank=2)
    dtype = cg.dtype_arg(a.dtype)
    value = a.value.value
    if not _is_scalar(value):
        raise cg.error(a.value.node, "pl.full value must be a compile-time "
                       "number", found=describe(value))
    if dtype.is_float:
        value = float(value)
        attr = ir.FloatAttr.get(cg.elt_type(dtype), value)
    else:
        if isinstance(value, float) and not value.is_integer():
            raise cg.error(a.value.node, f"pl.full of {dtype.name} needs an "
                           f"integer value", found=repr(value))
        value = int(value)
        lo, hi = -2 ** (dtype.bits - 1), 2 ** (dtype.bits - 1)
        if not lo <= value < hi:
            raise cg.error(a.value.node, f"{value} does not fit in "
                           f"{dtype.name}", expected=f"{lo} <= value < {hi}",
                           found=str(value))
        attr = ir.IntegerAttr.get(cg.elt_type(dtype), value)
    cg.require_core(node, "pl.full")
    v = tile_d.FullOp(cg.tile_type(shape, dtype), attr, loc=cg.loc(node),
                      ip=cg.ip).result
    return TileVal(v, shape, dtype)


def create_tensor(cg, node, a):
    memories.check_tensor_memory(cg, a.memory_type)
    shape = cg.shape_arg(a.shape, "shape")
    dtype = cg.dtype_arg(a.dtype)
    name = cg.assign_hint or "scratch"
    if a.manual_dep.value is True:
        from .tasks import remark
        remark(cg, node, f"pl.create_tensor '{name}': manual_dep=True "
               f"ignored: Tessel orders every access to the tensor")
    init = a.init_value.value
    if init is not None and (isinstance(init, bool) or
                             not isinstance(init, (int, float))):
        raise cg.error(a.init_value.node, "init_value must be a compile-time "
                       "number", found=describe(init))
    if init is not None and not dtype.is_float and \
            not float(init).is_integer():
        raise cg.error(a.init_value.node, f"init_value of an "
                       f"{dtype.name} tensor must be an integer",
                       found=repr(init))
    if cg.scope.kind == "spmd" and cg.spmd_op is not None:
        # In a pl.spmd / pl.parallel body outside its scopes: a tile where
        # one serves, else GM scratch of the block (frontend/blockscratch.py).
        from . import blockscratch
        why = blockscratch.needs_gm(cg, shape, dtype)
        if why is not None:
            return blockscratch.create(cg, node, shape, dtype, name, init,
                                       a.init_value.node, why)
    if cg.scope.kind != "function":
        return PendingTile(shape, dtype, name, node, init=init or 0)
    v = tile_d.AllocGmOp(cg.memref_type(shape, dtype), name=name,
                         loc=cg.loc(node), ip=cg.ip).result
    t = GmTensor(v, shape, dtype, name, writable=True, kind="scratch",
                 origin=name)
    cg.unwritten[t] = (cg.filename, node)
    if init is not None:
        fill_gm(cg, node, t, init, a.init_value.node)
    return t


# The bytes of one tile of a GM fill (fill_gm): small beside UB, so that the
# fill's blocks spread over the vector cores.
FILL_TILE_BYTES = 16 * 1024


def _largest_divisor(n: int, limit: int) -> int:
    """The largest divisor of `n` that is <= limit (at least 1)."""
    best = 1
    d = 1
    while d * d <= n:
        if n % d == 0:
            for q in (d, n // d):
                if best < q <= limit:
                    best = q
        d += 1
    return best


def fill_plan(shape, elt_bytes: int) -> tuple[int, int, int]:
    """(rows, cols, rows per block) of a GM fill: the tensor viewed as
    rows x cols (its last dimension when a row of it fits a fill tile, else
    the largest divisor of its element count that does), each spmd block
    storing a [rows per block, cols] tile of at most FILL_TILE_BYTES, every
    tile full (no partial tile, so the NPU back end emits it too).
    [16, 2048] INT8 (32 KiB) -> 2 blocks of [8, 2048]; [3, 5] FP32 -> one
    [3, 5] tile; [2, 8192] FP32 (a row is 32 KiB) -> 4 blocks of [1, 4096]."""
    count = math.prod(shape)
    limit = max(1, FILL_TILE_BYTES // elt_bytes)
    cols = shape[-1] if shape[-1] <= limit else \
        _largest_divisor(count, limit)
    rows = count // cols
    per_block = _largest_divisor(rows, max(1, limit // cols))
    return rows, cols, per_block


def fill_gm(cg, node, t: GmTensor, value, value_node) -> None:
    """`pl.create_tensor(..., init_value=v)` at function level: PyPTO's
    runtime fills the buffer before any task writes it; here a vector scope
    of its own stores pl.full tiles of `v` over the whole tensor, in program
    order before the scopes that follow (so the dependence and race
    analyses see the fill as the tensor's first store)."""
    rows, cols, per_block = fill_plan(t.shape, t.dtype.bytes)
    view = reshape_view(cg, node, t, (rows, cols)) if len(t.shape) != 2 or \
        t.shape[1] != cols else t
    blocks = rows // per_block
    holder = {}

    def body():
        tile = full_tile(cg, node, (per_block, cols), t.dtype, value,
                         value_node)
        row0 = cg.binop(ast.Mult(), holder["b"], per_block, node)
        cg.store_tile(view, [row0, 0], [per_block, cols], tile, node,
                      value_node)

    cg.make_spmd(node, blocks, f"{t.name}_init",
                 lambda b: holder.__setitem__("b", b),
                 lambda: cg.make_at(node, "vector", body))
    cg.unwritten.pop(t.base, None)


def _resolve_shape(cg, arg, count: int) -> tuple:
    v = arg.value
    if isinstance(v, int) and not isinstance(v, bool):
        v = [v]
    if not isinstance(v, (list, tuple)):
        raise cg.error(arg.node, "shape must be a list of integers",
                       found=describe(v))
    dims = list(v)
    if any(isinstance(d, RUNTIME_TYPES) for d in dims):
        raise cg.error(arg.node, "reshape needs a compile-time shape",
                       found=repr(dims))
    if dims.count(-1) > 1:
        raise cg.error(arg.node, "only one dimension can be -1",
                       found=repr(dims))
    if -1 in dims:
        known = math.prod(d for d in dims if d != -1)
        if known <= 0 or count % known:
            raise cg.error(arg.node, f"cannot infer -1 in {dims} for "
                           f"{count} elements")
        dims[dims.index(-1)] = count // known
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, int) or d <= 0:
            raise cg.error(arg.node, "shape must be positive integers",
                           found=repr(list(v)))
    return tuple(dims)


def reshape(cg, node, a):
    v = a.input.value
    if isinstance(v, TensorExpr):
        # A tensor-level result inside a core scope: its whole value as one
        # tile (an error when it is too large for one).
        v = cg.as_tile(v, a.input.node, "the reshaped value")
        a = a.with_values({"input": v})
    if isinstance(v, (TileVal, PendingTile)):
        t = _tile(cg, a.input, "input")
        shape = _resolve_shape(cg, a.shape, t.shape[0] * t.shape[1])
        if len(shape) != 2:
            raise cg.error(a.shape.node, "a tile reshapes to a 2-D shape",
                           expected="[rows, cols]", found=shape_str(shape))
        if math.prod(shape) != math.prod(t.shape):
            raise cg.error(a.shape.node, "pl.reshape changes the element count",
                           expected=f"{math.prod(t.shape)} elements (from "
                                    f"{shape_str(t.shape)})",
                           found=f"{math.prod(shape)} elements "
                                 f"({shape_str(shape)})")
        if shape == t.shape:
            return t
        valid = None
        if validshape.is_partial(t):
            try:
                valid = validshape.reshape_valid(t, shape)
            except ValueError as e:
                raise cg.error(node, f"pl.reshape of a partial tile to "
                               f"{shape_str(shape)}: {e}",
                               found=t.describe(),
                               help="pad it first with pl.fillpad") from None
        cg.require_core(node, "pl.reshape")
        r = tile_d.ReshapeOp(cg.tile_type(shape, t.dtype), t.value,
                             loc=cg.loc(node), ip=cg.ip).result
        return TileVal(r, shape, t.dtype, valid=valid)
    if isinstance(v, GmTensor):
        count = math.prod(v.shape)
        shape = _resolve_shape(cg, a.shape, count)
        if math.prod(shape) != count:
            raise cg.error(a.shape.node, "pl.reshape changes the element count",
                           expected=f"{count} elements (from "
                                    f"{shape_str(v.shape)})",
                           found=f"{math.prod(shape)} elements "
                                 f"({shape_str(shape)})")
        return reshape_view(cg, node, v, shape)
    raise cg.error(a.input.node, "pl.reshape takes a tile or a GM tensor",
                   found=describe(v))


def reshape_view(cg, node, t: GmTensor, shape) -> GmTensor:
    """A reshaped view of a contiguous GM tensor: collapse to 1-D, expand to
    `shape` (both keep the identity layout)."""
    if tuple(shape) == tuple(t.shape):
        return t
    if t.offsets is not None:
        return _reshape_offset_view(cg, node, t, shape)
    loc, ip = cg.loc(node), cg.ip
    value = t.value
    count = math.prod(t.shape)
    i64 = ir.IntegerType.get_signless(64)

    def reassoc(rank):
        return ir.ArrayAttr.get([ir.ArrayAttr.get(
            [ir.IntegerAttr.get(i64, d) for d in range(rank)])])

    if len(t.shape) > 1:
        value = memref.CollapseShapeOp(cg.memref_type([count], t.dtype), value,
                                       reassoc(len(t.shape)), loc=loc,
                                       ip=ip).result
    if len(shape) > 1:
        value = memref.ExpandShapeOp(cg.memref_type(shape, t.dtype), value,
                                     reassoc(len(shape)), [], list(shape),
                                     loc=loc, ip=ip).result
    name = cg.assign_hint or f"{t.name}_view"
    return GmTensor(value, tuple(shape), t.dtype, name, t.writable, "view",
                    t.origin, root=t.base)


def squeeze_plan(extents, offsets, view, shape, mul_add):
    """A view `view` (per dimension its size) at `offsets` into a tensor of
    `extents`, reshaped to `shape` by dropping and adding unit dimensions
    only: (the tensor's extents, the offsets) of the same elements as a
    view of shape `shape` into the tensor reshaped (its memory unchanged),
    or None when the reshape moves elements across dimensions.

    A unit dimension d of the view (not the last) is merged into the next:
    extents R[d] * R[d + 1], offset o[d] * R[d + 1] + o[d + 1] (the view
    stays inside one row of the merged dimension, as its size there is 1);
    an added unit dimension is an extent-1 dimension at offset 0.
    [1, 16, 512] at [n, b0, 0] of [4, 64, 512] to [16, 512]:
    ([256, 512], [n * 64 + b0, 0]). `mul_add(a, k, b)` computes a * k + b
    (ints, or run-time indices)."""
    if [d for d in view if d != 1] != [d for d in shape if d != 1]:
        return None
    R, O, S = list(extents), list(offsets), list(view)
    d = 0
    while d < len(S) - 1:
        if S[d] == 1:
            O[d:d + 2] = [mul_add(O[d], R[d + 1], O[d + 1])]
            R[d:d + 2] = [R[d] * R[d + 1]]
            S[d:d + 2] = [S[d + 1]]
        else:
            d += 1
    out_r, out_o = [], []
    i = 0
    for want in shape:
        if i < len(S) and S[i] == want:
            out_r.append(R[i])
            out_o.append(O[i])
            i += 1
        elif want == 1:
            out_r.append(1)
            out_o.append(0)
        else:
            return None
    if i != len(S):
        return None    # a trailing unit dimension of the view dropped
    return out_r, out_o


def _reshape_offset_view(cg, node, t: GmTensor, shape) -> GmTensor:
    """pl.reshape of a view taken outside the scopes (PyPTO's tensor view
    at an offset, deepseek_v3_2 decode_back's `[1, B, A]` slice at a
    data-dependent node reshaped to `[B, A]`): the tensor it views reshaped
    so that the view keeps its elements with `shape` (squeeze_plan)."""
    if t.valid is not None:
        raise cg.error(node, f"pl.reshape of '{t.name}', a view with a "
                       f"run-time extent, is not supported",
                       found=t.describe())
    extents = list(ir.MemRefType(t.value.type).shape)

    def mul_add(a, k, b):
        if k == 1 or a == 0:
            prod = a if k == 1 else 0
        else:
            prod = cg.index_binop(ast.Mult(), a, k, node)
        if isinstance(b, int) and b == 0:
            return prod
        if isinstance(prod, int) and prod == 0:
            return b
        return cg.index_binop(ast.Add(), prod, b, node)

    plan = squeeze_plan(extents, t.offsets, t.shape, shape, mul_add)
    if plan is None:
        raise cg.error(node, f"pl.reshape of '{t.name}', a slice taken "
                       f"outside the scopes, to {shape_str(shape)} moves "
                       f"elements across dimensions",
                       expected="a reshape that drops or adds dimensions "
                                "of size 1 (not a last one of size 1)",
                       found=f"{t.describe()} to {shape_str(shape)}",
                       help="reshape the whole tensor, then slice it")
    new_extents, offsets = plan
    whole = GmTensor(t.value, tuple(extents), t.dtype, t.name, t.writable,
                     "view", t.origin, root=t.base)
    flat = reshape_view(cg, node, whole, tuple(new_extents))
    name = cg.assign_hint or f"{t.name}_view"
    return GmTensor(flat.value, tuple(shape), t.dtype, name, t.writable,
                    "view", t.origin or t.name, root=t.base,
                    offsets=tuple(offsets))


def _offsets(cg, arg, rank):
    v = arg.value
    if isinstance(v, (int, IndexVal)) and not isinstance(v, bool):
        v = [v]
    if not isinstance(v, (list, tuple)) or len(v) != rank:
        raise cg.error(arg.node, f"expected {rank} offsets",
                       found=describe(v))
    v = [cg.slice_index(o, arg.node) for o in v]
    for o in v:
        if isinstance(o, bool) or not isinstance(o, (int, IndexVal)):
            raise cg.error(arg.node, "offsets must be integers or indices",
                           found=describe(o))
    return v


def _check_bounds(cg, t: GmTensor, offsets, sizes, node):
    """Checks the slice; offsets computed from data are clamped in place
    (frontend/scalars.py)."""
    from . import scalars
    for d, (o, s, dim) in enumerate(zip(offsets, sizes, t.shape)):
        if s <= dim and scalars.is_data(cg, o):
            offsets[d] = scalars.clamp_offset(
                cg, o, s, dim, node, f"the offset in dimension {d} of "
                f"'{t.name}'")
            continue
        lo, hi = cg.index_bounds(o)
        if s > dim or (lo is not None and lo < 0) or \
                (hi is not None and hi + s > dim):
            found = (f"{o}:{o + s}" if isinstance(o, int)
                     else f"offsets {lo}..{hi} + {s} elements")
            raise cg.error(node, f"slice out of bounds in dimension {d} of "
                           f"{t.describe()}", expected=f"within 0:{dim}",
                           found=found)


def _gm_arg(cg, arg, op):
    if not isinstance(arg.value, GmTensor):
        raise cg.error(arg.node, f"{op} takes a GM tensor",
                       found=describe(arg.value))
    return arg.value


def _slice_sizes(cg, t: GmTensor, shape_arg):
    shape = cg.shape_arg(shape_arg, "shape")
    rank = len(t.shape)
    if rank == 1 and len(shape) == 2 and shape[0] == 1:
        shape = (shape[1],)
    if len(shape) == 2 and rank > 2:
        shape = (1,) * (rank - 2) + tuple(shape)
    if len(shape) != rank:
        raise cg.error(shape_arg.node, f"the slice shape of a {rank}-D tensor "
                       f"needs {rank} dimensions", found=shape_str(shape))
    return list(shape)


def _valid_slice(cg, t: GmTensor, sizes, arg, given_shape):
    """The valid extents of a slice (the tensor's rank) from a
    `valid_shape=` argument written like its `shape` (2-D for a 1-D or
    higher-rank tensor too), or None."""
    v = arg.value
    if v is None:
        return None
    if not isinstance(v, (list, tuple)):
        raise cg.error(arg.node, "valid_shape must be a list of extents",
                       found=describe(v))
    v = list(v)
    rank = len(sizes)
    if len(v) == len(given_shape) and len(v) != rank:
        if rank == 1 and len(v) == 2:
            v = v[1:] if v[0] == 1 else v
        elif len(v) == 2 and rank > 2:
            v = [1] * (rank - 2) + v
    valid = validshape.check_extents(cg, arg.node, sizes, v)
    if valid is not None and rank > 2 and any(
            not (isinstance(e, int) and e == s)
            for e, s in zip(valid[:-2], sizes[:-2])):
        raise cg.error(arg.node, "valid_shape of a higher-rank slice may "
                       "narrow only its last two dimensions",
                       found=repr(v))
    return valid


def _check_bounds_valid(cg, t: GmTensor, offsets, sizes, valid, node):
    """Bounds of a slice that may be partial: its static valid extents must
    fit (the window may run past the tensor); a runtime extent's dimension
    is checked by tile-check-races, which knows the extent's value."""
    if valid is None:
        return _check_bounds(cg, t, offsets, sizes, node)
    from . import scalars
    for d, (o, s, v, dim) in enumerate(zip(offsets, sizes, valid, t.shape)):
        if scalars.is_data(cg, o) and (not isinstance(v, int) or v <= dim):
            # Computed from data: clamped so the valid region (at least
            # one element of a runtime extent) starts inside the tensor.
            o = offsets[d] = scalars.clamp_offset(
                cg, o, v if isinstance(v, int) else 1, dim, node,
                f"the offset in dimension {d} of '{t.name}'")
        if not isinstance(v, int):
            lo, _ = cg.index_bounds(o)
            if lo is not None and lo < 0:
                raise cg.error(node, f"slice out of bounds in dimension {d} "
                               f"of {t.describe()}", expected=f"within 0:{dim}",
                               found=f"offset {lo}")
            continue
        _check_dim(cg, t, d, o, v, node)


def _check_dim(cg, t, d, o, s, node):
    dim = t.shape[d]
    lo, hi = cg.index_bounds(o)
    if s > dim or (lo is not None and lo < 0) or \
            (hi is not None and hi + s > dim):
        found = (f"{o}:{o + s} (valid region)" if isinstance(o, int)
                 else f"offsets {lo}..{hi} + {s} valid elements")
        raise cg.error(node, f"slice out of bounds in dimension {d} of "
                       f"{t.describe()}", expected=f"within 0:{dim}",
                       found=found)


def _runtime_extents(cg, t: GmTensor, a, node):
    """`pl.slice(t, [16, n], [0, 0])` outside the scopes with `n` known
    only at run time (PyPTO's dynamic view): a view as large as the tensor
    allows from the offset, valid up to `n` (clamped to it) in that
    dimension; None when every extent is a compile-time integer."""
    shape = a.shape.value
    if cg.scope.kind == "at" or a.valid_shape.value is not None or \
            not isinstance(shape, (list, tuple)) or \
            not any(isinstance(d, (IndexVal, ScalarVal)) for d in shape):
        return None
    from .scalars import int_scalar_index, need_compile_time
    rank = len(t.shape)
    if len(shape) != rank:
        return None
    for d in shape:
        # An extent read from an input's element: the kernel is
        # specialised on it (a static view) rather than a run-time extent.
        need_compile_time(cg, d, a.shape.node)
    offsets = _offsets(cg, a.offset, rank)
    sizes, valid = [], []
    for d, (extent, offset) in enumerate(zip(shape, offsets)):
        extent = int_scalar_index(cg, extent, node)
        if not isinstance(extent, IndexVal):
            sizes.append(extent)
            valid.append(None)
            continue
        if not isinstance(offset, int):
            raise cg.error(a.offset.node, f"a slice with a run-time extent "
                           f"in dimension {d} needs a compile-time offset "
                           f"there", found=describe(offset))
        size = t.shape[d] - offset
        lo = cg.index_minmax(False, [extent, 0], node)
        valid.append(cg.index_minmax(True, [lo, size], node))
        sizes.append(size)
    view = cg.view_of(t, list(zip(offsets, sizes)), node)
    from .tasks import remark
    remark(cg, node, f"'{view.name}' has a run-time extent: a view of "
           f"{shape_str(sizes)} whose valid region is read as a partial "
           f"tile")
    view.valid = tuple(valid)
    return view


def slice_(cg, node, a):
    t = _gm_arg(cg, a.tensor, "pl.slice")
    view = _runtime_extents(cg, t, a, node)
    if view is not None:
        return view
    sizes = _slice_sizes(cg, t, a.shape)
    valid = _valid_slice(cg, t, sizes, a.valid_shape,
                         cg.shape_arg(a.shape, "shape"))
    offsets = _offsets(cg, a.offset, len(t.shape))
    if cg.scope.kind != "at":
        # Outside the scopes: a view of the slice (as a subscript there).
        # An offset computed from data is not clamped here: the view may
        # run past the tensor's end (PyPTO's `pl.slice(block_table, [64],
        # [b * blocks + bn])` of which only the first entries are read);
        # each access through it is clamped into the tensor (in_root).
        from . import scalars
        for d, (o, size, dim) in enumerate(zip(offsets, sizes, t.shape)):
            if size <= dim and scalars.is_data(cg, o):
                continue
            _check_dim(cg, t, d, o, size, node)
        view = cg.view_of(t, list(zip(offsets, sizes)), node)
        if valid is not None:
            # `valid_shape=` on a view: a load of it is a partial tile.
            view.valid = tuple(None if isinstance(v, int) and v == size
                               else v for v, size in zip(valid, sizes))
        return view
    _check_bounds_valid(cg, t, offsets, sizes, valid, node)
    return cg.load_slice(t, offsets, sizes, node, valid)


def load(cg, node, a):
    t = _gm_arg(cg, a.tensor, "pl.load")
    sizes = _slice_sizes(cg, t, a.shapes)
    valid = _valid_slice(cg, t, sizes, a.valid_shape,
                         cg.shape_arg(a.shapes, "shapes"))
    if a.clamp.value:
        raise cg.error(a.clamp.node, "pl.load(clamp=True) is not supported: "
                       "a slice must lie inside the tensor",
                       help="pass valid_shape= with the part inside the "
                            "tensor")
    memory = memories.load_memory(cg, node, a)
    offsets = _offsets(cg, a.offsets, len(t.shape))
    _check_bounds_valid(cg, t, offsets, sizes, valid, node)
    tile = cg.load_slice(t, offsets, sizes, node, valid)
    if tile.nd is not None:
        from . import ndtile
        return ndtile.mark(cg, node, tile, memory)
    return memories.mark(cg, node, tile.value.owner, tile, memory)


def full_tile(cg, node, shape, dtype, value, value_node) -> TileVal:
    """`pl.full(shape, dtype, value)` from the frontend's own values (checked
    as the author's pl.full: `value_node` is where the value was written)."""
    a = Args({"shape": Arg(list(shape), value_node),
              "dtype": Arg(dtype, value_node),
              "value": Arg(value, value_node)})
    if len(shape) > 2:
        from . import ndtile
        return ndtile.create(cg, "full", node, a)
    return full(cg, node, a)


def create_tile(cg, node, a):
    """pl.create_tile: a zero-filled tile in the named memory."""
    shim = Args({"shape": a.shape, "dtype": a.dtype,
                 "value": Arg(0, node)})
    return memories.create_tile(
        cg, node, a, lambda cg_, node_, _a: full(cg_, node_, shim))


def store(cg, node, a):
    t = _gm_arg(cg, a.output_tensor, "pl.store")
    tl = a.tile.value
    shape = tl.shape if isinstance(tl, (TileVal, PendingTile)) else None
    if shape is None:
        cg.as_tile(tl, a.tile.node, "the stored value")
    rank = len(t.shape)
    if a.shapes.value is not None and \
            list(cg.shape_arg(a.shapes, "shapes")) != list(shape):
        # The top-left `shapes` region of the tile: a partial store.
        want = list(cg.shape_arg(a.shapes, "shapes"))
        if rank == 1 and len(want) == 1:
            want = [1] + want
        elif len(want) == rank and rank > 2 and all(d == 1
                                                    for d in want[:-2]):
            want = want[-2:]
        if len(want) != 2 or any(w > s for w, s in zip(want, shape)):
            raise cg.error(a.shapes.node, "pl.store(shapes=...) must fit "
                           "in the tile: it stores the tile's top-left "
                           "region of that shape",
                           expected=f"at most {list(shape)}",
                           found=repr(a.shapes.value))
        if isinstance(tl, PendingTile):
            tl = cg.as_tile(tl, a.tile.node, "the stored value")
        cur = validshape.full_valid(tl)
        narrowed = []
        for c, w in zip(cur, want):
            if isinstance(c, int):
                narrowed.append(min(c, w))
            else:
                narrowed.append(cg.index_minmax(True, [c, w], a.shapes.node))
        tl = TileVal(tl.value, tl.shape, tl.dtype, tl.memory, tl.memory_at,
                     validshape.check_extents(cg, a.shapes.node, tl.shape,
                                              narrowed, "pl.store shapes"))
    sizes = [shape[1]] if rank == 1 else [1] * (rank - 2) + list(shape)
    offsets = _offsets(cg, a.offsets, rank)
    valid = None
    if validshape.is_partial(tl):
        vr, vc = tl.valid
        valid = [vc] if rank == 1 else [1] * (rank - 2) + [vr, vc]
    _check_bounds_valid(cg, t, offsets, sizes, valid, node)
    cg.store_tile(t, offsets, sizes, tl, node, a.tile.node)
    return t


#: Every builtin by pl name: the table's families, then the irregular ops.
BUILTINS = {d.name: FAMILIES[d.family](d) for d in optable.OPS}
BUILTINS.update({
    "cast": cast,
    "matmul": matmul, "matmul_acc": matmul_acc, "matmul_bias": matmul_bias,
    "gemv": gemv, "gemv_acc": gemv_acc, "gemv_bias": gemv_bias,
    "gather": gather,
    "tensor.gather": lambda cg, node, a: gather(cg, node, a,
                                                "pl.tensor.gather"),
    "tensor.scatter": scatter,
    "full": full, "create_tensor": create_tensor, "reshape": reshape,
    "slice": slice_, "load": load, "store": store,
    "move": memories.move, "create_tile": create_tile,
    **{op: _scalar_form(op, base) for op, base in SCALAR_FORMS.items()},
    "relu": relu, "lrelu": lrelu,
    "tile.load": load, "tile.store": store, "tile.full": full,
    "tile.move": memories.move, "tile.create_tile": create_tile,
    "tile.transpose_view": memories.transpose_view,
    "tile.create": create_tile,
    "fillpad": validshape.fillpad, "tile.fillpad": validshape.fillpad,
    "set_validshape": validshape.set_validshape,
    "tile.set_validshape": validshape.set_validshape,
    "tensor.set_validshape": validshape.set_validshape,
})

# The broadcast family (frontend/broadcast.py), the task-graph builtins
# (frontend/tasks.py), pl.min / pl.max (frontend/control.py), pl.log and
# pl.arange (frontend/extra_ops.py).
from .broadcast import BROADCAST_BUILTINS  # noqa: E402
from .control import CONTROL_BUILTINS  # noqa: E402
from .scalars import SCALAR_BUILTINS  # noqa: E402
from .extra_ops import EXTRA_BUILTINS  # noqa: E402
from .catalog import CATALOG_BUILTINS  # noqa: E402
from .tasks import TASK_BUILTINS  # noqa: E402

BUILTINS.update(BROADCAST_BUILTINS)
BUILTINS.update(TASK_BUILTINS)
BUILTINS.update(CONTROL_BUILTINS)
BUILTINS.update(SCALAR_BUILTINS)
BUILTINS.update(EXTRA_BUILTINS)
BUILTINS.update(CATALOG_BUILTINS)


def _cmps(cg, node, a):
    """pl.cmps(lhs, rhs, cmp_type): pl.cmp with a compile-time number."""
    if not _is_scalar(a.rhs.value):
        raise cg.error(a.rhs.node, "pl.cmps compares a tile with a "
                       "compile-time number", expected="a number",
                       found=describe(a.rhs.value),
                       help="use pl.cmp for two tiles")
    return BUILTINS["cmp"](cg, node, a)


BUILTINS.update({"tile.cmp": BUILTINS["cmp"], "cmps": _cmps,
                 "tile.cmps": _cmps, "tile.prelu": BUILTINS["prelu"]})

# Index gather / scatter, sort32, mrgsort, assemble (frontend/index_ops.py):
# its gather / scatter dispatch between the index and the mask forms.
from .index_ops import INDEX_BUILTINS  # noqa: E402

BUILTINS.update(INDEX_BUILTINS)

# pl.slice of a tile, pl.tile.assemble and pl.assemble into a tile
# (frontend/subtile.py).
from .subtile import SUBTILE_BUILTINS  # noqa: E402

BUILTINS.update(SUBTILE_BUILTINS)

# The ops built from other tile ops: addc.., part_*, fillpad_expand,
# expand_clone, and PyPTO's aliases (frontend/composed.py).
from .composed import COMPOSED_BUILTINS  # noqa: E402

BUILTINS.update(COMPOSED_BUILTINS)

# PyPTO's indexed gathers and scatters between GM and tiles
# (frontend/gathers.py).
from .gathers import GATHER_BUILTINS  # noqa: E402

BUILTINS.update(GATHER_BUILTINS)

# pl.create_l1 and pl.gather_row: a gather of GM rows into an L1
# accumulator (frontend/l1gather.py).
from .l1gather import L1_BUILTINS  # noqa: E402

BUILTINS.update(L1_BUILTINS)

# pl.batch_matmul / pl.batch_matmul_acc: one matmul per batch of N-D tiles
# (frontend/ndtile.py, which also takes N-D operands of the other ops).
from . import ndtile as _ndtile  # noqa: E402

BUILTINS.update({
    "batch_matmul": lambda cg, node, a: _ndtile.batch_matmul(
        cg, node, a, False, "pl.batch_matmul"),
    "batch_matmul_acc": lambda cg, node, a: _ndtile.batch_matmul(
        cg, node, a, True, "pl.batch_matmul_acc"),
})
