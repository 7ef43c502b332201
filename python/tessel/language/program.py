"""PyPTO's `@pl.program` classes and `@pl.function(type=...)` functions.

PyPTO writes a program as a class whose methods are IR functions, calls
between them written `self.other(...)`:

    @pl.program
    class Adder:
        @pl.function(type=pl.FunctionType.InCore)
        def add_kernel(self, a, b, out): ...

        @pl.function(type=pl.FunctionType.Orchestration)
        def entry(self, a, b, out):
            out = self.add_kernel(a, b, out)
            return out

Tessel maps each function type onto what it already has:

- `Orchestration`: a `@pl.jit` kernel (`Adder.entry`; `Adder(...)` runs
  the program's only Orchestration function);
- `InCore`, `AIV`, `AIC`: a `@pl.jit.incore` function (level CORE_GROUP,
  AIV, AIC): each call is a core scope (tessel/frontend/incore.py);
- `Inline`: a `@pl.jit.inline` helper;
- `Opaque` (the default): takes its kind from its use, as
  `@pl.jit.opaque`: a call from another function splices its body there
  (its orchestration loops and `pl.at` scopes included); a program
  without an Orchestration function runs its Opaque one.

`self` is the program: the frontend binds it (`self.add_kernel` is the
InCore function). A method of another type (`Group`, `Spmd`, `Graph`), `external_source=`,
a program with neither an Orchestration nor an Opaque function or a
method without `self` is a CompileError at the author's line.
"""

from __future__ import annotations

import enum
import inspect

from .types import Level


class FunctionType(enum.Enum):
    """PyPTO's IR function kinds (`pl.function(type=...)`)."""
    Opaque = 0
    Orchestration = 1
    InCore = 2
    AIC = 3
    AIV = 4
    Group = 5
    Spmd = 6
    Inline = 7
    Graph = 8

    def __repr__(self) -> str:
        return f"pl.FunctionType.{self.name}"


#: The function types Tessel compiles, and what it makes of each.
SUPPORTED_TYPES = (FunctionType.Orchestration, FunctionType.InCore,
                   FunctionType.AIC, FunctionType.AIV, FunctionType.Inline,
                   FunctionType.Opaque)


def _error(message, depth, **kw):
    from ..frontend.errors import make_error
    frame = inspect.currentframe().f_back
    for _ in range(depth):
        frame = frame.f_back
    return make_error(message, frame.f_code.co_filename, frame.f_lineno, 1,
                      **kw)


def _fn_error(fn, message, **kw):
    from ..frontend.errors import make_error
    code = fn.__code__
    return make_error(message, code.co_filename, code.co_firstlineno, 1, **kw)


class Declared:
    """A `@pl.function` method of a `@pl.program` class, before the class
    is made a Program."""

    def __init__(self, fn, type_, level):
        self.fn = fn
        self.type = type_
        self.level = level

    def __repr__(self) -> str:
        return f"<pl.function {self.fn.__qualname__} ({self.type!r})>"


def _make(fn, type_, level, program=None):
    """The Tessel object for `fn` declared with `type_`."""
    from ..compiler.kernel import (IncoreFunction, InlineFunction,
                                   JitKernel, OpaqueFunction)
    if type_ is FunctionType.Opaque:
        return OpaqueFunction(fn, program)
    if type_ is FunctionType.Orchestration:
        if program is not None:
            # The frontend drops `self` from the parameters and binds it to
            # the program (frontend/source.py).
            fn.__tessel_self__ = program
        return JitKernel(fn)
    if type_ in (FunctionType.InCore, FunctionType.AIC, FunctionType.AIV):
        level = {FunctionType.AIC: Level.AIC, FunctionType.AIV: Level.AIV}.get(
            type_, level or Level.CORE_GROUP)
        obj = IncoreFunction(fn, level)
    else:
        obj = InlineFunction(fn)
    # A method's `self`, bound at each call (frontend/calls.py).
    obj.bound_self = program
    return obj


