"""Kernel objects: what `@pl.jit` and `@pl.jit.inline` return.

A `JitKernel` compiles its function lazily and caches the result per
(target, stage), and the CPU executable per (target, argument signature).
Errors cross this boundary as `tessel.CompileError` with the frontend's
internal traceback removed: the author sees their own line, not ours.
"""

from __future__ import annotations

import functools
import types

from ..errors import (ArgumentError, BackendUnavailableError, CompileError,
                      OutsideKernelError)
from ..frontend.errors import make_error
from . import driver
from ..frontend.source import remember_enclosing


def _author_facing(method):
    """Re-raise CompileError without the compiler's frames."""

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except CompileError as e:
            raise e.with_traceback(None) from None

    return wrapper


class Param:
    """A kernel parameter as its annotation declares it."""
    __slots__ = ("name", "shape", "dtype", "direction")

    def __init__(self, name, shape, dtype, direction):
        self.name = name
        # None for a shapeless `pl.Tensor` (specialised at call time).
        self.shape = None if shape is None else tuple(shape)
        self.dtype = dtype
        # "in", "out", "inout" or "scalar" (a pl.Scalar parameter, passed
        # as a one-element tensor).
        self.direction = direction

    @property
    def is_output(self) -> bool:
        return self.direction in ("out", "inout")

    @property
    def shapeless(self) -> bool:
        return self.shape is None

    @property
    def dynamic(self) -> bool:
        """Whether a dimension of the annotation is a pl.dynamic DynVar."""
        from ..language.types import DynVar
        return self.shape is not None and any(isinstance(d, DynVar)
                                              for d in self.shape)

    @property
    def call_time(self) -> bool:
        """Whether the call's tensor decides (part of) the shape."""
        return self.shapeless or self.dynamic

    def __repr__(self) -> str:
        shape = None if self.shape is None else list(self.shape)
        return (f"Param({self.name!r}, {shape}, {self.dtype!r}, "
                f"{self.direction!r})")


def scalar_tensors(kernel_name: str, params, args) -> tuple:
    """`args` with each `pl.Scalar` parameter's number (or one-element
    tensor) as a one-element tensor of its dtype; an ArgumentError naming
    the parameter for anything else."""
    import torch
    out = list(args)
    for i, (a, p) in enumerate(zip(args, params)):
        if p.direction != "scalar":
            continue
        if isinstance(a, torch.Tensor) and a.numel() == 1:
            a = a.reshape(()).item()
        ok = isinstance(a, (int, float)) and not isinstance(a, bool)
        if ok and p.dtype.is_int and not float(a).is_integer():
            ok = False
        if not ok:
            raise ArgumentError(
                f"{kernel_name}(): argument '{p.name}' is a "
                f"pl.Scalar[pl.{p.dtype.name}] and takes a number, got "
                f"{type(a).__name__} {a!r}")
        if p.dtype.is_int:
            a = int(a)
            bits = p.dtype.bits
            if not -2 ** (bits - 1) <= a < 2 ** (bits - 1):
                raise ArgumentError(
                    f"{kernel_name}(): argument '{p.name}' = {a} does not "
                    f"fit pl.{p.dtype.name}")
        out[i] = torch.tensor([a], dtype=p.dtype.torch_dtype())
    return tuple(out)


#: The ways to run a kernel on this machine: the LLVM CPU simulation, or the
#: emitted PTO-ISA source on the strict reference (docs/pto.md).
BACKENDS = ("cpu", "pto")


