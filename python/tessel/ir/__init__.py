"""`tessel.ir`: the names of PyPTO's `pypto.ir` that run scripts import
(`pass_manager.OptimizationStrategy`). Tessel has one pass pipeline; the
values are accepted and not used."""

from . import pass_manager  # noqa: F401
from .pass_manager import OptimizationStrategy  # noqa: F401

__all__ = ["OptimizationStrategy", "pass_manager"]
