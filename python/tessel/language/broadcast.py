"""`pl` broadcasts, `pl.log` and `pl.arange` (PyPTO's names and argument
order). Like every `pl` function they only have a meaning inside a
`@pl.jit` kernel; the frontend builds them (tessel.frontend.broadcast,
tessel.frontend.extra_ops)."""

from __future__ import annotations

from .ops import ALL_BUILTINS, builtin, builtin_name


def _expand_arith(name: str, formula: str, shape: str):
    @builtin(name)
    def op(lhs, rhs, tmp=None):
        pass
    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"``{formula}``: `rhs` ({shape}) broadcast over the tile "
                  f"`lhs` [M, N]. `tmp` (PyPTO's scratch) is accepted and "
                  f"ignored: buffers are the compiler's job.")
    return op


row_expand_add = _expand_arith("row_expand_add", "lhs[i, j] + rhs[i, 0]",
                               "[M, 1]")
row_expand_sub = _expand_arith("row_expand_sub", "lhs[i, j] - rhs[i, 0]",
                               "[M, 1]")
row_expand_div = _expand_arith("row_expand_div", "lhs[i, j] / rhs[i, 0]",
                               "[M, 1]")
row_expand_max = _expand_arith("row_expand_max",
                               "max(lhs[i, j], rhs[i, 0])", "[M, 1]")
row_expand_min = _expand_arith("row_expand_min",
                               "min(lhs[i, j], rhs[i, 0])", "[M, 1]")
row_expand_expdif = _expand_arith("row_expand_expdif",
                                  "exp(lhs[i, j] - rhs[i, 0])", "[M, 1]")
col_expand_add = _expand_arith("col_expand_add", "lhs[i, j] + rhs[0, j]",
                               "[1, N]")
col_expand_sub = _expand_arith("col_expand_sub", "lhs[i, j] - rhs[0, j]",
                               "[1, N]")
col_expand_div = _expand_arith("col_expand_div", "lhs[i, j] / rhs[0, j]",
                               "[1, N]")
col_expand_max = _expand_arith("col_expand_max",
                               "max(lhs[i, j], rhs[0, j])", "[1, N]")
col_expand_min = _expand_arith("col_expand_min",
                               "min(lhs[i, j], rhs[0, j])", "[1, N]")
col_expand_expdif = _expand_arith("col_expand_expdif",
                                  "exp(lhs[i, j] - rhs[0, j])", "[1, N]")


@builtin("row_expand")
def row_expand(lhs, rhs):
    """`rhs` [M, 1] broadcast to the shape of `lhs` [M, N]
    (``result[i, j] = rhs[i, 0]``); `lhs` only gives the shape."""


@builtin("col_expand")
def col_expand(lhs, rhs):
    """`rhs` [1, N] broadcast to the shape of `lhs` [M, N]
    (``result[i, j] = rhs[0, j]``); `lhs` only gives the shape."""


@builtin("expands")
def expands(target, scalar):
    """A tile of `target`'s shape and dtype with every element `scalar` (a
    compile-time number); `target` is not read."""


ALL_BUILTINS.update({builtin_name(obj): obj for obj in list(globals().values())
                     if builtin_name(obj)})


# -- elementwise log and arange (tile.log, tile.arange) ----------------------

@builtin("log")
def log(input, high_precision=False):  # noqa: A002
    """Elementwise natural logarithm (float tiles); `high_precision` is
    accepted (the simulation uses the host libm's logf)."""


@builtin("arange")
def arange(start, shape, dtype):
    """A tile of `shape` [M, N] whose element (i, j) is ``start + i * N +
    j`` (compile-time `start`; INT32, FP32 or FP16 where every value is
    exact)."""


@builtin("tensor.arange")
def tensor_arange(start, shape, dtype):
    """Same as `pl.arange` (`pl.tensor.arange`, inside a core scope)."""


ALL_BUILTINS.update({"log": log, "arange": arange,
                     "tensor.arange": tensor_arange})