class JitKernel:
    """A `@pl.jit` kernel.

    - `kernel.ir(target="a2a3", stage="tile")` the IR text of a stage
    - `kernel.module(target, stage)` the `Compiled` module (cached)
    - `kernel.signature` the parameters (`Param`) from the annotations
    - `kernel.compile(*tensors, target=...)` prepare the CPU executable
      (a callable taking the tensors)
    - `kernel(*tensors, target=..., backend=..., config=RunConfig(...))`
      run on the CPU simulation
      (`backend="cpu"`) or as emitted PTO-ISA C++ on the strict reference
      (`"pto"`; default `@pl.jit(backend=...)`, else `$TESSEL_BACKEND`,
      else "cpu"); outputs (`pl.Out` parameters) are written in place
    - `kernel.pto(target)` the emitted source and synchronised IR

    Parameters annotated `pl.Tensor` / `pl.Out[pl.Tensor]` without a shape
    take the shape and dtype of the tensors of the call: the kernel is
    specialised and cached per signature (a second call with the same
    shapes and dtypes reuses it); `ir()`, `module()` and `pto()` use the
    last call's (or `compile(*tensors)`'s) tensors.
    """

    def __init__(self, fn, *, target: str = driver.DEFAULT_TARGET,
                 backend: str | None = None, block_order: str | None = None):
        functools.update_wrapper(self, fn)
        self.fn = fn
        remember_enclosing(fn)
        self.default_target = target
        self.default_backend = backend
        # The order the CPU simulation runs spmd blocks in (a dynamic race
        # test, docs/races.md); None: env TESSEL_BLOCK_ORDER, else forward.
        self.block_order = block_order
        self._modules: dict = {}
        self._executables: dict = {}
        # Lookups of the executable cache: {"hits": n, "misses": n}.
        self.cache_counts = {"hits": 0, "misses": 0}
        # The compile-time reads (Compiled.reads) the caches rely on.
        self._reads: list = []
        self._signature = None
        self._dyn_uses = None
        # The shapes and dtypes of the shapeless parameters at the last
        # call (see bind_key).
        self._last_bind = None
        # The kernel cache's source index entry (tessel.runtime.
        # source_index), looked up once: False until then.
        self._index_entry = False
        # pl.Scalar parameters used at function level: the kernel is
        # specialised on their values (found at the first compile).
        self._spec_scalars: set = set()

    @property
    def name(self) -> str:
        """The kernel function's name (PyPTO's `Function.name`)."""
        return self.fn.__name__

    def __repr__(self) -> str:
        return f"<pl.jit kernel {self.fn.__qualname__}>"

    # -- introspection -------------------------------------------------

    @property
    @_author_facing
    def signature(self) -> list[Param]:
        if self._signature is None:
            entry = self._source_entry()
            if entry is not None and "signature" in entry:
                # Checked against the values the kernel read: no frontend.
                from ..language.types import _dtype_by_name
                self._signature = [
                    Param(name, None if shape is None else tuple(shape),
                          None if dtype is None else _dtype_by_name(dtype),
                          direction)
                    for name, shape, dtype, direction in entry["signature"]]
                self._dyn_uses = []
                return self._signature
            from ..frontend import kernel_signature
            self._signature = [Param(name, spec.shape, spec.dtype, direction)
                               for name, spec, _, direction in
                               kernel_signature(self.fn)]
        return self._signature

    def _source_entry(self) -> dict | None:
        """The kernel cache's source index entry of this kernel (its reads
        checked), looked up once per process (tessel.runtime.source_index)."""
        if self._index_entry is False:
            from ..runtime import source_index
            self._index_entry = source_index.lookup(self.fn)
        return self._index_entry

    @property
    @_author_facing
    def dynamic_uses(self) -> list:
        """[(param, dim, DynVar)]: where each pl.dynamic dimension is bound
        (annotations, then top-level `x.bind_dynamic(i, T)` statements)."""
        if self._dyn_uses is None:
            from ..frontend import kernel_dynamic_uses
            self._dyn_uses = kernel_dynamic_uses(self.fn)
        return self._dyn_uses

    def bind_key(self, args) -> tuple:
        """((name, shape, dtype), ...) of the parameters whose shape the
        call decides (shapeless, or with pl.dynamic dims) for the (checked)
        tensors `args`: what a specialisation depends on."""
        from ..language.types import dtype_from_torch
        key = tuple((p.name, tuple(t.shape), dtype_from_torch(t.dtype))
                    for p, t in zip(self.signature, args)
                    if p.call_time and p.direction != "scalar")
        # pl.Scalar parameters the kernel uses at function level: their
        # values (frontend/scalars.py NeedsScalarValue).
        key += tuple((p.name, "scalar", t.reshape(()).item())
                     for p, t in zip(self.signature, args)
                     if p.name in self._spec_scalars)
        # Elements of input tensors read at function level where a
        # compile-time integer is needed (frontend/scalars.py
        # need_compile_time): (parameter, flat index) -> the value.
        by_name = {p.name: t for p, t in zip(self.signature, args)}
        return key + tuple(
            (k, "element", int(by_name[k[0]].reshape(-1)[k[1]].item()))
            for k in sorted(k for k in self._spec_scalars
                            if isinstance(k, tuple)))

    def cache_info(self) -> dict:
        """The executable cache's counters: hits, misses (= compiles) and
        the number of cached specialisations."""
        return dict(self.cache_counts, entries=len(self._executables))

    @staticmethod
    def _bind_dict(bind_key) -> dict | None:
        return {name: (shape, dtype) for name, shape, dtype in bind_key} \
            if bind_key else None

    @_author_facing
    def module(self, target: str | None = None,
               stage: str = "tile", bind_key: tuple | None = None
               ) -> driver.Compiled:
        """The kernel compiled to `stage` for `target` (cached); shapeless
        parameters take the shapes of `bind_key`, else of the last call."""
        target = target or self.default_target
        self._drop_stale()
        if bind_key is None:
            bind_key = self._last_bind or ()
        key = (target, stage, bind_key)
        compiled = self._modules.get(key)
        if compiled is None:
            from ..frontend.scalars import NeedsScalarValue
            try:
                compiled = driver.compile_kernel(
                    self.fn, target, stage, bind=self._bind_dict(bind_key))
            except NeedsScalarValue as e:
                e.error.scalar_param = e.name
                raise e.error from None
            self._modules[key] = compiled
            self._reads.append(compiled.reads)
        return compiled

    @_author_facing
    def lower(self, *args, target: str | None = None,
              stage: str | None = None) -> driver.Compiled:
        """PyPTO's `kernel.lower(*args)`: the kernel specialised on the
        call's arguments (shapeless and `pl.dynamic` parameters, `pl.Scalar`
        values used at function level) and taken through the passes without
        building anything to run: the scheduled, placed program (`stage`:
        any of `tessel stages`). `.text()` is its IR; `kernel.compile(*args)`
        or a call runs it."""
        from .stages import scheduled_stage
        target = target or self.default_target
        driver.check_target(target)
        self._drop_stale()
        args = self.scalar_args(args) if args else args
        while True:     # each round specialises one more pl.Scalar
            if args:
                self.check_args(args)
                self._last_bind = self.bind_key(args) or None
            try:
                return self.module(target, stage or scheduled_stage())
            except CompileError as e:
                name = getattr(e, "scalar_param", None)
                if not args or name is None or name in self._spec_scalars:
                    raise
                self._spec_scalars.add(name)

    def _drop_stale(self):
        """Forgets every compiled module and executable when a global,
        closure variable or attribute the kernel read at compile time has
        changed since (`SCALE = 3.0` after a call compiled with 2.0): the
        next use compiles again with the new values."""
        if any(driver.stale_reads(r) for r in self._reads):
            self._modules.clear()
            self._executables.clear()
            self._reads.clear()
            self._signature = None
            self._dyn_uses = None
            self._index_entry = False

    def ir(self, target: str | None = None, stage: str = "tile",
           debug_info: bool = False) -> str:
        """The IR text of the kernel at `stage` (default: the tile IR).

        Shapes come from the annotations, so no arguments are needed;
        `debug_info=True` prints each op's source location.
        """
        return self.module(target, stage).text(debug_info)

    def schedule_stats(self, target: str | None = None,
                       stage: str | None = None) -> dict:
        """Static schedule statistics (tessel.compiler.stats) of the kernel
        at `stage` (default: the last stage before the CPU lowering)."""
        from .stats import schedule_stats
        from .stages import scheduled_stage
        return schedule_stats(self.module(target, stage or scheduled_stage()).module)

    def schedule_model(self, target: str | None = None) -> dict:
        """The modelled NPU time of the scheduled, placed kernel
        (tessel.compiler.stats.schedule_model, docs/perf-model.md)."""
        from .stats import schedule_model
        from .stages import scheduled_stage
        target = target or self.default_target
        return schedule_model(self.module(target, scheduled_stage()).module,
                              target)

    # -- running ---------------------------------------------------------

    def with_outputs(self, args) -> tuple:
        """PyPTO's call without the pure outputs (`compiled(*inputs)`):
        when `args` has one tensor per parameter that is not a `pl.Out`,
        each `pl.Out` parameter of static shape gets a new zero tensor (the
        kernel returns it, as its `return` says). Anything else unchanged."""
        params = self.signature
        outs = [p for p in params if p.direction == "out"]
        if not outs or len(args) != len(params) - len(outs) or \
                any(p.shapeless or p.dynamic for p in outs):
            return args
        import torch
        given = iter(args)
        return tuple(torch.zeros(p.shape, dtype=p.dtype.torch_dtype())
                     if p.direction == "out" else next(given)
                     for p in params)

    def scalar_args(self, args) -> tuple:
        """`args` with the value of each `pl.Scalar` parameter (a Python
        number, or a one-element tensor) as the one-element tensor the
        kernel reads it from (frontend/scalars.py): the value is a run-time
        argument, so a new value does not recompile the kernel."""
        params = self.signature
        if not any(p.direction == "scalar" for p in params) or \
                len(args) != len(params):
            return args
        return scalar_tensors(self.__name__, params, args)

    def check_args(self, args) -> tuple:
        """Check tensors against the annotations; the error names the
        parameter. Returns the signature key of the arguments."""
        import torch
        params = self.signature
        if len(args) != len(params):
            names = ", ".join(p.name for p in params)
            raise ArgumentError(f"{self.__name__}() takes {len(params)} "
                                f"tensors ({names}), got {len(args)}")
        key = []
        for t, p in zip(args, params):
            want = ("a supported dtype" if p.shapeless else
                    f"{list(p.shape)} {p.dtype.name}")
            dims = p.shape if p.dynamic else None
            if not isinstance(t, torch.Tensor):
                raise ArgumentError(f"{self.__name__}(): argument '{p.name}' "
                                    f"must be a torch.Tensor of {want}, got "
                                    f"{type(t).__name__}")
            if p.shapeless:
                self._check_shapeless(p, t)
            elif dims is not None and (
                    t.dim() != len(dims) or
                    any(isinstance(d, int) and d != s
                        for d, s in zip(dims, t.shape))):
                raise ArgumentError(f"{self.__name__}(): argument '{p.name}' "
                                    f"has shape {list(t.shape)}, expected "
                                    f"{list(p.shape)}")
            elif dims is None and tuple(t.shape) != p.shape:
                raise ArgumentError(f"{self.__name__}(): argument '{p.name}' "
                                    f"has shape {list(t.shape)}, expected "
                                    f"{list(p.shape)}")
            elif t.dtype != p.dtype.torch_dtype():
                raise ArgumentError(f"{self.__name__}(): argument '{p.name}' "
                                    f"has dtype {t.dtype}, expected "
                                    f"{p.dtype.torch_dtype()} ({p.dtype!r})")
            if t.device.type != "cpu":
                raise ArgumentError(f"{self.__name__}(): argument '{p.name}' "
                                    f"is on {t.device}; the CPU simulation "
                                    f"takes CPU tensors")
            if not t.is_contiguous():
                raise ArgumentError(f"{self.__name__}(): argument '{p.name}' "
                                    f"is not contiguous; pass "
                                    f"{p.name}.contiguous()")
            if p.is_output and t.requires_grad and torch.is_grad_enabled():
                # torch refuses in-place writes to a leaf that requires
                # grad; a non-leaf would silently lose its gradient.
                what = ("a leaf tensor that requires grad" if t.is_leaf
                        else "a tensor that requires grad")
                raise ArgumentError(
                    f"{self.__name__}(): output '{p.name}' is {what}; the "
                    f"kernel writes it in place, which torch refuses for "
                    f"such tensors (and autograd cannot see the write); pass "
                    f"{p.name}.detach() or call under torch.no_grad()")
            key.append((tuple(t.shape), t.dtype))
        self.check_dynamic_dims(args)
        self.check_aliasing(args)
        return tuple(key)

    def check_dynamic_dims(self, args) -> None:
        """Every use of a pl.dynamic dimension sees the same extent in the
        call's tensors; otherwise an ArgumentError naming both uses."""
        uses = self.dynamic_uses
        if not uses:
            return
        from ..frontend import dynamic
        shapes = {p.name: tuple(t.shape) for p, t in zip(self.signature,
                                                         args)}
        try:
            dynamic.bind_dims(uses, shapes)
        except (dynamic.DimMismatch, dynamic.DimOutOfRange) as e:
            raise ArgumentError(f"{self.__name__}(): {e}") from None

    def _check_shapeless(self, p: Param, t) -> None:
        """A tensor for a shapeless parameter: a dtype and rank the
        frontend takes."""
        from ..language.types import SUPPORTED_DTYPES, dtype_from_torch
        dtype = dtype_from_torch(t.dtype)
        if dtype is None or not dtype.supported:
            names = ", ".join(str(d.torch_dtype()) for d in SUPPORTED_DTYPES)
            raise ArgumentError(f"{self.__name__}(): argument '{p.name}' has "
                                f"dtype {t.dtype}; kernels take {names}")
        if t.dim() == 0 or 0 in t.shape:
            raise ArgumentError(f"{self.__name__}(): argument '{p.name}' has "
                                f"shape {list(t.shape)}; a kernel tensor has "
                                f"at least one dimension and no empty one")

    def check_aliasing(self, args) -> None:
        """Two arguments whose bytes overlap, one of them written by the
        kernel (pl.Out / pl.InOut), are an error before anything runs: the
        kernel assumes distinct parameters never alias (docs/races.md). A
        tensor the kernel both reads and writes is one pl.InOut parameter."""
        params = self.signature
        spans = []
        for t, p in zip(args, params):
            start = t.data_ptr()
            spans.append((start, start + t.numel() * t.element_size()))
        for i in range(len(params)):
            for j in range(i + 1, len(params)):
                p, q = params[i], params[j]
                if not (p.is_output or q.is_output):
                    continue
                (a0, a1), (b0, b1) = spans[i], spans[j]
                if a0 >= b1 or b0 >= a1 or a0 == a1 or b0 == b1:
                    continue
                what = ("the same memory" if (a0, a1) == (b0, b1)
                        else "overlapping memory")
                kinds = " and ".join(f"'{x.name}' ({x.direction})"
                                     for x in (p, q))
                raise ArgumentError(
                    f"{self.__name__}(): arguments {kinds} are {what} "
                    f"(bytes {max(a0, b0) - a0}..{min(a1, b1) - a0} of "
                    f"'{p.name}'), and the kernel writes "
                    f"{'both' if p.is_output and q.is_output else 'one'}: "
                    f"outputs must not alias other arguments; pass distinct "
                    f"tensors, or declare one pl.InOut[...] parameter for a "
                    f"tensor the kernel reads and writes")

    def _from_config(self, config, target, backend):
        """(target, backend) from a `tessel.runtime.RunConfig`'s platform;
        explicit `target=` / `backend=` win."""
        if config is None:
            return target, backend
        from ..runtime.config import RunConfig
        if not isinstance(config, RunConfig):
            raise ArgumentError(f"{self.__name__}(): config= takes a "
                                f"tessel.runtime.RunConfig, got "
                                f"{type(config).__name__}")
        return target or config.target, backend or config.backend

    @_author_facing
    def compile(self, *args, target: str | None = None, config=None):
        """Compile for the CPU simulation (once per signature and target)
        and return the executable; `args`, when given, are checked first.
        `config=RunConfig(platform=...)` gives the target (its backend is
        the executable's caller's choice: this is the CPU one)."""
        target, _ = self._from_config(config, target, None)
        target = target or self.default_target
        driver.check_target(target)
        self._drop_stale()
        if args:
            args = self.scalar_args(args)
            sig_key = self.check_args(args)
            bind_key = self.bind_key(args)
            self._last_bind = bind_key or None
        else:
            bind_key = self._last_bind or ()
            sig_key = bind_key + tuple((p.shape, p.dtype.torch_dtype())
                                       for p in self.signature
                                       if not p.call_time)
        import os
        order = self.block_order or os.environ.get("TESSEL_BLOCK_ORDER") or \
            "forward"
        # The values of specialised pl.Scalar parameters (bind_key) too.
        key = (target, sig_key, order,
               tuple(b for b in bind_key if b[1] in ("scalar", "element")))
        exe = self._executables.get(key)
        self.cache_counts["hits" if exe is not None else "misses"] += 1
        if exe is None:
            exe = self._from_source_index(target, order, bind_key, key)
        if exe is None:
            try:
                from ..runtime import CpuKernel
            except ImportError as e:
                raise BackendUnavailableError(
                    f"cannot run '{self.__name__}': the CPU simulation "
                    f"backend (tessel.runtime) is not available in this build "
                    f"({e})") from None
            from .stages import get_stage
            reason = driver.stage_unavailable_reason(get_stage("llvm"))
            if reason is not None:
                raise BackendUnavailableError(
                    f"cannot run '{self.__name__}': the CPU simulation's "
                    f"lowering is not registered in this build ({reason})")
            from .stages import scheduled_stage
            # The frontend's tile IR holds the source (locations), the
            # signature and every value the kernel read: with the target,
            # block order and the pipelines, it keys the disk cache, so a
            # hit skips verification, scheduling, lowering and the JIT.
            built = self._build_specialising(target, bind_key, args)
            if built is None:
                # Specialised on a scalar now: the key changed (this lookup
                # was not a compile).
                self.cache_counts["misses"] -= 1
                return self.compile(*args, target=target)
            self._note_written(built.info.get("written_inputs", ()), args)
            params = self.signature
            names = [p.name for p in params]
            outputs = tuple(i for i, p in enumerate(params) if p.is_output)
            disk_key = self._disk_key(built, order)
            exe = CpuKernel.cached(disk_key, self.fn.__name__, names, outputs)
            if exe is not None:
                self._reads.append(built.info["reads"])
                exe.kernel_returns = built.info["returns"]
                self._executables[key] = exe
                self._index(built, target, order, bind_key, disk_key)
                if any(p.direction == "scalar" for p in self.signature):
                    exe.arg_converter = self.scalar_args
                return exe
            # The scheduled, placed program: the backend lowers it in place.
            compiled = driver.finish(built, scheduled_stage(),
                                     block_order=order)
            self._reads.append(compiled.reads)
            try:
                exe = CpuKernel(compiled.module, self.fn.__name__,
                                arg_names=names, output_indices=outputs,
                                # Permuted before scheduling already.
                                block_order="forward", cache_key=disk_key)
            except CompileError as e:
                if not e.filename:
                    raise
                # Show the lowering's diagnostic like the frontend's own.
                raise make_error(e.brief, e.filename, e.line, e.col,
                                 help="reported by the CPU simulation's "
                                      "lowering (tile-cpu-pipeline)") from None
            exe.kernel_returns = compiled.returns
            self._executables[key] = exe
            self._index(built, target, order, bind_key, disk_key)
        if any(p.direction == "scalar" for p in self.signature):
            exe.arg_converter = self.scalar_args
        return exe

    def _note_written(self, names, args) -> None:
        """Plain pl.Tensor parameters the kernel writes are in-out (the
        frontend's remark says so): the signature says "inout" from now on
        (aliasing checks, the source index), and this call's arguments are
        checked again."""
        changed = False
        for p in self.signature:
            if p.name in names and p.direction == "in":
                p.direction = "inout"
                changed = True
        if changed and args:
            self.check_aliasing(args)

    def _from_source_index(self, target, order, bind_key, key):
        """The executable from the kernel cache through the source index,
        without the frontend or the MLIR libraries, or None."""
        entry = self._source_entry()
        if entry is None:
            return None
        from ..runtime import source_index
        disk_key = entry["kernels"].get(
            source_index.kernel_slot(target, order, bind_key))
        if not isinstance(disk_key, str):
            return None
        from ..runtime import CpuKernel
        params = self.signature
        exe = CpuKernel.cached(disk_key, self.fn.__name__,
                               [p.name for p in params],
                               tuple(i for i, p in enumerate(params)
                                     if p.is_output))
        if exe is None:
            return None
        exe.kernel_returns = source_index.decode_returns(entry.get("returns"))
        # The same staleness check as a frontend build's reads.
        from ..frontend.fingerprint import fingerprint
        fn = self.fn
        reads = {}
        for i, (path, _) in enumerate(entry["checks"]):
            def reread(path=path):
                return source_index.resolve(path, fn)
            reads[("source-index", i)] = (reread, fingerprint(reread()))
        self._reads.append(reads)
        self._executables[key] = exe
        return exe

    def _index(self, built, target, order, bind_key, disk_key) -> None:
        """Records the kernel in the source index when every read, the
        signature and what it returns can be written down. Not a kernel
        with pl.Scalar parameters: its calls convert them, and one used at
        function level specialises it on the value."""
        if any(p.direction == "scalar" for p in self.signature):
            return
        from ..runtime import source_index
        checks = source_index.describe_reads(
            self.fn, built.info.get("read_values", {}))
        if checks is None:
            return
        signature = []
        for p in self.signature:
            if p.shape is not None and not all(isinstance(d, int)
                                               for d in p.shape):
                return
            signature.append([p.name,
                              None if p.shape is None else list(p.shape),
                              None if p.dtype is None else p.dtype.name,
                              p.direction])
        if self.dynamic_uses:
            return
        source_index.store(self.fn, checks, signature,
                           source_index.encode_returns(built.info["returns"]),
                           source_index.kernel_slot(target, order, bind_key),
                           disk_key)

    def _build_specialising(self, target, bind_key, args):
        """driver.build; None when the frontend found a pl.Scalar parameter
        used at function level (it is then specialised on its value: the
        caller computes the key again). Without the call's arguments that
        is the frontend's CompileError."""
        from ..frontend.scalars import NeedsScalarValue
        try:
            return driver.build(self.fn, target, self._bind_dict(bind_key))
        except NeedsScalarValue as e:
            if not args or e.name in self._spec_scalars:
                raise e.error from None
            self._spec_scalars.add(e.name)
            return None

    @staticmethod
    def _disk_key(built, order: str) -> str:
        """The kernel cache key of a frontend build (tessel.runtime.cache)."""
        from ..runtime import cache
        from ..runtime.cpu import DEFAULT_OPT_LEVEL
        from .stages import scheduled_stage, stages_through
        pipelines = [s.pipeline for s in stages_through(scheduled_stage())]
        text = built.module.operation.get_asm(enable_debug_info=True)
        return cache.make_key("JitKernel", text, built.fn.__name__,
                              built.target, order, *pipelines,
                              driver.CHECK_PIPELINE, f"O{DEFAULT_OPT_LEVEL}",
                              "threads=1", "tile-cpu-pipeline")

    def resolve_backend(self, backend: str | None = None) -> str:
        """The backend a call uses: the keyword, else the kernel's
        `@pl.jit(backend=...)`, else `$TESSEL_BACKEND`, else "cpu"."""
        import os
        backend = (backend or self.default_backend
                   or os.environ.get("TESSEL_BACKEND") or "cpu")
        if backend not in BACKENDS:
            raise ArgumentError(f"unknown backend '{backend}'; expected one "
                                f"of {', '.join(BACKENDS)}")
        return backend

    @_author_facing
    def pto(self, target: str | None = None, bind_key: tuple | None = None):
        """The kernel through the PTO back end (`tessel.runtime.pto.Emitted`:
        the Ascend C source on PTO-ISA and the synchronised IR; cached)."""
        target = target or self.default_target
        driver.check_target(target)
        if bind_key is None:
            bind_key = self._last_bind or ()
        key = ("pto", target, bind_key)
        if key not in self._modules:
            from ..frontend.scalars import NeedsScalarValue
            from ..runtime import pto
            try:
                self._modules[key] = pto.emit(self.fn, target,
                                              self._bind_dict(bind_key))
            except NeedsScalarValue as e:
                # __call__ specialises on the call's value and retries.
                e.error.scalar_param = e.name
                raise e.error from None
        return self._modules[key]

    @_author_facing
    def compile_pto(self, target: str | None = None,
                    bind_key: tuple | None = None):
        """The emitted kernel built on the reference (`PtoKernel`, cached)."""
        target = target or self.default_target
        if bind_key is None:
            bind_key = self._last_bind or ()
        key = ("pto-exe", target, bind_key)
        exe = self._executables.get(key)
        if exe is None:
            from ..runtime import pto
            exe = pto.PtoKernel(self.pto(target, bind_key))
            self._executables[key] = exe
        return exe

    def __call__(self, *args, target: str | None = None,
                 backend: str | None = None, config=None):
        """Runs the kernel; returns what its `return` names (an output
        tensor, a tuple of them, or None), as PyPTO does. `config`, a
        `tessel.runtime.RunConfig`, gives the target and backend from its
        platform (explicit `target=` / `backend=` win)."""
        target, backend = self._from_config(config, target, backend)
        # Before the arguments are checked: a changed global may change
        # the signature too (a shape from a module constant).
        self._drop_stale()
        args = self.scalar_args(self.with_outputs(args))
        self.check_args(args)
        bind_key = self.bind_key(args)
        self._last_bind = bind_key or None
        if self.resolve_backend(backend) == "pto":
            try:
                exe = self.compile_pto(target, bind_key)
            except CompileError as e:
                # A pl.Scalar parameter used at function level: specialise
                # on the call's value (as compile() does) and retry.
                name = getattr(e, "scalar_param", None)
                if name is None or name in self._spec_scalars:
                    raise
                self._spec_scalars.add(name)
                bind_key = self.bind_key(args)
                self._last_bind = bind_key or None
                exe = self.compile_pto(target, bind_key)
            exe(*args)
            exe.kernel_returns = exe.emitted.returns
        else:
            exe = self.compile(*args, target=target)
            exe(*args)
        by_name = {p.name: t for p, t in zip(self.signature, args)}

        def out(ret):
            name, shape = ret
            t = by_name[name]
            return t if tuple(t.shape) == shape else t.view(shape)

        returns = getattr(exe, "kernel_returns", None)
        if returns is None:
            return None
        if not returns or isinstance(returns[0], tuple):
            return tuple(out(r) for r in returns)
        return out(returns)


