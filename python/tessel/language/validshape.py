"""Partial tiles: `pl.PadValue`, `pl.fillpad`, `pl.set_validshape`
(issue 14 item 5; `pl.slice(..., valid_shape=)` and
`pl.load(..., valid_shape=)` are in ops.py).

A tile's shape is its physical size; its *valid shape* is the top-left
region that holds real data (the last partial chunk of a dimension). The
rest is padding whose contents are unspecified until `pl.fillpad` gives it a
value. Tessel follows PTO-ISA: elementwise ops keep the valid region, a
reduction or a matmul reads only the valid region (the frontend pads with
the operation's identity first), and a store writes only the valid region.
See docs/language.md, "Partial tiles".
"""

from __future__ import annotations

import enum

from .ops import ALL_BUILTINS, builtin, builtin_name


class PadValue(enum.Enum):
    """What `pl.fillpad` writes into a tile's padding: `zero`, `min`
    (-inf for float tiles, the smallest integer for integer tiles) or `max`
    (+inf / the largest integer). `null` is PyPTO's "no padding"; fillpad
    rejects it."""
    null = "null"
    zero = "zero"
    min = "min"
    max = "max"

    def __repr__(self) -> str:
        return f"pl.PadValue.{self.name}"


@builtin("fillpad")
def fillpad(tile, pad_value=PadValue.zero):
    """`tile` with its padding (everything outside its valid shape) set to
    `pad_value` (`tile.fillpad`, PTO-ISA TFILLPAD); the result is a full
    tile. `pad_value` is a `pl.PadValue` or one of the literals 0,
    math.inf, -math.inf."""


@builtin("set_validshape")
def set_validshape(tile, valid_rows, valid_cols):
    """`tile` with valid shape [valid_rows, valid_cols] (compile-time ints
    or runtime indices, 1 <= extent <= the tile's size): metadata only, no
    data moves."""


def _tile_namespace():
    @builtin("tile.fillpad")
    def fillpad(tile, pad_value=PadValue.zero):
        """Same as `pl.fillpad`."""

    @builtin("tile.set_validshape")
    def set_validshape(tile, valid_rows, valid_cols):
        """Same as `pl.set_validshape`."""

    @builtin("tensor.set_validshape")
    def tensor_set_validshape(tile, valid_rows, valid_cols):
        """Same as `pl.set_validshape`: a slice of a GM tensor in a core
        scope is a tile, and this gives it its valid shape."""
    return fillpad, set_validshape, tensor_set_validshape


tile_fillpad, tile_set_validshape, tensor_set_validshape = _tile_namespace()

ALL_BUILTINS.update({builtin_name(obj): obj
                     for obj in (fillpad, set_validshape, tile_fillpad,
                                 tile_set_validshape,
                                 tensor_set_validshape)})