def function(func=None, /, *, type=FunctionType.Opaque, level=None,  # noqa: A002
             role=None, attrs=None, auto_scope=True, strict_ssa=False,
             external_source=None):
    """`@pl.function(type=pl.FunctionType.InCore)`: see the module. On a
    method (first parameter `self`) of a `@pl.program` class it declares
    the method; on a plain function it returns the function's Tessel
    object directly (`InCore` -> `@pl.jit.incore`, `Orchestration` ->
    `@pl.jit`, `Inline` -> `@pl.jit.inline`)."""
    if func is None:
        return lambda f: _declare(f, type, level, external_source, 2)
    return _declare(func, type, level, external_source, 2)


def _declare(fn, type_, level, external_source, depth):
    if not isinstance(type_, FunctionType):
        raise _error("pl.function(type=...) takes a pl.FunctionType", depth,
                     expected="pl.FunctionType.Orchestration, InCore, AIC, "
                              "AIV, Inline or Opaque", found=repr(type_))
    if type_ not in SUPPORTED_TYPES:
        raise _error(f"pl.function(type={type_!r}) is not supported by "
                     f"Tessel", depth, expected="pl.FunctionType."
                     "Orchestration, InCore, AIC, AIV, Inline or Opaque",
                     help="Tessel places and schedules the scopes itself: "
                          "write the function as Orchestration with "
                          "pl.at scopes, or InCore")
    if external_source is not None:
        raise _error("pl.function(external_source=...) is not supported: "
                     "Tessel compiles every function from its Python "
                     "source", depth)
    if level is not None and level not in (Level.CORE_GROUP, Level.AIV,
                                           Level.AIC):
        raise _error(f"pl.function(level={level!r}): Tessel's functions run "
                     f"on a core or orchestrate from the chip", depth,
                     expected="pl.Level.CORE_GROUP, pl.Level.AIV or "
                              "pl.Level.AIC")
    params = list(inspect.signature(fn).parameters)
    if params and params[0] == "self":
        return Declared(fn, type_, level)
    return _make(fn, type_, level)


class Program:
    """A `@pl.program` class: its functions by name (`Adder.entry`,
    `Adder.functions`); calling it runs its only Orchestration function."""

    def __init__(self, cls):
        self.__name__ = cls.__name__
        self.__qualname__ = cls.__qualname__
        self.functions = {}
        declared = {name: v for name, v in vars(cls).items()
                    if isinstance(v, Declared)}
        for name, v in vars(cls).items():
            if inspect.isfunction(v):
                raise _fn_error(v, f"method '{name}' of the @pl.program "
                                f"'{cls.__name__}' has no @pl.function "
                                f"decorator", help="decorate it with "
                                "@pl.function(type=pl.FunctionType.InCore) "
                                "(or Orchestration, Inline)")
        for name, d in declared.items():
            obj = _make(d.fn, d.type, d.level, self)
            obj.func_type = d.type
            self.functions[name] = obj
            setattr(self, name, obj)
        entries = [n for n, d in declared.items()
                   if d.type is FunctionType.Orchestration] or \
            [n for n, d in declared.items() if d.type is FunctionType.Opaque]
        if not entries:
            raise _error(f"the @pl.program '{cls.__name__}' has no "
                         f"Orchestration (or Opaque) function", 2,
                         help="declare its entry point with @pl.function("
                              "type=pl.FunctionType.Orchestration)")
        self.entries = entries

    @property
    def name(self) -> str:
        """The program's name (its class's), as PyPTO's `Program.name`."""
        return self.__name__

    def __call__(self, *args, **kwargs):
        if len(self.entries) != 1:
            raise TypeError(
                f"the @pl.program '{self.__name__}' has "
                f"{len(self.entries)} entry functions "
                f"({', '.join(self.entries)}): call one, "
                f"{self.__name__}.{self.entries[0]}(...)")
        return self.functions[self.entries[0]](*args, **kwargs)

    def __repr__(self) -> str:
        # The id keeps the kernel cache's source index off programs
        # (runtime/source_index.py fingerprints only values whose repr
        # has no address): a program is compiled by the frontend each
        # process, its methods' sources checked there.
        return f"<pl.program {self.__qualname__} at {id(self):#x}>"


def program(cls=None, /, **options):
    """`@pl.program`: the class as a `Program` (see the module)."""
    if cls is None:
        return lambda c: Program(c)
    if not inspect.isclass(cls):
        raise _error("@pl.program decorates a class", 1,
                     found=type(cls).__name__)
    return Program(cls)
