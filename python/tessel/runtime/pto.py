"""The NPU back end on the host: Ascend C kernels on PTO-ISA, emitted by
`tessel-translate --tile-to-pto` (the same code through the C API), built
with the host C++ compiler against the strict reference of the PTO-ISA API in
`runtime/pto/`, and run there.

- `emit(fn, target)` -> `Emitted`: the kernel through `tile-pto-pipeline`
  (schedule, place, explicit copies, pipe synchronisation) and the C++.
- `build(emitted)` -> the shared library, cached by content under
  `$TESSEL_PTO_CACHE` (default `~/.cache/tessel/pto`): the key covers the
  source, the target, the compiler command and every reference header, so a
  changed header or flag rebuilds; entries are written to a temporary name
  and renamed, so concurrent processes never see half a library.
- `PtoKernel(emitted)(*tensors)` runs it. A violation the reference finds (a
  hazard between pipes, a capacity, alignment or flag error, an
  uninitialised read, a GM access outside the tensors) raises
  `PtoViolation` with the kernel source lines of the instructions involved.

The reference runs the kernel's blocks one after another on one simulated
core; see docs/pto.md for what it checks and what stays unverified without
hardware.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import BackendUnavailableError, CompileError

#: The source tree's runtime/pto (the package is symlinked from the tree).
_REPO = Path(__file__).resolve().parents[3]
REFERENCE = Path(os.environ.get("TESSEL_PTO_REFERENCE",
                                _REPO / "runtime" / "pto"))
def cxx_flags() -> list[str]:
    """How kernels are built: the emitted source must compile warning-free.
    The optimisation level trades build time for run time
    (`$TESSEL_PTO_OPT`, read at each build, default -O1: -O0 builds in half
    the time and runs a DSV4-sized kernel 10-25x slower)."""
    return ["-std=c++17", os.environ.get("TESSEL_PTO_OPT", "-O1"), "-fPIC",
            "-shared", "-Wall", "-Werror"]


class PtoViolation(RuntimeError):
    """The reference found an error in an emitted kernel's execution."""


@dataclass
class Emitted:
    """One kernel through the PTO back end."""
    name: str
    target: str
    source: str        # the C++ (Ascend C on PTO-ISA)
    synced_ir: str     # the placed, synchronised tile IR it was printed from
    returns: object = None  # what the kernel's `return` names (frontend)

    @property
    def entry(self) -> str:
        return f"{self.name}_cpu"


_SCOPE = re.compile(r'tile\.spmd (\d+)(?: name\("([^"]*)"\))?')
_SYNCS = re.compile(r"tile\.syncs = \{barriers = (\d+) : i64, carried = "
                    r"(\d+) : i64, events = (\d+) : i64, pairs = (\d+)")


def sync_stats(synced_ir: str) -> list[dict]:
    """Per scope, in order: what tile-insert-sync inserted (its `tile.syncs`
    attribute): set/wait pairs, of them loop-carried, vector barriers and
    event ids used."""
    out = []
    scope = None
    for line in synced_ir.splitlines():
        m = _SCOPE.search(line)
        if m:
            scope = {"scope": m.group(2) or "spmd", "blocks": int(m.group(1))}
        m = _SYNCS.search(line)
        if m and scope is not None:
            barriers, carried, events, pairs = map(int, m.groups())
            out.append(dict(scope, pairs=pairs, carried=carried,
                            vector_barriers=barriers, event_ids=events))
    return out


def emit_module(module, name: str, target: str) -> Emitted:
    """Runs `tile-pto-pipeline{target}` on the tile IR `module` (in place)
    and prints it as C++."""
    from ..compiler.driver import mlir_error
    from ..mlir import ir
    from ..mlir._mlir_libs import _tessel
    from ..mlir.passmanager import PassManager
    pipeline = f"builtin.module(tile-pto-pipeline{{target={target}}})"
    with module.context:
        pm = PassManager.parse(pipeline)
        try:
            pm.run(module.operation)
        except ir.MLIRError as e:
            raise mlir_error(e, f"the PTO back end ({pipeline})") from None
        synced = str(module)
        try:
            source = _tessel.translate_to_pto(module.operation)
        except ValueError:
            # The diagnostics went to the context's handler; re-run the
            # lowering on a copy to turn the first one into a CompileError.
            copy = ir.Module.parse(synced)
            pm = PassManager.parse("builtin.module(convert-tile-to-emitc)")
            try:
                pm.run(copy.operation)
            except ir.MLIRError as e:
                raise mlir_error(e, "the PTO emitter "
                                 "(convert-tile-to-emitc)") from None
            raise CompileError("error: the PTO emitter failed") from None
    return Emitted(name, target, source, synced)


