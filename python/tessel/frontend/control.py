"""The frontend of `pl.unroll` and the scalar `pl.min` / `pl.max`."""

from __future__ import annotations

from .values import IndexVal, describe


def for_unroll(cg, node, a) -> None:
    """`for i in pl.unroll(...)`: the body once per value, `i` a Python int
    (like a compile-time `for` over `range`)."""
    from .state import MAX_UNROLL
    start, stop, step = cg.range_args(a, "unroll")
    for v, arg in ((start, a.start), (stop, a.stop or a.start)):
        if not isinstance(v, int):
            raise cg.error(arg.node, "pl.unroll needs compile-time bounds",
                           found=describe(v),
                           help="use pl.range for a runtime loop")
    values = range(start, stop, step)
    if len(values) > MAX_UNROLL:
        raise cg.error(node.iter, f"pl.unroll has {len(values)} iterations "
                       f"(limit {MAX_UNROLL})",
                       help="use pl.range for a runtime loop")
    for v in values:
        cg.assign(node.target, v, node)
        cg.visit_block(node.body, "loop")


def _minmax(is_min: bool):
    name = "pl.min" if is_min else "pl.max"

    def impl(cg, node, a):
        values = [a.lhs.value, a.rhs.value]
        from .values import ScalarVal
        if any(isinstance(v, IndexVal) for v in values):
            # An index and an integer scalar (`pl.min(block, seq - bn *
            # block)` with `bn` a loop index): the min of indices.
            from .scalars import int_scalar_index
            values = [int_scalar_index(cg, v, node) for v in values]
        if any(isinstance(v, ScalarVal) for v in values):
            from . import scalars
            return scalars.minmax(cg, is_min, values[0], values[1], node)
        for arg, v in zip((a.lhs, a.rhs), values):
            if isinstance(v, bool) or not isinstance(v, (int, float,
                                                         IndexVal)):
                raise cg.error(arg.node, f"{name} takes integers or runtime "
                               f"indices", found=describe(v),
                               help="for tiles use pl.minimum / pl.maximum"
                               if is_min else "for tiles use pl.maximum")
        if all(isinstance(v, (int, float)) for v in values):
            return (min if is_min else max)(values)
        if any(isinstance(v, float) for v in values):
            raise cg.error(node, f"{name} of a runtime index and a float",
                           found=", ".join(describe(v) for v in values))
        return cg.index_minmax(is_min, values, node)
    return impl


def _yield(cg, node, a):
    """`pl.yield_(v, ...)`: its values (language/control.py)."""
    values = [arg.value for arg in a.values]
    if not values:
        raise cg.error(node, "pl.yield_ needs at least one value")
    return values[0] if len(values) == 1 else tuple(values)


CONTROL_BUILTINS = {"min": _minmax(True), "max": _minmax(False),
                    "yield_": _yield}
