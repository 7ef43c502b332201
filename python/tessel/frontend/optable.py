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
- ``row_reduce``: [M, N] -> [M, 1].
- ``expand``: [M, N] with a [M, 1] (`broadcast="row"`) or [1, N]
  (`broadcast="col"`) operand broadcast across it.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass

from ..language.types import FP16, FP32, INT32

#: Vector-unit compute types of the arithmetic ops.
ARITH_DTYPES = (FP16, FP32, INT32)
#: Floating-point compute types.
FLOAT_DTYPES = (FP16, FP32)


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


def _binary(name, tile_op, scalar_op, rscalar_op, fold, dtypes, summary):
    return OpDef(name, "binary", tile_op, dtypes, arity=2,
                 scalar_op=scalar_op, rscalar_op=rscalar_op, fold=fold,
                 summary=summary)


def _unary(name, tile_op, fold, dtypes, summary):
    return OpDef(name, "unary", tile_op, dtypes, fold=fold, summary=summary)


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
    OpDef("row_sum", "row_reduce", "RowSumOp", FLOAT_DTYPES,
          summary="sum of each row: [M, N] -> [M, 1]"),
    OpDef("row_max", "row_reduce", "RowMaxOp", FLOAT_DTYPES,
          summary="maximum of each row: [M, N] -> [M, 1]"),
    OpDef("row_expand_mul", "expand", "RowExpandMulOp", ARITH_DTYPES,
          arity=2, broadcast="row",
          summary="t[M, N] * v[M, 1], v broadcast along each row"),
    OpDef("col_expand_mul", "expand", "ColExpandMulOp", ARITH_DTYPES,
          arity=2, broadcast="col",
          summary="t[M, N] * v[1, N], v broadcast along each column"),
)

#: The table by pl name.
BY_NAME: dict[str, OpDef] = {d.name: d for d in OPS}
