"""Calls in a kernel: `pl` builtins, `@pl.jit.inline` helpers and ordinary
Python functions run at compile time; the argument helpers of builtins.

A mixin of `codegen.CodeGenerator`.
"""

from __future__ import annotations

import ast
import builtins as py_builtins
import inspect
from types import SimpleNamespace

from ..errors import CompileError
from ..language import ops as pl_ops
from ..language.types import (TASK_ID, DataType, DynVar, ParamSpec, ScalarSpec,
                              SUPPORTED_DTYPES, TensorSpec, TileSpec)
from ..mlir.dialects import arith
from . import tasks, validshape
from .source import get_source
from .state import Activation, Arg, Args, MAX_INLINE_DEPTH
from .values import (GmTensor, IndexVal, PendingTile, RUNTIME_TYPES, TileVal,
                     describe)


def with_self(fn, args, node) -> list:
    """`args` with a @pl.program method's `self` (its program) first."""
    program = getattr(fn, "bound_self", None)
    return list(args) if program is None else [Arg(program, node)] + \
        list(args)


class Calls:
    """Calls: `pl` builtins (dispatched through `builtins.BUILTINS`),
    `@pl.jit.inline` helpers, compile-time Python calls, and the argument
    helpers the builtins use."""

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
        from .scalars import ScalarParam, param_misuse
        for arg in list(args) + list(kwargs.values()):
            if isinstance(arg.value, ScalarParam):
                # A builtin at function level (pl.spmd(n), pl.cast(n, ...)).
                raise param_misuse(self, arg.value, arg.node)
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
        if isinstance(node.func, ast.Attribute) and \
                node.func.attr == "bind_dynamic":
            return self.call_bind_dynamic(node)
        fn = self.expr(node.func)
        name = pl_ops.builtin_name(fn)
        if name is not None:
            if name in ("spmd", "parallel", "pipeline", "range", "unroll",
                        "split_aiv"):
                raise self.error(node, f"pl.{name}(...) makes a loop: use it "
                                 f"as `for i in pl.{name}(...):`")
            if name == "at":
                raise self.error(node, "pl.at(...) makes a scope: use it as "
                                 "`with pl.at(level=...):`")
            args, kwargs = self.eval_call_args(node)
            a = self.bind(fn, name, node, args, kwargs)
            from . import tensor_ops
            r = tensor_ops.maybe_call(self, name, node, a)
            if r is not NotImplemented:
                return r
            from . import ndtile
            r = ndtile.dispatch(self, name, node, a)
            if r is not NotImplemented:
                return r
            return validshape.dispatch(self, name, node, a)
        from ..compiler.kernel import IncoreFunction, InlineFunction, JitKernel
        if isinstance(fn, IncoreFunction):
            from . import incore
            args, kwargs = self.eval_call_args(node)
            return incore.call(self, fn, node, args, kwargs)
        if isinstance(fn, InlineFunction):
            args, kwargs = self.eval_call_args(node)
            return self.call_inline(fn, node, args, kwargs)
        if isinstance(fn, JitKernel):
            if getattr(self.kernel_src.fn, "__tessel_host__", False):
                # A @pl.jit.host entry splices the chip kernels it calls.
                args, kwargs = self.eval_call_args(node)
                callee = SimpleNamespace(
                    fn=fn.fn, bound_self=getattr(fn.fn, "__tessel_self__",
                                                 None))
                return self.call_inline(callee, node, args, kwargs)
            raise self.error(node, f"calling the @pl.jit kernel "
                             f"'{fn.__name__}' from a kernel is not supported",
                             help="only a @pl.jit.host entry calls @pl.jit "
                                  "kernels; decorate the callee with "
                                  "@pl.jit.inline or @pl.jit.opaque")
        if isinstance(fn, RUNTIME_TYPES) or not callable(fn):
            raise self.error(node.func, f"{describe(fn)} is not callable")
        args, kwargs = self.eval_call_args(node)
        values = [a.value for a in args]
        kw = {k: a.value for k, a in kwargs.items()}
        from .scalars import ScalarParam, param_misuse
        for a in list(args) + list(kwargs.values()):
            if isinstance(a.value, ScalarParam):
                raise param_misuse(self, a.value, a.node)
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
            prev = result
            result = self.new_index(r, bounds=bounds)
            from . import scalars
            scalars.propagate_data(self, result, prev, v)
        return result

    def call_inline(self, inl, node, args, kwargs):
        if len(self.acts) > MAX_INLINE_DEPTH:
            raise self.error(node, f"inline helpers nest more than "
                             f"{MAX_INLINE_DEPTH} deep (recursion?)")
        src = get_source(inl.fn)
        sig = inspect.signature(inl.fn)
        args = with_self(inl, args, node)
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

    def call_bind_dynamic(self, node: ast.Call):
        """`x.bind_dynamic(dim, T)`: dimension `dim` of the tensor `x` is the
        pl.dynamic dimension `T`. At the top of a kernel body it binds `T`
        at call time (checked against the other uses before compiling);
        elsewhere it binds an unbound `T` to the extent or checks it."""
        base = self.expr(node.func.value)
        if not isinstance(base, GmTensor):
            raise self.error(node.func, f"{describe(base)} has no method "
                             f"bind_dynamic", expected="a tensor parameter")
        args, kwargs = self.eval_call_args(node)
        a = self.bind(lambda dim, var: None, "Tensor.bind_dynamic", node,
                      args, kwargs)
        dim = self.const_int(a.dim, "the dimension of bind_dynamic")
        var_node = a.var.node
        var = self.raw_expr(var_node)
        if not isinstance(var, DynVar):
            raise self.error(var_node, "bind_dynamic binds a pl.dynamic "
                             "dimension", expected='T = pl.dynamic("T") at '
                             "module level", found=describe(var))
        rank = len(base.shape)
        if not -rank <= dim < rank:
            raise self.error(a.dim.node, f"'{base.name}' has {rank} "
                             f"dimensions, so it has no dim {dim}")
        value = int(base.shape[dim])
        bound = self.dyn_values.get(var)
        if bound is None:
            self.dyn_values[var] = value
        elif bound != value:
            if self.act.kind == "inline":
                self._loose_dyn(node, var, bound, f"dim {dim % rank} of "
                                f"'{base.name}' is {value}")
                return None
            raise self.error(node, f"pl.dynamic dimension '{var.name}' is "
                             f"{bound} but dim {dim % rank} of "
                             f"'{base.name}' is {value}")
        return None

    def _loose_dyn(self, node, var: DynVar, bound: int, what: str) -> None:
        """A pl.dynamic dimension of an inline helper (an annotation or a
        bind_dynamic in its body) that disagrees with the kernel's binding:
        PyPTO does not check them (a helper is spliced into its caller, its
        dimension the caller's symbol), so neither does Tessel; a remark
        says so, and the dimension keeps the kernel's value."""
        from .tasks import remark
        remark(self, node, f"pl.dynamic dimension '{var.name}' is {bound} in "
               f"this kernel but {what}: an inline helper's dynamic "
               f"dimensions are not checked (as in PyPTO); '{var.name}' "
               f"stays {bound}")

    def _check_inline_param(self, src, act, pnode, arg: Arg):
        self.acts.append(act)
        try:
            spec = self.raw_expr(pnode.annotation)
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
        vshape = v.nd if getattr(v, "nd", None) is not None else v.shape
        if len(vshape) != len(spec.shape) or v.dtype is not spec.dtype or \
                any(not isinstance(d, DynVar) and d != s
                    for d, s in zip(spec.shape, vshape)):
            raise self.error(arg.node, f"argument '{pnode.arg}' of "
                             f"'{src.name}' does not match its annotation",
                             expected=repr(spec), found=describe(v))
        for d, s in zip(spec.shape, vshape):
            if not isinstance(d, DynVar):
                continue
            bound = self.dyn_values.setdefault(d, int(s))
            if bound != s:
                self._loose_dyn(arg.node, d, bound,
                                f"argument '{pnode.arg}' of '{src.name}' has "
                                f"extent {s} there")

    # ------------------------------------------------------------------
    # Argument helpers for builtins
    # ------------------------------------------------------------------

    def const_int(self, arg: Arg, what: str, minimum: int | None = None) -> int:
        v = arg.value
        if isinstance(v, bool) or not isinstance(v, int):
            from .scalars import need_compile_time
            need_compile_time(self, v, arg.node)
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
                from .scalars import need_compile_time
                need_compile_time(self, d, arg.node)
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
