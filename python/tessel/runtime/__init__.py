"""Running compiled kernels: the CPU simulation (`CpuKernel`) and PyPTO's
`RunConfig` (platform -> target and backend)."""

from .config import RunConfig
from .cpu import ArgumentError, CpuKernel, clear_cache

__all__ = ["ArgumentError", "CpuKernel", "RunConfig", "clear_cache"]
