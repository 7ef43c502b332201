"""The registry of every `pl` name: what Tessel supports, and what it does
not with what to use instead.

`registry()` lists every name reachable as ``pl.<name>``, ``pl.tile.<name>``
or ``pl.tensor.<name>`` with its kind and whether Tessel supports it.
docs/language.md is checked against it (test_language_doc.py), so the
reference cannot drift from the frontend.

PyPTO names Tessel does not support exist as `Unsupported` objects: using
one in a kernel (calling it, or reading an attribute of it) is a
CompileError at the author's line naming it and saying what to use
instead; calling one outside a kernel raises the same error at the
caller's line. So a ported kernel fails at its first unsupported construct
with a precise message, never with an AttributeError at import.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

#: Cross-core push / pop, distributed and task-graph families: not planned
#: (Tessel splits mixed scopes and schedules tasks itself).
_CROSS_CORE = ("not planned: Tessel splits a mixed pl.at(level="
               "pl.Level.CORE_GROUP) scope between the cube and vector cores "
               "itself; write the computation in one CORE_GROUP scope")
_TASKS = ("not planned: Tessel schedules the scopes of a @pl.jit kernel "
          "itself; write each stage as a pl.at scope or a pl.spmd loop")
_NOT_YET = "not supported yet; see docs/language.md for the supported ops"

#: name -> what to use instead. Top-level names (``pl.<name>``); names
#: under ``pl.tile`` / ``pl.tensor`` are in UNSUPPORTED_TILE /
#: UNSUPPORTED_TENSOR.
UNSUPPORTED: dict[str, str] = {
    # -- program structure and directives --------------------------------
    "parse": "write the kernel as a @pl.jit function",
    "parse_program": "write the kernel as a @pl.jit function",
    "loads": "write the kernel as a @pl.jit function",
    "loads_program": "write the kernel as a @pl.jit function",
    "parser": "write the kernel as a @pl.jit function",
    "JITFunction": "use pl.jit",
    "InlineFunction": "use pl.jit.inline",
    "while_": "use `for i in pl.range(n):` with a compile-time bound",
    "cond": "use an `if` statement on an index comparison",
    "static_print": "print at compile time from an ordinary Python helper",
    "static_assert": "use `assert` on compile-time values",
    "func_attr": _NOT_YET,
    "adir": "annotate parameters with pl.Out[...] / pl.InOut[...]",
    # -- types ---------------------------------------------------------------
    "Array": _NOT_YET,
    "Tuple": "return a Python tuple of tensors",
    "IntLike": _NOT_YET,
    "RUNTIME": _NOT_YET,
    "MemRef": _NOT_YET,
    "MemRefType": _NOT_YET,
    "Ptr": _NOT_YET,
    "PtrType": _NOT_YET,
    "TaskId": _TASKS,
    "TileView": _NOT_YET,
    "TileLayout": _NOT_YET,
    "CompactMode": _NOT_YET,
    "ForKind": "use pl.range, pl.pipeline, pl.parallel or pl.spmd",

    "Role": _CROSS_CORE,
    "PipeType": "Tessel inserts the synchronisation between pipes itself",
    "AsyncEvent": _TASKS,
    "AsyncSession": _TASKS,
    "PrefetchAsyncContext": _TASKS,
    "prefetch": _TASKS,
    "MX_A_ZZ": "use pl.ND (row-major) tensors",
    "MX_B_NN": "use pl.ND (row-major) tensors",
    # -- tasks and dependencies ---------------------------------------------
    "submit": _TASKS, "spmd_submit": _TASKS, "no_dep": _TASKS,
    "dump_tag": _TASKS,
    # -- cross-core transfer ----------------------------------------------
    "AUTO": _CROSS_CORE,
    "tpush_to_aiv": _CROSS_CORE, "tpush_to_aic": _CROSS_CORE,
    "tpop_from_aic": _CROSS_CORE, "tpop_from_aiv": _CROSS_CORE,
    "tfree_to_aic": _CROSS_CORE, "tfree_to_aiv": _CROSS_CORE,
    "aic_initialize_pipe": _CROSS_CORE, "aiv_initialize_pipe": _CROSS_CORE,
    "aiv_shard": _CROSS_CORE, "aic_gather": _CROSS_CORE,
    "reserve_buffer": _CROSS_CORE, "import_peer_buffer": _CROSS_CORE,
    # -- creation -----------------------------------------------------------
    "random": "fill the input tensor with torch on the host",
    # -- linear algebra ---------------------------------------------------
    "matmul_mx": _NOT_YET, "matmul_mx_acc": _NOT_YET,
    "matmul_mx_bias": _NOT_YET,
    # -- block identity ---------------------------------------------------
    "get_subblock_idx": _CROSS_CORE,
}

#: ``pl.tile.<name>`` PyPTO names Tessel does not support.
UNSUPPORTED_TILE: dict[str, str] = {}
#: ``pl.tensor.<name>`` PyPTO names Tessel does not support.
UNSUPPORTED_TENSOR: dict[str, str] = {}


class Unsupported:
    """A PyPTO name Tessel does not support. The frontend reports any use
    in a kernel at the author's line; a call outside a kernel raises the
    same error at the caller's line."""

    __slots__ = ("qualname", "instead")

    def __init__(self, qualname: str, instead: str):
        self.qualname = qualname
        self.instead = instead

    def message(self) -> str:
        return f"pl.{self.qualname} is not supported by Tessel"

    def error(self, depth: int):
        """The CompileError of a use `depth` frames above the caller."""
        from ..frontend.errors import make_error
        frame = inspect.currentframe().f_back
        for _ in range(depth):
            frame = frame.f_back
        return make_error(self.message(), frame.f_code.co_filename,
                          frame.f_lineno, 1, help=self.instead)

    def __call__(self, *args, **kwargs):
        raise self.error(1)

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        raise self.error(1)

    def __repr__(self) -> str:
        return f"pl.{self.qualname} (not supported by Tessel)"


