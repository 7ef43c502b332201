#!/usr/bin/env python3
"""Where the cold compile of a DSV4 kernel goes (source -> JIT-ready).

Runs each step of `JitKernel.compile` on its own, in order, and prints its
wall and CPU seconds (CPU time is less disturbed by other processes on a
shared machine): the frontend, verification and race check, scheduling,
placement, the CPU lowering (tile-cpu-pipeline), the LLVM JIT at each
optimisation level, and storing the object code in the kernel cache
(`cc -shared`; a compile does that in a background thread, so it is left
out of the total). Also prints the size of the lowered module.

    python bench/compile_breakdown.py [--preset flash] [--tokens 8] [--kernel hand]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "kernels" / "dsv4"))

import reference  # noqa: E402
import run  # noqa: E402


class Steps:
    def __init__(self):
        self.rows = []

    def __call__(self, name, fn):
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        self.rows.append((name, time.perf_counter() - w, time.process_time() - c))
        return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="flash", choices=sorted(reference.PRESETS))
    parser.add_argument("--tokens", type=int, default=8)
    parser.add_argument("--kernel", default="hand", choices=sorted(run.KERNELS))
    args = parser.parse_args(argv)

    from tessel.compiler import driver
    from tessel.mlir import ir
    from tessel.mlir.execution_engine import ExecutionEngine
    from tessel.mlir.passmanager import PassManager
    from tessel.runtime import cache

    kernel = run.build_kernel(args.kernel, reference.PRESETS[args.preset], args.tokens)
    step = Steps()
    # Warm the imports and the MLIR context once: a first compile in a
    # process also pays them (see bench/dsv4.py for the whole cold figure).
    driver.compile_kernel(kernel.fn, "a2a3", "tile")
    built = step("frontend (AST -> tile IR)", lambda: driver.build(kernel.fn, "a2a3"))
    compiled = step("verify + tile-check-races",
                    lambda: driver.finish(built, "tile"))
    module, ctx = compiled.module, compiled.context
    with ctx:
        step("schedule (tile-schedule-pipeline)", lambda: PassManager.parse(
            "builtin.module(tile-schedule-pipeline{target=a2a3})").run(module.operation))
        step("place (tile-place-buffers)", lambda: PassManager.parse(
            "builtin.module(tile-place-buffers{target=a2a3})").run(module.operation))
        for op in module.body.operations:
            if op.operation.name == "func.func":
                op.attributes["llvm.emit_c_interface"] = ir.UnitAttr.get()
        step("lower (tile-cpu-pipeline)", lambda: PassManager.parse(
            "builtin.module(tile-cpu-pipeline{threads=1})").run(module.operation))
        text = str(module)
        symbol = "_mlir_ciface_" + kernel.fn.__name__
        engines = {}
        for level in (0, 1, 2, 3):
            m = ir.Module.parse(text)

            def jit(m=m, level=level):
                e = ExecutionEngine(m, opt_level=level, enable_pic=True)
                e.raw_lookup(symbol)
                return e
            engines[level] = step(f"LLVM JIT -O{level}", jit)
    with tempfile.TemporaryDirectory() as tmp:
        import os
        os.environ["TESSEL_CACHE_DIR"] = tmp
        # Compiling stores in a background thread; here in the foreground,
        # to see its cost.
        step("store: object, cc -shared, rename", lambda: cache.store_entry(
            "0" * 64, engines[0].dump_to_object_file, text, {},
            background=False))
    print(f"DSV4 {args.preset} T={args.tokens} kernel={args.kernel}: lowered module "
          f"{len(text)} chars, {text.count('llvm.func')} llvm.func, "
          f"{sum(line.lstrip().startswith('%') for line in text.splitlines())} "
          f"SSA values")
    print(f"{'step':<40} {'wall s':>8} {'CPU s':>8}")
    for name, w, c in step.rows:
        print(f"{name:<40} {w:>8.3f} {c:>8.3f}")
    default = [r for r in step.rows if (not r[0].startswith("LLVM JIT -O")
                                        or r[0].endswith("O0"))
               and not r[0].startswith("store")]
    print(f"{'total at the default (-O0)':<40} {sum(r[1] for r in default):>8.3f} "
          f"{sum(r[2] for r in default):>8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
