"""PyPTO's indexed gathers and scatters between GM and tiles:
`pl.mgather`, `pl.mscatter`, `pl.scatter_update`, `pl.paged_gather`,
`pl.gatherb` (and
their `pl.tile.*` / `pl.tensor.*` spellings). Built from loops of tile
loads, inserts and stores (tessel.frontend.gathers); see
docs/language.md."""

from __future__ import annotations

from .ops import ALL_BUILTINS, builtin, builtin_name
from .types import MemorySpace


@builtin("mgather")
def mgather(mem, idx, coalesce="row", *, gather_oob="undefined",
            target_memory=MemorySpace.Vec, scratch=None, valid_shape=None):
    """Gather rows (``coalesce="row"``: ``out[i, :] = mem[idx[i], :]``,
    idx a [1, R] or [R, 1] INT32 tile) or elements (``"elem"``:
    ``out[i, j] = flat(mem)[idx[i, j]]``) of the GM tensor `mem` into a Vec
    tile; `gather_oob` says what an index outside `mem` reads."""


@builtin("gatherb")
def gatherb(src, offset, *, output_dtype=None):
    """pto-isa's TGATHERB: block (r, c) of the result (32 bytes, 32 /
    sizeof(output_dtype) elements) is the 32 bytes of the tile `src` from
    byte `offset[r, c]` (a UINT32 tile whose columns are a multiple of 8);
    an offset with fewer than 32 bytes after it reads the last 32."""


@builtin("mscatter")
def mscatter(src, idx, output_tensor):
    """``flat(output_tensor)[idx[i, j]] = src[i, j]`` in row-major order;
    an index outside the tensor writes nothing. Returns the tensor."""


@builtin("scatter_update")
def scatter_update(input, *args, dim=None, index=None, src=None):  # noqa: A002
    """``input[index[k], :] = src[k, :]`` (2-D input [rows, d], src
    [b * s, d], index [b, s]; or 4-D input [blocks, block_size, 1, d] and
    src [b, s, 1, d]); an index outside input writes nothing. Called as
    ``(input, dim, index, src)``, ``(input, index, src, dim=-2)`` or
    ``(input, dim, index=..., src=...)``. Returns input."""


@builtin("paged_gather")
def paged_gather(src, indices, block_table, block_size, size, max_indices,
                 *, space=MemorySpace.Mat, col_off=0, is_trans=False,
                 is_b_matrix=False):
    """A [max_indices, size] tile (L1 by default, or UB) whose row i is
    ``src[phys, col_off:col_off + size]``, ``phys = block_table[idx //
    block_size] * block_size + idx % block_size`` for ``idx = indices[i]``;
    rows past the indices, and rows whose block or physical row is outside
    its tensor, are zero."""


def _namespaces():
    @builtin("tile.mgather")
    def tile_mgather(mem, idx, coalesce="row", *, gather_oob="undefined",
                     target_memory=MemorySpace.Vec, scratch=None,
                     valid_shape=None):
        """Same as `pl.mgather`."""

    @builtin("tile.gatherb")
    def tile_gatherb(src, offset, *, output_dtype=None):
        """Same as `pl.gatherb`."""

    @builtin("tile.mscatter")
    def tile_mscatter(src, idx, output_tensor):
        """Same as `pl.mscatter`."""

    @builtin("tensor.scatter_update")
    def tensor_scatter_update(input, *args, dim=None, index=None,  # noqa: A002
                              src=None):
        """Same as `pl.scatter_update`."""

    @builtin("tensor.paged_gather")
    def tensor_paged_gather(src, indices, block_table, block_size, size,
                            max_indices, *, space=MemorySpace.Mat, col_off=0,
                            is_trans=False, is_b_matrix=False):
        """Same as `pl.paged_gather`."""
    return {"tile": {"mgather": tile_mgather, "mscatter": tile_mscatter,
                     "gatherb": tile_gatherb},
            "tensor": {"scatter_update": tensor_scatter_update,
                       "paged_gather": tensor_paged_gather}}


_NS = _namespaces()
TILE, TENSOR = _NS["tile"], _NS["tensor"]

ALL_BUILTINS.update({builtin_name(obj): obj for obj in (
    mgather, mscatter, scatter_update, paged_gather, gatherb,
    *TILE.values(),
    *TENSOR.values())})
