"""`pl.tensor`: tensor-level names of the `pl` surface
(`pl.tensor.dim`, `pl.tensor.gather`, `pl.tensor.scatter`)."""

from .ops import tensor_dim as dim
from .ops import tensor_gather as gather
from .ops import tensor_scatter as scatter
from .ops import tensor_concat as concat
from .ops import tensor_get_block_num as get_block_num
from .ops import tensor_transpose as transpose

__all__ = ["dim", "gather", "scatter", "concat", "get_block_num",
           "transpose"]


def _add_unsupported():
    from .surface import unsupported_names
    g = globals()
    for name, obj in unsupported_names("tensor.").items():
        g.setdefault(name, obj)


_add_unsupported()
