"""The kernel cache's source index: a `@pl.jit` kernel found on disk before
its frontend runs.

The kernel cache (`cache.py`) keys a compiled kernel on its tile IR, which
the frontend builds from the source, the signature and every Python value
the kernel read at compile time. Building it takes the MLIR libraries and
the frontend: most of a warm start. This index maps what can be checked
without them to that key:

- the source key: a digest of the kernel's source file (its whole text),
  the function's first line and qualified name, the tessel package (every
  Python source by size and modification time, and the native libraries:
  `cache.compiler_fingerprint`) and the host;
- the values the kernel read, each as a path from the function (a global
  or closure variable, an attribute of one, a name an inline helper read)
  with a fingerprint that means the same in another process: numbers,
  strings, None and tuples / lists / dicts of them by value, modules and
  Python's builtins by name, tessel's own objects (`pl.FP32`, `pl.add`, ...) by name, inline
  helpers by their source file's digest and position.

A kernel with a read this cannot describe (an object of the author's own
class, a plain function), or with `pl.dynamic` dimensions, is not indexed:
it still hits the IR-keyed cache, after its frontend. An entry is one JSON
file, `<cache dir>/source/<source key>.json`:

    {"format": 1, "variants": [
        {"checks": [[path, fingerprint], ...],
         "signature": [[name, shape or null, dtype name or null, direction]],
         "returns": ..., "kernels": {"<target>|<order>|<shapes>": cache key}},
        ...]}

one variant per set of values read (one source file can make several
kernels: DSV4's `make_kernel(preset, T)` closes over the shapes), at most
`MAX_VARIANTS`, the most recent first; written atomically (a temporary file renamed into place; a concurrent
writer's entry wins whole). A missing, corrupt or stale entry (a check that
fails) is ignored and overwritten by the next compile; nothing here can
make a kernel run code it was not compiled from, since the cache key it
yields is the IR-keyed entry's own, checked as before.
"""

from __future__ import annotations

import builtins
import functools
import hashlib
import json
import linecache
import os
import tempfile
import types
from pathlib import Path

from . import cache

#: Bump when the layout of an entry or the meaning of a path changes.
FORMAT = 2

#: The most variants an entry keeps (the least recently stored go).
MAX_VARIANTS = 16

_MISSING = object()


