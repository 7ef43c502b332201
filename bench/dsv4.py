#!/usr/bin/env python3
"""Benchmark the DSV4 decode kernel on the CPU simulation against its
PyTorch golden, in one process on the same machine.

For each (preset, T): the compile time (Python source -> JIT-ready
executable, with every cache cold: frontend, npu schedule, placement,
lowering, LLVM JIT), and the median of `--repeat` runs of the simulation
and of the golden (after one warm-up each), with their ratio.

    python bench/dsv4.py [--cases flash:8,pro:8] [--repeat 10] [--kernel hand]
"""

from __future__ import annotations

import argparse
import statistics
import sys
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
    from tessel.runtime import clear_cache

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
    simulate_s = median_time(lambda: exe(*args), repeat)
    golden_s = median_time(lambda: reference.reference(p, inputs), repeat)
    ok = all(r["pass"] for r in
             reference.compare(outputs, reference.reference(p, inputs)).values())
    return {"kernel": kind, "preset": preset, "tokens": T, "compile": compile_s,
            "simulate": simulate_s, "golden": golden_s, "pass": ok}


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
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; "
          f"simulation single-threaded; medians of {args.repeat} runs")
    print(f"{'case':<14} {'compile s':>10} {'simulate ms':>12} {'golden ms':>10} "
          f"{'sim/golden':>11}  golden check")
    for case in args.cases.split(","):
        preset, T = case.split(":")
        r = bench_case(args.kernel, preset, int(T), args.repeat)
        print(f"{preset + ' T=' + T:<14} {r['compile']:>10.3f} "
              f"{r['simulate'] * 1e3:>12.2f} {r['golden'] * 1e3:>10.2f} "
              f"{r['simulate'] / r['golden']:>11.3f}  {'pass' if r['pass'] else 'FAIL'}")
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
