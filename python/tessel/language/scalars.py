"""`pl.read` / `pl.write`: one element of a GM tensor or a tile (PyPTO's
names and argument order; frontend/scalars.py builds them)."""

from __future__ import annotations

from .ops import ALL_BUILTINS, builtin


@builtin("read")
def read(src, offset):
    """The element of a GM tensor or tile at `offset` (one index per
    dimension, or one flat row-major index): a runtime scalar of its
    dtype."""


@builtin("write")
def write(dst, offset, value):
    """Replace the element of a GM tensor or tile at `offset` with `value`
    (a scalar of its dtype or a number)."""


def _namespaced():
    @builtin("tile.read")
    def tile_read(tile, indices):
        """Same as `pl.read` of a tile."""

    @builtin("tile.write")
    def tile_write(tile, indices, value):
        """Same as `pl.write` of a tile."""

    @builtin("tensor.read")
    def tensor_read(tensor, indices):
        """Same as `pl.read` of a GM tensor."""

    @builtin("tensor.write")
    def tensor_write(tensor, indices, value):
        """Same as `pl.write` of a GM tensor."""
    return tile_read, tile_write, tensor_read, tensor_write


tile_read, tile_write, tensor_read, tensor_write = _namespaced()

ALL_BUILTINS.update({"read": read, "write": write, "tile.read": tile_read,
                     "tile.write": tile_write, "tensor.read": tensor_read,
                     "tensor.write": tensor_write})
