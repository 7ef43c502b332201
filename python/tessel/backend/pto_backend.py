"""PyPTO's `pypto.backend.pto_backend` names that scripts catch:
`PartialCodegenError`, raised when a kernel cannot be generated whole. In
Tessel every such failure is a `tessel.CompileError` at the author's line,
so the name is that class (an `except PartialCodegenError` catches it)."""

from __future__ import annotations

from ..errors import CompileError

PartialCodegenError = CompileError

__all__ = ["PartialCodegenError"]
