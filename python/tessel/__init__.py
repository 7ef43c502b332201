"""Tessel: an MLIR compiler for Ascend NPU tile kernels.

`tessel.mlir` holds the MLIR Python bindings built by this project (upstream
core and dialects, the ExecutionEngine and the `tile` dialect);
`tessel.targets` the figures of the target chips.
"""

from .errors import CompileError  # noqa: F401

__all__ = ["CompileError"]
