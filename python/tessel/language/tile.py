"""`pl.tile`: tile-level names of the `pl` surface (`pl.tile.MaskPattern`,
`pl.tile.get_block_idx`,
`pl.tile.load`, `store`, `full`, `move`, `create` / `create_tile`)."""

from .ops import tile_create as create  # noqa: F401
from .ops import tile_create_tile as create_tile  # noqa: F401
from .ops import tile_full as full  # noqa: F401
from .ops import tile_load as load  # noqa: F401
from .ops import tile_move as move  # noqa: F401
from .ops import tile_store as store  # noqa: F401
from .ops import lrelu, maximums, minimums, relu, rem, rems  # noqa: F401
from .ops import tile_cmp as cmp  # noqa: F401
from .ops import tile_cmps as cmps  # noqa: F401
from .ops import tile_concat as concat  # noqa: F401
from .ops import tile_get_block_num as get_block_num  # noqa: F401
from .ops import tile_prelu as prelu  # noqa: F401
from .ops import tile_sel as sel  # noqa: F401
from .ops import tile_sels as sels  # noqa: F401
from .ops import tile_transpose as transpose  # noqa: F401
from .ops import tile_transpose_view as transpose_view  # noqa: F401
from .ops import tile_tri as tri  # noqa: F401
from .scalars import tile_read as read  # noqa: F401
from .scalars import tile_write as write  # noqa: F401
from .ops import (gemv, gemv_acc, gemv_bias, matmul, matmul_acc,  # noqa: F401
                  matmul_bias, batch_matmul, batch_matmul_acc)
from .tasks import get_block_idx
from .index_ops import tile_assemble as assemble  # noqa: F401
from .index_ops import tile_gather as gather  # noqa: F401
from .index_ops import tile_mrgsort as mrgsort  # noqa: F401
from .index_ops import tile_scatter as scatter  # noqa: F401
from .index_ops import tile_sort32 as sort32  # noqa: F401
from .validshape import tile_fillpad as fillpad  # noqa: F401
from .validshape import tile_set_validshape as set_validshape  # noqa: F401
from .types import MaskPattern
from .composed import TILE as _COMPOSED
from .gathers import TILE as _GATHERS

_COMPOSED = {**_COMPOSED, **_GATHERS}

globals().update(_COMPOSED)

__all__ = ["MaskPattern", "get_block_idx", "load", "store", "full", "move",
           "create", "create_tile", "fillpad", "set_validshape", "matmul",
           "matmul_acc", "matmul_bias", "batch_matmul", "batch_matmul_acc", "gemv", "gemv_acc", "gemv_bias",
           "relu", "lrelu", "maximums", "minimums", "rem", "rems", "cmp",
           "cmps", "sel", "sels", "prelu", "transpose", "transpose_view",
           "concat", "tri",
           "get_block_num", "gather", "scatter", "sort32", "mrgsort", "read",
           "write", "assemble", *_COMPOSED]


def _add_unsupported():
    from .surface import unsupported_names
    g = globals()
    for name, obj in unsupported_names("tile.").items():
        g.setdefault(name, obj)


_add_unsupported()
