"""The persistent kernel cache (tessel.runtime.cache): a second process
loads the kernel instead of compiling it; concurrent processes and corrupt
entries are safe; the key covers source, signature, target and options."""

from __future__ import annotations

import contextlib
import io
import json
import os
import runpy
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import torch

from simkit import kernel
from tessel.runtime import CpuKernel, cache, clear_cache

# A @pl.jit kernel in its own file, so that separate processes compile the
# same source. It prints what the cache did and the bytes of its output.
KERNEL_SOURCE = textwrap.dedent('''
    import json, os, sys, time
    import torch
    import tessel.language as pl

    SCALE = float(sys.argv[1])

    @pl.jit
    def scale(x: pl.Tensor[[32, 64], pl.FP32],
              y: pl.Out[pl.Tensor[[32, 64], pl.FP32]]):
        for b in pl.spmd(2, name_hint="scale"):
            t0 = b * 16
            y[t0:t0 + 16, :] = pl.mul(x[t0:t0 + 16, :], SCALE)

    x = torch.arange(32 * 64, dtype=torch.float32).reshape(32, 64) / 7
    y = torch.empty(32, 64)
    open(f"{sys.argv[2]}.{os.getpid()}", "w").close()   # ready
    while not os.path.exists(sys.argv[2]):               # start together
        time.sleep(0.01)
    t0 = time.perf_counter()
    exe = scale.compile(x, y)
    seconds = time.perf_counter() - t0
    scale(x, y)
    print(json.dumps({"origin": exe.origin, "seconds": seconds,
                      "ok": bool(torch.equal(y, x * SCALE)),
                      "sum": float(y.double().sum())}))
''')


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    d = tmp_path / "kernel-cache"
    monkeypatch.setenv("TESSEL_CACHE_DIR", str(d))
    monkeypatch.delenv("TESSEL_ALWAYS_COMPILE", raising=False)
    clear_cache()
    yield d
    clear_cache()


