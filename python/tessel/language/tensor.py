"""`pl.tensor`: tensor-level names of the `pl` surface
(`pl.tensor.dim`, `pl.tensor.gather`, `pl.tensor.scatter`)."""

from .ops import tensor_dim as dim
from .broadcast import tensor_arange as arange
from .ops import tensor_gather as gather
from .ops import tensor_scatter as scatter
from .index_ops import tensor_assemble as assemble
from .index_ops import tensor_mrgsort as mrgsort
from .index_ops import tensor_sort32 as sort32
from .ops import tensor_concat as concat
from .ops import tensor_get_block_num as get_block_num
from .ops import tensor_transpose as transpose
from .ops import tensor_create_l1 as create_l1
from .ops import tensor_gather_row as gather_row
from .scalars import tensor_read as read  # noqa: F401
from .validshape import tensor_set_validshape as set_validshape
from .scalars import tensor_write as write  # noqa: F401
from .composed import TENSOR as _COMPOSED
from .gathers import TENSOR as _GATHERS

_COMPOSED = {**_COMPOSED, **_GATHERS}

globals().update(_COMPOSED)

__all__ = ["dim", "arange", "gather", "scatter", "concat", "get_block_num",
           "transpose", "create_l1", "gather_row", "assemble", "sort32", "mrgsort", "read", "write",
           "set_validshape", *_COMPOSED]


def _add_unsupported():
    from .surface import unsupported_names
    g = globals()
    for name, obj in unsupported_names("tensor.").items():
        g.setdefault(name, obj)


_add_unsupported()
