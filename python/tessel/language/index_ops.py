"""`pl` ops that move elements by index (issue 14 items 7 and 9, issue 15's
scatter by index): `pl.scatter` (index form; `pl.gather` is in ops.py),
`pl.sort32`, `pl.mrgsort`, and `pl.assemble` with `atomic=`.

Their frontend is tessel/frontend/index_ops.py; docs/language.md gives the
semantics.
"""

from __future__ import annotations

from .ops import ALL_BUILTINS, builtin, builtin_name
from .types import AtomicType


@builtin("scatter")
def scatter(input, dim=None, index=None, src=None, *,  # noqa: A002
            mask_pattern=None, dst=None):
    """Index form: `input` [M, N] with `out[r, index[r, k]] = src[r, k]`
    (`dim=-1`, index INT32 of src's shape). Mask form: as
    `pl.tensor.scatter`."""


@builtin("sort32")
def sort32(src, idx):
    """Sort each 32-element block of each row of `src` (FP32) by value,
    descending, ties by smaller index, carrying `idx` (UINT32) along; the
    result interleaves (value, index) pairs: [M, C] -> [M, 2C]."""


@builtin("mrgsort")
def mrgsort(src0, src1=None, src2=None, src3=None, *, exhausted=False,
            block_len=None):
    """`mrgsort(src, block_len=L)`: merge each group of 4 sorted runs of L
    columns of a one-row pair tile; `mrgsort(a, b[, c, d])`: merge 2 to 4
    sorted pair tiles into one."""


@builtin("assemble")
def assemble(target, source, offset, *, atomic=AtomicType.None_):
    """Write the tile `source` into `target` at `offset` (a store); with
    `atomic=pl.AtomicType.Add` add it into `target` atomically. Returns
    `target`."""


def _tile_namespace():
    @builtin("tile.sort32")
    def sort32(src, idx):
        """Same as `pl.sort32`."""

    @builtin("tile.mrgsort")
    def mrgsort(src0, src1=None, src2=None, src3=None, *, exhausted=False,
                block_len=None):
        """Same as `pl.mrgsort`."""

    @builtin("tile.gather")
    def gather(input, dim=None, index=None, *, mask_pattern=None,  # noqa: A002
               output_dtype=None, kvalue=None, cmp_mode=None, out_cols=None,
               offset=0, count_dtype=None):
        """Same as `pl.gather`."""

    @builtin("tile.assemble")
    def assemble(target, source, offset, *, atomic=AtomicType.None_):
        """`target` (a tile) with the window of `source`'s shape at `offset`
        replaced by the tile `source`; returns the new tile."""

    @builtin("tile.scatter")
    def scatter(input, dim=None, index=None, src=None, *,  # noqa: A002
                mask_pattern=None, dst=None):
        """Same as `pl.scatter`."""
    return sort32, mrgsort, gather, scatter, assemble


def _tensor_namespace():
    @builtin("tensor.sort32")
    def sort32(src, idx):
        """Same as `pl.sort32`."""

    @builtin("tensor.mrgsort")
    def mrgsort(src0, src1=None, src2=None, src3=None, *, exhausted=False,
                block_len=None):
        """Same as `pl.mrgsort`."""

    @builtin("tensor.assemble")
    def assemble(target, source, offset, *, atomic=AtomicType.None_):
        """Same as `pl.assemble`."""
    return sort32, mrgsort, assemble


(tile_sort32, tile_mrgsort, tile_gather, tile_scatter,
 tile_assemble) = _tile_namespace()
tensor_sort32, tensor_mrgsort, tensor_assemble = _tensor_namespace()

ALL_BUILTINS.update({builtin_name(obj): obj for obj in (
    scatter, sort32, mrgsort, assemble, tile_sort32, tile_mrgsort,
    tile_gather, tile_scatter, tile_assemble, tensor_sort32, tensor_mrgsort,
    tensor_assemble)})
