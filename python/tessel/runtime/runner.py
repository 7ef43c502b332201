"""PyPTO's run entry points, as Tessel runs them: `run(program, *tensors,
config=RunConfig(...))` and `TensorSpec`, so that a PyPTO script's
`from pypto.runtime import RunConfig, run, TensorSpec` becomes
`from tessel.runtime import ...` and nothing else changes.

`run` compiles the program for the config's platform when it is first
called with tensors (Tessel compiles per call signature and caches) and
runs it; it returns a callable that runs the program again on new tensors
(PyPTO's compiled program). Called without tensors it only returns that
callable: Tessel compiles at the first call, where the shapes are known."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from ..errors import ArgumentError
from .config import RunConfig


class CompiledProgram:
    """`program` bound to a run configuration: calling it runs the program
    on the tensors given (the pure outputs may be left out: the call
    allocates and returns them) and returns what the program returns."""

    def __init__(self, program, config: RunConfig | None):
        if not callable(program):
            raise ArgumentError(f"run(): expected a @pl.program class or a "
                                f"@pl.jit kernel, got {type(program).__name__}")
        self.program = program
        self.config = config

    def __call__(self, *tensors, config: RunConfig | None = None):
        return self.program(*tensors, config=config or self.config)

    def __repr__(self) -> str:
        return f"<compiled {getattr(self.program, '__name__', self.program)}>"


def run(program, *tensors, config: RunConfig | None = None
        ) -> CompiledProgram:
    """Runs `program` (a `@pl.program` class or a `@pl.jit` kernel) on
    `tensors` with `config` (default: `RunConfig()`, the CPU simulation of
    a2a3) and returns it as a callable for further runs; without tensors it
    runs nothing."""
    compiled = CompiledProgram(program, config or RunConfig())
    if tensors:
        compiled(*tensors)
    return compiled


@dataclass
class TensorSpec:
    """A tensor to create for a run: `name`, `shape`, torch `dtype`, how to
    fill it (`init_value`: None for zeros, a number, a tensor, a torch
    factory such as `torch.randn` called with the shape and dtype, or a
    no-argument callable), and whether it is an output (`is_output`)."""
    name: str
    shape: list
    dtype: Any
    init_value: Any = field(default=None)
    is_output: bool = False

    def create_tensor(self):
        import torch
        v = self.init_value
        if v is None:
            return torch.zeros(self.shape, dtype=self.dtype)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            if isinstance(v, torch.Tensor):
                if list(v.shape) != list(self.shape):
                    raise ArgumentError(
                        f"TensorSpec '{self.name}': init_value has shape "
                        f"{list(v.shape)}, expected {list(self.shape)}")
                return v.to(dtype=self.dtype)
            if v in (torch.randn, torch.rand, torch.zeros, torch.ones):
                return v(self.shape, dtype=self.dtype)
            if callable(v):
                return torch.as_tensor(v(), dtype=self.dtype)
            raise ArgumentError(f"TensorSpec '{self.name}': init_value must "
                                f"be None, a number, a tensor or a callable, "
                                f"got {type(v).__name__}")
        return torch.full(self.shape, v, dtype=self.dtype)


__all__ = ["CompiledProgram", "TensorSpec", "run"]
