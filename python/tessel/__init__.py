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


def compile_graph(fn, example_inputs, target: str = "a2a3", name=None):
    """Compile the plain PyTorch function `fn` through the graph path
    (torch.export, tensor-level IR, tile-form-scopes; docs/graph.md) for
    the shapes and dtypes of `example_inputs`. See `tessel.graph`."""
    from .graph import compile_graph as _compile_graph
    return _compile_graph(fn, example_inputs, target=target, name=name)


__all__.append("compile_graph")