class InlineFunction:
    """A `@pl.jit.inline` helper: its body is inlined where a kernel calls it."""

    #: the @pl.program whose method this is (its `self`), or None
    bound_self = None

    def __init__(self, fn):
        functools.update_wrapper(self, fn)
        self.fn = fn
        remember_enclosing(fn)

    @property
    def name(self) -> str:
        return self.fn.__name__

    def __repr__(self) -> str:
        return f"<pl.jit.inline helper {self.fn.__qualname__}>"

    def __call__(self, *args, **kwargs):
        raise OutsideKernelError(
            f"'{self.fn.__name__}' is a @pl.jit.inline helper: it can only be "
            f"called from a @pl.jit kernel (its body is inlined there)")


class OpaqueFunction(InlineFunction):
    """PyPTO's Opaque function (`@pl.jit.opaque`, `@pl.function` without a
    type, `pl.FunctionType.Opaque`): it takes its kind from its use. A
    kernel that calls it gets its body spliced at the call (orchestration
    loops and `pl.at` scopes included), as an inline helper; called from
    Python it is an entry point (a `JitKernel` of the same function:
    `ir()`, `compile()`, `pto()`, ... are that kernel's)."""

    def __init__(self, fn, program=None):
        super().__init__(fn)
        self.bound_self = program
        self._entry = None

    def __repr__(self) -> str:
        return f"<pl.jit.opaque function {self.fn.__qualname__}>"

    @property
    def entry(self) -> "JitKernel":
        """The function as an entry point (made at the first use)."""
        if self._entry is None:
            fn = self.fn
            if self.bound_self is not None:
                # Its `self` is the program (frontend/source.py); on a copy
                # of the function, since the spliced body keeps `self` as
                # a parameter (bound at each call, frontend/calls.py).
                fn = types.FunctionType(fn.__code__, fn.__globals__,
                                        fn.__name__, fn.__defaults__,
                                        fn.__closure__)
                functools.update_wrapper(fn, self.fn)
                del fn.__wrapped__
                fn.__tessel_self__ = self.bound_self
            self._entry = JitKernel(fn)
        return self._entry

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.entry, name)

    def __call__(self, *args, **kwargs):
        return self.entry(*args, **kwargs)


