"""The declarative table of the `pl` operations that come in regular families.

One `OpDef` per `pl` name says which tile op it builds, how many operands it
takes, which element types it computes in, how its operands broadcast and
which tile ops its scalar forms build. `builtins.py` generates the builtin
of every entry from its family (`FAMILIES` there), so adding an op of an
existing family is one line here plus the `pl` stub that carries its
signature (`tessel.language.ops`).

The tile ops are named by their ODS class in `tile_ops` (resolved when the
builtin is generated), so this module imports no MLIR and can be read by
tools and tests (the language reference check) cheaply.

Families:

- ``binary``: two tiles of the same shape and dtype -> one tile
  (`tile_op`); a tile and a compile-time number -> `scalar_op` (tile op
  scalar), a number and a tile -> `rscalar_op` (the reversed form, e.g.
  ``2.0 - t``); two numbers fold in Python (`fold`).
- ``unary``: a tile -> a tile of the same type; a number folds (`fold`).
- ``row_reduce``: [M, N] -> [M, 1]; ``col_reduce``: [M, N] -> [1, N].
- ``arg_reduce``: the INT32 index of each row's (`axis="row"`, [M, 1]) or
  column's (`axis="col"`, [1, N]) extremum.
- ``compare``: two tiles, or a tile and a number (`scalar_op`), -> the
  packed predicate mask (an INT8 tile, docs/language.md).
- ``expand``: [M, N] with a [M, 1] (`broadcast="row"`) or [1, N]
  (`broadcast="col"`) operand broadcast across it.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass

from ..language.types import FP16, FP32, INT8, INT32

#: Vector-unit compute types of the arithmetic ops.
ARITH_DTYPES = (FP16, FP32, INT32)
#: Floating-point compute types.
FLOAT_DTYPES = (FP16, FP32)
#: Integer types of the bitwise ops and shifts.
INT_DTYPES = (INT8, INT32)


@dataclass(frozen=True)
class OpDef:
    """One `pl` operation of a regular family."""
    name: str                      # the pl name (``pl.<name>``)
    family: str                    # "binary", "unary", "row_reduce", "expand"
    tile_op: str                   # ODS class in tile_ops of the tile form
    dtypes: tuple                  # element types it computes in
    arity: int = 1                 # tile operands of the tile form
    unit: str = "vector"           # the core unit it runs on
    scalar_op: str | None = None   # tile op of (tile, scalar)
    rscalar_op: str | None = None  # tile op of (scalar, tile)
    fold: object = None            # Python function on compile-time numbers
    broadcast: str | None = None   # "row" / "col": the second operand's shape
    summary: str = ""              # one line for the language reference
    axis: str | None = None        # "row" / "col": what a reduction reduces
    scalar_check: object = None    # (value, dtype) -> problem text or None


def _binary(name, tile_op, scalar_op, rscalar_op, fold, dtypes, summary):
    return OpDef(name, "binary", tile_op, dtypes, arity=2,
                 scalar_op=scalar_op, rscalar_op=rscalar_op, fold=fold,
                 summary=summary)


def _unary(name, tile_op, fold, dtypes, summary):
    return OpDef(name, "unary", tile_op, dtypes, fold=fold, summary=summary)


def _fmod(x, y):
    """C fmod of two compile-time numbers (ZeroDivisionError for y = 0,
    which the frontend reports as division by zero)."""
    if y == 0:
        raise ZeroDivisionError
    return math.fmod(x, y)


def _ints(f):
    """A fold on compile-time integers only (bitwise ops and shifts)."""
    def fold(*xs):
        if any(isinstance(x, float) for x in xs):
            raise ValueError("bitwise operations take integers")
        return f(*xs)
    return fold


def _shift_amount(value, dtype):
    """The problem with a constant shift amount, or None: it must lie in
    [0, bit width) (PTO-ISA's TSHLS / TSHRS take no other)."""
    if not 0 <= value < dtype.bits:
        return (f"a shift of an {dtype.name} tile by {value}: the amount must "
                f"be in [0, {dtype.bits})")
    return None


def _shl(x, y):
    if y < 0:
        raise ValueError("negative shift count")
    return x << y


def _shr(x, y):
    if y < 0:
        raise ValueError("negative shift count")
    return x >> y


def _remainder(x, y):
    """Python's ``x % y``: the sign of y."""
    return x % y


OPS: tuple[OpDef, ...] = (
    _binary("add", "AddOp", "AddSOp", "AddSOp", operator.add, ARITH_DTYPES,
            "lhs + rhs"),
    _binary("sub", "SubOp", "SubSOp", "RSubSOp", operator.sub, ARITH_DTYPES,
            "lhs - rhs"),
    _binary("mul", "MulOp", "MulSOp", "MulSOp", operator.mul, ARITH_DTYPES,
            "lhs * rhs"),
    _binary("div", "DivOp", "DivSOp", "RDivSOp", operator.truediv,
            FLOAT_DTYPES, "lhs / rhs"),
    _binary("maximum", "MaxOp", "MaxSOp", "MaxSOp", max, ARITH_DTYPES,
            "max(lhs, rhs)"),
    _binary("minimum", "MinOp", "MinSOp", "MinSOp", min, ARITH_DTYPES,
            "min(lhs, rhs)"),
    _unary("neg", "NegOp", operator.neg, ARITH_DTYPES, "-x"),
    _unary("abs", "AbsOp", abs, ARITH_DTYPES, "|x|"),
    _unary("sqrt", "SqrtOp", math.sqrt, FLOAT_DTYPES, "sqrt(x)"),
    _unary("rsqrt", "RsqrtOp", lambda x: 1.0 / math.sqrt(x), FLOAT_DTYPES,
           "1 / sqrt(x)"),
    _unary("recip", "RecipOp", lambda x: 1.0 / x, FLOAT_DTYPES, "1 / x"),
    _unary("exp", "ExpOp", math.exp, FLOAT_DTYPES, "e ** x"),
    _unary("sin", "SinOp", math.sin, FLOAT_DTYPES, "sin(x), x in radians"),
    _unary("cos", "CosOp", math.cos, FLOAT_DTYPES, "cos(x), x in radians"),
    _binary("fmod", "FModOp", "FModSOp", None, _fmod, FLOAT_DTYPES,
            "C fmod(lhs, rhs): the sign of lhs (torch.fmod)"),
    _binary("rem", "RemOp", "RemSOp", None, _remainder, FLOAT_DTYPES,
            "lhs % rhs as in Python: the sign of rhs (torch.remainder)"),
    OpDef("row_sum", "row_reduce", "RowSumOp", FLOAT_DTYPES,
          summary="sum of each row: [M, N] -> [M, 1]"),
    OpDef("row_max", "row_reduce", "RowMaxOp", FLOAT_DTYPES,
          summary="maximum of each row: [M, N] -> [M, 1]"),
    OpDef("row_prod", "row_reduce", "RowProdOp", FLOAT_DTYPES,
          summary="product of each row: [M, N] -> [M, 1]"),
    OpDef("row_min", "row_reduce", "RowMinOp", FLOAT_DTYPES,
          summary="minimum of each row: [M, N] -> [M, 1]"),
    OpDef("col_sum", "col_reduce", "ColSumOp", FLOAT_DTYPES, axis="col",
          summary="sum of each column: [M, N] -> [1, N]"),
    OpDef("col_max", "col_reduce", "ColMaxOp", FLOAT_DTYPES, axis="col",
          summary="maximum of each column: [M, N] -> [1, N]"),
    OpDef("col_min", "col_reduce", "ColMinOp", FLOAT_DTYPES, axis="col",
          summary="minimum of each column: [M, N] -> [1, N]"),
    OpDef("col_prod", "col_reduce", "ColProdOp", FLOAT_DTYPES, axis="col",
          summary="product of each column: [M, N] -> [1, N]"),
    OpDef("row_argmax", "arg_reduce", "RowArgMaxOp", ARITH_DTYPES, axis="row",
          summary="INT32 column of each row's maximum: [M, N] -> [M, 1]"),
    OpDef("row_argmin", "arg_reduce", "RowArgMinOp", ARITH_DTYPES, axis="row",
          summary="INT32 column of each row's minimum: [M, N] -> [M, 1]"),
    OpDef("col_argmax", "arg_reduce", "ColArgMaxOp", ARITH_DTYPES, axis="col",
          summary="INT32 row of each column's maximum: [M, N] -> [1, N]"),
    OpDef("col_argmin", "arg_reduce", "ColArgMinOp", ARITH_DTYPES, axis="col",
          summary="INT32 row of each column's minimum: [M, N] -> [1, N]"),
    OpDef("cmp", "compare", "CmpOp", ARITH_DTYPES, arity=2,
          scalar_op="CmpSOp",
          summary="packed predicate mask of lhs <cmp_type> rhs"),
    OpDef("prelu", "binary", "PReluOp", FLOAT_DTYPES, arity=2,
          fold=lambda x, slope: x if x > 0 else x * slope,
          summary="x > 0 ? x : x * slope, slope a tile"),
    _binary("and_", "AndOp", "AndSOp", "AndSOp", _ints(operator.and_),
            INT_DTYPES, "lhs & rhs"),
    _binary("or_", "OrOp", "OrSOp", "OrSOp", _ints(operator.or_),
            INT_DTYPES, "lhs | rhs"),
    _binary("xor", "XorOp", "XorSOp", "XorSOp", _ints(operator.xor),
            INT_DTYPES, "lhs ^ rhs"),
    OpDef("shl", "binary", "ShlOp", INT_DTYPES, arity=2, scalar_op="ShlSOp",
          fold=_ints(_shl), scalar_check=_shift_amount,
          summary="lhs << rhs"),
    OpDef("shr", "binary", "ShrOp", INT_DTYPES, arity=2, scalar_op="ShrSOp",
          fold=_ints(_shr), scalar_check=_shift_amount,
          summary="lhs >> rhs, arithmetic (the sign kept)"),
    _unary("not_", "NotOp", _ints(operator.invert), INT_DTYPES, "~x"),
    OpDef("row_expand_mul", "expand", "RowExpandMulOp", ARITH_DTYPES,
          arity=2, broadcast="row",
          summary="t[M, N] * v[M, 1], v broadcast along each row"),
    OpDef("col_expand_mul", "expand", "ColExpandMulOp", ARITH_DTYPES,
          arity=2, broadcast="col",
          summary="t[M, N] * v[1, N], v broadcast along each column"),
)

#: The table by pl name.
BY_NAME: dict[str, OpDef] = {d.name: d for d in OPS}
