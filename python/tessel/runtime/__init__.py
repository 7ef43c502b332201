"""Running compiled kernels: the CPU simulation (`CpuKernel`)."""

from .cpu import ArgumentError, CpuKernel, clear_cache

__all__ = ["ArgumentError", "CpuKernel", "clear_cache"]
