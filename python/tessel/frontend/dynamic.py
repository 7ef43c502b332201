"""Call-time dimensions (`pl.dynamic`): which dimension of which parameter
binds each `DynVar`, and the values a call's shapes give them.

Two pure functions, used by the kernel object (to check a call's tensors
and key its cache) and by the code generator (to give each `DynVar` its
value inside the kernel):

- `find_bind_dynamic(fn_node)`: the ``x.bind_dynamic(i, T)`` statements at
  the top level of a kernel body, as (param, dim node, var node, stmt).
- `bind_dims(uses, shapes)`: {DynVar: Binding} from the uses (param, dim,
  DynVar) and the call's shapes, or a `DimMismatch` naming the first two
  uses that disagree.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass


@dataclass(frozen=True)
class Binding:
    """The value of a DynVar and the first use that gave it."""
    value: int
    param: str
    dim: int


class DimMismatch(Exception):
    """Two uses of one DynVar see different extents."""

    def __init__(self, var, first: Binding, param: str, dim: int, value: int):
        self.var, self.first = var, first
        self.param, self.dim, self.value = param, dim, value
        super().__init__(
            f"pl.dynamic dimension '{var.name}' is {first.value} from "
            f"'{first.param}' dim {first.dim} but {value} from '{param}' "
            f"dim {dim}")


class DimOutOfRange(Exception):
    """A use names a dimension the tensor does not have."""

    def __init__(self, param: str, dim: int, rank: int):
        self.param, self.dim, self.rank = param, dim, rank
        super().__init__(f"'{param}' has {rank} dimension"
                         f"{'s' if rank != 1 else ''}, so it has no dim "
                         f"{dim}")


def annotation_uses(name: str, shape) -> list:
    """[(name, dim, DynVar)] of the DynVar dimensions of an annotated
    shape (ints are static dims)."""
    from ..language.types import DynVar
    if shape is None:
        return []
    return [(name, i, d) for i, d in enumerate(shape) if isinstance(d, DynVar)]


def bind_dims(uses, shapes: dict) -> dict:
    """{DynVar: Binding} for `uses` [(param, dim, DynVar)] given the
    call's `shapes` {param: tuple of ints}. Uses are taken in order: the
    first one binds, later ones must agree (DimMismatch). A negative dim
    counts from the end; a dim the tensor lacks raises DimOutOfRange.
    Uses of parameters without a shape in `shapes` are skipped."""
    out: dict = {}
    for param, dim, var in uses:
        shape = shapes.get(param)
        if shape is None:
            continue
        rank = len(shape)
        if not -rank <= dim < rank:
            raise DimOutOfRange(param, dim, rank)
        d = dim % rank
        value = int(shape[d])
        b = out.get(var)
        if b is None:
            out[var] = Binding(value, param, d)
        elif b.value != value:
            raise DimMismatch(var, b, param, d, value)
    return out


def find_bind_dynamic(fn_node: ast.FunctionDef) -> list:
    """The ``name.bind_dynamic(dim, var)`` expression statements at the top
    level of a function body, as (name, dim node, var node, statement), in
    source order. Other forms (nested, with keywords) are left for the code
    generator to report."""
    out = []
    for stmt in fn_node.body:
        if not isinstance(stmt, ast.Expr) or \
                not isinstance(stmt.value, ast.Call):
            continue
        call = stmt.value
        f = call.func
        if isinstance(f, ast.Attribute) and f.attr == "bind_dynamic" and \
                isinstance(f.value, ast.Name) and len(call.args) == 2 and \
                not call.keywords:
            out.append((f.value.id, call.args[0], call.args[1], stmt))
    return out
