"""Running compiled kernels: the CPU simulation (`CpuKernel`)."""

from .cpu import ArgumentError, CpuKernel, clear_cache
from . import cache

__all__ = ["ArgumentError", "CpuKernel", "cache", "clear_cache"]
