"""PyPTO's `pypto.backend.BackendType` and `set_backend_type`, for scripts
that pass it to `RunConfig(backend_type=...)` or set it before compiling:
Tessel picks the chip from the RunConfig's `platform` (a2a3 / a5), so the
value is accepted and recorded (`get_backend_type`), not used."""

from __future__ import annotations

import enum


class BackendType(enum.Enum):
    """The NPU generation PyPTO's code generator targets: Ascend910B (a2a3)
    or Ascend950 (a5)."""
    Ascend910B = "a2a3"
    Ascend950 = "a5"


_current: BackendType | None = None


def set_backend_type(backend_type: BackendType) -> None:
    """Records PyPTO's process-wide code-generation target (a BackendType);
    Tessel's kernels take the chip from `RunConfig(platform=...)`."""
    global _current
    if not isinstance(backend_type, BackendType):
        raise TypeError(f"set_backend_type takes a tessel.backend."
                        f"BackendType, got {backend_type!r}")
    _current = backend_type


def get_backend_type() -> BackendType | None:
    """What `set_backend_type` recorded (None before any call)."""
    return _current


__all__ = ["BackendType", "get_backend_type", "set_backend_type"]
