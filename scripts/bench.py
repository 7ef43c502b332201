#!/usr/bin/env python3
"""`make bench`: every benchmark, each printing what it measured.

- bench/dsv4.py: the DSV4 kernel's simulation time against its PyTorch
  golden (ratio), its cold compile time, the JIT at -O0 against -O2 (JIT
  and simulation ratios) and the warm start from the kernel cache;
- bench/compile_breakdown.py: where the cold compile goes, step by step;
- bench/perf_model.py: the modelled NPU time against published figures;
- bench/gm_traffic.py: the DSV4 schedules' GM load bytes, tensor by tensor;
- bench/frontend_compile.py: the frontend on a ~200-line kernel;
- bench/cpu_sim_ops.py: per-op simulation speed against torch;
- bench/grid_scale.py: compile time of one kernel at 8, 8192 and 1e6 blocks;
- bench/pto.py: the NPU back end's emit, build and reference run times;
- bench/graph.py: the graph path's compile time on DSV4 as plain PyTorch.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHES = [
    ("DSV4 decode kernel: simulation vs golden, compile time, kernel cache",
     "bench/dsv4.py", []),
    ("DSV4 cold compile, step by step", "bench/compile_breakdown.py", []),
    ("modelled NPU time vs published figures, hand and naive schedules",
     "bench/perf_model.py", []),
    ("DSV4 GM load bytes by tensor", "bench/gm_traffic.py", []),
    ("frontend compile time (~200-line kernel)", "bench/frontend_compile.py", []),
    ("per-op CPU simulation vs torch", "bench/cpu_sim_ops.py", []),
    ("compile time against grid size", "bench/grid_scale.py", []),
    ("NPU back end: emit, build and reference run vs the LLVM simulation",
     "bench/pto.py", []),
    ("graph path: DSV4 from plain PyTorch, compile time (export included)",
     "bench/graph.py", []),
]


def main() -> int:
    rc = 0
    for title, script, args in BENCHES:
        print(f"\n== {title} ({script})", flush=True)
        rc |= subprocess.call([sys.executable, str(ROOT / script), *args], cwd=ROOT)
    return rc


if __name__ == "__main__":
    sys.exit(main())
