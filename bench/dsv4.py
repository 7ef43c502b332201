#!/usr/bin/env python3
"""Benchmark the DSV4 decode kernel on the CPU simulation against its
PyTorch golden, in one process on the same machine.

For each (preset, T): the compile time (Python source -> JIT-ready
executable, with every cache cold: frontend, npu schedule, placement,
lowering, LLVM JIT at the runtime's default -O0, storing into an empty
kernel cache), and the median of `--repeat` runs of the simulation and of
the golden (after one warm-up each), with their ratio; then the same
kernel JIT-compiled at -O2 (the earlier default): its compile time and
simulation time, and the ratios -O0 / -O2. Last, the persistent kernel
cache: `compile()` in fresh processes that find the kernel on disk
(median of 3 processes, after `import torch, tessel`): through the source
index, without the frontend or the MLIR libraries
(tessel/runtime/source_index.py).

    python bench/dsv4.py [--cases flash:8,pro:8] [--repeat 10] [--kernel hand]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "kernels" / "dsv4"))

import reference  # noqa: E402
import run  # noqa: E402


def median_time(fn, repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_case(kind: str, preset: str, T: int, repeat: int) -> dict:
    from tessel.compiler import driver
    from tessel.compiler.stages import scheduled_stage
    from tessel.runtime import CpuKernel, clear_cache

    p = reference.PRESETS[preset]
    inputs = reference.make_inputs(p, T, seed=0)
    outputs = {n: torch.empty(shape, dtype=dtype)
               for n, (shape, dtype) in reference.output_specs(p, T).items()}
    args = [inputs[n] for n in reference.INPUT_NAMES] + \
           [outputs[n] for n in reference.OUTPUT_NAMES]
    clear_cache()
    t0 = time.perf_counter()
    kernel = run.build_kernel(kind, p, T)      # a fresh kernel: cold caches
    exe = kernel.compile(*args)
    compile_s = time.perf_counter() - t0
    assert exe.origin == "jit", "the bench's kernel cache was not empty"
    simulate_s = median_time(lambda: exe(*args), repeat)
    golden_s = median_time(lambda: reference.reference(p, inputs), repeat)
    ok = all(r["pass"] for r in
             reference.compare(outputs, reference.reference(p, inputs)).values())
    # The same placed program JIT-compiled at -O2 (not stored).
    placed = driver.compile_kernel(kernel.fn, "a2a3", scheduled_stage())
    clear_cache()
    t0 = time.process_time()
    exe2 = CpuKernel(placed.module, kernel.fn.__name__, opt_level=2,
                     persistent=False)
    jit_o2_s = time.process_time() - t0
    placed = driver.compile_kernel(kernel.fn, "a2a3", scheduled_stage())
    clear_cache()
    t0 = time.process_time()
    CpuKernel(placed.module, kernel.fn.__name__, persistent=False)
    jit_o0_s = time.process_time() - t0
    # -O0 against -O2, interleaved (the same moments of a shared machine's
    # load) and in CPU seconds of this thread (what the single-threaded
    # simulation itself uses).
    exe(*args)
    exe2(*args)
    o0, o2 = [], []
    for _ in range(repeat):
        for fn, out in ((exe, o0), (exe2, o2)):
            t0 = time.thread_time()
            fn(*args)
            out.append(time.thread_time() - t0)
    simulate_o2_s = statistics.median(o2)
    simulate_o0_cpu_s = statistics.median(o0)
    return {"kernel": kind, "preset": preset, "tokens": T, "compile": compile_s,
            "simulate": simulate_s, "golden": golden_s, "pass": ok,
            "jit_o0": jit_o0_s, "jit_o2": jit_o2_s,
            "simulate_o2": simulate_o2_s, "simulate_o0": simulate_o0_cpu_s}


WARM = """
import json, sys, time
t0 = time.perf_counter()
sys.path.insert(0, {dsv4!r})
import torch, tessel, reference, run
imports = time.perf_counter() - t0
p = reference.PRESETS[{preset!r}]
kernel = run.build_kernel({kind!r}, p, {T})
c0 = time.process_time()
t0 = time.perf_counter()
exe = kernel.compile()
print(json.dumps({{"seconds": time.perf_counter() - t0, "origin": exe.origin,
                  "cpu": time.process_time() - c0, "imports": imports,
                  "mlir": any(m.startswith("tessel.mlir._mlir_libs._mlir")
                              for m in sys.modules)}}))