@functools.lru_cache(maxsize=1)
def package_fingerprint() -> str:
    """The tessel package as compiled kernels depend on it: the native
    libraries (`cache.compiler_fingerprint`) and every Python source (the
    frontend decides the IR), by size and modification time."""
    root = Path(os.path.abspath(__file__)).parent.parent
    parts = [cache.compiler_fingerprint()]
    for path in sorted(root.rglob("*.py")):
        try:
            st = path.stat()
        except OSError:
            continue
        parts.append(f"{path.relative_to(root)}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _file_digest(filename: str) -> str | None:
    lines = linecache.getlines(filename)
    if not lines:
        return None
    return hashlib.sha256("".join(lines).encode()).hexdigest()


def source_key(fn) -> str | None:
    """The source key of the function `fn`, or None when its source file
    cannot be read."""
    code = getattr(fn, "__code__", None)
    if code is None or getattr(fn, "__tessel_self__", None) is not None:
        # No index for @pl.program methods (their `self` is the program).
        return None
    digest = _file_digest(code.co_filename)
    if digest is None:
        return None
    h = hashlib.sha256()
    for part in (f"format={FORMAT}", package_fingerprint(),
                 cache.host_fingerprint(), code.co_filename, digest,
                 str(code.co_firstlineno), fn.__qualname__):
        data = part.encode()
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def _function_of(value):
    """The Python function of a Tessel function object (an inline helper,
    an InCore or Opaque function, a @pl.jit kernel a host entry splices),
    else None."""
    from ..compiler.kernel import InlineFunction, JitKernel
    if isinstance(value, (InlineFunction, JitKernel)):
        return value.fn
    return None


def persistable(value, depth: int = 0):
    """A fingerprint of `value` that means the same in another process, as
    JSON-ready lists, or None when there is none."""
    if value is None or isinstance(value, (bool, int, str)):
        return [type(value).__name__, value]
    if isinstance(value, (float, complex)):
        return [type(value).__name__, repr(value)]
    if isinstance(value, (tuple, list)) and depth < 4:
        items = [persistable(v, depth + 1) for v in value]
        return None if None in items else [type(value).__name__, items]
    if isinstance(value, dict) and depth < 4:
        items = [[persistable(k, depth + 1), persistable(v, depth + 1)]
                 for k, v in value.items()]
        return None if any(None in kv for kv in items) else ["dict", items]
    if isinstance(value, types.ModuleType):
        return ["module", value.__name__]
    name = getattr(value, "__name__", None)
    if isinstance(name, str) and getattr(builtins, name, None) is value:
        return ["builtin", name]            # float, range, min, ...
    fn = _function_of(value)
    if fn is not None:
        code = fn.__code__
        digest = _file_digest(code.co_filename)
        if digest is None:
            return None
        return ["inline", code.co_filename, digest, code.co_firstlineno,
                fn.__qualname__]
    module = getattr(value, "__module__", None)
    qualname = getattr(value, "__qualname__", None)
    if isinstance(module, str) and module.split(".")[0] == "tessel" and \
            isinstance(qualname, str):
        return ["tessel", module, qualname]
    module = type(value).__module__
    if module.split(".")[0] == "tessel":
        text = repr(value)
        if " at 0x" not in text:
            return ["tessel", module, type(value).__qualname__, text]
    return None


def _canonical(fp):
    return json.loads(json.dumps(fp))


def describe_reads(fn, read_values: dict) -> list | None:
    """[[path, fingerprint]] of the reads the frontend recorded
    (`info["read_values"]`: key -> (holder, value)), or None when one cannot
    be described."""
    paths: dict[int, list] = {}           # id(object) -> path
    functions: dict[int, list] = {id(fn): ["fn"]}   # id(python fn) -> path
    checks = []
    for key, (holder, value) in read_values.items():
        if key[0] == "name":
            base = functions.get(id(getattr(holder, "fn", None)))
            if base is None:
                return None
            path = ["name", base, key[2]]
        elif key[0] == "attr":
            base = paths.get(id(holder))
            if base is None:
                return None
            path = ["attr", base, key[2]]
        else:
            return None
        fp = persistable(value)
        if fp is None:
            return None
        checks.append([path, fp])
        paths.setdefault(id(value), path)
        if _function_of(value) is not None:
            functions.setdefault(id(_function_of(value)), path)
    return _canonical(checks)


def _lookup_nonlocal(fn, name: str):
    """A closure variable, global or builtin `name` of function `fn`, as the
    frontend looks it up (frontend.source.FunctionSource)."""
    code = fn.__code__
    if name in code.co_freevars:
        cell = (fn.__closure__ or ())[code.co_freevars.index(name)]
        try:
            return cell.cell_contents
        except ValueError:
            return _MISSING
    if name in fn.__globals__:
        return fn.__globals__[name]
    builtins = fn.__globals__.get("__builtins__", __builtins__)
    if isinstance(builtins, dict):
        return builtins.get(name, _MISSING)
    return getattr(builtins, name, _MISSING)


def resolve(path, fn):
    """The value `path` (describe_reads) names, starting from `fn`."""
    kind = path[0]
    if kind == "fn":
        return fn
    base = resolve(path[1], fn)
    if base is _MISSING:
        return _MISSING
    if kind == "name":
        if _function_of(base) is not None:
            base = _function_of(base)
        if not hasattr(base, "__code__"):
            return _MISSING
        return _lookup_nonlocal(base, path[2])
    if kind == "attr":
        return getattr(base, path[2], _MISSING)
    return _MISSING


def reads_hold(fn, checks) -> bool:
    """Whether every read of `checks` still has its fingerprint."""
    try:
        for path, fp in checks:
            value = resolve(path, fn)
            if value is _MISSING or _canonical(persistable(value)) != fp:
                return False
    except Exception:  # noqa: BLE001 - a property raising, a bad path
        return False
    return True


def _entry_path(key: str) -> Path:
    return cache.cache_dir() / "source" / f"{key}.json"


def _read_entry(path: Path) -> list:
    """The variants of the entry at `path` ([] when missing or corrupt)."""
    try:
        entry = json.loads(path.read_text())
    except (OSError, ValueError):
        return []
    if not isinstance(entry, dict) or entry.get("format") != FORMAT or \
            not isinstance(entry.get("variants"), list):
        return []
    return [v for v in entry["variants"]
            if isinstance(v, dict) and isinstance(v.get("checks"), list)
            and isinstance(v.get("kernels"), dict)]


def lookup(fn) -> dict | None:
    """The variant of `fn`'s entry whose reads still hold, or None."""
    if cache.always_compile():
        return None
    key = source_key(fn)
    if key is None:
        return None
    for variant in _read_entry(_entry_path(key)):
        if reads_hold(fn, variant["checks"]):
            return variant
    return None


def kernel_slot(target: str, order: str, bind_key: tuple) -> str:
    """The key of one compiled kernel within a variant."""
    return f"{target}|{order}|{bind_key!r}"


def store(fn, checks: list, signature: list, returns, slot: str,
          disk_key: str) -> None:
    """Records `disk_key` for `slot` in the variant of `fn`'s entry with
    these checks (made the most recent). Failures only cost the index."""
    key = source_key(fn)
    if key is None:
        return
    path = _entry_path(key)
    variants = _read_entry(path)
    variant = next((v for v in variants if v["checks"] == checks), None)
    if variant is None:
        variant = {"checks": checks, "kernels": {}}
    else:
        variants.remove(variant)
    variant["signature"] = signature
    variant["returns"] = returns
    variant["kernels"][slot] = disk_key
    variants = [variant] + variants[:MAX_VARIANTS - 1]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-",
                                   suffix=".json")
        with os.fdopen(fd, "w") as f:
            json.dump({"format": FORMAT, "variants": variants}, f)
        os.replace(tmp, path)
    except OSError:
        pass


def encode_returns(returns):
    """What `return` gives the caller, as JSON: None, [name, shape] or a
    list of them."""
    if returns is None:
        return None
    if not returns or isinstance(returns[0], tuple):
        return {"tuple": [[n, list(s)] for n, s in returns]}
    name, shape = returns
    return [name, list(shape)]


def decode_returns(data):
    if data is None:
        return None
    if isinstance(data, dict):
        return tuple((n, tuple(s)) for n, s in data["tuple"])
    return (data[0], tuple(data[1]))
