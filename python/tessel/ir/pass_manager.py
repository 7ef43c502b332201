"""PyPTO's `pypto.ir.pass_manager.OptimizationStrategy`, accepted by
`RunConfig(strategy=...)` and not used: Tessel runs one pipeline
(docs/scheduling.md)."""

from __future__ import annotations

import enum


class OptimizationStrategy(enum.Enum):
    """PyPTO's pass strategy; `Default` is its only member."""
    Default = "Default"


__all__ = ["OptimizationStrategy"]