def emit(fn, target: str, bind: dict | None = None) -> Emitted:
    """The `@pl.jit` function `fn` through the PTO back end for `target`
    (`bind`: shapes and dtypes of shapeless parameters, see
    driver.compile_kernel)."""
    from ..compiler import driver
    compiled = driver.compile_kernel(fn, target, "tile", bind=bind)
    with compiled.context:
        emitted = emit_module(compiled.module, fn.__name__, target)
    emitted.returns = getattr(compiled, "returns", None)
    return emitted


def compiler() -> str:
    """The host C++ compiler (`$CXX`, else g++, else clang++)."""
    for candidate in (os.environ.get("CXX"), "g++", "clang++"):
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    raise BackendUnavailableError(
        "the PTO back end needs a host C++ compiler (g++ or clang++) to build "
        "emitted kernels against the reference; none was found")


def _cache_dir() -> Path:
    default = Path.home() / ".cache" / "tessel" / "pto"
    return Path(os.environ.get("TESSEL_PTO_CACHE", default))


def _reference_digest() -> str:
    h = hashlib.sha256()
    for path in sorted((REFERENCE / "include").rglob("*.hpp")) + \
            [REFERENCE / "harness" / "tessel_pto_main.cpp",
             REFERENCE / "harness" / "tessel_pto_pch.hpp"]:
        h.update(str(path.relative_to(REFERENCE)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


@functools.lru_cache(maxsize=None)
def _is_gcc(cxx: str) -> bool:
    try:
        out = subprocess.run([cxx, "--version"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True).stdout
    except OSError:
        return False
    return "Free Software Foundation" in out and "clang" not in out.lower()


def _precompiled_header(cxx: str, flags: list[str], digest: str) -> list[str]:
    """The `-include` flags of the reference's headers precompiled for
    `cxx` and `flags` (harness/tessel_pto_pch.hpp, built once into the
    cache; a third to a half of a small kernel's build is parsing them).
    GCC only; [] when it cannot be built (the kernel then parses them)."""
    if not _is_gcc(cxx):
        return []
    header = REFERENCE / "harness" / "tessel_pto_pch.hpp"
    key = hashlib.sha256("\0".join([cxx, *flags, digest]).encode())
    cache = _cache_dir()
    where = cache / f"pch-{key.hexdigest()[:20]}"
    if not (where / "tessel_pto_pch.hpp.gch").exists():
        cache.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=cache, prefix="pch-tmp-"))
        try:
            shutil.copy(header, tmp / header.name)
            cmd = [cxx, *[f for f in flags if f != "-shared"],
                   f"-I{REFERENCE / 'include'}", "-x", "c++-header",
                   str(tmp / header.name), "-o",
                   str(tmp / (header.name + ".gch"))]
            if subprocess.run(cmd, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode != 0:
                return []
            try:
                os.rename(tmp, where)   # another process may have won
            except OSError:
                pass
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        if not (where / "tessel_pto_pch.hpp.gch").exists():
            return []
    return ["-include", str(where / "tessel_pto_pch.hpp")]


def build(emitted: Emitted) -> Path:
    """The shared library of `emitted` on the reference (cached)."""
    if not (REFERENCE / "include" / "pto" / "pto-inst.hpp").exists():
        raise BackendUnavailableError(
            f"the PTO reference headers are not at {REFERENCE}; set "
            f"TESSEL_PTO_REFERENCE to the repository's runtime/pto")
    cxx = compiler()
    flags = cxx_flags()
    if emitted.target == "a5":
        flags.append("-DPTO_REF_TARGET_A5")
    digest = _reference_digest()
    key = hashlib.sha256("\0".join([emitted.source, emitted.target, cxx,
                                    *flags, digest]).encode())
    cache = _cache_dir()
    lib = cache / f"{emitted.name}-{emitted.target}-{key.hexdigest()[:20]}.so"
    if lib.exists():
        return lib
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        src = Path(tmp) / f"{emitted.name}.cpp"
        src.write_text(emitted.source)
        out = Path(tmp) / "kernel.so"
        cmd = [cxx, *flags, *_precompiled_header(cxx, flags, digest),
               f"-I{REFERENCE / 'include'}",
               f"-DTESSEL_PTO_ENTRY={emitted.entry}",
               f"-DTESSEL_PTO_SOURCE=\"{src}\"",
               str(REFERENCE / "harness" / "tessel_pto_main.cpp"),
               "-o", str(out)]
        result = subprocess.run(cmd, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        if result.returncode != 0:
            raise CompileError(
                f"error: the emitted PTO-ISA source of '{emitted.name}' does "
                f"not compile against the reference ({' '.join(cmd)}):\n"
                + result.stdout[-4000:])
        os.replace(out, lib)
    return lib


class PtoKernel:
    """An emitted kernel, built and ready to run on the reference."""

    def __init__(self, emitted: Emitted):
        self.emitted = emitted
        self.path = build(emitted)
        self._dll = ctypes.CDLL(str(self.path))
        name = emitted.name
        self.num_gm = ctypes.c_int.in_dll(self._dll, f"{name}_num_gm").value
        sizes = (ctypes.c_ulonglong * self.num_gm).in_dll(
            self._dll, f"{name}_gm_bytes")
        self.gm_bytes = [int(s) for s in sizes]
        self._run = self._dll.tessel_pto_run
        self._run.restype = ctypes.c_int
        self._run.argtypes = [ctypes.POINTER(ctypes.c_void_p),
                              ctypes.POINTER(ctypes.c_uint64), ctypes.c_int,
                              ctypes.c_char_p, ctypes.c_uint64]

    def drop_sync(self, sync_id: int) -> None:
        """Mutation testing: the next runs skip the set_flag / wait_flag /
        pipe_barrier calls of synchronisation `sync_id` (the `tile.sync` id
        tile-insert-sync gave it); -1 restores them."""
        self._dll.tessel_pto_drop_sync(ctypes.c_longlong(sync_id))

    def only_scopes(self, first: int, last: int | None = None) -> None:
        """Mutation testing: the next runs run only scope kernels first to
        last (launch order: the `_s<index>` functions of the source; last
        defaults to first) on the GM tensors as they are; -1 runs every
        scope again."""
        last = first if last is None else last
        self._dll.tessel_pto_only_scopes(ctypes.c_longlong(first),
                                         ctypes.c_longlong(last))

    def __call__(self, *tensors) -> None:
        """Runs the kernel on the CPU tensors (outputs written in place);
        the GM scratch tensors are allocated here."""
        import torch
        n_args = len(tensors)
        if n_args > self.num_gm:
            raise ValueError(f"{self.emitted.name} takes {self.num_gm} GM "
                             f"tensors, got {n_args}")
        buffers = list(tensors)
        for nbytes in self.gm_bytes[n_args:]:
            buffers.append(torch.zeros(nbytes, dtype=torch.uint8))
        for i, (t, nbytes) in enumerate(zip(buffers, self.gm_bytes)):
            have = t.numel() * t.element_size()
            if have != nbytes or not t.is_contiguous() or t.device.type != "cpu":
                raise ValueError(f"GM tensor #{i} of {self.emitted.name} must "
                                 f"be a contiguous CPU tensor of {nbytes} "
                                 f"bytes, got {have}")
        ptrs = (ctypes.c_void_p * len(buffers))(*[t.data_ptr() for t in buffers])
        sizes = (ctypes.c_uint64 * len(buffers))(*self.gm_bytes)
        err = ctypes.create_string_buffer(1 << 16)
        count = self._run(ptrs, sizes, len(buffers), err, len(err))
        if count:
            raise PtoViolation(
                f"the PTO reference found {count} violation(s) running "
                f"'{self.emitted.name}' ({self.emitted.target}):\n"
                + err.value.decode(errors="replace"))
