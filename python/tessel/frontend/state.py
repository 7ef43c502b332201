"""The code generator's bookkeeping types and constants, shared by its
mixins (statements, memory, expressions, calls)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from ..language.types import Level
from ..mlir import ir
from .source import FunctionSource
from .fingerprint import fingerprint  # noqa: F401  (re-exported)

#: How many times a compile-time `for` over `range(...)` may unroll.
MAX_UNROLL = 4096
#: How deep `@pl.jit.inline` helpers may call each other.
MAX_INLINE_DEPTH = 32

LEVEL_TO_KIND = {
    Level.AIV: "vector",
    Level.AIC: "cube",
    Level.CORE_GROUP: "core_group",
}
OP_SYMBOLS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/",
              ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**",
              ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
              ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^"}
KIND_TO_LEVEL = {"vector": "pl.Level.AIV", "cube": "pl.Level.AIC",
                 "core_group": "pl.Level.CORE_GROUP"}



def defining_op(value) -> "ir.Operation | None":
    """The operation that defines `value`; None for a block argument."""
    owner = value.owner
    return None if isinstance(owner, ir.Block) else owner.operation


def name_value(value, name: str) -> None:
    """Give the op that defines `value` the author's variable name
    (`loc("acc"("k.py":12:5))`), so diagnostics and memory maps can say
    `acc`. The first name wins: `y = x` keeps `x`."""
    op = defining_op(value)
    if op is None or op.location.is_a_name():
        return
    op.location = ir.Location.name(name, childLoc=op.location)

class Arg:
    """A call argument: its value and the AST node it came from."""
    __slots__ = ("value", "node")

    def __init__(self, value, node):
        self.value = value
        self.node = node


class Args:
    """Bound builtin arguments, by parameter name (``a.lhs.value``)."""

    def __init__(self, mapping: dict):
        self.__dict__.update(mapping)

    def with_values(self, values: dict) -> "Args":
        """These arguments with the values of the parameters in `values`
        replaced (their argument nodes kept, for errors at the author's
        operand)."""
        return Args({k: Arg(values[k], arg.node) if k in values else arg
                     for k, arg in vars(self).items()})


@dataclass
class Activation:
    """One function body being compiled (the kernel or an inline helper)."""
    src: FunctionSource
    kind: str                    # "kernel" or "inline"
    vars: dict = field(default_factory=dict)
    locals: frozenset = frozenset()
    ret: object = None
    call_node: ast.AST | None = None


@dataclass
class Frame:
    """A statement list being visited, for "is this name read later?"."""
    stmts: list
    index: int
    kind: str                    # "block", "loop", "scope" or "function"


@dataclass
class Scope:
    """Where ops are being built: function level, a spmd body or a core scope."""
    kind: str                    # "function", "spmd" or "at"
    node: ast.AST | None = None
    core: str | None = None      # tile.at kind inside a core scope
    filename: str | None = None
    implicit: bool = False       # the core scope of a spmd body without pl.at


