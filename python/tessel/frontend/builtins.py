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

import math

from ..language.types import BF16, FP16, FP32, INT8, INT32, MaskPattern
from ..mlir import ir
from ..mlir.dialects import memref
from . import memories, optable, validshape
from . import tile_ops as tile_d
from .state import Arg, Args
from .values import (RUNTIME_TYPES, GmTensor, IndexVal, PendingTile, TileVal,
                     describe, shape_str)



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
            raise cg.error(rhs.node, f"shape mismatch in pl.{op}",
                           expected=f"{shape_str(a.shape)} (the shape of lhs)",
                           found=f"{shape_str(b.shape)} (rhs)",
                           help=_broadcast_help(op, a.shape, b.shape))
        v = _op_class(d.tile_op)(a.value, b.value, results=[a.value.type],
                                 loc=cg.loc(node), ip=cg.ip).result
        return TileVal(v, a.shape, a.dtype)
    if isinstance(L, tiles) and _is_scalar(R):
        cls, t_arg, s_arg = d.scalar_op, lhs, rhs
    elif _is_scalar(L) and isinstance(R, tiles):
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
    s = _scalar_for(cg, node, op, s_arg.value, t, s_arg.node)
    problem = d.scalar_check and d.scalar_check(s_arg.value, t.dtype)
    if problem:
        raise cg.error(s_arg.node, problem)
    v = _op_class(cls)(t.value, s, results=[t.value.type], loc=cg.loc(node),
                       ip=cg.ip).result
    return TileVal(v, t.shape, t.dtype)


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
}
PYPTO_DEFAULT_MODE = "round"


def cast(cg, node, a):
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

MATMUL_OUT = {BF16: FP32, FP16: FP32, INT8: INT32}


def _check_trans(cg, a):
    for name in ("a_trans", "b_trans"):
        arg = getattr(a, name)
        if arg.value:
            raise cg.error(arg.node, f"pl.matmul({name}=True) is not "
                           f"supported yet", help="load the transposed operand "
                           "from a tensor stored in that layout")


def _matmul_types(cg, node, lhs: TileVal, rhs: TileVal, a_lhs, a_rhs,
                  op="pl.matmul"):
    memories.check_matmul_operand(cg, lhs, a_lhs.node, "lhs", op)
    memories.check_matmul_operand(cg, rhs, a_rhs.node, "rhs", op)
    if lhs.dtype is not rhs.dtype:
        raise cg.error(a_rhs.node, "pl.matmul operands have different dtypes",
                       expected=f"{lhs.dtype.name} (the dtype of lhs)",
                       found=f"{rhs.dtype.name} (rhs)")
    out = MATMUL_OUT.get(lhs.dtype)
    if out is None:
        raise cg.error(a_lhs.node, f"no cube matmul of {lhs.dtype.name} tiles",
                       expected="BF16 or FP16 (-> FP32), INT8 (-> INT32)",
                       found=lhs.describe())
    if lhs.shape[1] != rhs.shape[0]:
        raise cg.error(a_rhs.node, "pl.matmul contraction sizes differ",
                       expected=f"rhs with {lhs.shape[1]} rows (lhs "
                                f"{shape_str(lhs.shape)} has K = "
                                f"{lhs.shape[1]})",
                       found=f"rhs {shape_str(rhs.shape)}")
    return out, (lhs.shape[0], rhs.shape[1])


def matmul_impl(cg, node, a_lhs, a_rhs, out_arg):
    cg.require_core(node, "pl.matmul", "cube")
    lhs, rhs = _tile(cg, a_lhs, "lhs"), _tile(cg, a_rhs, "rhs")
    out, shape = _matmul_types(cg, node, lhs, rhs, a_lhs, a_rhs)
    if out_arg is not None and out_arg.value is not None:
        want = cg.dtype_arg(out_arg, "out_dtype")
        if want is not out:
            raise cg.error(out_arg.node, f"pl.matmul of {lhs.dtype.name} tiles "
                           f"accumulates in {out.name}",
                           expected=f"out_dtype=pl.{out.name}",
                           found=f"out_dtype=pl.{want.name}",
                           help="convert the result with pl.cast")
    v = tile_d.MatmulOp(cg.tile_type(shape, out), lhs.value, rhs.value,
                        loc=cg.loc(node), ip=cg.ip).result
    return TileVal(v, shape, out)


