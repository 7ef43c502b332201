"""The AST -> tile IR code generator.

`CodeGenerator` walks the AST of a `@pl.jit` function (like Triton's code
generator: no tracing, the function is never run) and builds a
`builtin.module` holding one `func.func` with the `tile` dialect ops of
the kernel, every op carrying the author's `file:line:col` location.

What each construct becomes:

- parameters `pl.Tensor[[...], T]` / `pl.Out[...]`  -> memref arguments
- ``for i in pl.spmd(n)``        -> ``tile.spmd n`` (+ one ``tile.at
  core_group`` around the body when it has no `pl.at` inside)
- ``for i in pl.parallel(n)``    -> ``tile.spmd`` at function level, a
  sequential ``scf.for`` inside a scope
- ``with pl.at(level=...)``      -> ``tile.at vector|cube|core_group``
  (wrapped in a one-block ``tile.spmd`` at function level)
- ``for i in pl.pipeline(...)``  -> ``tile.pipeline`` (``stages(stage)``)
- ``for i in pl.range(...)``     -> ``scf.for``; ``for i in range(...)``
  over constants is unrolled at compile time
- ``if c:`` on runtime indices   -> ``scf.if`` yielding the variables both
  branches produce; on compile-time values only the taken branch is built
- a variable reassigned in a loop and read around or after it -> an
  ``iter_arg`` of the loop
- ``x[a:b, c:d]`` on a GM tensor -> ``tile.load``; ``out[a:b, c:d] = t``
  -> ``tile.store``
- index arithmetic (+ - * // %)  -> ``arith`` ops on ``index``, folded when
  the operands are Python integers
- `@pl.jit.inline` helpers       -> their body, inlined at the call

Compile-time values (module constants, closure variables, Python numbers)
stay Python objects; calling an ordinary Python function with only
compile-time arguments runs it at compile time.
"""

from __future__ import annotations

import ast
import builtins as py_builtins
import difflib
import inspect
import operator
from dataclasses import dataclass, field

from ..errors import CompileError
from ..language import ops as pl_ops
from ..language.types import (SUPPORTED_DTYPES, TASK_ID, DataType,
                              InvalidSpec, Level, ParamSpec, ScalarSpec,
                              Tensor, TensorLayout, TensorSpec, TileSpec)
from ..mlir import ir
from ..mlir.dialects import arith, builtin, func, scf
from . import tile_ops as tile_d
from . import analysis
from . import control
from . import tasks
from .errors import error_at, note_at
from .source import MISSING, FunctionSource, get_source
from .values import (RUNTIME_TYPES, BoolVal, GmTensor, IndexVal, Lin,
                     PendingTile, TileVal, Unavailable, describe, new_atom,
                     shape_str)

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



def name_value(value, name: str) -> None:
    """Give the op that defines `value` the author's variable name
    (`loc("acc"("k.py":12:5))`), so diagnostics and memory maps can say
    `acc`. The first name wins: `y = x` keeps `x`."""
    owner = value.owner
    if isinstance(owner, ir.Block):
        return
    op = owner.operation if hasattr(owner, "operation") else owner
    if op.location.is_a_name():
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


