"""`pl.tensor`: tensor-level names of the `pl` surface
(`pl.tensor.dim`, `pl.tensor.gather`, `pl.tensor.scatter`)."""

from .ops import tensor_dim as dim
from .ops import tensor_gather as gather
from .ops import tensor_scatter as scatter
from .scalars import tensor_read as read  # noqa: F401
from .scalars import tensor_write as write  # noqa: F401

__all__ = ["dim", "gather", "scatter", "read", "write"]


def _add_unsupported():
    from .surface import unsupported_names
    g = globals()
    for name, obj in unsupported_names("tensor.").items():
        g.setdefault(name, obj)


_add_unsupported()
