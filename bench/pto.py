#!/usr/bin/env python3
"""Benchmark the NPU back end on the DSV4 kernel, in one process: the time
to emit the PTO-ISA source (tile IR -> tile-pto-pipeline -> C++), to build
it against the strict reference (host C++ compiler, cold cache), and to
run it there, beside the LLVM CPU simulation of the same program (median
of `--repeat` runs after a warm-up each).

    python bench/pto.py [--cases flash:8] [--targets a2a3,a5] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
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
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench(kind: str, preset: str, T: int, target: str, repeat: int) -> dict:
    from tessel.runtime import pto
    p = reference.PRESETS[preset]
    inputs = reference.make_inputs(p, T, seed=0)
    outputs = {n: torch.empty(shape, dtype=dtype)
               for n, (shape, dtype) in reference.output_specs(p, T).items()}
    args = [inputs[n] for n in reference.INPUT_NAMES] + \
           [outputs[n] for n in reference.OUTPUT_NAMES]
    kernel = run.build_kernel(kind, p, T)
    t0 = time.perf_counter()
    emitted = kernel.pto(target)
    emit_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    exe = pto.PtoKernel(emitted)
    build_s = time.perf_counter() - t0
    run_s = median_time(lambda: exe(*args), repeat)
    sim = kernel.compile(*args, target=target)
    sim_s = median_time(lambda: sim(*args), repeat)
    syncs = pto.sync_stats(emitted.synced_ir)
    return {"emit": emit_s, "build": build_s, "run": run_s, "sim": sim_s,
            "lines": len(emitted.source.splitlines()),
            "pairs": sum(s["pairs"] for s in syncs),
            "barriers": sum(s["vector_barriers"] for s in syncs)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", default="flash:8")
    parser.add_argument("--targets", default="a2a3,a5")
    parser.add_argument("--kernel", default="hand", choices=sorted(run.KERNELS))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    # A cold build cache, so the build time is the compiler's.
    os.environ["TESSEL_PTO_CACHE"] = tempfile.mkdtemp(prefix="tessel-pto-bench-")
    print(f"{args.kernel} kernel; medians of {args.repeat} runs; reference "
          f"built at {os.environ.get('TESSEL_PTO_OPT', '-O1')}")
    print(f"{'case':<20} {'emit s':>7} {'build s':>8} {'run ms':>8} "
          f"{'LLVM sim ms':>12} {'run/sim':>8} {'C++ lines':>10} "
          f"{'flag pairs':>11} {'V barriers':>11}")
    for case in args.cases.split(","):
        preset, T = case.split(":")
        for target in args.targets.split(","):
            r = bench(args.kernel, preset, int(T), target, args.repeat)
            print(f"{preset + ' T=' + T + ' ' + target:<20} {r['emit']:>7.2f} "
                  f"{r['build']:>8.2f} {r['run'] * 1e3:>8.1f} "
                  f"{r['sim'] * 1e3:>12.1f} {r['run'] / r['sim']:>8.1f} "
                  f"{r['lines']:>10} {r['pairs']:>11} {r['barriers']:>11}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
