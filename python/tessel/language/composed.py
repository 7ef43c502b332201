"""The `pl` names of PyPTO's catalog that Tessel builds from other tile ops
(tessel.frontend.composed): the three-input sums `pl.addc`, `pl.subc`,
`pl.addsc`, `pl.subsc`; the partial ops `pl.part_add`, `pl.part_mul`,
`pl.part_max`, `pl.part_min`; `pl.fillpad_inplace`, `pl.fillpad_expand`,
`pl.expand_clone`; and the aliases `pl.dim`, `pl.get_block_idx`,
`pl.tensor.get_block_idx`. See docs/language.md."""

from __future__ import annotations

from .ops import ALL_BUILTINS, builtin, builtin_name
from .validshape import PadValue


@builtin("addc")
def addc(lhs, rhs, rhs2):
    """``lhs + rhs + rhs2`` of three tiles of one shape and dtype."""


@builtin("subc")
def subc(lhs, rhs, rhs2):
    """``lhs - rhs - rhs2`` of three tiles of one shape and dtype."""


@builtin("addsc")
def addsc(lhs, rhs, rhs2):
    """``lhs + rhs + rhs2``, `rhs` a scalar (a number or a runtime
    scalar), `lhs` and `rhs2` tiles."""


@builtin("subsc")
def subsc(lhs, rhs, rhs2):
    """``lhs - rhs - rhs2``, `rhs` a scalar."""


@builtin("part_add")
def part_add(lhs, rhs):
    """Over lhs's valid region: ``lhs + rhs`` where rhs is valid too, lhs
    where only lhs is; the result has lhs's valid shape."""


@builtin("part_mul")
def part_mul(lhs, rhs):
    """`pl.part_add` with ``*``."""


@builtin("part_max")
def part_max(lhs, rhs):
    """`pl.part_add` with ``max``."""


@builtin("part_min")
def part_min(lhs, rhs):
    """`pl.part_add` with ``min``."""


@builtin("fillpad_inplace")
def fillpad_inplace(tile, pad_value=PadValue.zero):
    """`pl.fillpad` (Tessel places the result on the source's bytes when
    the source dies there)."""


@builtin("fillpad_expand")
def fillpad_expand(tile, shape, pad_value=PadValue.zero):
    """A larger `shape` tile: `tile`'s valid region at the top left, every
    other element `pad_value`."""


@builtin("expand_clone")
def expand_clone(src, target):
    """Store `src` (a GM tensor of `target`'s rank whose dimensions equal
    `target`'s or are 1) into the GM tensor `target`, repeated along its
    dimensions of size 1; returns `target`."""


@builtin("dim")
def dim(tensor, axis):
    """Same as `pl.tensor.dim`."""


@builtin("get_block_idx")
def get_block_idx():
    """Same as `pl.tile.get_block_idx`."""


def _namespaces():
    @builtin("tile.addc")
    def tile_addc(lhs, rhs, rhs2):
        """Same as `pl.addc`."""

    @builtin("tile.subc")
    def tile_subc(lhs, rhs, rhs2):
        """Same as `pl.subc`."""

    @builtin("tile.addsc")
    def tile_addsc(lhs, rhs, rhs2):
        """Same as `pl.addsc`."""

    @builtin("tile.subsc")
    def tile_subsc(lhs, rhs, rhs2):
        """Same as `pl.subsc`."""

    @builtin("tile.part_add")
    def tile_part_add(src0, src1):
        """Same as `pl.part_add`."""

    @builtin("tile.part_mul")
    def tile_part_mul(src0, src1):
        """Same as `pl.part_mul`."""

    @builtin("tile.part_max")
    def tile_part_max(src0, src1):
        """Same as `pl.part_max`."""

    @builtin("tile.part_min")
    def tile_part_min(src0, src1):
        """Same as `pl.part_min`."""

    @builtin("tile.fillpad_inplace")
    def tile_fillpad_inplace(tile, pad_value=PadValue.zero):
        """Same as `pl.fillpad_inplace`."""

    @builtin("tile.fillpad_expand")
    def tile_fillpad_expand(tile, shape, pad_value=PadValue.zero):
        """Same as `pl.fillpad_expand`."""

    @builtin("tensor.expand_clone")
    def tensor_expand_clone(src, target):
        """Same as `pl.expand_clone`."""

    @builtin("tensor.get_block_idx")
    def tensor_get_block_idx():
        """Same as `pl.tile.get_block_idx`."""
    return {k[5:] if k.startswith("tile_") else k: v
            for k, v in locals().items()}


_NS = _namespaces()
#: `pl.tile.<name>` spellings.
TILE = {k: v for k, v in _NS.items() if not k.startswith("tensor_")}
#: `pl.tensor.<name>` spellings.
TENSOR = {k[7:]: v for k, v in _NS.items() if k.startswith("tensor_")}

ALL_BUILTINS.update({builtin_name(obj): obj for obj in (
    addc, subc, addsc, subsc, part_add, part_mul, part_max, part_min,
    fillpad_inplace, fillpad_expand, expand_clone, dim, get_block_idx,
    *_NS.values())})
