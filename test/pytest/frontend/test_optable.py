"""The declarative op table (tessel.frontend.optable) against the `pl`
surface and the tile dialect: every entry is a `pl` builtin with a
signature its family can bind, names tile ops that exist, and is what the
frontend dispatches."""

import inspect

import pytest

from tessel.frontend import builtins, optable
from tessel.frontend import tile_ops as tile_d
from tessel.language import ops as pl_ops

#: The parameters each family's generated builtin reads.
FAMILY_PARAMS = {"binary": ("lhs", "rhs"), "unary": ("input",),
                 "row_reduce": ("input",), "col_reduce": ("input",),
                 "arg_reduce": ("input",), "compare": ("lhs", "rhs"),
                 "expand": ("input", "scale")}
#: Entries whose PyPTO signature names the operands otherwise (the binary
#: and unary families read their operands by position).
PARAMS = {"prelu": ("tile", "slope")}


@pytest.mark.parametrize("d", optable.OPS, ids=lambda d: d.name)
def test_entry_is_a_builtin_of_its_family(d):
    stub = pl_ops.ALL_BUILTINS.get(d.name)
    assert stub is not None, f"pl.{d.name} has no stub in tessel.language.ops"
    params = tuple(inspect.signature(stub).parameters)
    want = PARAMS.get(d.name, FAMILY_PARAMS[d.family])
    assert params[:len(want)] == want
    assert d.arity == len(want)
    for cls in (d.tile_op, d.scalar_op, d.rscalar_op):
        if cls is not None:
            assert isinstance(getattr(tile_d, cls, None), type), cls
    assert d.dtypes and d.unit in ("vector", "cube")
    assert (d.fold is not None) == (d.family in ("binary", "unary"))
    assert (d.broadcast is not None) == (d.family == "expand")


def test_every_builtin_is_dispatched():
    # Loops and scopes are statements (codegen's statements mixin).
    statements = {"spmd", "parallel", "pipeline", "range", "at", "unroll",
                  "manual_scope", "cluster", "scope", "split_aiv"}
    assert set(builtins.BUILTINS) == set(pl_ops.ALL_BUILTINS) - statements
    assert len(optable.BY_NAME) == len(optable.OPS)
