#!/usr/bin/env python3
"""Benchmark the graph path (tessel.compile_graph, docs/graph.md) on DSV4
decode Q/KV written as plain PyTorch (kernels/dsv4/graph.py).

Per case, in one process with torch already imported: the compile time
from the Python function to a JIT-ready executable, split into
torch.export (with its first-call warm-up in the first case), the ATen ->
tensor-level IR conversion, tile-form-scopes + the race check, scheduling
and placement, and the CPU lowering + LLVM JIT; the hand kernel's compile
time (source -> JIT-ready) in the same run, and the ratio; the simulation
time against the golden's.

    python bench/graph.py [--cases flash:8] [--repeat 5]

Goal (issue 13): DSV4 FLASH T=8 through the graph path, export included,
in under 3 s.
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

import graph  # noqa: E402
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


def bench_case(preset: str, T: int, repeat: int) -> dict:
    import tessel
    from tessel.runtime import clear_cache

    p = reference.PRESETS[preset]
    clear_cache()
    t0 = time.perf_counter()
    k = tessel.compile_graph(graph.make_fn(p), graph.example_inputs(p, T),
                             name="decode_qkv_proj_rope")
    t1 = time.perf_counter()
    k.module("tile")
    t2 = time.perf_counter()
    k.module("placed")
    t3 = time.perf_counter()
    k.compile()
    t4 = time.perf_counter()
    phases = {"export": k.seconds["export"], "convert": k.seconds["convert"],
              "form scopes": t2 - t1, "schedule + place": t3 - t2,
              "lower + JIT": t4 - t3}
    total = t4 - t0

    clear_cache()
    hand = run.build_kernel("hand", p, T)
    inputs = reference.make_inputs(p, T, seed=0)
    outputs = {n: torch.empty(shape, dtype=dtype)
               for n, (shape, dtype) in reference.output_specs(p, T).items()}
    argv = [inputs[n] for n in reference.INPUT_NAMES] + \
           [outputs[n] for n in reference.OUTPUT_NAMES]
    t0 = time.perf_counter()
    hand.compile(*argv)
    hand_s = time.perf_counter() - t0

    gin = [inputs[n] for n in reference.INPUT_NAMES]
    sim = median_time(lambda: k(*gin), repeat)
    gold = median_time(lambda: reference.reference(p, inputs), repeat)
    return {"case": f"{preset} T={T}", "total": total, "phases": phases,
            "hand": hand_s, "sim": sim, "golden": gold}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default="flash:8")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    first = True
    for spec in args.cases.split(","):
        preset, T = spec.split(":")
        # The first compile of the process also initialises torch.export
        # (seconds, once per process); the second shows a compile after it.
        for when in (["first in process", "again"] if first else ["again"]):
            r = bench_case(preset, int(T), args.repeat)
            ph = ", ".join(f"{n} {s:.3f}" for n, s in r["phases"].items())
            print(f"DSV4 {r['case']} graph path ({when}): compile "
                  f"{r['total']:.3f} s (goal < 3 s; {ph}); hand kernel "
                  f"compile {r['hand']:.3f} s (graph / hand "
                  f"{r['total'] / r['hand']:.2f})")
        first = False
        print(f"  simulation {r['sim'] * 1e3:.1f} ms / golden "
              f"{r['golden'] * 1e3:.1f} ms = {r['sim'] / r['golden']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
