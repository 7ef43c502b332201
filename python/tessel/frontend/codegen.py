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

The generator is split by concern: this module builds the module and
function (state, locations, types, constants, parameters); `statements`,
`memory` (GM slices), `expressions` and `calls` hold the visitors, and
`builtins` the `pl` operations, generated from the table in `optable`
where an op family is regular.
"""

from __future__ import annotations

import ast

from ..errors import CompileError
from ..language.types import (INDEX, INT64, DataType, DynVar, InvalidSpec,
                              ParamSpec, ScalarSpec, Tensor, TensorLayout,
                              TensorSpec)
from ..mlir import ir
from ..mlir.dialects import arith, builtin, func
from . import analysis, dynamic, orchestration
from . import tile_ops as tile_d
from .calls import Calls
from .errors import error_at, note_at
from .expressions import Expressions
from .memory import Memory
from .source import get_source
from .state import Activation, Frame, Scope
from .statements import Statements, stepped_iv_bounds  # noqa: F401
from .values import GmTensor, IndexVal, Lin, describe, new_atom


class CodeGenerator(Statements, Memory, Expressions, Calls):
    """Builds the tile-dialect module of one kernel for one target."""

    def __init__(self, kernel_fn, target: str, context: ir.Context,
                 bind: dict | None = None):
        from . import builtins as _builtins  # the op table
        self.builtins = _builtins.BUILTINS
        #: pl.INDEX scalar parameters (passed as INT64, read as an index)
        self.index_params: set = set()
        self.kernel_src = get_source(kernel_fn)
        # Shape and dtype of each shapeless parameter (`pl.Tensor`), from
        # the tensors of the call being compiled: {name: (shape, dtype)}.
        self.param_shapes = bind or {}
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
        # key -> (where it was read from: the FunctionSource of a name or
        # the object of an attribute, the value read), for the kernel
        # cache's source index (tessel.runtime.source_index).
        self.read_values: dict = {}
        # What the kernel returns: None, (param name, shape) or a tuple of
        # them (`return y` gives the caller its tensor `y`).
        self.returns = None
        # pl.Out parameters and scratch tensors no store has reached yet,
        # in source order: (file, declaring node) of each.
        self.unwritten: dict = {}
        #: Per enclosing loop: (tensor, error) of reads of unwritten
        #: tensors, settled at the end of the loop body (Memory.check_written).
        self.unwritten_reads: list = []
        #: Plain pl.Tensor parameters the kernel writes (name -> the first
        #: store's node): in-out, as in PyPTO (Memory.written_input).
        self.written_inputs: dict = {}
        # Stores into each GM tensor so far (frontend/tensor_ops.py).
        self.gm_versions: dict = {}
        # Where tensor-level results were staged in GM between cube and
        # vector loops: (block, "before" / "after", op).
        self.tensor_cuts: list = []
        # Frontend remarks: (message, file, line, col) (frontend/tasks.py).
        self.remarks: list = []
        # The block index of the pl.spmd being built (pl.tile.get_block_idx).
        self.block_index: IndexVal | None = None
        # How many CSE caches were open when that pl.spmd's own was pushed.
        self.spmd_cse_depth = 1
        # pl.system.syncall markers not yet split at: {op: (file, node,
        # core_type, mode)} (frontend/syncall.py).
        self.syncall_marks: dict = {}
        #: (tile.spmd op, block count) of the pl.spmd / pl.parallel body
        #: being built, for the GM scratch of its blocks (blockscratch.py)
        self.spmd_op = None
        # pl.dynamic dimensions: their bound values ({DynVar: int}), the
        # uses in parameter annotations ([(param, dim, DynVar)]), and
        # whether a name read gives the DynVar itself (while an annotation
        # is evaluated) instead of its value.
        self.dyn_values: dict = {}
        self.dyn_uses: list = []
        self.raw_dyn = False

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
                 "i32": lambda: ir.IntegerType.get_signless(32),
                 "i64": lambda: ir.IntegerType.get_signless(64)}[dtype.mlir]()
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
            self._bind_dynamic_dims(params)
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
                if direction == "scalar":
                    from .scalars import ScalarParam, specialised_remark
                    bound = self.param_shapes.get(name)
                    value = bound[1] if isinstance(bound, tuple) and \
                        len(bound) == 2 and bound[0] == "scalar" else None
                    sp = act.vars[name] = ScalarParam(GmTensor(
                        arg, spec.shape, spec.dtype, name, writable=False,
                        kind="input", origin=name), pnode, value,
                        index=name in self.index_params)
                    if value is not None:
                        specialised_remark(self, sp, pnode)
                    continue
                t = act.vars[name] = GmTensor(
                    arg, spec.shape, spec.dtype, name,
                    writable=direction in ("out", "inout"),
                    kind="input" if direction == "in" else "output",
                    origin=name)
                if direction == "out":
                    self.unwritten[t] = (self.filename, pnode)
            self.visit_function_body(node.body, "function")
            self._check_specialised_elements()
            from .scalars import specialise_trip_counts
            specialise_trip_counts(self)
            from . import ndtile
            ndtile.erase_unused(self)
            orchestration.sink_reads(self, f)
            self.anchor.operation.erase()
            self.anchor = None
            erase_dead_arith(f)
        return module

    def _check_specialised_elements(self):
        """A kernel specialised on an element of an input tensor must not
        write that tensor (the value would change under it)."""
        for (name, flat), node in self.__dict__.get(
                "specialised_elements", {}).items():
            if name in self.written_inputs:
                raise self.error(self.written_inputs[name], f"the kernel "
                                 f"writes '{name}', whose element {flat} "
                                 f"decides a shape or count at function "
                                 f"level (line {node.lineno})",
                                 help="read that value from a tensor the "
                                      "kernel does not write")

    #: signature() leaves shapeless parameters shapeless (TensorSpec(None,
    #: None)) instead of asking for tensors.
    shapeless_ok = False

    def signature(self) -> list:
        """[(name, TensorSpec, annotation node, direction)] of the kernel's
        parameters, from their annotations (no IR is built); a shapeless
        `pl.Tensor` parameter has TensorSpec(None, None)."""
        self.shapeless_ok = True
        src = self.kernel_src
        self.acts.append(Activation(src, "kernel",
                                    locals=self._local_names(src.node)))
        try:
            with self.ctx, self.loc(src.node):
                return self._kernel_params(src.node)
        finally:
            self.acts.pop()

    def dynamic_uses(self) -> list:
        """[(param, dim, DynVar)]: every pl.dynamic dimension of the
        kernel's parameters, from the annotations then the top-level
        `x.bind_dynamic(i, T)` statements, in source order (no IR built)."""
        self.signature()
        src = self.kernel_src
        self.acts.append(Activation(src, "kernel",
                                    locals=self._local_names(src.node)))
        try:
            with self.ctx, self.loc(src.node):
                return self.dyn_uses + self._static_binds()
        finally:
            self.acts.pop()

    def _static_binds(self) -> list:
        """[(param, dim, DynVar)] of the top-level `x.bind_dynamic(i, T)`
        statements of the kernel body."""
        names = {p.arg for p in self.kernel_src.node.args.args}
        out = []
        for name, dim_node, var_node, stmt in dynamic.find_bind_dynamic(
                self.kernel_src.node):
            if name not in names:
                continue        # a local: the statement reports it
            dim = self.expr(dim_node)
            if isinstance(dim, bool) or not isinstance(dim, int):
                raise self.error(dim_node, "the dimension of bind_dynamic "
                                 "must be a compile-time integer",
                                 found=describe(dim))
            var = self.raw_expr(var_node)
            if not isinstance(var, DynVar):
                raise self.error(var_node, "bind_dynamic binds a pl.dynamic "
                                 "dimension", expected='T = pl.dynamic("T") '
                                 "at module level", found=describe(var))
            out.append((name, dim, var))
        return out

    def raw_expr(self, node):
        """`node` evaluated with pl.dynamic names left as DynVars."""
        saved, self.raw_dyn = self.raw_dyn, True
        try:
            return self.expr(node)
        finally:
            self.raw_dyn = saved

    def dyn_value(self, var: DynVar, node):
        """What a read of the DynVar `var` gives: itself inside an
        annotation, else its bound value (an int)."""
        if self.raw_dyn:
            return var
        if var in self.dyn_values:
            return self.dyn_values[var]
        raise self.error(node, f"pl.dynamic dimension '{var.name}' is used "
                         f"before any parameter binds it",
                         help=f"use it in a parameter's annotation "
                              f"(pl.Tensor[[{var.name}, ...], DTYPE]) or "
                              f"bind it first with "
                              f"x.bind_dynamic(dim, {var.name})")

    def _bind_dynamic_dims(self, params) -> None:
        """Gives each DynVar of the annotations and top-level bind_dynamic
        statements its value from the parameters' (call-time) shapes."""
        shapes = {name: spec.shape for name, spec, _, _ in params}
        uses = self.dyn_uses + self._static_binds()
        nodes = {name: pnode for name, _, pnode, _ in params}
        try:
            bound = dynamic.bind_dims(uses, shapes)
        except dynamic.DimMismatch as e:
            raise self.error(nodes[e.param], str(e)) from None
        except dynamic.DimOutOfRange as e:
            raise self.error(nodes[e.param], str(e)) from None
        self.dyn_values = {var: b.value for var, b in bound.items()}

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
            spec = self.raw_expr(p.annotation)
            if isinstance(spec, InvalidSpec):
                raise self.error(p.annotation, f"wrong annotation on "
                                 f"parameter '{p.arg}': {spec.message}",
                                 expected="pl.Tensor[[d0, d1, ...], DTYPE] or "
                                          "pl.Out[pl.Tensor[[...], DTYPE]]",
                                 found=ast.unparse(p.annotation))
            direction = "in"
            if isinstance(spec, ParamSpec):
                direction, spec = spec.direction, spec.tensor
            if isinstance(spec, DataType):
                # PyPTO's `scale: pl.FP32`: the same as pl.Scalar[pl.FP32].
                spec = ScalarSpec(spec)
            if isinstance(spec, ScalarSpec):
                # Passed as a one-element tensor (frontend/scalars.py).
                from .scalars import PARAM_DTYPES
                if direction != "in" or spec.dtype not in PARAM_DTYPES:
                    raise self.error(p.annotation, f"scalar parameter "
                                     f"'{p.arg}' must be pl.Scalar[DTYPE] "
                                     f"with DTYPE one of "
                                     f"{', '.join(d.name for d in PARAM_DTYPES)}",
                                     found=ast.unparse(p.annotation))
                # pl.INDEX travels as an INT64 (scalars.ScalarParam.index).
                if spec.dtype is INDEX:
                    self.index_params.add(p.arg)
                params.append((p.arg, TensorSpec(
                    (1,), INT64 if spec.dtype is INDEX else spec.dtype),
                    p, "scalar"))
                continue
            if spec is Tensor:
                spec = TensorSpec(None, None)
            if isinstance(spec, TensorSpec) and spec.dynamic:
                self.dyn_uses += dynamic.annotation_uses(p.arg, spec.shape)
                spec = self._call_time_spec(p, spec)
                if spec.dynamic:        # signature(): no call yet
                    params.append((p.arg, spec, p, direction))
                    continue
            if isinstance(spec, TensorSpec) and spec.shape is None:
                if self.shapeless_ok and p.arg not in self.param_shapes:
                    params.append((p.arg, spec, p, direction))
                    continue
                if p.arg not in self.param_shapes:
                    raise self.error(p.annotation, f"parameter '{p.arg}' has "
                                     f"no shape: it takes the shape and "
                                     f"dtype of the tensor passed for it",
                                     expected="a call with tensors first: "
                                              "kernel(*tensors) or "
                                              "kernel.compile(*tensors)",
                                     found="no tensors to specialise on",
                                     help="or annotate it "
                                          "pl.Tensor[[d0, d1, ...], DTYPE]")
                shape, dtype = self.param_shapes[p.arg]
                spec = TensorSpec(tuple(shape), dtype)
            if not isinstance(spec, TensorSpec):
                raise self.error(p.annotation, f"wrong annotation on parameter "
                                 f"'{p.arg}'",
                                 expected="pl.Tensor[[d0, d1, ...], DTYPE], "
                                          "pl.Out[pl.Tensor[[...], DTYPE]] "
                                          "or pl.Scalar[DTYPE]",
                                 found=describe(spec))
            self.check_dtype_supported(spec.dtype, p.annotation)
            if spec.layout is not TensorLayout.ND:
                raise self.error(p.annotation, f"layout pl.{spec.layout.name} of "
                                 f"parameter '{p.arg}' is not supported",
                                 expected="pl.ND (row-major)",
                                 found=f"pl.{spec.layout.name}")
            params.append((p.arg, spec, p, direction))
        return params

    def _call_time_spec(self, p, spec: TensorSpec) -> TensorSpec:
        """The spec of a parameter with pl.dynamic dims for the call's
        tensor (its shape must fit the annotation's static dims); the spec
        itself in signature(), before any call."""
        if p.arg not in self.param_shapes:
            if self.shapeless_ok:
                return spec
            names = ", ".join(d.name for d in spec.shape
                              if isinstance(d, DynVar))
            raise self.error(p.annotation, f"parameter '{p.arg}' has "
                             f"pl.dynamic dimensions ({names}): they take "
                             f"the extents of the tensor passed for it",
                             expected="a call with tensors first: "
                                      "kernel(*tensors) or "
                                      "kernel.compile(*tensors)",
                             found="no tensors to specialise on")
        shape, _ = self.param_shapes[p.arg]
        if len(shape) != len(spec.shape) or any(
                not isinstance(d, DynVar) and d != s
                for d, s in zip(spec.shape, shape)):
            raise self.error(p.annotation, f"parameter '{p.arg}' is bound "
                             f"to shape {list(shape)}",
                             expected=repr(spec), found=list(shape))
        return TensorSpec(tuple(shape), spec.dtype, spec.layout)

    def check_dtype_supported(self, dtype, node):
        if not isinstance(dtype, DataType):
            raise self.error(node, "expected a pl dtype",
                             expected="pl.BF16, pl.FP16, pl.FP32, pl.INT8, "
                                      "pl.INT32, pl.UINT32, pl.INT64 or "
                                      "pl.INDEX",
                             found=describe(dtype))
        if dtype.name == "TASK_ID":
            raise self.error(node, "pl.TASK_ID is a task handle, not an "
                             "element type", expected="a tile / tensor dtype",
                             found=repr(dtype),
                             help="TaskIds live in pl.Scalar[pl.TASK_ID] "
                                  "and pl.array.create(n, pl.TASK_ID)")
        if not dtype.supported:
            raise self.error(node, f"dtype {dtype!r} is not supported by "
                             f"Tessel", expected="pl.BF16, pl.FP16, pl.FP32, "
                             "pl.INT8, pl.INT32, pl.UINT32, pl.INT64 or "
                             "pl.INDEX", found=repr(dtype))

#: Side-effect-free ops the frontend makes for index arithmetic; those left
#: without uses (a slice's upper bound, whose linear form was all that was
#: needed) are erased once the function is built.
_DEAD_CANDIDATES = frozenset((
    "arith.constant", "arith.addi", "arith.subi", "arith.muli",
    "arith.floordivsi", "arith.divsi", "arith.remsi", "arith.minsi", "arith.maxsi",
    "arith.cmpi", "arith.andi", "arith.ori", "arith.xori", "arith.select"))


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


def build_module(kernel_fn, target: str, context: ir.Context,
                 info: dict | None = None, bind: dict | None = None
                 ) -> ir.Module:
    """The tile-dialect module of `kernel_fn` (unverified). `info`, when
    given, receives "reads", the Python values the kernel read at compile
    time (key -> (a function re-reading it, its fingerprint)), and
    "returns", what `return` gives the caller (see CodeGenerator.returns)."""
    cg = CodeGenerator(kernel_fn, target, context, bind)
    module = cg.build()
    if info is not None:
        info["reads"] = cg.reads
        info["read_values"] = cg.read_values
        info["returns"] = cg.returns
        info["remarks"] = cg.remarks
        info["written_inputs"] = tuple(cg.written_inputs)
    return module
