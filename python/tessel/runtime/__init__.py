"""Running compiled kernels: the CPU simulation (`CpuKernel`), PyPTO's
`RunConfig` (platform -> target and backend), and PyPTO's `run` /
`TensorSpec` entry points (runner.py)."""

from .config import RunConfig
from .cpu import ArgumentError, CpuKernel, clear_cache
from .runner import CompiledProgram, TensorSpec, run
from . import cache

__all__ = ["ArgumentError", "CompiledProgram", "CpuKernel", "RunConfig",
           "TensorSpec", "cache", "clear_cache", "run"]
