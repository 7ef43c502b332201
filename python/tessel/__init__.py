"""Tessel: an MLIR compiler for Ascend NPU tile kernels.

- `tessel.language` the authoring surface (PyPTO's `pl`: ``import
  tessel.language as pl``); `@pl.jit` kernels compile from their source
- `tessel.frontend` the AST -> tile IR builder
- `tessel.compiler` the driver: stages, pass pipelines, caches
- `tessel.runtime` the CPU simulation
- `tessel.mlir` the MLIR Python bindings built by this project (upstream
  core and dialects, the ExecutionEngine and the `tile` dialect)
- `tessel.targets` the figures of the target chips
- the `tessel` command (`tessel compile FILE.py::KERNEL --emit tile`)
"""

from .errors import (ArgumentError, BackendUnavailableError,  # noqa: F401
                     CompileError, OutsideKernelError)

__all__ = ["ArgumentError", "BackendUnavailableError", "CompileError",
           "OutsideKernelError"]