class HostKernel(JitKernel):
    """`@pl.jit.host`: PyPTO's host-level entry. Tessel has one device, so
    it is a `@pl.jit` kernel whose body may also call other `@pl.jit`
    kernels: their bodies are spliced at the call (the distributed forms,
    `device=` and window buffers, are not supported)."""

    def __init__(self, fn, **options):
        fn.__tessel_host__ = True
        super().__init__(fn, **options)

    def __repr__(self) -> str:
        return f"<pl.jit.host kernel {self.fn.__qualname__}>"


class IncoreFunction(InlineFunction):
    """A `@pl.jit.incore` function (PyPTO's InCore kernel): a kernel that
    calls it gets its body as a core scope at the call
    (tessel/frontend/incore.py). An InlineFunction to the kernel caches
    (its source is fingerprinted the same way)."""

    def __init__(self, fn, level):
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.level = level
        remember_enclosing(fn)

    def __repr__(self) -> str:
        return f"<pl.jit.incore function {self.fn.__qualname__}>"

    def __call__(self, *args, **kwargs):
        raise OutsideKernelError(
            f"'{self.fn.__name__}' is a @pl.jit.incore function: it is called "
            f"from a @pl.jit kernel (its body becomes a core scope there); "
            f"decorate the entry point with @pl.jit")
