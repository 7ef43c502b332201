"""PyPTO's program form: `@pl.jit.incore` functions called from a kernel's
orchestration code.

In PyPTO a `@pl.jit` kernel is an Orchestration function (the control
plane) and a `@pl.jit.incore` function a device kernel it dispatches (the
execution plane): its body runs on a core with tiles, its tensor parameters
are GM regions. In Tessel's terms such a call is a core scope: the frontend
inlines the callee's body at the call inside a `pl.at` scope of the
callee's level (`tile.at core_group` unless `@pl.jit.incore(level=...)`
says `pl.Level.AIV` / `pl.Level.AIC`), wrapped in a one-block `tile.spmd`
at function level, so

    mm = _matmul(a, b, mm)          # mm = pl.create_tensor(...)

compiles exactly as

    with pl.at(level=pl.Level.CORE_GROUP, name_hint="_matmul"):
        <the body of _matmul with a, b, output bound to a, b, mm>

Arguments bind as for a `@pl.jit.inline` helper (positional or by name,
annotations checked: a shaped `pl.Tensor[[...], DTYPE]` must match, a
`pl.dynamic` dimension binds); tensor parameters take GM tensors (a
kernel parameter, a view or `pl.create_tensor`), never tiles; a plain
kernel parameter the body writes becomes in-out (Memory.written_input).
The call returns what the body
returns: its output tensors (or nothing).

What is not supported is a CompileError at the author's line: a call
inside a core scope (an InCore function is a scope of its own; a
`@pl.jit.inline` helper is what inlines into one), a tile or a runtime
scalar passed for a tensor parameter, a tile or scalar returned.
"""

from __future__ import annotations

import ast
import inspect

from ..language.types import ParamSpec, Tensor, TensorSpec
from .errors import note_at
from .source import MISSING, get_source
from .state import LEVEL_TO_KIND
from .values import GmTensor, PendingTile, RUNTIME_TYPES, TileVal, describe


def is_incore(fn) -> bool:
    from ..compiler.kernel import IncoreFunction
    return isinstance(fn, IncoreFunction)


def static_incore_call(cg, node) -> bool:
    """Is `node` a call of a `@pl.jit.incore` function (resolved without
    building IR)? Such a call makes its own core scope, so a pl.spmd body
    holding one gets no implicit one (statements.contains_at)."""
    if not isinstance(node, ast.Call):
        return False
    v = cg.static_value(node.func, quiet=True)
    if v is MISSING:
        return False
    return is_incore(v)


def _param_specs(cg, src, fn_node, act):
    """{name: (direction, TensorSpec, parameter node)} of the callee's
    tensor parameters, from their annotations."""
    out = {}
    for p in fn_node.args.posonlyargs + fn_node.args.args + \
            fn_node.args.kwonlyargs:
        if p.annotation is None:
            continue
        cg.acts.append(act)
        try:
            spec = cg.raw_expr(p.annotation)
        finally:
            cg.acts.pop()
        direction = "in"
        if isinstance(spec, ParamSpec):
            direction, spec = spec.direction, spec.tensor
        if spec is Tensor:
            spec = TensorSpec(None, None)
        if isinstance(spec, TensorSpec):
            out[p.arg] = (direction, spec, p)
    return out


def call(cg, inc, node, args, kwargs):
    """`inc(*args, **kwargs)` in a kernel: the callee's body as a core
    scope at the call (see the module docstring)."""
    from .state import Activation
    src = get_source(inc.fn)
    name = src.name
    if cg.scope.kind == "at" and not cg.scope.implicit:
        notes = []
        if cg.scope.node is not None and cg.scope.filename:
            notes.append(note_at(cg.scope.filename, cg.scope.node,
                                 "the enclosing scope is here"))
        raise cg.error(node, f"the InCore function '{name}' is called inside "
                       f"a core scope", expected="a call from orchestration "
                       "code: the kernel body, a pl.range loop or a pl.spmd "
                       "/ pl.parallel body", help="an InCore function is a "
                       "core scope of its own; to inline code into this "
                       "scope make it a @pl.jit.inline helper", notes=notes)
    if cg.scope.kind == "at":
        # An implicit scope (a pl.spmd body) that also holds ops outside
        # the call: statements.contains_at saw the call, so this is a
        # call nested in code the frontend entered as a scope.
        raise cg.error(node, f"the InCore function '{name}' is called in a "
                       "pl.spmd / pl.parallel body that has no pl.at scope "
                       "of its own", help="call it directly in the body, "
                       "outside any nested helper")
    from .calls import with_self
    sig = inspect.signature(inc.fn)
    try:
        bound = sig.bind(*with_self(inc, args, node), **kwargs)
    except TypeError as e:
        raise cg.error(node, f"wrong arguments to '{name}': {e}",
                       expected=f"{name}{sig}") from None
    act = Activation(src, "inline", locals=cg._local_names(src.node),
                     call_node=node)
    specs = _param_specs(cg, src, src.node, act)
    for pname, (direction, spec, pnode) in specs.items():
        if pname not in bound.arguments:
            continue
        arg = bound.arguments[pname]
        v = arg.value
        if isinstance(v, (TileVal, PendingTile)):
            raise cg.error(arg.node, f"argument '{pname}' of the InCore "
                           f"function '{name}' is a tensor parameter: it "
                           f"takes a GM tensor", found=describe(v),
                           expected="a kernel parameter or pl.create_tensor",
                           help="pass the whole tensor and slice it inside "
                                "the InCore function (pl.load / pl.slice "
                                "with offsets), or store the tile to a GM "
                                "tensor first")
        if not isinstance(v, GmTensor):
            raise cg.error(arg.node, f"argument '{pname}' of the InCore "
                           f"function '{name}' is a tensor parameter",
                           expected="a GM tensor", found=describe(v))
    level = inc.level
    kind = LEVEL_TO_KIND.get(level)
    if kind is None:
        raise cg.error(node, f"the InCore function '{name}' has level "
                       f"{level!r}, which is not a core level",
                       expected="pl.Level.CORE_GROUP, pl.Level.AIV or "
                                "pl.Level.AIC")
    result = {}

    def body():
        result["ret"] = cg.call_inline(inc, node, args, kwargs)

    if cg.scope.kind == "function":
        cg.make_spmd(node, 1, name, lambda b: None,
                     lambda: cg.make_at(node, kind, body))
    else:                       # directly in a pl.spmd / pl.parallel body
        cg.make_at(node, kind, body)
    ret = result["ret"]
    values = ret if isinstance(ret, tuple) else (ret,)
    for v in values:
        if v is not None and not isinstance(v, GmTensor):
            raise cg.error(node, f"the InCore function '{name}' returns "
                           f"{describe(v)}: only its GM tensors (or nothing) "
                           f"leave the core scope",
                           expected="`return output` of a pl.Out parameter",
                           found=describe(v),
                           help="store the value to a pl.Out tensor and "
                                "return that")
    return ret