def matmul(cg, node, a):
    _check_trans(cg, a)
    return matmul_impl(cg, node, a.lhs, a.rhs, a.out_dtype)


def matmul_acc(cg, node, a):
    _check_trans(cg, a)
    cg.require_core(node, "pl.matmul_acc", "cube")
    acc = _tile(cg, a.acc, "acc")
    lhs, rhs = _tile(cg, a.lhs, "lhs"), _tile(cg, a.rhs, "rhs")
    out, shape = _matmul_types(cg, node, lhs, rhs, a.lhs, a.rhs)
    if acc.dtype is not out or acc.shape != shape:
        raise cg.error(a.acc.node, "pl.matmul_acc accumulator does not match "
                       "the product", expected=f"tile {shape_str(shape)} "
                       f"{out.name}", found=acc.describe())
    v = tile_d.MatmulAccOp(acc.value, lhs.value, rhs.value,
                           results=[acc.value.type], loc=cg.loc(node),
                           ip=cg.ip).result
    return TileVal(v, shape, out)


# ---------------------------------------------------------------------------
# Gather / scatter
# ---------------------------------------------------------------------------

def _pattern(cg, arg, op):
    p = arg.value
    if not isinstance(p, MaskPattern):
        raise cg.error(arg.node, f"{op} needs a mask pattern",
                       expected="mask_pattern=pl.tile.MaskPattern.P0101 or "
                                "P1010", found=describe(p),
                       help="the index form of gather/scatter is not "
                            "supported")
    return getattr(tile_d.MaskPattern, p.name.lower())


def _mask_element(cg, node, op, t: TileVal):
    if t.dtype.bits not in (16, 32):
        raise cg.error(node, f"{op} moves 16- or 32-bit elements",
                       expected="a BF16, FP16, FP32 or INT32 tile",
                       found=t.describe())


