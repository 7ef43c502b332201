"""`pl.unroll`, the scalar `pl.min` / `pl.max` and `pl.yield_` (PyPTO's
names)."""

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


@builtin("yield_")
def yield_(*values):
    """``x = pl.yield_(v)`` (or ``a, b = pl.yield_(u, w)``) in a branch of an
    ``if`` or in a loop body: the value(s) the statement gives its
    targets. Tessel carries reassigned variables itself, so this is ``x =
    v``: after an ``if`` the targets hold the taken branch's values, after
    a loop the last iteration's. (PyPTO's ``pl.range(..., init_values=)``
    iter_args form is not supported.)"""


ALL_BUILTINS.update({"unroll": unroll, "min": min, "max": max,
                     "yield_": yield_})
