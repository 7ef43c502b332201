"""Typed values of the frontend.

While the frontend walks a kernel's AST, every expression evaluates to
either a plain Python object (a compile-time value: int, float, str, tuple,
a `pl` dtype, enum, module or function) or one of the IR-backed values
below:

- `GmTensor`  a global-memory tensor (a memref: kernel parameter, scratch
              from `pl.create_tensor`, or a reshaped view of either)
- `TileVal`   an on-chip tile (`!tile.tile<MxNxT>`)
- `IndexVal`  a runtime index (`index`), with a linear form over "atoms"
              (loop indices and other opaque index values) so that slice
              sizes like ``(t0 + 16) - t0`` are known at compile time and
              offsets can be bounds-checked from loop ranges
- `BoolVal`   a runtime condition (`i1`)
- `ScalarVal` a runtime scalar of an element type (`pl.read`, `pl.Scalar`
              parameters; frontend/scalars.py)
- `PendingTile` a tensor declared with `pl.create_tensor` inside a scope
              that is only ever assigned tiles (PyPTO's accumulator idiom);
              it becomes a zero tile where its value is needed
- `TensorExpr` the result of a tensor-level operation on GM tensors inside
              a core scope, computed where it is bound (frontend/tensor_ops.py)
- `Unavailable` a name that may not be used here (assigned in a scope or
              loop whose values do not flow out)
"""

from __future__ import annotations

import ast
import itertools
from dataclasses import dataclass, field

from ..language.types import DataType

_atom_ids = itertools.count(1)


@dataclass(frozen=True)
class Lin:
    """``const + sum(coeff * atom)`` over integer atoms."""
    const: int = 0
    terms: tuple = ()  # ((atom_id, coeff), ...) sorted, no zero coeffs

    @staticmethod
    def atom(atom_id: int) -> "Lin":
        return Lin(0, ((atom_id, 1),))

    def is_const(self) -> bool:
        return not self.terms

    def __add__(self, other: "Lin") -> "Lin":
        d = dict(self.terms)
        for k, c in other.terms:
            d[k] = d.get(k, 0) + c
        return Lin(self.const + other.const,
                   tuple(sorted((k, c) for k, c in d.items() if c)))

    def scale(self, k: int) -> "Lin":
        if k == 0:
            return Lin(0)
        return Lin(self.const * k, tuple((a, c * k) for a, c in self.terms))

    def __neg__(self) -> "Lin":
        return self.scale(-1)

    def __sub__(self, other: "Lin") -> "Lin":
        return self + (-other)

    def bounds(self, ranges: dict) -> tuple[int | None, int | None]:
        """(min, max) over the atoms' ranges; None when an atom is unbounded."""
        lo = hi = self.const
        for atom, coeff in self.terms:
            r = ranges.get(atom)
            if r is None:
                return None, None
            a, b = r[0] * coeff, r[1] * coeff
            lo += min(a, b)
            hi += max(a, b)
        return lo, hi


def new_atom() -> int:
    return next(_atom_ids)


@dataclass(eq=False)
class GmTensor:
    """A tensor in global memory (a static-shape memref)."""
    value: object          # ir.Value of memref type
    shape: tuple
    dtype: DataType
    name: str
    writable: bool         # an Out/InOut parameter, scratch, or a view of one
    kind: str              # "input", "output", "scratch" or "view"
    origin: str = ""       # the parameter / scratch name a view comes from
    root: object = None    # the parameter / scratch GmTensor of a view
    #: A slice taken outside the core scopes (`x[a:b, c:d]` at function
    #: level, PyPTO's tensor view): where it starts in `value` (one int or
    #: IndexVal per dimension); None: it starts at 0.
    offsets: tuple | None = None
    #: A view sliced with a run-time extent (`pl.slice(t, [16, n], [0, 0])`
    #: at function level): per dimension the valid extent (an IndexVal, in
    #: [0, shape[d]]) or None where the whole dimension is valid; None: the
    #: whole view is valid. A load of the view is a partial tile.
    valid: tuple | None = None
    #: GM scratch a function-level core scope stored a tensor-level result
    #: into for later scopes (statements._export_tensor_results).
    exported: bool = False

    @property
    def base(self) -> "GmTensor":
        """The parameter or scratch tensor this tensor is (a view of)."""
        return self.root if self.root is not None else self

    def describe(self) -> str:
        return f"GM tensor '{self.name}' {list(self.shape)} {self.dtype.name}"


