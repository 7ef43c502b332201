"""PyPTO's `pypto.backend.BackendType`, for scripts that pass it to
`RunConfig(backend_type=...)`: Tessel picks the chip from the RunConfig's
`platform` (a2a3 / a5), so the value is accepted and not used."""

from __future__ import annotations

import enum


class BackendType(enum.Enum):
    """The NPU generation PyPTO's code generator targets: Ascend910B (a2a3)
    or Ascend950 (a5)."""
    Ascend910B = "a2a3"
    Ascend950 = "a5"


__all__ = ["BackendType"]
