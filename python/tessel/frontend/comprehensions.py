"""List comprehensions and generator expressions in kernel code.

They run at compile time, like a `for` over a Python `range` / tuple /
list: `deps=[tids[i] for i in range(N)]`, `[x * 2 for x in SIZES if x]`.
The element expression may build IR (a tile per item); every iterable and
every `if` clause must be a compile-time value, else a CompileError at it.
The names a comprehension binds are its own (as in Python 3): they do not
leak into, or overwrite, the kernel's variables.
"""

from __future__ import annotations

import ast

from .source import MISSING
from .state import MAX_UNROLL
from .values import RUNTIME_TYPES, describe

_LOOP_BUILTINS = ("range", "pipeline", "parallel", "spmd", "unroll",
                  "split_aiv")


def evaluate(cg, node, what: str) -> list:
    """The items of the ListComp / GeneratorExp `node`, in order."""
    names = set()
    for gen in node.generators:
        if gen.is_async:
            raise cg.error(gen, f"async {what}s are not supported in kernels")
        names |= _bound_names(cg, gen.target, what)
    vars_ = cg.act.vars
    saved = {n: vars_.get(n, MISSING) for n in names}
    out: list = []
    try:
        _run(cg, node, node.generators, out, what)
    finally:
        for n, v in saved.items():
            if v is MISSING:
                vars_.pop(n, None)
            else:
                vars_[n] = v
    return out


def _bound_names(cg, target, what: str) -> set:
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, (ast.Tuple, ast.List)):
        out = set()
        for e in target.elts:
            out |= _bound_names(cg, e, what)
        return out
    raise cg.error(target, f"the target of a {what} must be a name or a "
                   f"tuple of names", found=ast.unparse(target))


def _items(cg, gen, what: str) -> list:
    it = gen.iter
    if isinstance(it, ast.Call):
        name = cg.static_builtin(it.func)
        if name in _LOOP_BUILTINS:
            raise cg.error(it, f"a {what} cannot iterate over pl.{name}(...): "
                           f"it runs at compile time",
                           expected="a compile-time range / tuple / list, "
                                    "e.g. range(n)",
                           help=f"use `range(...)`, or a `for ... in "
                                f"pl.{name}(...)` loop statement for a "
                                f"runtime loop")
    iterable = cg.expr(it)
    if isinstance(iterable, RUNTIME_TYPES):
        raise cg.error(it, f"a {what} iterates over compile-time values only",
                       expected="a compile-time range / tuple / list",
                       found=describe(iterable),
                       help="write a `for i in pl.range(...)` loop statement "
                            "for a runtime trip count")
    if isinstance(iterable, (set, frozenset)):
        # A set's order may change from one Python process to the next: the
        # kernel would too.
        raise cg.error(it, f"a {what} cannot iterate over a set: its order "
                       f"is not fixed", found=describe(iterable),
                       help="iterate over sorted(...) or a list")
    if not hasattr(iterable, "__iter__") and \
            not hasattr(iterable, "__getitem__"):
        raise cg.error(it, f"a {what} cannot iterate over this value",
                       expected="a compile-time range / tuple / list",
                       found=describe(iterable))
    try:
        items = []
        for v in iterable:
            items.append(v)
            if len(items) > MAX_UNROLL:
                break
    except Exception as e:  # noqa: BLE001 - compile-time evaluation
        raise cg.error(it, f"a {what} cannot iterate over this value: "
                       f"{type(e).__name__}: {e}",
                       found=describe(iterable)) from None
    if len(items) > MAX_UNROLL:
        raise cg.error(it, f"a {what} over more than {MAX_UNROLL} items",
                       help="use a pl.range loop for long runtime loops")
    return items


def _run(cg, node, gens, out: list, what: str) -> None:
    gen, rest = gens[0], gens[1:]
    for v in _items(cg, gen, what):
        cg.assign(gen.target, v, node)
        keep = True
        for cond in gen.ifs:
            c = cg.expr(cond)
            if isinstance(c, RUNTIME_TYPES):
                raise cg.error(cond, f"the condition of a {what} must be a "
                               f"compile-time value", found=describe(c),
                               help="select runtime values with pl.sel or an "
                                    "`if` statement")
            if not c:
                keep = False
                break
        if not keep:
            continue
        if rest:
            _run(cg, node, rest, out, what)
        else:
            out.append(cg.expr(node.elt))
