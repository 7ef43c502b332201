"""The persistent kernel cache of the CPU simulation.

A compiled kernel is stored on disk as a shared object (the object code the
ExecutionEngine generated, position independent, linked by the system C
compiler driver) beside a small JSON description, so that another process
running the same kernel loads it with `dlopen` instead of lowering and
JIT-compiling again.

Where: `$TESSEL_CACHE_DIR`, else `$XDG_CACHE_HOME/tessel/cpu`, else
`~/.cache/tessel/cpu`. `TESSEL_ALWAYS_COMPILE=1` ignores what is stored
(and stores again). One entry is a directory named by its key:

    <dir>/<key>/kernel.so     the linked object code
    <dir>/<key>/llvm.mlir     the lowered module (for `--emit llvm`)
    <dir>/<key>/meta.json     format, key, entry symbol, argument specs,
                              SHA-256 of the two files above

Keys are SHA-256 digests of everything the code depends on: the IR text (or
the kernel's tile IR, which holds its source, signature and the values it
read), the target, the options, the compiler (`compiler_fingerprint`: the
format of this file, the version, size and modification time of every
native library of the build) and the host CPU (the JIT generates code for
the host's features).

Storing costs the compiling process only the object file: the link (a
`cc -shared` child process) and the rename run in a background thread
(`wait_pending()` waits for them; so does the interpreter at exit).

Concurrency and corruption: an entry is written into a private temporary
directory and renamed into place, so a reader sees a whole entry or none;
two processes storing the same key both succeed (the second rename loses
and its copy is dropped). Loading checks the JSON, the key, the format and
both checksums before `dlopen`; anything wrong evicts the entry (renamed
away, then removed) and the caller compiles again. Failures to write (a
read-only directory, no C compiler) only cost the cache, never the kernel.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import shutil
import subprocess
import tempfile
import threading
import uuid
from pathlib import Path

#: Bump when the layout of an entry or the meaning of its fields changes.
FORMAT = 1

__all__ = ["FORMAT", "cache_dir", "compiler_fingerprint", "host_fingerprint",
           "make_key", "load_entry", "store_entry", "wait_pending", "evict"]


def cache_dir() -> Path:
    env = os.environ.get("TESSEL_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "tessel" / "cpu"


def always_compile() -> bool:
    return os.environ.get("TESSEL_ALWAYS_COMPILE", "") not in ("", "0")


@functools.lru_cache(maxsize=1)
def compiler_fingerprint() -> str:
    """The version of the compiler as far as compiled code depends on it:
    this file's FORMAT, the package version, and (size, mtime) of every
    native library of the build (a rebuild changes them)."""
    parts = [f"format={FORMAT}"]
    try:
        from importlib.metadata import version
        parts.append("tessel=" + version("tessel"))
    except Exception:  # noqa: BLE001 - an uninstalled tree has no metadata
        parts.append("tessel=tree")
    # Found by path, not imported: a warm start loads no MLIR library.
    libs = Path(os.path.abspath(__file__)).parent.parent / "mlir" / "_mlir_libs"
    if not libs.is_dir():  # pragma: no cover - an unusual install layout
        from ..mlir._mlir_libs import _tessel
        libs = Path(_tessel.__file__).resolve().parent
    for lib in sorted(libs.glob("*.so*")):
        st = lib.stat()
        parts.append(f"{lib.name}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@functools.lru_cache(maxsize=1)
def host_fingerprint() -> str:
    """The machine and, on Linux, the CPU's feature flags: code JIT-compiled
    for this host may use every one of them."""
    parts = [platform.machine(), platform.system()]
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith(("flags", "Features", "model name")):
                    parts.append(line.strip())
                if line.strip() == "":
                    break                   # the first processor is enough
    except OSError:
        pass
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def make_key(*parts: str) -> str:
    """The key of an entry: a digest of `parts`, the compiler and the host."""
    h = hashlib.sha256()
    for p in (compiler_fingerprint(), host_fingerprint(), *parts):
        data = p.encode()
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def evict(entry: Path) -> None:
    """Removes an entry: renamed away first (atomic for other readers),
    then deleted; errors are ignored (another process may be evicting it
    too)."""
    trash = entry.parent / f".trash-{entry.name}-{uuid.uuid4().hex}"
    try:
        os.rename(entry, trash)
    except OSError:
        return
    shutil.rmtree(trash, ignore_errors=True)


def load_entry(key: str) -> dict | None:
    """The checked description of entry `key` (meta.json plus "so" and
    "llvm" paths), or None when there is no usable entry (a corrupt one is
    evicted)."""
    if always_compile():
        return None
    entry = cache_dir() / key
    meta_path = entry / "meta.json"
    if not meta_path.exists():
        return None
    try:
        meta = json.loads(meta_path.read_text())
        ok = (isinstance(meta, dict) and meta.get("format") == FORMAT
              and meta.get("key") == key
              and _sha256_file(entry / "kernel.so") == meta.get("so_sha256"))
    except (OSError, ValueError, UnicodeDecodeError):
        ok = False
    if not ok:
        evict(entry)
        return None
    meta["so"] = str(entry / "kernel.so")
    meta["llvm"] = str(entry / "llvm.mlir")
    return meta


def read_llvm_text(meta: dict) -> str | None:
    """The lowered module of a loaded entry, or None when it is gone or
    does not match its checksum."""
    try:
        data = Path(meta["llvm"]).read_bytes()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != meta.get("llvm_sha256"):
        return None
    return data.decode()


def _linker() -> list[str] | None:
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc") \
        or shutil.which("clang")
    return [cc] if cc else None


_PENDING: list = []
_PENDING_LOCK = threading.Lock()


def wait_pending() -> None:
    """Waits until every entry this process is storing is in place (the
    link runs in the background; the interpreter also waits at exit)."""
    with _PENDING_LOCK:
        threads = list(_PENDING)
    for t in threads:
        t.join()


def store_entry(key: str, write_object, llvm_text: str, meta: dict,
                shared_libs=(), background: bool = True) -> Path | None:
    """Stores entry `key`: `write_object(path)` writes the object file (now,
    in this thread), which is linked into kernel.so with the C compiler
    driver and renamed into place - in a background thread unless
    `background` is False (then the entry's directory is returned). Nothing
    is stored when there is no compiler, the directory is not writable or
    the link fails: the cache is an optimisation."""
    cc = _linker()
    if cc is None:
        return None
    root = cache_dir()
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{key[:16]}-", dir=root))
    except OSError:
        return None
    try:
        write_object(str(tmp / "kernel.o"))
        (tmp / "llvm.mlir").write_text(llvm_text)
    except (OSError, RuntimeError):
        shutil.rmtree(tmp, ignore_errors=True)
        return None
    args = (cc, tmp, root / key, key, llvm_text, meta, shared_libs)
    if not background:
        return _link_and_rename(*args)
    thread = threading.Thread(target=_link_and_rename, args=args,
                              name=f"tessel-cache-{key[:8]}")
    with _PENDING_LOCK:
        _PENDING[:] = [t for t in _PENDING if t.is_alive()]
        _PENDING.append(thread)
    thread.start()
    return None


def _link_and_rename(cc, tmp: Path, final: Path, key: str, llvm_text: str,
                     meta: dict, shared_libs) -> Path | None:
    try:
        obj = tmp / "kernel.o"
        libs = []
        for lib in shared_libs:
            libs += [lib, f"-Wl,-rpath,{Path(lib).parent}"]
        proc = subprocess.run([*cc, "-shared", "-o", str(tmp / "kernel.so"),
                               str(obj), *libs],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            return None
        obj.unlink()
        meta = dict(meta, format=FORMAT, key=key,
                    so_sha256=_sha256_file(tmp / "kernel.so"),
                    llvm_sha256=hashlib.sha256(llvm_text.encode()).hexdigest())
        (tmp / "meta.json").write_text(json.dumps(meta, indent=1))
        try:
            os.rename(tmp, final)
        except OSError:
            # Another process stored the same key first: keep theirs.
            return final if final.exists() else None
        return final
    except (OSError, subprocess.SubprocessError):
        return None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