def unsupported_names(prefix: str) -> dict:
    """{name: Unsupported} for the namespace `prefix` ("", "tile.",
    "tensor.")."""
    table = {"": UNSUPPORTED, "tile.": UNSUPPORTED_TILE,
             "tensor.": UNSUPPORTED_TENSOR}[prefix]
    return {name: Unsupported(prefix + name, instead)
            for name, instead in table.items()}


@dataclass(frozen=True)
class Entry:
    """One `pl` name."""
    name: str           # qualified: "add", "tile.MaskPattern", "tensor.gather"
    kind: str           # "op", "construct", "type", "dtype", "enum", "namespace"
    supported: bool
    instead: str = ""   # for unsupported names: what to use instead


def registry() -> dict[str, Entry]:
    """Every `pl` name by qualified name (see `Entry`)."""
    from . import ops
    from .. import language as pl
    from .types import DataType, TensorLayout
    out: dict[str, Entry] = {}
    statements = {"spmd", "parallel", "pipeline", "range", "at", "unroll",
                  "manual_scope", "cluster", "scope", "split_aiv"}
    for ns_name, ns in (("", pl), ("tile.", pl.tile), ("tensor.", pl.tensor)):
        for name in dir(ns):
            if name.startswith("_"):
                continue
            obj = getattr(ns, name)
            q = ns_name + name
            if isinstance(obj, Unsupported):
                out[q] = Entry(q, "unsupported", False, obj.instead)
                continue
            bname = ops.builtin_name(obj)
            if bname is not None:
                kind = "construct" if bname in statements else "op"
                out[q] = Entry(q, kind, True)
            elif isinstance(obj, DataType):
                out[q] = Entry(q, "dtype", obj.supported,
                               "" if obj.supported else
                               "use BF16, FP16, FP32, INT8, INT32, UINT32, INT64 or INDEX")
            elif isinstance(obj, TensorLayout):
                out[q] = Entry(q, "layout", obj is TensorLayout.ND,
                               "" if obj is TensorLayout.ND else
                               "use pl.ND (row-major) tensors")
            elif name in PUBLIC_OTHERS.get(ns_name, ()):
                out[q] = Entry(q, PUBLIC_OTHERS[ns_name][name], True)
    return out


#: The public names of the surface that are neither builtins, dtypes nor
#: unsupported names, with their kind.
PUBLIC_OTHERS = {
    "": {"jit": "construct", "inline": "construct", "Tensor": "type",
         "program": "construct", "function": "construct",
         "FunctionType": "enum", "SplitMode": "enum", "ScopeMode": "enum",
         "DynVar": "type", "dynamic": "construct",
         "Out": "type", "InOut": "type", "Scalar": "type", "Tile": "type",
         "Level": "enum", "MaskPattern": "enum", "DataType": "type",
         "AtomicType": "enum",
         "MemorySpace": "enum", "Mem": "enum", "PadValue": "enum",
         "TensorLayout": "enum", "TensorView": "type",
         "tile": "namespace", "tensor": "namespace",
         "system": "namespace", "array": "namespace"},
    "tile.": {"MaskPattern": "enum"},
    "tensor.": {},
}