class CodeGenerator:
    """Builds the tile-dialect module of one kernel for one target."""

    def __init__(self, kernel_fn, target: str, context: ir.Context):
        from . import builtins as _builtins  # the op table
        self.builtins = _builtins.BUILTINS
        self.kernel_src = get_source(kernel_fn)
        self.target = target
        self.ctx = context
        self.acts: list[Activation] = []
        self.frames: list[list[Frame]] = []
        self.scope = Scope("function")
        self.ip: ir.InsertionPoint | None = None
        self.anchor = None
        self.atom_ranges: dict[int, tuple[int, int]] = {}
        self._consts: dict = {}
        self._locs: dict = {}
        self._types: dict = {}
        self.assign_hint: str | None = None
        self.cse: list[dict] = [{}]
        # Every global, closure variable and attribute of one the kernel
        # read at compile time: key -> (re-read it, its fingerprint).
        self.reads: dict = {}
        # What the kernel returns: None, (param name, shape) or a tuple of
        # them (`return y` gives the caller its tensor `y`).
        self.returns = None
        # pl.Out parameters and scratch tensors no store has reached yet,
        # in source order: (file, declaring node) of each.
        self.unwritten: dict = {}
        # Frontend remarks: (message, file, line, col) (frontend/tasks.py).
        self.remarks: list = []
        # The block index of the pl.spmd being built (pl.tile.get_block_idx).
        self.block_index: IndexVal | None = None

    # ------------------------------------------------------------------
    # Errors and locations
    # ------------------------------------------------------------------

    @property
    def act(self) -> Activation:
        return self.acts[-1]

    @property
    def filename(self) -> str:
        return self.act.src.filename

    def error(self, node, brief: str, **kw) -> CompileError:
        notes = list(kw.pop("notes", ()))
        for act in reversed(self.acts[1:]):
            if act.call_node is not None:
                caller = self.acts[self.acts.index(act) - 1]
                notes.append(note_at(caller.src.filename, act.call_node,
                                     f"in the inline helper "
                                     f"'{act.src.name}' called here"))
        return error_at(self.filename, node, brief, notes=notes, **kw)

    def named_loc(self, node, target) -> ir.Location:
        """The location of `node` named after the loop target `target` when
        it is a plain name (so diagnostics can say `b = 1`, `k = 2`)."""
        loc = self.loc(node)
        if isinstance(target, ast.Name):
            return ir.Location.name(target.id, childLoc=loc)
        return loc

    def loc(self, node) -> ir.Location:
        line = getattr(node, "lineno", None) or self.act.src.node.lineno
        col = (getattr(node, "col_offset", 0) or 0) + 1
        key = (self.filename, line, col)
        loc = self._locs.get(key)
        if loc is None:
            loc = ir.Location.file(self.filename, line, col, context=self.ctx)
            self._locs[key] = loc
        return loc

    # ------------------------------------------------------------------
    # Types and constants
    # ------------------------------------------------------------------

    def elt_type(self, dtype: DataType) -> ir.Type:
        t = self._types.get(dtype.name)
        if t is None:
            t = {"bf16": ir.BF16Type.get, "f16": ir.F16Type.get,
                 "f32": ir.F32Type.get,
                 "i8": lambda: ir.IntegerType.get_signless(8),
                 "i32": lambda: ir.IntegerType.get_signless(32)}[dtype.mlir]()
            self._types[dtype.name] = t
        return t

    def tile_type(self, shape, dtype: DataType) -> ir.Type:
        key = (tuple(shape), dtype.name)
        t = self._types.get(key)
        if t is None:
            t = tile_d.tile_type(shape, self.elt_type(dtype))
            self._types[key] = t
        return t

    def memref_type(self, shape, dtype: DataType) -> ir.Type:
        return ir.MemRefType.get(list(shape), self.elt_type(dtype))

    def const_index(self, value: int, node) -> ir.Value:
        key = ("index", value)
        v = self._consts.get(key)
        if v is None:
            v = arith.ConstantOp(ir.IndexType.get(),
                                 ir.IntegerAttr.get(ir.IndexType.get(), value),
                                 loc=self.loc(node),
                                 ip=ir.InsertionPoint(self.anchor)).result
            self._consts[key] = v
        return v

    def const_bool(self, value: bool, node) -> ir.Value:
        key = ("i1", bool(value))
        v = self._consts.get(key)
        if v is None:
            i1 = ir.IntegerType.get_signless(1)
            v = arith.ConstantOp(i1, ir.IntegerAttr.get(i1, int(bool(value))),
                                 loc=self.loc(node),
                                 ip=ir.InsertionPoint(self.anchor)).result
            self._consts[key] = v
        return v

    def const_scalar(self, value, dtype: DataType, node) -> ir.Value:
        key = (dtype.name, float(value) if dtype.is_float else int(value))
        v = self._consts.get(key)
        if v is None:
            t = self.elt_type(dtype)
            attr = (ir.FloatAttr.get(t, float(value)) if dtype.is_float
                    else ir.IntegerAttr.get(t, int(value)))
            v = arith.ConstantOp(t, attr, loc=self.loc(node),
                                 ip=ir.InsertionPoint(self.anchor)).result
            self._consts[key] = v
        return v

    def index_value(self, v, node) -> ir.Value:
        """The `index` SSA value of a Python int or IndexVal."""
        if isinstance(v, IndexVal):
            return v.value
        return self.const_index(v, node)

    def lin_of(self, v) -> Lin:
        return v.lin if isinstance(v, IndexVal) else Lin(int(v))

    def new_index(self, value, lin: Lin | None = None,
                  bounds: tuple | None = None) -> IndexVal:
        if lin is None:
            atom = new_atom()
            if bounds is not None and None not in bounds:
                self.atom_ranges[atom] = bounds
            lin = Lin.atom(atom)
        v = IndexVal(value, lin)
        if value is not None:
            self.cse[-1].setdefault(("lin", lin), v)
        return v

    def index_bounds(self, v) -> tuple:
        if isinstance(v, IndexVal):
            return v.lin.bounds(self.atom_ranges)
        return int(v), int(v)

    # ------------------------------------------------------------------
    # Entry point
    # ------------------------------------------------------------------

    def build(self) -> ir.Module:
        src = self.kernel_src
        act = Activation(src, "kernel", locals=self._local_names(src.node))
        self.acts.append(act)
        node = src.node
        with self.ctx, self.loc(node):
            params = self._kernel_params(node)
            module = ir.Module.create(loc=self.loc(node))
            module.operation.attributes["tile.target"] = ir.Attribute.parse(
                f"#tile.target<{self.target}>")
            ftype = ir.FunctionType.get(
                [self.memref_type(p[1].shape, p[1].dtype) for p in params], [])
            f = func.FuncOp(src.name, ftype, loc=self.loc(node),
                            ip=ir.InsertionPoint(module.body))
            entry = f.add_entry_block(
                arg_locs=[ir.Location.name(p[0], childLoc=self.loc(p[2]))
                          for p in params])
            ret = func.ReturnOp([], loc=self.loc(node),
                                ip=ir.InsertionPoint(entry))
            self.anchor = builtin.UnrealizedConversionCastOp(
                [], [], loc=self.loc(node), ip=ir.InsertionPoint(ret))
            self.ip = ir.InsertionPoint(ret)
            for (name, spec, pnode, direction), arg in zip(params,
                                                           entry.arguments):
                t = act.vars[name] = GmTensor(
                    arg, spec.shape, spec.dtype, name,
                    writable=direction in ("out", "inout"),
                    kind="input" if direction == "in" else "output",
                    origin=name)
                if direction == "out":
                    self.unwritten[t] = (self.filename, pnode)
            self.visit_function_body(node.body, "function")
            self.anchor.operation.erase()
            self.anchor = None
            erase_dead_arith(f)
        return module

    def signature(self) -> list:
        """[(name, TensorSpec, annotation node, direction)] of the kernel's
        parameters, from their annotations (no IR is built)."""
        src = self.kernel_src
        self.acts.append(Activation(src, "kernel",
                                    locals=self._local_names(src.node)))
        try:
            with self.ctx, self.loc(src.node):
                return self._kernel_params(src.node)
        finally:
            self.acts.pop()

    def _local_names(self, fn_node: ast.FunctionDef) -> frozenset:
        names = set(analysis.assigned_names(fn_node.body))
        a = fn_node.args
        for p in a.posonlyargs + a.args + a.kwonlyargs:
            names.add(p.arg)
        return frozenset(names)

    def _kernel_params(self, node: ast.FunctionDef):
        a = node.args
        if a.vararg or a.kwarg or a.kwonlyargs or a.posonlyargs:
            bad = a.vararg or a.kwarg or (a.kwonlyargs + a.posonlyargs)[0]
            raise self.error(bad, "kernel parameters must be plain positional "
                             "tensor parameters",
                             help="write each tensor as `name: pl.Tensor[[...], "
                                  "DTYPE]`")
        if a.defaults:
            raise self.error(a.defaults[0], "kernel parameters cannot have "
                             "default values")
        params = []
        for p in a.args:
            if p.annotation is None:
                raise self.error(p, f"parameter '{p.arg}' has no annotation",
                                 expected="pl.Tensor[[d0, d1, ...], DTYPE] or "
                                          "pl.Out[pl.Tensor[[...], DTYPE]]",
                                 found="no annotation")
            spec = self.expr(p.annotation)
            if isinstance(spec, InvalidSpec):
                raise self.error(p.annotation, f"wrong annotation on "
                                 f"parameter '{p.arg}': {spec.message}",
                                 expected="pl.Tensor[[d0, d1, ...], DTYPE] or "
                                          "pl.Out[pl.Tensor[[...], DTYPE]]",
                                 found=ast.unparse(p.annotation))
            direction = "in"
            if isinstance(spec, ParamSpec):
                direction, spec = spec.direction, spec.tensor
            if isinstance(spec, ScalarSpec):
                raise self.error(p.annotation, f"scalar parameter '{p.arg}' is "
                                 f"not supported yet",
                                 expected="a pl.Tensor[[...], DTYPE] parameter",
                                 found="pl.Scalar[...]",
                                 help="pass compile-time values as module "
                                      "constants or closure variables")
            if spec is Tensor or (isinstance(spec, TensorSpec) and
                                  spec.shape is None):
                raise self.error(p.annotation, f"parameter '{p.arg}' needs a "
                                 f"shape and a dtype",
                                 expected="pl.Tensor[[d0, d1, ...], DTYPE]",
                                 found="pl.Tensor without shape")
            if not isinstance(spec, TensorSpec):
                raise self.error(p.annotation, f"wrong annotation on parameter "
                                 f"'{p.arg}'",
                                 expected="pl.Tensor[[d0, d1, ...], DTYPE] or "
                                          "pl.Out[pl.Tensor[[...], DTYPE]]",
                                 found=describe(spec))
            self.check_dtype_supported(spec.dtype, p.annotation)
            if spec.layout is not TensorLayout.ND:
                raise self.error(p.annotation, f"layout pl.{spec.layout.name} of "
                                 f"parameter '{p.arg}' is not supported",
                                 expected="pl.ND (row-major)",
                                 found=f"pl.{spec.layout.name}")
            params.append((p.arg, spec, p, direction))
        return params

    def check_dtype_supported(self, dtype, node):
        if not isinstance(dtype, DataType):
            raise self.error(node, "expected a pl dtype",
                             expected="pl.BF16, pl.FP16, pl.FP32, pl.INT8 or "
                                      "pl.INT32",
                             found=describe(dtype))
        if not dtype.supported:
            raise self.error(node, f"dtype {dtype!r} is not supported by "
                             f"Tessel", expected="pl.BF16, pl.FP16, pl.FP32, "
                             "pl.INT8 or pl.INT32", found=repr(dtype))

    # ------------------------------------------------------------------
    # Statement lists and liveness
    # ------------------------------------------------------------------

    def visit_function_body(self, stmts, kind):
        self.frames.append([])
        try:
            self.visit_block(stmts, kind)
        finally:
            self.frames.pop()

    def visit_block(self, stmts, kind="block"):
        frame = Frame(stmts, 0, kind)
        frames = self.frames[-1]
        frames.append(frame)
        try:
            for i, s in enumerate(stmts):
                frame.index = i
                self.visit_stmt(s)
        finally:
            frames.pop()

    def used_after(self, name: str) -> bool:
        """Is `name` read after the statement being visited, before being
        reassigned (including around enclosing loops)?"""
        for frame in reversed(self.frames[-1]):
            rest = frame.stmts[frame.index + 1:]
            exposed, defined = analysis.exposed_reads(rest)
            if name in exposed:
                return True
            if frame.kind == "loop":
                exposed, _ = analysis.exposed_reads(frame.stmts)
                if name in exposed:
                    return True
            if name in defined or frame.kind in ("scope", "function"):
                return False
        return False

    # ------------------------------------------------------------------
    # Statements
    # ------------------------------------------------------------------

    def visit_stmt(self, node: ast.stmt):
        method = getattr(self, "stmt_" + type(node).__name__, None)
        if method is None:
            raise self.unsupported(node)
        method(node)

    def unsupported(self, node) -> CompileError:
        kind = type(node).__name__
        what = {
            "While": ("'while' loops are not supported in kernels",
                      "use `for i in pl.range(n)` or `pl.pipeline(n)`"),
            "Break": ("'break' is not supported in kernels",
                      "loops run their full trip count; guard the body with "
                      "`if`"),
            "Continue": ("'continue' is not supported in kernels",
                         "guard the rest of the body with `if`"),
            "FunctionDef": ("nested function definitions are not supported "
                            "in kernels", "define a @pl.jit.inline helper at "
                            "module level and call it"),
            "ClassDef": ("class definitions are not supported in kernels",
                         None),
            "Try": ("'try' is not supported in kernels", None),
            "Raise": ("'raise' is not supported in kernels",
                      "check conditions with `assert` on compile-time values"),
            "Import": ("'import' is not supported in kernels",
                       "import at module level"),
            "ImportFrom": ("'import' is not supported in kernels",
                           "import at module level"),
            "Global": ("'global' is not supported in kernels", None),
            "Nonlocal": ("'nonlocal' is not supported in kernels", None),
            "Delete": ("'del' is not supported in kernels", None),
            "Lambda": ("lambda expressions are not supported in kernels",
                       "use a @pl.jit.inline helper"),
            "ListComp": ("list comprehensions are not supported in kernels",
                         None),
            "GeneratorExp": ("generator expressions are not supported in "
                             "kernels", None),
            "Await": ("'await' is not supported in kernels", None),
            "Yield": ("'yield' is not supported in kernels", None),
            "NamedExpr": ("':=' is not supported in kernels", None),
        }.get(kind, (f"unsupported Python construct in a kernel: "
                     f"{kind} ({ast.unparse(node).splitlines()[0][:40]})",
                     None))
        return self.error(node, what[0], help=what[1])

    def stmt_Pass(self, node):
        pass

    def stmt_Expr(self, node):
        if isinstance(node.value, ast.Constant):
            return  # docstrings and stray constants
        self.expr(node.value)

    def stmt_Assert(self, node):
        test = self.expr(node.test)
        if isinstance(test, RUNTIME_TYPES):
            raise self.error(node.test, "assert needs a compile-time condition",
                             found=describe(test))
        if not test:
            msg = self.expr(node.msg) if node.msg is not None else None
            raise self.error(node, "assertion failed" +
                             (f": {msg}" if msg is not None else ""))

    def stmt_Return(self, node):
        act = self.act
        fn_body = act.src.node.body
        if not (fn_body and fn_body[-1] is node and self._at_top_level(node)):
            raise self.error(node, "'return' is only supported as the last "
                             "statement of a kernel or inline helper",
                             help="compute the value in both branches and "
                                  "return it after the `if`")
        value = self.expr(node.value) if node.value is not None else None
        if act.kind == "kernel":
            values = value if isinstance(value, tuple) else (value,)
            returns = []
            for v in values:
                if v is None:
                    continue
                if not (isinstance(v, GmTensor) and v.writable and
                        v.base.kind == "output"):
                    raise self.error(node.value, "a kernel returns nothing or "
                                     "its output tensors",
                                     expected="None or pl.Out parameters",
                                     found=describe(v))
                # The caller gets its own tensor back (a view of it for a
                # reshaped output), as PyPTO returns the output.
                returns.append((v.base.name, tuple(v.shape)))
            if isinstance(value, tuple):
                self.returns = tuple(returns)
            elif returns:
                self.returns = returns[0]
            return
        act.ret = value

    def _at_top_level(self, node) -> bool:
        frames = self.frames[-1]
        return len(frames) == 1 and frames[0].stmts is self.act.src.node.body

    def stmt_Assign(self, node):
        hint = None
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            hint = node.targets[0].id
        value = self.expr_with_hint(node.value, hint)
        for target in node.targets:
            self.assign(target, value, node)

    def stmt_AnnAssign(self, node):
        if node.value is None:
            return
        hint = node.target.id if isinstance(node.target, ast.Name) else None
        value = self.expr_with_hint(node.value, hint)
        spec = self.expr(node.annotation)
        self.check_annotation(value, spec, node.annotation, hint or "value")
        self.assign(node.target, value, node)

    def check_annotation(self, value, spec, ann_node, name):
        if isinstance(spec, InvalidSpec):
            raise self.error(ann_node, f"wrong annotation on '{name}': "
                             f"{spec.message}")
        if isinstance(spec, ParamSpec):
            spec = spec.tensor
        if isinstance(spec, (TensorSpec, TileSpec)) and spec.shape is not None:
            if isinstance(value, PendingTile):
                value_shape, value_dtype = value.shape, value.dtype
            elif isinstance(value, (GmTensor, TileVal)):
                value_shape, value_dtype = value.shape, value.dtype
            else:
                raise self.error(ann_node, f"wrong annotation on '{name}'",
                                 expected=repr(spec), found=describe(value))
            if tuple(spec.shape) != tuple(value_shape) or \
                    spec.dtype is not value_dtype:
                raise self.error(ann_node, f"annotation of '{name}' does not "
                                 f"match its value", expected=repr(spec),
                                 found=describe(value))

    def stmt_AugAssign(self, node):
        if not isinstance(node.target, ast.Name):
            raise self.error(node, "augmented assignment is only supported on "
                             "variables",
                             help="load the slice, compute, and store it: "
                                  "`out[a:b, c:d] = pl.add(out[a:b, c:d], t)`")
        current = self.lookup(ast.Name(node.target.id, ast.Load(),
                                       lineno=node.lineno,
                                       col_offset=node.col_offset))
        value = self.binop(node.op, current, self.expr(node.value), node)
        self.assign(node.target, value, node)

    def assign(self, target, value, stmt):
        if isinstance(target, ast.Name):
            if isinstance(value, TileVal):
                name_value(value.value, target.id)
            self.act.vars[target.id] = value
            return
        if isinstance(target, (ast.Tuple, ast.List)):
            if not isinstance(value, (tuple, list)):
                raise self.error(target, "cannot unpack this value",
                                 expected=f"a tuple of {len(target.elts)} "
                                          f"values", found=describe(value))
            if len(value) != len(target.elts):
                raise self.error(target, "wrong number of values to unpack",
                                 expected=str(len(target.elts)),
                                 found=str(len(value)))
            for t, v in zip(target.elts, value):
                self.assign(t, v, stmt)
            return
        if isinstance(target, ast.Subscript):
            base = self.expr(target.value)
            if isinstance(base, GmTensor):
                self.store_slice(base, target, value, stmt)
                return
            if isinstance(base, tasks.TaskArray):
                tasks.array_store(self, target, base, value, stmt)
                return
            if isinstance(base, (TileVal, PendingTile)):
                raise self.error(target, "cannot assign into a slice of a "
                                 "tile", help="tiles are values: build the "
                                 "tile you want (pl.tensor.scatter, "
                                 "pl.full) or store into a GM tensor")
            raise self.error(target, "cannot assign into a slice of "
                             f"{describe(base)}")
        raise self.error(target, f"cannot assign to {type(target).__name__}")

    def expr_with_hint(self, node, hint):
        saved = self.assign_hint
        self.assign_hint = hint
        try:
            return self.expr(node)
        finally:
            self.assign_hint = saved

    # ------------------------------------------------------------------
    # Scopes: spmd, parallel, at
    # ------------------------------------------------------------------

    def _scope_error(self, node, what: str) -> CompileError:
        outer = self.scope
        where = {"spmd": "a pl.spmd/pl.parallel body",
                 "at": "a pl.at core scope"}[outer.kind]
        if outer.implicit:
            where = "a pl.spmd/pl.parallel body"
        notes = []
        if outer.node is not None and outer.filename:
            notes.append(note_at(outer.filename, outer.node,
                                 "the enclosing scope is here"))
        return self.error(node, f"{what} cannot be nested inside {where}",
                          help="parallel scopes are written at function level "
                               "and core scopes directly inside them",
                          notes=notes)

    def enter(self, scope: Scope, ip: ir.InsertionPoint):
        saved = (self.scope, self.ip)
        self.scope, self.ip = scope, ip
        self.cse.append({})
        return saved

    def leave(self, saved):
        self.scope, self.ip = saved
        self.cse.pop()

    def make_spmd(self, node, blocks: int, name, bind_iv, body_fn,
                  assume_independent: bool = False):
        op = tile_d.SpmdOp(blocks, sym_name=name, loc=self.loc(node),
                           ip=self.ip)
        if assume_independent:
            # Read by tile-check-races (docs/races.md).
            op.operation.attributes["assume_independent"] = ir.UnitAttr.get()
        block = op.regions[0].blocks.append(
            ir.IndexType.get(),
            arg_locs=[self.named_loc(node, getattr(node, "target", None))])
        y = tile_d.YieldOp([], loc=self.loc(node), ip=ir.InsertionPoint(block))
        saved = self.enter(Scope("spmd", node, None, self.filename),
                           ir.InsertionPoint(y))
        saved_block = self.block_index
        try:
            b = self.new_index(block.arguments[0], bounds=(0, blocks - 1))
            self.block_index = b
            bind_iv(b)
            body_fn()
        finally:
            self.block_index = saved_block
            self.leave(saved)

    def make_at(self, node, kind: str, body_fn, implicit: bool = False):
        op = tile_d.AtOp(getattr(tile_d.CoreKind, kind), loc=self.loc(node),
                         ip=self.ip)
        block = op.regions[0].blocks.append()
        y = tile_d.YieldOp([], loc=self.loc(node), ip=ir.InsertionPoint(block))
        saved = self.enter(Scope("at", node, kind, self.filename, implicit),
                           ir.InsertionPoint(y))
        try:
            body_fn()
        finally:
            self.leave(saved)

    def region_exit(self, snapshot: dict, stmts, reason: str, node, help=None,
                    extra=()):
        """After a scope body: names it assigned to runtime values are not
        available outside it."""
        vars_ = self.act.vars
        for name in list(analysis.assigned_names(stmts)) + list(extra):
            new = vars_.get(name, MISSING)
            old = snapshot.get(name, MISSING)
            if new is old:
                continue
            if new is MISSING:
                continue
            # Compile-time values are the same in every block and iteration:
            # they stay; runtime values do not leave the region.
            if isinstance(new, RUNTIME_TYPES) or isinstance(new, Unavailable):
                vars_[name] = Unavailable(name, reason, node, help)

    def contains_at(self, stmts) -> bool:
        """Does the statement list hold a `with pl.at(...)` (not looking into
        inline helpers)?"""
        for s in stmts:
            for n in ast.walk(s):
                if isinstance(n, ast.With):
                    for item in n.items:
                        ce = item.context_expr
                        if isinstance(ce, ast.Call) and \
                                self.static_builtin(ce.func) == "at":
                            return True
        return False

    def static_builtin(self, func_node) -> str | None:
        """The builtin a Name/Attribute chain names, without building IR."""
        chain = []
        n = func_node
        while isinstance(n, ast.Attribute):
            chain.append(n.attr)
            n = n.value
        if not isinstance(n, ast.Name):
            return None
        v = self.act.vars.get(n.id, MISSING)
        if v is MISSING:
            v = self.act.src.lookup_nonlocal(n.id)
        for attr in reversed(chain):
            if v is MISSING or isinstance(v, RUNTIME_TYPES):
                return None
            v = getattr(v, attr, MISSING)
        return pl_ops.builtin_name(v) if v is not MISSING else None

    def stmt_With(self, node):
        if len(node.items) != 1:
            raise self.error(node, "only `with pl.at(...):` is supported, one "
                             "scope per `with`")
        item = node.items[0]
        call = item.context_expr
        name = (self.static_builtin(call.func)
                if isinstance(call, ast.Call) else None)
        if name == "spmd":
            return tasks.with_spmd(self, node, call, item.optional_vars)
        if name == "manual_scope":
            if item.optional_vars is not None:
                raise self.error(item.optional_vars, "pl.manual_scope() binds "
                                 "no name")
            self.bind_call(call, "manual_scope")
            return tasks.manual_scope(self, node)
        if name != "at":
            raise self.error(call, "only `with pl.at(...):`, `with pl.spmd("
                             "...):` and `with pl.manual_scope():` are "
                             "supported in kernels",
                             found=ast.unparse(call)[:60])
        a = self.bind_call(call, "at")
        level = a.level.value
        if not isinstance(level, Level):
            raise self.error(a.level.node, "pl.at needs a pl.Level",
                             expected="pl.Level.CORE_GROUP, pl.Level.AIV or "
                                      "pl.Level.AIC", found=describe(level))
        kind = LEVEL_TO_KIND.get(level)
        if kind is None:
            raise self.error(a.level.node, f"{level!r} is not a core level",
                             expected="pl.Level.CORE_GROUP, pl.Level.AIV or "
                                      "pl.Level.AIC", found=repr(level))
        name_hint = self.opt_str(a.name_hint, "name_hint")
        if self.scope.kind == "at":
            raise self._scope_error(node, "pl.at")
        tasks.scope_hints(self, node, a, "at", name_hint)
        snapshot = dict(self.act.vars)
        if self.scope.kind == "spmd":
            if name_hint is not None:
                self._name_enclosing_spmd(node, name_hint)
            self.make_at(node, kind, lambda: self.visit_block(node.body,
                                                              "scope"))
        else:
            par = self._single_parallel(node.body)
            if par is not None:
                self._parallel_as_spmd(par[0], par[1], name_hint, at_kind=kind,
                                       at_node=node)
            else:
                self.make_spmd(node, 1, name_hint, lambda b: None,
                               lambda: self.make_at(
                                   node, kind,
                                   lambda: self.visit_block(node.body,
                                                            "scope")))
        self.region_exit(snapshot, node.body, f"assigned inside the pl.at scope at "
                         f"line {node.lineno}", node,
                         help="values made in a core scope do not leave it; "
                              "store results to a GM tensor")
        tasks.bind_task(self, item.optional_vars,
                        name_hint or f"at at line {node.lineno}", node)

    def _name_enclosing_spmd(self, node, name: str):
        """`pl.at(name_hint=...)` directly in a pl.spmd / pl.parallel body
        names that scope (as `pl.spmd(name_hint=...)` would)."""
        spmd = self.ip.block.owner
        current = spmd.attributes["sym_name"] if "sym_name" in spmd.attributes else None
        if current is not None and ir.StringAttr(current).value != name:
            raise self.error(node, f"pl.at(name_hint={name!r}) inside a scope "
                             f"already named {ir.StringAttr(current).value!r}",
                             help="name the scope once, on pl.spmd or on its "
                                  "pl.at")
        spmd.attributes["sym_name"] = ir.StringAttr.get(name)

    def _single_parallel(self, body):
        """`with pl.at(...)` whose body is one `for i in pl.parallel(...)`."""
        stmts = [s for s in body if not (isinstance(s, ast.Expr) and
                                         isinstance(s.value, ast.Constant))]
        if len(stmts) != 1 or not isinstance(stmts[0], ast.For):
            return None
        it = stmts[0].iter
        if isinstance(it, ast.Call) and \
                self.static_builtin(it.func) == "parallel":
            return stmts[0], self.bind_call(it, "parallel")
        return None

    def _parallel_trips(self, node, a):
        start, stop, step = self.range_args(a, "parallel")
        for v, arg in ((start, a.start), (stop, a.stop or a.start),
                       (step, a.step)):
            if not isinstance(v, int):
                raise self.error(arg.node, "a pl.parallel loop at function "
                                 "level needs compile-time bounds (it becomes "
                                 "one block per iteration)",
                                 found=describe(v))
        trips = len(py_builtins.range(start, stop, step))
        if trips <= 0:
            raise self.error(node.iter, "pl.parallel loop has no iterations",
                             found=f"range({start}, {stop}, {step})")
        return start, step, trips

    def _parallel_as_spmd(self, node, a, name_hint, at_kind=None,
                          at_node=None):
        start, step, trips = self._parallel_trips(node, a)
        has_at = self.contains_at(node.body)
        if at_kind is not None and has_at:
            raise self._nested_at_error(node.body, at_node)

        def bind(b):
            iv = b
            if step != 1:
                iv = self.index_binop(ast.Mult(), iv, step, node)
            if start != 0:
                iv = self.index_binop(ast.Add(), iv, start, node)
            self.assign_loop_target(node.target, iv, node)

        def body():
            kind = at_kind or (None if has_at else "core_group")
            if kind is None:
                self.visit_block(node.body, "scope")
            else:
                self.make_at(at_node or node, kind,
                             lambda: self.visit_block(node.body, "scope"),
                             implicit=at_kind is None)

        snapshot = dict(self.act.vars)
        assumed = self.opt_flag(a.assume_independent, "assume_independent")
        self.make_spmd(node, trips, name_hint, bind, body,
                       assume_independent=assumed)
        self.region_exit(snapshot, node.body, f"assigned inside the pl.parallel loop "
                         f"at line {node.lineno}", node,
                         extra=self._target_names(node.target),
                         help="parallel blocks share nothing but GM; store "
                              "results to a GM tensor")

    def _nested_at_error(self, body, outer):
        for s in body:
            for n in ast.walk(s):
                if isinstance(n, ast.With):
                    return self.error(n, "pl.at cannot be nested inside a pl.at "
                                      "core scope",
                                      notes=[note_at(self.filename, outer,
                                                     "the enclosing scope is "
                                                     "here")])
        return self.error(outer, "pl.at cannot be nested")

    def _target_names(self, target):
        return [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]

    def assign_loop_target(self, target, value, node):
        if not isinstance(target, ast.Name):
            raise self.error(target, "the loop variable must be a single name",
                             found=ast.unparse(target))
        self.act.vars[target.id] = value

    # ------------------------------------------------------------------
    # Loops
    # ------------------------------------------------------------------

    def stmt_For(self, node):
        if node.orelse:
            raise self.error(node.orelse[0], "'for ... else' is not supported "
                             "in kernels")
        it = node.iter
        if isinstance(it, ast.Call):
            name = self.static_builtin(it.func)
            if name in ("spmd", "parallel", "pipeline", "range"):
                a = self.bind_call(it, name)
                return getattr(self, "for_" + name)(node, a)
            if name == "unroll":
                return control.for_unroll(self, node,
                                          self.bind_call(it, "unroll"))
        iterable = self.expr(it)
        if isinstance(iterable, RUNTIME_TYPES):
            raise self.error(it, f"cannot iterate over {describe(iterable)}",
                             help="loop with pl.range, pl.pipeline, pl.spmd or "
                                  "pl.parallel")
        try:
            items = list(iterable)
        except TypeError:
            raise self.error(it, "cannot iterate over this value",
                             expected="pl.range(...), pl.pipeline(...), "
                                      "pl.spmd(...), pl.parallel(...) or a "
                                      "compile-time range/tuple/list",
                             found=describe(iterable)) from None
        if len(items) > MAX_UNROLL:
            raise self.error(it, f"compile-time loop has {len(items)} "
                             f"iterations (limit {MAX_UNROLL})",
                             help="use pl.range for a runtime loop")
        for v in items:
            self.assign(node.target, v, node)
            self.visit_block(node.body, "loop")

    def for_spmd(self, node, a):
        n = self.const_int(a.n, "pl.spmd block count", minimum=1)
        name_hint = self.opt_str(a.name_hint, "name_hint")
        assumed = self.opt_flag(a.assume_independent, "assume_independent")
        if self.scope.kind != "function":
            raise self._scope_error(node, "pl.spmd")
        tasks.scope_hints(self, node, a, "spmd", name_hint)
        has_at = self.contains_at(node.body)
        snapshot = dict(self.act.vars)

        def body():
            if has_at:
                self.visit_block(node.body, "scope")
            else:
                self.make_at(node, "core_group",
                             lambda: self.visit_block(node.body, "scope"),
                             implicit=True)

        self.make_spmd(node, n, name_hint,
                       lambda b: self.assign_loop_target(node.target, b, node),
                       body, assume_independent=assumed)
        self.region_exit(snapshot, node.body, f"assigned inside the pl.spmd loop at "
                         f"line {node.lineno}", node,
                         extra=self._target_names(node.target),
                         help="spmd blocks share nothing but GM; store results "
                              "to a GM tensor")

    def for_parallel(self, node, a):
        if self.scope.kind == "function":
            if tasks.contains_spmd(self, node.body):
                tasks.parallel_of_scopes(self, node, a)
                return
            self._parallel_as_spmd(node, a, None)
            return
        # Inside a scope the iterations are independent: run them in order.
        start, stop, step = self.range_args(a, "parallel")
        self.make_loop(node, "range", start, stop, step, 0)

    def for_pipeline(self, node, a):
        start, stop, step = self.range_args(a, "pipeline")
        stage = self.const_int(a.stage, "pl.pipeline stage", minimum=1)
        self.make_loop(node, "pipeline", start, stop, step, stage)

    def for_range(self, node, a):
        start, stop, step = self.range_args(a, "range")
        self.make_loop(node, "range", start, stop, step, 0)

    def range_args(self, a, what):
        """(start, stop, step) of pl.range/pipeline/parallel arguments."""
        if a.stop.value is None:
            start, stop = Arg(0, a.start.node), a.start
        else:
            start, stop = a.start, a.stop
        vals = []
        for arg, label in ((start, "start"), (stop, "stop"), (a.step, "step")):
            v = arg.value
            if isinstance(v, bool) or not isinstance(v, (int, IndexVal)):
                raise self.error(arg.node, f"pl.{what} {label} must be an "
                                 f"integer", expected="an int or a runtime "
                                 "index", found=describe(v))
            vals.append(v)
        step = vals[2]
        if not isinstance(step, int) or step <= 0:
            raise self.error(a.step.node, f"pl.{what} step must be a positive "
                             f"compile-time integer", found=describe(step))
        return vals[0], vals[1], step

    def make_loop(self, node, kind, start, stop, step, stages):
        target = node.target
        if not isinstance(target, ast.Name):
            raise self.error(target, "the loop variable must be a single name",
                             found=ast.unparse(target))
        body = node.body
        vars_ = self.act.vars
        exposed, _ = analysis.exposed_reads(body, frozenset({target.id}))
        assigned = [n for n in analysis.assigned_names(body) if n != target.id]
        carried, inits = [], []
        for name in assigned:
            v = vars_.get(name, MISSING)
            if v is MISSING or isinstance(v, Unavailable):
                continue
            carryable = isinstance(v, (TileVal, IndexVal, BoolVal,
                                       PendingTile)) or \
                (isinstance(v, int) and not isinstance(v, bool))
            if not carryable:
                continue
            if name not in exposed and not self.used_after(name):
                continue
            carried.append(name)
            inits.append(self.carry_init(v, node, name))
        snapshot = dict(vars_)
        lb = self.index_value(start, node)
        ub = self.index_value(stop, node)
        st = self.index_value(step, node)
        init_values = [i[0] for i in inits]
        types = [v.type for v in init_values]
        loc = self.loc(node)
        if kind == "pipeline":
            op = tile_d.PipelineOp(types, lb, ub, st, stages, init_values,
                                   loc=loc, ip=self.ip)
            block = op.regions[0].blocks.append(
                ir.IndexType.get(), *types,
                arg_locs=[self.named_loc(node, target)] + [loc] * len(types))
        else:
            op = scf.ForOp(lb, ub, st, init_values, loc=loc, ip=self.ip)
            block = op.body
            if hasattr(block.arguments[0], "set_location"):
                block.arguments[0].set_location(self.named_loc(node, target))
        self.cse.append({})
        iv_bounds = stepped_iv_bounds(self.index_bounds(start),
                                      self.index_bounds(stop), step)
        iv = self.new_index(block.arguments[0], bounds=iv_bounds)
        vars_[target.id] = iv
        for i, name in enumerate(carried):
            vars_[name] = self.wrap_like(inits[i][1], block.arguments[i + 1])
        saved_ip = self.ip
        self.ip = ir.InsertionPoint(block)
        try:
            self.visit_block(body, "loop")
            yields = [self.coerce_carried(name, vars_.get(name, MISSING),
                                          inits[i], body, node)
                      for i, name in enumerate(carried)]
            if kind == "pipeline":
                tile_d.YieldOp(yields, loc=loc, ip=self.ip)
            else:
                scf.YieldOp(yields, loc=loc, ip=self.ip)
        finally:
            self.ip = saved_ip
            self.cse.pop()
        # What flows out of the loop.
        what = "pl.pipeline" if kind == "pipeline" else "loop"
        for name in assigned:
            if name in carried:
                continue
            new, old = vars_.get(name, MISSING), snapshot.get(name, MISSING)
            if new is old or new is MISSING:
                continue
            live = name in exposed or self.used_after(name)
            if isinstance(new, RUNTIME_TYPES) or isinstance(old, RUNTIME_TYPES):
                if live and old is not MISSING and \
                        not isinstance(old, Unavailable):
                    raise self.error(analysis.last_assignment(body, name) or
                                     node, f"'{name}' ({describe(old)}) cannot "
                                     f"be reassigned inside a loop",
                                     help="only tiles and indices can be "
                                          "loop-carried; use a new name")
                vars_[name] = Unavailable(
                    name, f"assigned inside the {what} at line {node.lineno}",
                    node, "assign it before the loop to carry its value out")
            elif live and old is not MISSING and new != old:
                raise self.error(analysis.last_assignment(body, name) or node,
                                 f"compile-time value '{name}' changes inside "
                                 f"a runtime loop", expected=repr(old),
                                 found=repr(new))
        vars_[target.id] = Unavailable(target.id, f"the variable of the {what} "
                                       f"at line {node.lineno}", node)
        for i, name in enumerate(carried):
            vars_[name] = self.wrap_like(inits[i][1], op.results[i])

    def carry_init(self, v, node, name):
        """(SSA init value, prototype) of a loop-carried variable."""
        if isinstance(v, TileVal):
            return v.value, v
        if isinstance(v, PendingTile):
            t = self.materialize(v, node, f"loop-carried '{name}'")
            return t.value, t
        if isinstance(v, IndexVal):
            return v.value, v
        if isinstance(v, BoolVal):
            return v.value, v
        return self.const_index(v, node), IndexVal(None, Lin(0))

    def wrap_like(self, proto, value):
        if isinstance(proto, TileVal):
            return TileVal(value, proto.shape, proto.dtype)
        if isinstance(proto, BoolVal):
            return BoolVal(value)
        return self.new_index(value)

    def coerce_carried(self, name, v, init, body, loop_node):
        proto = init[1]
        where = analysis.last_assignment(body, name) or loop_node
        if isinstance(v, Unavailable) or v is MISSING:
            raise self.error(where, f"'{name}' has no value at the end of the "
                             f"loop body", help=v.reason if isinstance(
                                 v, Unavailable) else None)
        if isinstance(proto, TileVal):
            if isinstance(v, PendingTile):
                v = self.materialize(v, where, f"'{name}'")
            if not isinstance(v, TileVal):
                raise self.error(where, f"loop-carried '{name}' changes kind",
                                 expected=proto.describe(), found=describe(v))
            if v.shape != proto.shape or v.dtype is not proto.dtype:
                raise self.error(where, f"loop-carried '{name}' changes type "
                                 f"in the loop",
                                 expected=f"{proto.describe()} (its type "
                                          f"before the loop)",
                                 found=v.describe())
            return v.value
        if isinstance(proto, BoolVal):
            if isinstance(v, bool):
                return self.const_bool(v, where)
            if not isinstance(v, BoolVal):
                raise self.error(where, f"loop-carried '{name}' changes kind",
                                 expected="a condition", found=describe(v))
            return v.value
        if isinstance(v, bool) or not isinstance(v, (int, IndexVal)):
            raise self.error(where, f"loop-carried '{name}' changes kind",
                             expected="an index", found=describe(v))
        return self.index_value(v, where)

    def materialize(self, p: PendingTile, node, what: str) -> TileVal:
        """The zero tile standing for a `pl.create_tensor` made in a scope."""
        if self.scope.kind != "at":
            raise self.error(node, f"{what} needs a core scope to become a "
                             f"tile", help="put the loop inside `with "
                             "pl.at(...)`")
        if len(p.shape) != 2:
            raise self.error(p.node or node, f"tensor '{p.name}' created in a "
                             f"scope is used as a tile but is not 2-D",
                             found=shape_str(p.shape))
        zero = 0.0 if p.dtype.is_float else 0
        t = self.tile_type(p.shape, p.dtype)
        attr = (ir.FloatAttr.get(self.elt_type(p.dtype), zero)
                if p.dtype.is_float else
                ir.IntegerAttr.get(self.elt_type(p.dtype), zero))
        op = tile_d.FullOp(t, attr, loc=self.loc(p.node or node), ip=self.ip)
        return TileVal(op.result, tuple(p.shape), p.dtype)

    # ------------------------------------------------------------------
    # if / else
    # ------------------------------------------------------------------

    def stmt_If(self, node):
        test = self.expr(node.test)
        if isinstance(test, IndexVal):
            test = self.compare(ast.NotEq(), test, 0, node.test)
        if isinstance(test, (TileVal, GmTensor, PendingTile)):
            raise self.error(node.test, "the condition of an if must be an "
                             "index comparison or a compile-time value",
                             found=describe(test))
        if not isinstance(test, BoolVal):
            self.visit_block(node.body if test else node.orelse, "block")
            return
        vars_ = self.act.vars
        pre = dict(vars_)
        loc = self.loc(node)
        tmp = scf.IfOp(test.value, [], has_else=True, loc=loc, ip=self.ip)
        saved_ip = self.ip
        branch_vars = []
        try:
            for block, stmts in ((tmp.then_block, node.body),
                                 (tmp.else_block, node.orelse)):
                self.ip = ir.InsertionPoint(block)
                self.cse.append({})
                try:
                    self.visit_block(stmts, "block")
                finally:
                    self.cse.pop()
                branch_vars.append((dict(vars_), self.ip))
                vars_.clear()
                vars_.update(pre)
        finally:
            self.ip = saved_ip
        (then_vars, then_ip), (else_vars, else_ip) = branch_vars
        stmts = node.body + node.orelse
        results = []   # (name, then value, else value, prototype)
        for name in analysis.assigned_names(stmts):
            tv, ev = then_vars.get(name, MISSING), else_vars.get(name, MISSING)
            if tv is ev:
                if tv is not MISSING:
                    vars_[name] = tv
                continue
            if not self.used_after(name):
                vars_[name] = Unavailable(name, f"assigned in only part of the "
                                          f"if at line {node.lineno}", node)
                continue
            where = analysis.last_assignment(stmts, name) or node
            missing = [b for b, v in (("then", tv), ("else", ev))
                       if v is MISSING or isinstance(v, Unavailable)]
            if missing:
                raise self.error(where, f"'{name}' is assigned in only one "
                                 f"branch of this if and used after it",
                                 help=f"give '{name}' a value before the if or "
                                      f"in the {missing[0]} branch too")
            if not isinstance(tv, RUNTIME_TYPES) and \
                    not isinstance(ev, RUNTIME_TYPES) and tv == ev:
                vars_[name] = tv
                continue
            results.append((name, tv, ev, self.unify(name, tv, ev, where)))
        then_vals, else_vals = [], []
        for name, tv, ev, proto in results:
            where = analysis.last_assignment(stmts, name) or node
            for v, ip, out in ((tv, then_ip, then_vals),
                               (ev, else_ip, else_vals)):
                self.ip = ip
                try:
                    out.append(self.coerce_carried(name, v, (None, proto),
                                                   stmts, where))
                finally:
                    self.ip = saved_ip
        types = [v.type for v in then_vals]
        has_else = bool(node.orelse) or bool(results)
        final = scf.IfOp(test.value, types, has_else=has_else, loc=loc,
                         ip=ir.InsertionPoint(tmp))
        moves = [(tmp.then_block, final.then_block, then_vals)]
        if has_else:
            moves.append((tmp.else_block, final.else_block, else_vals))
        for src_block, dst_block, vals in moves:
            y = scf.YieldOp(vals, loc=loc, ip=ir.InsertionPoint(dst_block))
            for op in list(src_block.operations):
                op.operation.move_before(y)
        tmp.operation.erase()
        for i, (name, _, _, proto) in enumerate(results):
            vars_[name] = self.wrap_like(proto, final.results[i])

    def unify(self, name, a, b, where):
        """The prototype of the value both branches give `name`."""
        kinds = []
        for v in (a, b):
            if isinstance(v, (TileVal, PendingTile)):
                kinds.append(("tile", tuple(v.shape), v.dtype))
            elif isinstance(v, BoolVal) or isinstance(v, bool):
                kinds.append(("bool",))
            elif isinstance(v, (IndexVal, int)):
                kinds.append(("index",))
            else:
                raise self.error(where, f"'{name}' gets different values in "
                                 f"the two branches of a runtime if",
                                 expected="tiles, indices or conditions",
                                 found=describe(v))
        if kinds[0] != kinds[1]:
            raise self.error(where, f"'{name}' has different types in the two "
                             f"branches of this if",
                             expected=describe(a) + " (then branch)",
                             found=describe(b) + " (else branch)")
        k = kinds[0]
        if k[0] == "tile":
            return TileVal(None, k[1], k[2])
        if k[0] == "bool":
            return BoolVal(None)
        return IndexVal(None, Lin(0))

    # ------------------------------------------------------------------
    # GM slices: loads and stores
    # ------------------------------------------------------------------

    def require_core(self, node, what: str, unit: str | None = None):
        """Check that `what` is built inside a core scope of a kind that has
        the `unit` ("vector" or "cube") it runs on."""
        if self.scope.kind != "at":
            where = {"function": "at function level",
                     "spmd": "in a pl.spmd body outside its pl.at scopes"}[
                self.scope.kind]
            raise self.error(node, f"{what} needs a core scope, but it is "
                             f"{where}",
                             help="tiles live only inside `with pl.at(...)` "
                                  "(or a pl.spmd loop without pl.at)")
        kind = self.scope.core
        if unit is not None and kind not in ("core_group", unit):
            raise self.error(node, f"{what} runs on the {unit} unit and "
                             f"cannot be used in a {kind} scope",
                             expected=f"a {unit} or core_group scope",
                             found=f"{KIND_TO_LEVEL[kind]} scope",
                             notes=[note_at(self.scope.filename,
                                            self.scope.node,
                                            "the core scope is here")])

    def slice_dims(self, base: GmTensor, sl, node):
        """[(offset, size)] per dimension of a subscript on a GM tensor."""
        elts = sl.elts if isinstance(sl, ast.Tuple) else [sl]
        rank = len(base.shape)
        if len(elts) > rank:
            raise self.error(sl, f"too many indices for {base.describe()}",
                             expected=f"at most {rank}", found=str(len(elts)))
        dims = []
        for d in range(rank):
            dim = base.shape[d]
            e = elts[d] if d < len(elts) else None
            if e is None or (isinstance(e, ast.Slice) and e.lower is None and
                             e.upper is None and e.step is None):
                dims.append((0, dim, e or sl))
                continue
            if isinstance(e, ast.Slice):
                if e.step is not None:
                    step = self.expr(e.step)
                    if step != 1:
                        raise self.error(e.step, "strided slices are not "
                                         "supported", expected="step 1",
                                         found=describe(step))
                lower = self.expr(e.lower) if e.lower is not None else 0
                upper = self.expr(e.upper) if e.upper is not None else dim
                for v, n in ((lower, e.lower), (upper, e.upper)):
                    if isinstance(v, bool) or not isinstance(v, (int,
                                                                 IndexVal)):
                        raise self.error(n, "slice bounds must be integers",
                                         found=describe(v))
                # Negative constant bounds count from the end, as in Python.
                if isinstance(lower, int) and lower < 0:
                    lower += dim
                if isinstance(upper, int) and upper < 0:
                    upper += dim
                size_lin = self.lin_of(upper) - self.lin_of(lower)
                if not size_lin.is_const():
                    raise self.error(e, "slice size is not a compile-time "
                                     "constant",
                                     expected="bounds like `a:a + 16` whose "
                                              "difference is a constant",
                                     found=ast.unparse(e))
                size = size_lin.const
                if size <= 0:
                    raise self.error(e, "empty slice", expected="a positive "
                                     "size", found=f"{size} elements")
                offset, onode = lower, e.lower or e
            else:
                offset = self.expr(e)
                if isinstance(offset, bool) or not isinstance(offset, (int,
                                                                      IndexVal)):
                    raise self.error(e, "index must be an integer",
                                     found=describe(offset))
                if isinstance(offset, int) and offset < 0:
                    offset += dim
                size, onode = 1, e
            if isinstance(offset, int) and offset < 0:
                raise self.error(onode, "negative indices are not supported",
                                 found=str(offset))
            lo, hi = self.index_bounds(offset)
            # A runtime offset whose interval leaves the tensor may still be
            # in bounds wherever the access runs (under `if b > 0:`, modulo
            # tiling): tile-check-races decides it exactly right after the
            # frontend, with the block and loop indices of a real overflow.
            if size > dim or (isinstance(offset, int) and (
                    offset + size > dim or offset < 0)):
                if isinstance(offset, int):
                    found = f"{offset}:{offset + size}"
                else:
                    found = f"offsets {lo}..{hi} + {size} elements"
                raise self.error(e, f"slice out of bounds in dimension {d} of "
                                 f"{base.describe()}",
                                 expected=f"within 0:{dim}", found=found)
            dims.append((offset, size, onode))
        return dims

    def tile_shape_of(self, base: GmTensor, sizes, node):
        rank = len(base.shape)
        if rank == 1:
            return (1, sizes[0])
        lead = sizes[:-2]
        for d, s in enumerate(lead):
            if s != 1:
                raise self.error(node, f"a slice of a {rank}-D tensor must be "
                                 f"a 2-D tile: leading dimensions need size 1",
                                 expected=f"size 1 in dimension {d}",
                                 found=f"size {s}")
        return (sizes[-2], sizes[-1])

    def check_written(self, base: GmTensor, node):
        """A pl.Out parameter or a pl.create_tensor scratch tensor is
        undefined until the kernel stores into it (PyPTO leaves it so): a
        load before any store (in source order) is an error."""
        root = base.base
        decl = self.unwritten.get(root)
        if decl is None:
            return
        notes = [note_at(*decl, "declared here")]
        if root.kind == "scratch":
            raise self.error(node, f"'{base.name}' is read before anything "
                             f"writes it", expected="a store into the "
                             f"scratch tensor '{root.name}' before this load",
                             found="no store before it",
                             help="a pl.create_tensor scratch tensor is "
                                  "undefined until the kernel writes it",
                             notes=notes)
        raise self.error(node, f"output '{root.name}' is read before anything "
                         f"writes it", expected="a store into "
                         f"'{root.name}' before this load",
                         found="no store before it",
                         help=f"a pl.Out tensor holds whatever the caller "
                              f"passed until the kernel writes it; declare "
                              f"'{root.name}' as pl.InOut[pl.Tensor[...]] if "
                              f"the kernel reads the caller's values",
                         notes=notes)

    def load_slice(self, base: GmTensor, offsets, sizes, node) -> TileVal:
        self.require_core(node, f"loading a slice of '{base.name}'")
        self.check_written(base, node)
        shape = self.tile_shape_of(base, sizes, node)
        idx = [self.index_value(o, node) for o in offsets]
        op = tile_d.LoadOp(self.tile_type(shape, base.dtype), base.value, idx,
                           loc=self.loc(node), ip=self.ip)
        return TileVal(op.result, shape, base.dtype)

    def store_tile(self, base: GmTensor, offsets, sizes, value, node,
                   value_node):
        self.require_core(node, f"storing into '{base.name}'")
        if not base.writable:
            raise self.error(node, f"cannot store into input tensor "
                             f"'{base.name}'",
                             expected="a pl.Out[...] parameter or a "
                                      "pl.create_tensor scratch tensor",
                             found=f"input parameter '{base.origin}'",
                             help=f"declare '{base.origin}' as pl.Out[pl."
                                  f"Tensor[...]] if the kernel writes it")
        t = self.as_tile(value, value_node, "the stored value")
        shape = self.tile_shape_of(base, sizes, node)
        if t.shape != shape:
            raise self.error(node, f"stored tile does not fit the slice of "
                             f"'{base.name}'",
                             expected=f"tile {shape_str(shape)} (the slice "
                                      f"shape)", found=t.describe())
        if t.dtype is not base.dtype:
            raise self.error(node, f"dtype mismatch storing into "
                             f"'{base.name}'",
                             expected=f"{base.dtype.name} (the tensor's dtype)",
                             found=f"{t.dtype.name} tile",
                             help=f"convert it first: pl.cast(t, target_type="
                                  f"pl.{base.dtype.name}, mode=...)")
        idx = [self.index_value(o, node) for o in offsets]
        tile_d.StoreOp(t.value, base.value, idx, loc=self.loc(node),
                       ip=self.ip)
        self.unwritten.pop(base.base, None)

    def store_slice(self, base, target, value, stmt):
        dims = self.slice_dims(base, target.slice, target)
        self.store_tile(base, [d[0] for d in dims], [d[1] for d in dims],
                        value, stmt, stmt.value if hasattr(stmt, "value")
                        else stmt)

    def as_tile(self, v, node, what="operand") -> TileVal:
        if isinstance(v, TileVal):
            return v
        if isinstance(v, PendingTile):
            return self.materialize(v, node, what)
        if isinstance(v, GmTensor):
            raise self.error(node, f"{what} is a GM tensor, not a tile",
                             expected="a tile", found=v.describe(),
                             help=f"slice it to load a tile: "
                                  f"{v.name}[a:b, c:d]")
        raise self.error(node, f"{what} must be a tile", expected="a tile",
                         found=describe(v))

    # ------------------------------------------------------------------
    # Expressions
    # ------------------------------------------------------------------

    def expr(self, node):
        method = getattr(self, "expr_" + type(node).__name__, None)
        if method is None:
            raise self.unsupported(node)
        return method(node)

    def expr_Constant(self, node):
        return node.value

    def lookup(self, node: ast.Name):
        vars_ = self.act.vars
        v = vars_.get(node.id, MISSING)
        if isinstance(v, Unavailable):
            notes = []
            if v.node is not None:
                notes.append(note_at(self.filename, v.node,
                                     "the value is not available after this"))
            raise self.error(node, f"'{node.id}' is not available here: it was "
                             f"{v.reason}", help=v.help, notes=notes)
        if v is not MISSING:
            return v
        if node.id in self.act.locals:
            raise self.error(node, f"'{node.id}' is used before it is "
                             f"assigned")
        src = self.act.src
        v = src.lookup_nonlocal(node.id)
        self.note_read(("name", id(src), node.id),
                       lambda src=src, name=node.id: src.lookup_nonlocal(name),
                       v)
        if v is MISSING:
            known = list(vars_) + list(self.act.src.freevars) + \
                [k for k in self.act.src.globals if not k.startswith("__")]
            close = difflib.get_close_matches(node.id, known, n=1)
            raise self.error(node, f"unknown name '{node.id}'",
                             help=f"did you mean '{close[0]}'?" if close
                             else "kernels can use their parameters, local "
                                  "variables, module globals and closure "
                                  "variables")
        return v

    def note_read(self, key, reread, value):
        """Records a compile-time read of a Python value the compiled kernel
        depends on (see `JitKernel`'s cache)."""
        if key not in self.reads:
            self.reads[key] = (reread, fingerprint(value))

    def expr_Name(self, node):
        return self.lookup(node)

    def expr_Attribute(self, node):
        base = self.expr(node.value)
        attr = node.attr
        if isinstance(base, (GmTensor, TileVal, PendingTile)):
            if attr == "shape":
                return tuple(base.shape)
            if attr == "dtype":
                return base.dtype
            raise self.error(node, f"{describe(base)} has no attribute "
                             f"'{attr}'", expected="shape or dtype")
        if isinstance(base, RUNTIME_TYPES):
            raise self.error(node, f"{describe(base)} has no attribute "
                             f"'{attr}'")
        try:
            value = getattr(base, attr)
            self.note_read(("attr", id(base), attr),
                           lambda base=base, attr=attr:
                           getattr(base, attr, MISSING), value)
            return value
        except AttributeError:
            from .. import language
            if base is language or base is language.tile or \
                    base is language.tensor:
                prefix = {id(language): "pl", id(language.tile): "pl.tile",
                          id(language.tensor): "pl.tensor"}[id(base)]
                raise self.error(node, f"{prefix}.{attr} is not supported by "
                                 f"Tessel",
                                 help="see docs/pypto-surface.md for "
                                      "the supported pl surface") from None
            raise self.error(node, f"{describe(base)} has no attribute "
                             f"'{attr}'") from None

    def expr_Tuple(self, node):
        return tuple(self._elements(node.elts))

    def expr_List(self, node):
        return list(self._elements(node.elts))

    def _elements(self, elts):
        out = []
        for e in elts:
            if isinstance(e, ast.Starred):
                v = self.expr(e.value)
                if isinstance(v, RUNTIME_TYPES):
                    raise self.error(e, "cannot unpack a runtime value")
                out.extend(v)
            else:
                out.append(self.expr(e))
        return out

    def expr_JoinedStr(self, node):
        parts = []
        for v in node.values:
            if isinstance(v, ast.Constant):
                parts.append(str(v.value))
                continue
            value = self.expr(v.value)
            if isinstance(value, RUNTIME_TYPES):
                raise self.error(v, "f-strings can only format compile-time "
                                 "values", found=describe(value))
            spec = self.expr(v.format_spec) if v.format_spec else ""
            if v.conversion == ord("r"):
                value = repr(value)
            elif v.conversion == ord("s"):
                value = str(value)
            parts.append(format(value, spec))
        return "".join(parts)

    def expr_Subscript(self, node):
        base = self.expr(node.value)
        if isinstance(base, GmTensor):
            dims = self.slice_dims(base, node.slice, node)
            return self.load_slice(base, [d[0] for d in dims],
                                   [d[1] for d in dims], node)
        if isinstance(base, (TileVal, PendingTile)):
            raise self.error(node, "slicing a tile is not supported",
                             help="load the slice you need from GM instead: "
                                  "x[a:b, c:d] on the tensor")
        if isinstance(base, RUNTIME_TYPES):
            raise self.error(node, f"cannot index {describe(base)}")
        key = self.expr(node.slice)
        if isinstance(key, RUNTIME_TYPES) or (
                isinstance(key, tuple) and
                any(isinstance(k, RUNTIME_TYPES) for k in key)):
            raise self.error(node.slice, f"cannot index {describe(base)} with "
                             f"a runtime value", found=describe(key))
        try:
            return base[key]
        except Exception as e:  # noqa: BLE001 - compile-time evaluation
            raise self.error(node, f"{type(e).__name__}: {e}") from None

    def expr_Slice(self, node):
        parts = [self.expr(p) if p is not None else None
                 for p in (node.lower, node.upper, node.step)]
        if any(isinstance(p, RUNTIME_TYPES) for p in parts):
            raise self.error(node, "a runtime slice can only index a GM tensor")
        return slice(*parts)

    # -- operators ------------------------------------------------------

    def expr_BinOp(self, node):
        left = self.expr(node.left)
        right = self.expr(node.right)
        return self.binop(node.op, left, right, node)

    PY_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub,
                 ast.Mult: operator.mul, ast.Div: operator.truediv,
                 ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
                 ast.Pow: operator.pow, ast.LShift: operator.lshift,
                 ast.RShift: operator.rshift, ast.BitOr: operator.or_,
                 ast.BitAnd: operator.and_, ast.BitXor: operator.xor,
                 ast.MatMult: operator.matmul}
    TILE_BINOPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul",
                   ast.Div: "div"}

    def binop(self, op, left, right, node):
        lrt = isinstance(left, RUNTIME_TYPES)
        rrt = isinstance(right, RUNTIME_TYPES)
        if not lrt and not rrt:
            try:
                return self.PY_BINOPS[type(op)](left, right)
            except Exception as e:  # noqa: BLE001 - compile-time evaluation
                raise self.error(node, f"{type(e).__name__}: {e}") from None
        tiles = (TileVal, PendingTile)
        if isinstance(left, tiles) or isinstance(right, tiles):
            from . import builtins as bi
            if isinstance(op, ast.MatMult):
                return bi.matmul_impl(self, node, Arg(left, node),
                                      Arg(right, node), None)
            name = self.TILE_BINOPS.get(type(op))
            if name is None:
                raise self.error(node, f"operator {OP_SYMBOLS.get(type(op), type(op).__name__)} "
                                 f"is not supported on tiles",
                                 expected="+, -, *, / or @")
            return bi.elementwise(self, node, name, Arg(left, node),
                                  Arg(right, node))
        index_like = (int, IndexVal)
        if isinstance(left, index_like) and isinstance(right, index_like) and \
                not isinstance(left, bool) and not isinstance(right, bool):
            return self.index_binop(op, left, right, node)
        raise self.error(node, f"unsupported operands for "
                         f"{type(op).__name__}",
                         found=f"{describe(left)} and {describe(right)}",
                         help="runtime index arithmetic takes integers; "
                              "floats exist only at compile time")

    def index_binop(self, op, a, b, node):
        """+ - * // % on runtime indices (at least one of a, b is IndexVal).

        Results are reused within a region: the same arithmetic on the same
        linear forms gives the same SSA value (``i * 2`` in ``x[i * 2:i * 2
        + 2]`` is computed once)."""
        if isinstance(a, int) and isinstance(b, int):
            return self.PY_BINOPS[type(op)](a, b)
        key = (type(op).__name__, self.lin_of(a), self.lin_of(b))
        for cache in reversed(self.cse):
            hit = cache.get(key)
            if hit is not None:
                return hit
        result = self._index_binop(op, a, b, node)
        if isinstance(result, IndexVal) and result.value is not None:
            self.cse[-1][key] = result
            self.cse[-1].setdefault(("lin", result.lin), result)
        return result

    def lin_lookup(self, lin: Lin):
        """An existing index value with linear form `lin`, if one dominates."""
        for cache in reversed(self.cse):
            hit = cache.get(("lin", lin))
            if hit is not None:
                return hit
        return None

    def _index_binop(self, op, a, b, node):
        loc, ip = self.loc(node), self.ip
        la, lb = self.lin_of(a), self.lin_of(b)
        if isinstance(op, ast.Add):
            if b == 0 and isinstance(b, int):
                return a
            if a == 0 and isinstance(a, int):
                return b
            lin = la + lb
            if lin.is_const():
                return lin.const
            if (hit := self.lin_lookup(lin)) is not None:
                return hit
            v = arith.AddIOp(self.index_value(a, node),
                             self.index_value(b, node), loc=loc, ip=ip).result
            return IndexVal(v, lin)
        if isinstance(op, ast.Sub):
            if isinstance(b, int) and b == 0:
                return a
            lin = la - lb
            if lin.is_const():
                return lin.const
            if (hit := self.lin_lookup(lin)) is not None:
                return hit
            v = arith.SubIOp(self.index_value(a, node),
                             self.index_value(b, node), loc=loc, ip=ip).result
            return IndexVal(v, lin)
        if isinstance(op, ast.Mult):
            if isinstance(a, int):
                a, b, la, lb = b, a, lb, la
            if isinstance(b, int):
                if b == 0:
                    return 0
                if b == 1:
                    return a
                lin = la.scale(b)
            else:
                lo_a, hi_a = self.index_bounds(a)
                lo_b, hi_b = self.index_bounds(b)
                bounds = None
                if None not in (lo_a, hi_a, lo_b, hi_b):
                    prods = [lo_a * lo_b, lo_a * hi_b, hi_a * lo_b, hi_a * hi_b]
                    bounds = (min(prods), max(prods))
                v = arith.MulIOp(a.value, b.value, loc=loc, ip=ip).result
                return self.new_index(v, bounds=bounds)
            if (hit := self.lin_lookup(lin)) is not None:
                return hit
            v = arith.MulIOp(self.index_value(a, node),
                             self.index_value(b, node), loc=loc, ip=ip).result
            return IndexVal(v, lin)
        if isinstance(op, (ast.FloorDiv, ast.Mod)):
            is_div = isinstance(op, ast.FloorDiv)
            if isinstance(b, int):
                if b == 0:
                    raise self.error(node, "division by zero")
                if b == 1:
                    return a if is_div else 0
            av, bv = self.index_value(a, node), self.index_value(b, node)
            lo, hi = self.index_bounds(a)
            pos_b = isinstance(b, int) and b > 0
            if is_div:
                bounds = (lo // b, hi // b) if pos_b and lo is not None \
                    else None
                return self.new_index(self.floordiv(av, bv, pos_b, lo, loc),
                                      bounds=bounds)
            if pos_b and lo is not None and lo >= 0:
                # Non-negative dividend: remsi is Python's %.
                v = arith.RemSIOp(av, bv, loc=loc, ip=ip).result
            elif pos_b:
                # r = a rem b has a's sign; Python's a % b adds b when r < 0.
                r = arith.RemSIOp(av, bv, loc=loc, ip=ip).result
                zero = self.const_index(0, node)
                neg = arith.CmpIOp(arith.CmpIPredicate.slt, r, zero, loc=loc,
                                   ip=ip).result
                rb = arith.AddIOp(r, bv, loc=loc, ip=ip).result
                v = arith.SelectOp(neg, rb, r, loc=loc, ip=ip).result
            else:
                q = self.floordiv(av, bv, False, lo, loc)
                qb = arith.MulIOp(q, bv, loc=loc, ip=ip).result
                v = arith.SubIOp(av, qb, loc=loc, ip=ip).result
            bounds = (0, b - 1) if pos_b else None
            return self.new_index(v, bounds=bounds)
        if isinstance(op, ast.Div):
            raise self.error(node, "'/' on runtime indices is not supported",
                             help="use '//' for integer division")
        raise self.error(node, f"operator {type(op).__name__} is not supported "
                         f"on runtime indices", expected="+, -, *, // or %")

    def floordiv(self, av, bv, positive_divisor: bool, lo, loc):
        """Python's `a // b` on indices: `divsi` when a >= 0 and b > 0 (the
        two agree), a corrected `divsi` for b > 0, `floordivsi` otherwise."""
        ip = self.ip
        if positive_divisor and lo is not None and lo >= 0:
            return arith.DivSIOp(av, bv, loc=loc, ip=ip).result
        if positive_divisor:
            # divsi truncates toward zero: subtract 1 when a rem b < 0.
            q = arith.DivSIOp(av, bv, loc=loc, ip=ip).result
            r = arith.RemSIOp(av, bv, loc=loc, ip=ip).result
            zero = self.const_index(0, None)
            one = self.const_index(1, None)
            neg = arith.CmpIOp(arith.CmpIPredicate.slt, r, zero, loc=loc,
                               ip=ip).result
            q1 = arith.SubIOp(q, one, loc=loc, ip=ip).result
            return arith.SelectOp(neg, q1, q, loc=loc, ip=ip).result
        return arith.FloorDivSIOp(av, bv, loc=loc, ip=ip).result

    def expr_UnaryOp(self, node):
        v = self.expr(node.operand)
        op = node.op
        if not isinstance(v, RUNTIME_TYPES):
            try:
                return {ast.USub: operator.neg, ast.UAdd: operator.pos,
                        ast.Not: operator.not_,
                        ast.Invert: operator.invert}[type(op)](v)
            except Exception as e:  # noqa: BLE001
                raise self.error(node, f"{type(e).__name__}: {e}") from None
        if isinstance(op, ast.UAdd):
            return v
        if isinstance(v, (TileVal, PendingTile)) and isinstance(op, ast.USub):
            from . import builtins as bi
            return bi.unary(self, node, "neg", Arg(v, node.operand))
        if isinstance(v, IndexVal) and isinstance(op, ast.USub):
            return self.index_binop(ast.Sub(), 0, v, node)
        if isinstance(v, BoolVal) and isinstance(op, ast.Not):
            return self.bool_op("xor", v, True, node)
        raise self.error(node, f"operator {type(op).__name__} is not supported "
                         f"on {describe(v)}")

    CMP = {ast.Eq: ("eq", operator.eq), ast.NotEq: ("ne", operator.ne),
           ast.Lt: ("slt", operator.lt), ast.LtE: ("sle", operator.le),
           ast.Gt: ("sgt", operator.gt), ast.GtE: ("sge", operator.ge),
           ast.Is: (None, operator.is_), ast.IsNot: (None, operator.is_not),
           ast.In: (None, lambda a, b: a in b),
           ast.NotIn: (None, lambda a, b: a not in b)}

    def expr_Compare(self, node):
        left = self.expr(node.left)
        result = True
        for op, comp in zip(node.ops, node.comparators):
            right = self.expr(comp)
            r = self.compare(op, left, right, node)
            result = self.bool_op("and", result, r, node)
            left = right
        return result

    def compare(self, op, a, b, node):
        pred, pyop = self.CMP[type(op)]
        if not isinstance(a, RUNTIME_TYPES) and not isinstance(b, RUNTIME_TYPES):
            try:
                return pyop(a, b)
            except Exception as e:  # noqa: BLE001
                raise self.error(node, f"{type(e).__name__}: {e}") from None
        index_like = (int, IndexVal)
        if pred is None or not (isinstance(a, index_like) and
                                isinstance(b, index_like)) or \
                isinstance(a, bool) or isinstance(b, bool):
            raise self.error(node, "runtime comparisons take two indices",
                             found=f"{describe(a)} and {describe(b)}")
        diff = self.lin_of(a) - self.lin_of(b)
        if diff.is_const():
            return pyop(diff.const, 0)
        v = arith.CmpIOp(getattr(arith.CmpIPredicate, pred),
                         self.index_value(a, node), self.index_value(b, node),
                         loc=self.loc(node), ip=self.ip).result
        return BoolVal(v)

    def bool_op(self, kind, a, b, node):
        """and/or/xor of conditions (Python bools fold)."""
        if not isinstance(a, BoolVal) and not isinstance(b, BoolVal):
            return {"and": lambda: a and b, "or": lambda: a or b,
                    "xor": lambda: bool(a) != bool(b)}[kind]()
        if not isinstance(a, BoolVal):
            a, b = b, a
        if not isinstance(b, BoolVal):
            if kind == "and":
                return a if b else False
            if kind == "or":
                return True if b else a
            if not b:
                return a
            b_val = self.const_bool(True, node)
        else:
            b_val = b.value
        cls = {"and": arith.AndIOp, "or": arith.OrIOp, "xor": arith.XOrIOp}[kind]
        return BoolVal(cls(a.value, b_val, loc=self.loc(node),
                           ip=self.ip).result)

    def expr_BoolOp(self, node):
        kind = "and" if isinstance(node.op, ast.And) else "or"
        result = self.expr(node.values[0])
        for v_node in node.values[1:]:
            if not isinstance(result, RUNTIME_TYPES):
                if (kind == "and" and not result) or (kind == "or" and result):
                    return result  # Python short-circuit
                result = self.expr(v_node)
                continue
            v = self.expr(v_node)
            for x in (result, v):
                if isinstance(x, RUNTIME_TYPES) and not isinstance(x, BoolVal):
                    raise self.error(node, f"'{kind}' needs conditions",
                                     found=describe(x))
            result = self.bool_op(kind, result, v, node)
        if isinstance(result, RUNTIME_TYPES) and not isinstance(result,
                                                                BoolVal):
            raise self.error(node, f"'{kind}' needs conditions",
                             found=describe(result))
        return result

    def expr_IfExp(self, node):
        test = self.expr(node.test)
        if not isinstance(test, RUNTIME_TYPES):
            return self.expr(node.body if test else node.orelse)
        if isinstance(test, IndexVal):
            test = self.compare(ast.NotEq(), test, 0, node.test)
        if not isinstance(test, BoolVal):
            raise self.error(node.test, "condition must be an index comparison",
                             found=describe(test))
        a, b = self.expr(node.body), self.expr(node.orelse)
        index_like = (int, IndexVal)
        if isinstance(a, index_like) and isinstance(b, index_like):
            v = arith.SelectOp(test.value, self.index_value(a, node),
                               self.index_value(b, node), loc=self.loc(node),
                               ip=self.ip).result
            return self.new_index(v)
        raise self.error(node, "a runtime conditional expression can only "
                         "choose between indices",
                         found=f"{describe(a)} and {describe(b)}",
                         help="use an if statement")

    # -- calls ------------------------------------------------------------

    def eval_call_args(self, node: ast.Call):
        args, kwargs = [], {}
        for a in node.args:
            if isinstance(a, ast.Starred):
                v = self.expr(a.value)
                if isinstance(v, RUNTIME_TYPES):
                    raise self.error(a, "cannot unpack a runtime value")
                args.extend(Arg(x, a) for x in v)
            else:
                args.append(Arg(self.expr(a), a))
        for kw in node.keywords:
            if kw.arg is None:
                v = self.expr(kw.value)
                if not isinstance(v, dict):
                    raise self.error(kw, "** needs a compile-time dict")
                for k, x in v.items():
                    kwargs[k] = Arg(x, kw)
            else:
                kwargs[kw.arg] = Arg(self.expr(kw.value), kw.value)
        return args, kwargs

    def bind_call(self, node: ast.Call, name: str) -> Args:
        """Evaluate and bind the arguments of a call to builtin `name`."""
        fn = pl_ops.ALL_BUILTINS[name]
        args, kwargs = self.eval_call_args(node)
        return self.bind(fn, name, node, args, kwargs)

    def bind(self, fn, name, node, args, kwargs) -> Args:
        sig = inspect.signature(fn)
        try:
            bound = sig.bind(*args, **kwargs)
        except TypeError as e:
            raise self.error(node, f"wrong arguments to pl.{name}(): {e}",
                             expected=f"pl.{name}{sig}") from None
        mapping = {}
        for pname, param in sig.parameters.items():
            if pname in bound.arguments:
                mapping[pname] = bound.arguments[pname]
            elif param.kind is inspect.Parameter.VAR_KEYWORD:
                mapping[pname] = {}
            else:
                mapping[pname] = Arg(param.default, node)
        return Args(mapping)

    def expr_Call(self, node):
        fn = self.expr(node.func)
        name = pl_ops.builtin_name(fn)
        if name is not None:
            if name in ("spmd", "parallel", "pipeline", "range", "unroll"):
                raise self.error(node, f"pl.{name}(...) makes a loop: use it "
                                 f"as `for i in pl.{name}(...):`")
            if name == "at":
                raise self.error(node, "pl.at(...) makes a scope: use it as "
                                 "`with pl.at(level=...):`")
            args, kwargs = self.eval_call_args(node)
            a = self.bind(fn, name, node, args, kwargs)
            return self.builtins[name](self, node, a)
        from ..compiler.kernel import InlineFunction, JitKernel
        if isinstance(fn, InlineFunction):
            args, kwargs = self.eval_call_args(node)
            return self.call_inline(fn, node, args, kwargs)
        if isinstance(fn, JitKernel):
            raise self.error(node, f"calling the @pl.jit kernel "
                             f"'{fn.__name__}' from a kernel is not supported",
                             help="decorate the callee with @pl.jit.inline")
        if isinstance(fn, RUNTIME_TYPES) or not callable(fn):
            raise self.error(node.func, f"{describe(fn)} is not callable")
        args, kwargs = self.eval_call_args(node)
        values = [a.value for a in args]
        kw = {k: a.value for k, a in kwargs.items()}
        runtime = [a for a in list(args) + list(kwargs.values())
                   if isinstance(a.value, RUNTIME_TYPES)]
        if not runtime:
            try:
                return fn(*values, **kw)
            except CompileError:
                raise
            except Exception as e:  # noqa: BLE001 - compile-time evaluation
                fname = getattr(fn, "__name__", repr(fn))
                raise self.error(node, f"calling '{fname}' at compile time "
                                 f"raised {type(e).__name__}: {e}") from None
        if fn in (py_builtins.min, py_builtins.max) and not kw and \
                len(values) >= 2 and all(
                    isinstance(v, (int, IndexVal)) and not isinstance(v, bool)
                    for v in values):
            return self.index_minmax(fn is py_builtins.min, values, node)
        if fn is py_builtins.int and len(values) == 1 and \
                isinstance(values[0], IndexVal):
            return values[0]
        fname = getattr(fn, "__name__", repr(fn))
        raise self.error(node, f"cannot call '{fname}' with runtime values",
                         found=describe(runtime[0].value),
                         help="ordinary Python functions run at compile time "
                              "on compile-time values; decorate helpers that "
                              "build IR with @pl.jit.inline")

    def index_minmax(self, is_min, values, node):
        result = values[0]
        for v in values[1:]:
            if isinstance(result, int) and isinstance(v, int):
                result = min(result, v) if is_min else max(result, v)
                continue
            cls = arith.MinSIOp if is_min else arith.MaxSIOp
            r = cls(self.index_value(result, node), self.index_value(v, node),
                    loc=self.loc(node), ip=self.ip).result
            (alo, ahi), (blo, bhi) = self.index_bounds(result), \
                self.index_bounds(v)
            bounds = None
            if None not in (alo, ahi, blo, bhi):
                f = min if is_min else max
                bounds = (f(alo, blo), f(ahi, bhi))
            result = self.new_index(r, bounds=bounds)
        return result

    def call_inline(self, inl, node, args, kwargs):
        if len(self.acts) > MAX_INLINE_DEPTH:
            raise self.error(node, f"inline helpers nest more than "
                             f"{MAX_INLINE_DEPTH} deep (recursion?)")
        src = get_source(inl.fn)
        sig = inspect.signature(inl.fn)
        try:
            bound = sig.bind(*args, **kwargs)
        except TypeError as e:
            raise self.error(node, f"wrong arguments to '{src.name}': {e}",
                             expected=f"{src.name}{sig}") from None
        fn_node = src.node
        act = Activation(src, "inline", locals=self._local_names(fn_node),
                         call_node=node)
        params = {p.arg: p for p in fn_node.args.posonlyargs +
                  fn_node.args.args + fn_node.args.kwonlyargs}
        for pname, param in sig.parameters.items():
            if pname in bound.arguments:
                v = bound.arguments[pname]
                if param.kind is inspect.Parameter.VAR_POSITIONAL:
                    act.vars[pname] = tuple(a.value for a in v)
                elif param.kind is inspect.Parameter.VAR_KEYWORD:
                    act.vars[pname] = {k: a.value for k, a in v.items()}
                else:
                    act.vars[pname] = v.value
                    pnode = params.get(pname)
                    if pnode is not None and pnode.annotation is not None:
                        self._check_inline_param(src, act, pnode, v)
            else:
                act.vars[pname] = param.default
        self.acts.append(act)
        try:
            self.visit_function_body(fn_node.body, "function")
        finally:
            self.acts.pop()
        return act.ret

    def _check_inline_param(self, src, act, pnode, arg: Arg):
        self.acts.append(act)
        try:
            spec = self.expr(pnode.annotation)
        finally:
            self.acts.pop()
        if isinstance(spec, ParamSpec):
            spec = spec.tensor
        if isinstance(spec, ScalarSpec) and spec.dtype is TASK_ID:
            tasks.check_task_param(self, src, pnode, arg)
            return
        if not isinstance(spec, (TensorSpec, TileSpec)) or spec.shape is None:
            return
        v = arg.value
        if not isinstance(v, (GmTensor, TileVal, PendingTile)):
            raise self.error(arg.node, f"argument '{pnode.arg}' of "
                             f"'{src.name}' does not match its annotation",
                             expected=repr(spec), found=describe(v))
        if tuple(v.shape) != tuple(spec.shape) or v.dtype is not spec.dtype:
            raise self.error(arg.node, f"argument '{pnode.arg}' of "
                             f"'{src.name}' does not match its annotation",
                             expected=repr(spec), found=describe(v))

    # ------------------------------------------------------------------
    # Argument helpers for builtins
    # ------------------------------------------------------------------

    def const_int(self, arg: Arg, what: str, minimum: int | None = None) -> int:
        v = arg.value
        if isinstance(v, bool) or not isinstance(v, int):
            raise self.error(arg.node, f"{what} must be a compile-time integer",
                             found=describe(v))
        if minimum is not None and v < minimum:
            raise self.error(arg.node, f"{what} must be at least {minimum}",
                             found=str(v))
        return v

    def opt_flag(self, arg: Arg, what: str) -> bool:
        v = arg.value
        if not isinstance(v, bool):
            raise self.error(arg.node, f"{what} must be True or False",
                             found=describe(v))
        return v

    def opt_str(self, arg: Arg, what: str):
        v = arg.value
        if v is not None and not isinstance(v, str):
            raise self.error(arg.node, f"{what} must be a string",
                             found=describe(v))
        return v

    def shape_arg(self, arg: Arg, what: str, rank: int | None = None) -> tuple:
        v = arg.value
        if isinstance(v, int) and not isinstance(v, bool):
            v = (v,)
        if not isinstance(v, (list, tuple)):
            raise self.error(arg.node, f"{what} must be a list of integers",
                             found=describe(v))
        for d in v:
            if isinstance(d, RUNTIME_TYPES):
                raise self.error(arg.node, f"{what} must be compile-time "
                                 f"integers (shapes are static)",
                                 found=f"{describe(d)} in {what}")
            if isinstance(d, bool) or not isinstance(d, int) or d <= 0:
                raise self.error(arg.node, f"{what} must be positive integers",
                                 found=repr(list(v)))
        if rank is not None and len(v) != rank:
            raise self.error(arg.node, f"{what} must have {rank} dimensions",
                             expected=f"[rows, cols]" if rank == 2 else
                             f"{rank} dimensions", found=repr(list(v)))
        return tuple(v)

    def dtype_arg(self, arg: Arg, what: str = "dtype") -> DataType:
        v = arg.value
        if not isinstance(v, DataType):
            raise self.error(arg.node, f"{what} must be a pl dtype",
                             expected=", ".join(repr(d) for d in
                                                SUPPORTED_DTYPES),
                             found=describe(v))
        self.check_dtype_supported(v, arg.node)
        return v


#: Side-effect-free ops the frontend makes for index arithmetic; those left
#: without uses (a slice's upper bound, whose linear form was all that was
#: needed) are erased once the function is built.
_DEAD_CANDIDATES = frozenset((
    "arith.constant", "arith.addi", "arith.subi", "arith.muli",
    "arith.floordivsi", "arith.divsi", "arith.remsi", "arith.minsi", "arith.maxsi",
    "arith.cmpi", "arith.andi", "arith.ori", "arith.xori", "arith.select"))


def stepped_iv_bounds(start_bounds: tuple, stop_bounds: tuple,
                      step: int) -> tuple | None:
    """(min, max) of the index of `for i in range(start, stop, step)` given
    (min, max) bounds of start and stop, or None when unknown or empty.

    The last index is ``start + ((stop - 1 - start) // step) * step``, not
    ``stop - 1``: range(0, 512, 128) ends at 384, so x[:, i:i + 128] stays
    in a 512-column tensor. That formula needs a known start; a runtime
    start in [lo, hi] can end anywhere up to stop - 1 (e.g. start 1, stop
    10, step 4 ends at 9, but start 0 at 8), so then ``stop - 1`` is the
    bound. The last index grows with stop, so stop's maximum is used.
    """
    lo, lo_hi = start_bounds
    _, hi = stop_bounds
    if lo is None or hi is None or hi - 1 < lo:
        return None
    if lo == lo_hi:
        return lo, lo + ((hi - 1 - lo) // step) * step
    return lo, hi - 1


def erase_dead_arith(func_op) -> None:
    while True:
        dead = []

        def visit(op):
            if op.name in _DEAD_CANDIDATES and \
                    all(not any(True for _ in r.uses) for r in op.results):
                dead.append(op)
            return ir.WalkResult.ADVANCE

        func_op.operation.walk(visit)
        if not dead:
            return
        for op in dead:
            op.erase()


def fingerprint(value, depth: int = 0):
    """What a compiled kernel depends on in a Python value it read: the
    value of a number, string, or a tuple / list / dict of them; the
    identity of anything else (a module, a function, a dtype)."""
    if value is None or isinstance(value, (bool, int, str, bytes)):
        return (type(value).__name__, value)
    if isinstance(value, (float, complex)):
        return (type(value).__name__, repr(value))
    if depth < 4 and isinstance(value, (tuple, list)):
        return (type(value).__name__,
                tuple(fingerprint(v, depth + 1) for v in value))
    if depth < 4 and isinstance(value, dict):
        return ("dict", tuple((fingerprint(k, depth + 1),
                               fingerprint(v, depth + 1))
                              for k, v in value.items()))
    return ("id", id(value))


def build_module(kernel_fn, target: str, context: ir.Context,
                 info: dict | None = None) -> ir.Module:
    """The tile-dialect module of `kernel_fn` (unverified). `info`, when
    given, receives "reads", the Python values the kernel read at compile
    time (key -> (a function re-reading it, its fingerprint)), and
    "returns", what `return` gives the caller (see CodeGenerator.returns)."""
    cg = CodeGenerator(kernel_fn, target, context)
    module = cg.build()
    if info is not None:
        info["reads"] = cg.reads
        info["returns"] = cg.returns
        info["remarks"] = cg.remarks
    return module