@dataclass(eq=False)
class TileVal:
    """An on-chip tile; `shape` is (rows, cols)."""
    value: object          # ir.Value of !tile.tile type
    shape: tuple
    dtype: DataType
    #: The memory the author put it in (pl.load(target_memory=...),
    #: pl.move, pl.create_tile), a `pl.MemorySpace`; None: the compiler's
    #: choice.
    memory: object = None
    #: (filename, node) of the call that named `memory`.
    memory_at: object = None
    #: A partial tile's valid shape (rows, cols), each an int or an
    #: IndexVal; None: the whole tile is valid (frontend/validshape.py).
    valid: object = None
    #: What a partial tile's padding is known to hold (a
    #: language.validshape.PadValue: zero after a partial load), or None.
    pad: object = None
    #: A tile of rank >= 3 (frontend/ndtile.py): its logical shape, e.g.
    #: (B, M, N); `shape` is then the 2-D tile it is carried as, the
    #: leading dimensions folded into rows: (B * M, N). None: a 2-D tile.
    nd: tuple | None = None
    #: For an N-D tile whose producer made it block by block (per-batch
    #: loads, per-batch matmuls): the 2-D tiles of its row blocks, each
    #: nd[-2] x nd[-1], in row-major order of the leading dimensions.
    parts: tuple | None = None
    #: The 2-D `value` of an N-D tile was assembled from `parts`
    #: (tile.insert): ops on it work block by block instead.
    from_parts: bool = False

    def describe(self) -> str:
        where = f" in {self.memory.name}" if self.memory is not None else ""
        if self.nd is not None:
            return f"tile {list(self.nd)} {self.dtype.name}{where}"
        part = ""
        if self.valid is not None:
            part = " valid [" + ", ".join(
                str(v) if isinstance(v, int) else "runtime index"
                for v in self.valid) + "]"
        return f"tile {list(self.shape)} {self.dtype.name}{part}{where}"


@dataclass(eq=False)
class IndexVal:
    """A runtime index value and its linear form."""
    value: object          # ir.Value of index type
    lin: Lin

    def describe(self) -> str:
        return "runtime index"


@dataclass(eq=False)
class ScalarVal:
    """A runtime scalar of an element type (an `f32`, `i32`, ... SSA
    value): an element read with `pl.read`, a `pl.Scalar` parameter, or
    arithmetic on them (frontend/scalars.py)."""
    value: object          # ir.Value of the element type
    dtype: DataType

    def describe(self) -> str:
        return f"runtime {self.dtype.name} scalar"


@dataclass(eq=False)
class BoolVal:
    """A runtime condition (i1)."""
    value: object

    def describe(self) -> str:
        return "runtime condition"


@dataclass(eq=False)
class PendingTile:
    """`pl.create_tensor` inside a scope: a tile-to-be of known type."""
    shape: tuple
    dtype: DataType
    name: str
    node: ast.AST | None = None
    materialized: dict = field(default_factory=dict)
    init: object = 0         # the value before the first assignment

    def describe(self) -> str:
        return (f"tensor '{self.name}' {list(self.shape)} {self.dtype.name} "
                f"created inside a scope")


@dataclass(eq=False)
class TensorExpr:
    """A tensor-level operation on GM tensors (or its operand: `op` "gm"
    for a GM tensor, "tile" for a tile, in `leaf`), not built yet:
    frontend/tensor_ops.py computes it block by block where it is bound."""
    op: str                  # the pl name, "gm" or "tile"
    node: ast.AST | None     # the call (the operand, for a leaf)
    args: object             # the bound arguments (state.Args), operands
    operands: tuple          # as TensorExprs; the parameter names of those
    shape: tuple             # (rows, cols)
    dtype: DataType
    leaf: object = None      # GmTensor / TileVal of a leaf
    scope: object = None     # the core scope it was made in
    versions: dict | None = None  # {GM tensor read: its write count then}

    def describe(self) -> str:
        if self.leaf is not None:
            return self.leaf.describe()
        return (f"tensor-level result of pl.{self.op} "
                f"{list(self.shape)} {self.dtype.name}")


@dataclass(eq=False)
class Unavailable:
    """A name whose value does not reach this point."""
    name: str
    reason: str
    node: ast.AST | None = None
    help: str | None = None


@dataclass(eq=False)
class TransposedView:
    """`pl.tile.transpose_view(t)`: the tile `t` read as its transpose,
    which only the cube does (a matmul operand moved from Mat transposes
    as it moves: a_trans / b_trans). `tile` keeps the untransposed data;
    `shape` is the transposed shape."""
    tile: TileVal
    node: object

    @property
    def shape(self) -> tuple:
        return tuple(reversed(self.tile.shape))

    @property
    def dtype(self):
        return self.tile.dtype

    def describe(self) -> str:
        return f"pl.tile.transpose_view of {self.tile.describe()}"


RUNTIME_TYPES = (GmTensor, TileVal, TransposedView, IndexVal, BoolVal, PendingTile,
                 ScalarVal, TensorExpr)


def describe(value) -> str:
    """A short description of any frontend value, for error messages."""
    if isinstance(value, RUNTIME_TYPES):
        return value.describe()
    if isinstance(value, bool):
        return f"the constant {value}"
    if isinstance(value, (int, float)):
        return f"the constant {value!r}"
    if isinstance(value, DataType):
        return f"the dtype {value!r}"
    if isinstance(value, (list, tuple)):
        return f"the {type(value).__name__} {value!r}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if value is None:
        return "None"
    return f"{type(value).__name__} {value!r}"


def shape_str(shape) -> str:
    return "[" + ", ".join(str(d) for d in shape) + "]"