def gather(cg, node, a, op="pl.gather"):
    pattern = _pattern(cg, a.mask_pattern, op)
    if a.output_dtype.value is not None:
        raise cg.error(a.output_dtype.node, f"{op}(output_dtype=...) is not "
                       f"supported", help="convert the result with pl.cast")
    cg.require_core(node, op, "vector")
    t = _tile(cg, a.input, "input")
    _mask_element(cg, a.input.node, op, t)
    m, n = t.shape
    if n % 2:
        raise cg.error(a.input.node, f"{op} needs an even number of columns",
                       expected="[M, 2K]", found=t.describe())
    shape = (m, n // 2)
    v = tile_d.GatherOp(cg.tile_type(shape, t.dtype), t.value, pattern,
                        loc=cg.loc(node), ip=cg.ip).result
    return TileVal(v, shape, t.dtype)


def scatter(cg, node, a):
    op = "pl.tensor.scatter"
    if a.index_form:
        raise cg.error(node, f"{op} with {', '.join(a.index_form)}= (the index "
                       f"form) is not supported", help="use mask_pattern= and "
                       "dst=")
    pattern = _pattern(cg, a.mask_pattern, op)
    if a.dst.value is None:
        raise cg.error(node, f"{op} needs dst=, the tile it writes into")
    cg.require_core(node, op, "vector")
    src = _tile(cg, a.src, "src")
    dst = _tile(cg, a.dst, "dst")
    _mask_element(cg, a.dst.node, op, dst)
    if src.dtype is not dst.dtype:
        raise cg.error(a.src.node, f"dtype mismatch in {op}",
                       expected=f"{dst.dtype.name} (the dtype of dst)",
                       found=f"{src.dtype.name} (src)")
    m, n = dst.shape
    if n % 2 or src.shape != (m, n // 2):
        raise cg.error(a.src.node, f"{op} writes every other column of dst",
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
    if cg.scope.kind != "function":
        if init is not None and not dtype.is_float and \
                not float(init).is_integer():
            raise cg.error(a.init_value.node, f"init_value of an "
                           f"{dtype.name} tensor must be an integer",
                           found=repr(init))
        return PendingTile(shape, dtype, name, node, init=init or 0)
    if init is not None:
        raise cg.error(a.init_value.node, "init_value= on a GM scratch tensor "
                       "is not supported yet", found=repr(init),
                       help="create it inside the scope that uses it (an "
                            "on-chip tile starting at init_value), or store "
                            "pl.full tiles into it in a scope")
    v = tile_d.AllocGmOp(cg.memref_type(shape, dtype), name=name,
                         loc=cg.loc(node), ip=cg.ip).result
    t = GmTensor(v, shape, dtype, name, writable=True, kind="scratch",
                 origin=name)
    cg.unwritten[t] = (cg.filename, node)
    return t


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


def _offsets(cg, arg, rank):
    v = arg.value
    if isinstance(v, (int, IndexVal)) and not isinstance(v, bool):
        v = [v]
    if not isinstance(v, (list, tuple)) or len(v) != rank:
        raise cg.error(arg.node, f"expected {rank} offsets",
                       found=describe(v))
    for o in v:
        if isinstance(o, bool) or not isinstance(o, (int, IndexVal)):
            raise cg.error(arg.node, "offsets must be integers or indices",
                           found=describe(o))
    return list(v)


def _check_bounds(cg, t: GmTensor, offsets, sizes, node):
    for d, (o, s, dim) in enumerate(zip(offsets, sizes, t.shape)):
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
    for d, (o, s, v, dim) in enumerate(zip(offsets, sizes, valid, t.shape)):
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


def slice_(cg, node, a):
    t = _gm_arg(cg, a.tensor, "pl.slice")
    sizes = _slice_sizes(cg, t, a.shape)
    valid = _valid_slice(cg, t, sizes, a.valid_shape,
                         cg.shape_arg(a.shape, "shape"))
    offsets = _offsets(cg, a.offset, len(t.shape))
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
    return memories.mark(cg, node, tile.value.owner, tile, memory)


def create_tile(cg, node, a):
    """pl.create_tile: a zero-filled tile in the named memory."""
    shim = Args({"shape": a.shape, "dtype": a.dtype,
                 "value": Arg(0, node)})
    return memories.create_tile(
        cg, node, a, lambda cg_, node_, _a: full(cg_, node_, shim))


def store(cg, node, a):
    t = _gm_arg(cg, a.output, "pl.store")
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
    "matmul": matmul, "matmul_acc": matmul_acc,
    "gather": gather,
    "tensor.gather": lambda cg, node, a: gather(cg, node, a,
                                                "pl.tensor.gather"),
    "tensor.scatter": scatter,
    "full": full, "create_tensor": create_tensor, "reshape": reshape,
    "slice": slice_, "load": load, "store": store,
    "move": memories.move, "create_tile": create_tile,
    "maximums": _scalar_form("maximums", "maximum"),
    "minimums": _scalar_form("minimums", "minimum"),
    "fmods": _scalar_form("fmods", "fmod"),
    "rems": _scalar_form("rems", "rem"),
    "relu": relu, "lrelu": lrelu,
    "ands": _scalar_form("ands", "and_"), "ors": _scalar_form("ors", "or_"),
    "xors": _scalar_form("xors", "xor"), "shls": _scalar_form("shls", "shl"),
    "shrs": _scalar_form("shrs", "shr"),
    "tile.load": load, "tile.store": store, "tile.full": full,
    "tile.move": memories.move, "tile.create_tile": create_tile,
    "tile.create": create_tile,
    "fillpad": validshape.fillpad, "tile.fillpad": validshape.fillpad,
    "set_validshape": validshape.set_validshape,
    "tile.set_validshape": validshape.set_validshape,
})

# The broadcast family (frontend/broadcast.py), the task-graph builtins
# (frontend/tasks.py), pl.min / pl.max (frontend/control.py), pl.log and
# pl.arange (frontend/extra_ops.py).
from .broadcast import BROADCAST_BUILTINS  # noqa: E402
from .control import CONTROL_BUILTINS  # noqa: E402
from .extra_ops import EXTRA_BUILTINS  # noqa: E402
from .catalog import CATALOG_BUILTINS  # noqa: E402
from .tasks import TASK_BUILTINS  # noqa: E402

BUILTINS.update(BROADCAST_BUILTINS)
BUILTINS.update(TASK_BUILTINS)
BUILTINS.update(CONTROL_BUILTINS)
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
