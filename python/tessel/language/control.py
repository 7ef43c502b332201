"""`pl.unroll` and the scalar `pl.min` / `pl.max` (PyPTO's names)."""

from __future__ import annotations

from .ops import ALL_BUILTINS, builtin


@builtin("unroll")
def unroll(start, stop=None, step=1):
    """``for i in pl.unroll(n)`` / ``pl.unroll(start, stop, step)`` -- a loop
    unrolled at compile time (compile-time bounds; `i` is a Python int in
    each copy of the body)."""


@builtin("min")
def min(lhs, rhs):  # noqa: A001
    """The smaller of two integers or runtime indices (`arith.minsi`); for
    tiles use `pl.minimum`."""


@builtin("max")
def max(lhs, rhs):  # noqa: A001
    """The larger of two integers or runtime indices (`arith.maxsi`); for
    tiles use `pl.maximum`."""


ALL_BUILTINS.update({"unroll": unroll, "min": min, "max": max})