def run_script(script: Path, cache: Path, *args):
    env = dict(os.environ, TESSEL_CACHE_DIR=str(cache))
    return subprocess.Popen([sys.executable, str(script), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def result(proc) -> dict:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def test_processes_share_the_cache_and_race_safely(tmp_path, cache_dir):
    script = tmp_path / "scale_kernel.py"
    script.write_text(KERNEL_SOURCE)
    go = tmp_path / "go"
    # Two processes on an empty cache at once (each waits for `go` after
    # its imports): both compute the right answer, at least one compiles
    # (usually both: then both store and one rename wins; on a loaded
    # machine one may start late and find the other's entry).
    first = [run_script(script, cache_dir, "2.0", go) for _ in range(2)]
    deadline = time.monotonic() + 300
    while len(list(tmp_path.glob("go.*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    go.write_text("")
    a, b = (result(p) for p in first)
    assert a["ok"] and b["ok"]
    assert {a["origin"], b["origin"]} <= {"jit", "disk"}
    assert "jit" in (a["origin"], b["origin"])
    entries = [p for p in cache_dir.iterdir() if not p.name.startswith(".")
               and p.name != "source"]
    assert len(entries) == 1, entries
    assert not [p for p in cache_dir.iterdir() if p.name.startswith(".tmp")]
    # The source index (tessel.runtime.source_index): one entry, whole.
    index = list((cache_dir / "source").iterdir())
    assert len(index) == 1 and index[0].suffix == ".json", index
    variants = json.loads(index[0].read_text())["variants"]
    assert len(variants) == 1 and variants[0]["kernels"]
    # The same source run again (here, in this process: no third Python
    # start-up) loads the stored kernel, no JIT, with the same result.
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        sys_argv, sys.argv = sys.argv, [str(script), "2.0", str(go)]
        try:
            runpy.run_path(str(script), run_name="scale_kernel_again")
        finally:
            sys.argv = sys_argv
    c = json.loads(out.getvalue().strip().splitlines()[-1])
    assert c["origin"] == "disk" and c["ok"] and c["sum"] == a["sum"]


FACTOR = 2.0


def make_jit():
    import tessel.language as pl

    @pl.jit
    def twice(x: pl.Tensor[[16, 64], pl.FP32],
              y: pl.Out[pl.Tensor[[16, 64], pl.FP32]]):
        for b in pl.spmd(1, name_hint="twice"):
            y[0:16, :] = pl.mul(x[0:16, :], FACTOR)
    return twice


def test_the_key_follows_the_values_a_kernel_reads(cache_dir):
    global FACTOR
    x = torch.randn(16, 64)
    y = torch.empty(16, 64)
    assert make_jit().compile(x, y).origin == "jit"
    cache.wait_pending()
    clear_cache()
    # A new kernel object of the same source: loaded from disk.
    k = make_jit()
    assert k.compile(x, y).origin == "disk"
    k(x, y)
    assert torch.equal(y, x * 2)
    # Another value of the global it reads: another kernel.
    FACTOR = 3.0
    try:
        k = make_jit()
        assert k.compile(x, y).origin == "jit"
        k(x, y)
        assert torch.equal(y, x * 3)
    finally:
        FACTOR = 2.0


def test_concurrent_stores_of_one_key_leave_one_whole_entry(cache_dir,
                                                            monkeypatch):
    # Eight threads store the same key at once (each links its own copy in
    # its own temporary directory, then renames): one entry, no leftovers,
    # and it loads.
    import threading
    clear_cache()
    monkeypatch.setenv("TESSEL_CACHE_DIR", str(cache_dir.parent / "elsewhere"))
    CpuKernel(SCALE, "k", persistent=True,
              cache_key=cache.make_key("concurrent-store-test-source"))
    cache.wait_pending()
    monkeypatch.setenv("TESSEL_CACHE_DIR", str(cache_dir))
    from tessel.runtime.cpu import _CACHE
    (compiled, specs), = _CACHE.values()
    engine = compiled.owner
    key = cache.make_key("concurrent-store-test")
    meta = {"func": "k", "symbol": "_mlir__mlir_ciface_k",
            "args": [[s.name, list(s.shape), list(s.strides), "float32",
                      s.mlir_type] for s in specs]}
    # One object file, written once: the engine is not shared across threads.
    obj = cache_dir.parent / "k.o"
    cache_dir.mkdir(parents=True, exist_ok=True)
    engine.dump_to_object_file(str(obj))
    data = obj.read_bytes()
    results = []
    start = threading.Barrier(8)

    def store():
        start.wait()
        results.append(cache.store_entry(
            key, lambda path: Path(path).write_bytes(data), "text", meta,
            background=False))

    threads = [threading.Thread(target=store) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == cache_dir / key for r in results), results
    assert [p.name for p in cache_dir.iterdir()] == [key]
    assert cache.load_entry(key) is not None
    clear_cache()


SCALE = kernel("""
%s = arith.constant 3.0 : f32
%r0 = tile.muls %t0, %s : !tile.tile<4x16xf32>
""", [((4, 16), "f32")], [((4, 16), "f32")])


def compile_scale() -> CpuKernel:
    cache.wait_pending()    # earlier stores are in place
    clear_cache()           # the per-process memo: go to the disk cache
    return CpuKernel(SCALE, "k", arg_names=["x", "y"], output_indices=[1])


def check(k: CpuKernel) -> None:
    x = torch.randn(4, 16)
    y = torch.empty(4, 16)
    k(x, y)
    assert torch.equal(y, x * 3)


def only_entry(d: Path) -> Path:
    entries = [p for p in d.iterdir() if not p.name.startswith(".")
               and p.name != "source"]
    assert len(entries) == 1, entries
    return entries[0]


def replace(path: Path, data: bytes) -> None:
    # A new file in place of the old: this process has the old one mapped
    # (dlopen), and rewriting a mapped file in place would crash it (SIGBUS)
    # - which the cache itself never does.
    tmp = path.with_suffix(".new")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def truncate_so(entry):
    data = (entry / "kernel.so").read_bytes()
    replace(entry / "kernel.so", data[:len(data) // 2])


def flip_byte_in_so(entry):
    data = bytearray((entry / "kernel.so").read_bytes())
    data[len(data) // 2] ^= 0xFF
    replace(entry / "kernel.so", bytes(data))


def garbage_meta(entry):
    (entry / "meta.json").write_text("{not json")


def meta_of_another_key(entry):
    meta = json.loads((entry / "meta.json").read_text())
    meta["key"] = "0" * 64
    (entry / "meta.json").write_text(json.dumps(meta))


def missing_symbol(entry):
    # A consistent entry (checksum updated) whose library lacks the entry
    # point: dlopen works, the lookup fails.
    meta = json.loads((entry / "meta.json").read_text())
    meta["symbol"] = "no_such_symbol"
    (entry / "meta.json").write_text(json.dumps(meta))


def empty_so(entry):
    replace(entry / "kernel.so", b"")


@pytest.mark.parametrize("corrupt", [truncate_so, flip_byte_in_so,
                                     garbage_meta, meta_of_another_key,
                                     missing_symbol, empty_so])
def test_a_corrupt_entry_is_recompiled_not_loaded(cache_dir, corrupt):
    k = compile_scale()
    assert k.origin == "jit"
    check(k)
    assert compile_scale().origin == "disk"
    cache.wait_pending()
    corrupt(only_entry(cache_dir))
    k = compile_scale()
    assert k.origin == "jit"     # evicted and compiled again
    check(k)
    k = compile_scale()          # and stored again, whole
    assert k.origin == "disk"
    check(k)
    assert "llvm.func" in k.llvm_ir_text()


def test_always_compile_ignores_the_cache(cache_dir, monkeypatch):
    compile_scale()
    monkeypatch.setenv("TESSEL_ALWAYS_COMPILE", "1")
    assert compile_scale().origin == "jit"


def test_an_unwritable_cache_costs_only_the_cache(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("TESSEL_CACHE_DIR", str(blocker / "cache"))
    k = compile_scale()
    assert k.origin == "jit"
    check(k)
    assert compile_scale().origin == "jit"
    clear_cache()


def test_not_persistent_neither_reads_nor_writes(cache_dir):
    clear_cache()
    k = CpuKernel(SCALE, "k", persistent=False)
    assert k.origin == "jit"
    cache.wait_pending()
    assert not cache_dir.exists() or not any(cache_dir.iterdir())


def test_the_key_covers_every_input(monkeypatch):
    base = ("text", "k", "O0")
    key = cache.make_key(*base)
    assert key == cache.make_key(*base)
    assert key != cache.make_key("text ", "k", "O0")
    assert key != cache.make_key("text", "k", "O2")
    # Parts are length-prefixed: moving a boundary is another key.
    assert cache.make_key("ab", "c") != cache.make_key("a", "bc")
    # The compiler: a rebuilt native library changes the fingerprint.
    monkeypatch.setattr(cache, "compiler_fingerprint", lambda: "another")
    assert key != cache.make_key(*base)


def test_the_default_directory_and_its_override(monkeypatch, tmp_path):
    monkeypatch.delenv("TESSEL_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "tessel" / "cpu"
    monkeypatch.setenv("TESSEL_CACHE_DIR", str(tmp_path / "mine"))
    assert cache.cache_dir() == tmp_path / "mine"


def make_shapeless():
    import tessel.language as pl

    @pl.jit
    def double(x: pl.Tensor, y: pl.Out[pl.Tensor]):
        for b in pl.spmd(1, name_hint="double"):
            y[:, :] = pl.mul(x[:, :], 2.0)
    return double


def test_shapeless_kernels_are_cached_per_signature(cache_dir):
    small, large = torch.randn(16, 64), torch.randn(32, 64)
    k = make_shapeless()
    assert k.compile(small, torch.empty(16, 64)).origin == "jit"
    assert k.compile(large, torch.empty(32, 64)).origin == "jit"
    cache.wait_pending()
    clear_cache()
    k = make_shapeless()
    for x in (large, small):
        y = torch.empty_like(x)
        assert k.compile(x, y).origin == "disk"
        k(x, y)
        assert torch.equal(y, x * 2)


# -- the source index: a warm start without the frontend ---------------------

WARM = textwrap.dedent("""
    import json, os, sys
    import torch
    sys.path.insert(0, sys.argv[1])
    import warm_kernel
    x = torch.arange(16 * 64, dtype=torch.float32).reshape(16, 64)
    y = torch.empty(16, 64)
    warm_kernel.k(x, y)
    print(json.dumps({
        "origin": warm_kernel.k.compile().origin,
        "ok": bool(torch.equal(y, x * warm_kernel.FACTOR + 1)),
        "mlir": any(m.startswith("tessel.mlir._mlir_libs._mlir")
                    for m in sys.modules),
        "frontend": "tessel.frontend.codegen" in sys.modules}))
""")

WARM_KERNEL = textwrap.dedent("""
    import os
    import tessel.language as pl

    FACTOR = float(os.environ.get("WARM_FACTOR", "2.0"))

    @pl.jit.inline
    def plus_one(t):
        return pl.add(t, 1.0)

    @pl.jit
    def k(x: pl.Tensor[[16, 64], pl.FP32],
          y: pl.Out[pl.Tensor[[16, 64], pl.FP32]]):
        for b in pl.spmd(1, name_hint="warm"):
            y[0:16, :] = plus_one(pl.mul(x[0:16, :], FACTOR))
""")


def test_a_warm_start_loads_the_kernel_without_mlir(tmp_path, cache_dir):
    """The kernel compiled here is found by a second process through the
    source index: it runs the stored object code without importing the
    MLIR libraries or the frontend. An index entry whose checks fail (a
    value the kernel read changed, here in this process) or that does not
    parse gives nothing: the kernel compiles as without an index. A changed
    value in another process (the same source file) compiles again there,
    with the right answer."""
    import importlib
    from tessel.runtime import source_index as si
    (tmp_path / "warm_kernel.py").write_text(WARM_KERNEL)
    script = tmp_path / "warm.py"
    script.write_text(WARM)
    sys.path.insert(0, str(tmp_path))
    try:
        mod = importlib.import_module("warm_kernel")
        x = torch.ones(16, 64)
        y = torch.empty(16, 64)
        mod.k(x, y)
        assert mod.k.compile().origin == "jit"
        assert torch.equal(y, x * 2 + 1)
        cache.wait_pending()
        entry = si.lookup(mod.k.fn)
        assert entry is not None and len(entry["kernels"]) == 1
        mod.FACTOR = 5.0                # a read that no longer holds
        assert si.lookup(mod.k.fn) is None
        mod.FACTOR = 2.0
        path = next((cache_dir / "source").iterdir())
        text = path.read_text()
        path.write_text("{not json")
        assert si.lookup(mod.k.fn) is None
        path.write_text(text)
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("warm_kernel", None)

    def run(factor):
        env = dict(os.environ, TESSEL_CACHE_DIR=str(cache_dir),
                   WARM_FACTOR=factor)
        out = subprocess.run([sys.executable, str(script), str(tmp_path)],
                             env=env, capture_output=True, text=True,
                             timeout=300)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout.strip().splitlines()[-1])

    warm = run("2.0")
    assert warm == {"origin": "disk", "ok": True, "mlir": False,
                    "frontend": False}
    other = run("3.0")
    assert other["origin"] == "jit" and other["ok"] and other["mlir"]
    # One source, two sets of values read: two variants of one entry, and
    # the first still holds for FACTOR = 2.0.
    variants = json.loads(path.read_text())["variants"]
    assert len(variants) == 2
    sys.path.insert(0, str(tmp_path))
    try:
        mod = importlib.import_module("warm_kernel")
        assert si.lookup(mod.k.fn)["checks"] == entry["checks"]
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("warm_kernel", None)


def test_source_index_fingerprints():
    """What the index can write down (the same in another process), and
    what it cannot (a kernel reading such a value is not indexed)."""
    import math
    import tessel.language as pl
    from tessel.runtime import source_index as si
    assert si.persistable((1, 2.5, "a", None)) == \
        ["tuple", [["int", 1], ["float", "2.5"], ["str", "a"],
                   ["NoneType", None]]]
    assert si.persistable(math) == ["module", "math"]
    assert si.persistable(float) == ["builtin", "float"]
    assert si.persistable(pl.FP32) == \
        ["tessel", "tessel.language.types", "DataType", "pl.FP32"]
    assert si.persistable(pl.add)[:2] == ["tessel", "tessel.language.ops"]
    assert si.persistable(object()) is None          # identity only
    assert si.persistable(lambda: 0) is None          # not tessel's
    assert si.persistable([object()]) is None
