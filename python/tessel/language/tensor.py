"""`pl.tensor`: tensor-level names of the `pl` surface
(`pl.tensor.gather`, `pl.tensor.scatter`)."""

from .ops import tensor_gather as gather
from .ops import tensor_scatter as scatter

__all__ = ["gather", "scatter"]