"""


def warm_process_s(kind: str, preset: str, T: int, runs: int = 3) -> dict:
    """Medians of `compile()` in fresh processes that find the kernel in
    the (already filled) cache: wall and CPU seconds, the imports before it
    (torch, tessel), and whether the MLIR libraries were loaded."""
    times, cpus, imports, mlir = [], [], [], []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", WARM.format(dsv4=str(ROOT / "kernels" / "dsv4"),
                                                preset=preset, kind=kind, T=T)],
            capture_output=True, text=True, check=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        assert r["origin"] == "disk", r
        times.append(r["seconds"])
        cpus.append(r["cpu"])
        imports.append(r["imports"])
        mlir.append(r["mlir"])
    return {"seconds": statistics.median(times), "cpu": statistics.median(cpus),
            "imports": statistics.median(imports), "mlir": any(mlir)}


def race_check_ms(kind: str, preset: str, T: int, repeat: int) -> float:
    """Median time of tile-check-races (docs/races.md) on the kernel's tile
    IR, as the pass itself measures it (report-time remark)."""
    import re
    from tessel.compiler import driver
    from tessel.mlir.passmanager import PassManager
    kernel = run.build_kernel(kind, reference.PRESETS[preset], T)
    compiled = driver.compile_kernel(kernel.fn, "a2a3", "tile")
    times = []
    for _ in range(repeat + 1):
        compiled.warnings.clear()
        with compiled.context:
            PassManager.parse("builtin.module(tile-check-races{report-time})"
                              ).run(compiled.module.operation)
        times += [float(m.group(1)) for w in compiled.warnings
                  if (m := re.match(r"race check: ([0-9.]+) ms", w[1]))]
    return statistics.median(times[1:])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", default="flash:8,flash:128,pro:8")
    parser.add_argument("--kernel", default="hand", choices=sorted(run.KERNELS))
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args(argv)
    # An empty kernel cache of the bench's own: the compile is cold.
    os.environ["TESSEL_CACHE_DIR"] = tempfile.mkdtemp(prefix="tessel-bench-")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; "
          f"simulation single-threaded; medians of {args.repeat} runs")
    print(f"{'case':<14} {'compile s':>10} {'simulate ms':>12} {'golden ms':>10} "
          f"{'sim/golden':>11}  golden check")
    results = []
    for case in args.cases.split(","):
        preset, T = case.split(":")
        r = bench_case(args.kernel, preset, int(T), args.repeat)
        results.append(r)
        print(f"{preset + ' T=' + T:<14} {r['compile']:>10.3f} "
              f"{r['simulate'] * 1e3:>12.2f} {r['golden'] * 1e3:>10.2f} "
              f"{r['simulate'] / r['golden']:>11.3f}  {'pass' if r['pass'] else 'FAIL'}")
    print("the placed program lowered and JIT-compiled at -O0 (default) and "
          "-O2: CPU seconds; simulation CPU ms (the two interleaved); ratios O0/O2")
    print(f"{'case':<14} {'CPU O0 s':>9} {'CPU O2 s':>9} {'JIT ratio':>10} "
          f"{'sim O0 ms':>10} {'sim O2 ms':>10} {'sim ratio':>10}")
    for r in results:
        print(f"{r['preset'] + ' T=' + str(r['tokens']):<14} {r['jit_o0']:>9.3f} "
              f"{r['jit_o2']:>9.3f} {r['jit_o0'] / r['jit_o2']:>10.2f} "
              f"{r['simulate_o0'] * 1e3:>10.2f} {r['simulate_o2'] * 1e3:>10.2f} "
              f"{r['simulate_o0'] / r['simulate_o2']:>10.2f}")
    print("persistent kernel cache: compile() in a fresh process that finds "
          "the kernel on disk (median of 3 processes; goal < 0.1 s)")
    from tessel.runtime import cache
    cache.wait_pending()
    for r in results:
        warm = warm_process_s(args.kernel, r["preset"], r["tokens"])
        print(f"  {r['preset'] + ' T=' + str(r['tokens']):<14} "
              f"{warm['seconds']:>8.3f} s (CPU {warm['cpu']:.3f} s; cold "
              f"{r['compile']:.3f} s, ratio {warm['seconds'] / r['compile']:.3f}; "
              f"MLIR libraries {'loaded' if warm['mlir'] else 'not loaded'}; "
              f"before it, import torch, tessel {warm['imports']:.2f} s)")
    print("race check (tile-check-races, goal < 50 ms), median of "
          f"{args.repeat} runs:")
    for case in args.cases.split(","):
        preset, T = case.split(":")
        for kind in ("hand", "naive"):
            ms = race_check_ms(kind, preset, int(T), args.repeat)
            print(f"  {kind:<6} {preset + ' T=' + T:<14} {ms:>8.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
