"""`pl.tensor`: tensor-level names of the `pl` surface
(`pl.tensor.gather`, `pl.tensor.scatter`)."""

from .ops import tensor_gather as gather
from .ops import tensor_scatter as scatter

__all__ = ["gather", "scatter"]


def _add_unsupported():
    from .surface import unsupported_names
    g = globals()
    for name, obj in unsupported_names("tensor.").items():
        g.setdefault(name, obj)


_add_unsupported()
