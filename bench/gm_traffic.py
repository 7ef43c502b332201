#!/usr/bin/env python3
"""Where the DSV4 schedules' GM load bytes go, tensor by tensor.

For the hand and naive kernels (scheduled and placed for a2a3), every
`tile.load` is counted with the trip counts of its loops and the blocks of
its scope, and charged to the GM tensor it reads (a kernel argument, or a
`tile.alloc_gm` scratch tensor by name); each argument's bytes are its
compulsory traffic. The total is checked against `schedule_stats`'
`gm_bytes_read` (tessel/Analysis/GmTraffic.h), so the split cannot drift
from the count the README quotes. docs/perf-model.md explains the excess.

    python bench/gm_traffic.py [--preset flash] [--tokens 8]
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "kernels" / "dsv4"))

import reference  # noqa: E402
import run  # noqa: E402


def _const(value):
    owner = value.owner
    if getattr(owner, "name", None) == "arith.constant":
        from tessel.mlir import ir
        return ir.IntegerAttr(owner.attributes["value"]).value
    return None


def _root(value):
    from tessel.mlir import ir
    while not isinstance(value.owner, ir.Block) and value.owner.name in (
            "memref.expand_shape", "memref.collapse_shape"):
        value = value.owner.operands[0]
    return value


def _bytes(shaped) -> int:
    from tessel.mlir import ir
    if "tile<" in str(shaped):
        text = str(shaped).split("<", 1)[1].rstrip(">")
        *dims, elem = text.split("x")
    else:
        t = ir.MemRefType(shaped)
        dims, elem = t.shape, str(t.element_type)
    n = 1
    for d in dims:
        n *= int(d)
    return n * {"bf16": 2, "f16": 2, "f32": 4, "i8": 1, "i32": 4}[elem]


def load_bytes(module, arg_names) -> dict:
    """{tensor: bytes loaded} over the kernel."""
    from tessel.mlir import ir
    func = next(op for op in module.body.operations
                if op.operation.name == "func.func").operation
    block = func.regions[0].blocks[0]
    names = {a: n for a, n in zip(block.arguments, arg_names)}
    out = collections.Counter()

    def tensor(value):
        r = _root(value)
        if isinstance(r.owner, ir.Block):
            return names[r]
        return ir.StringAttr(r.owner.attributes["name"]).value

    def walk(op, mult):
        if op.name == "tile.spmd":
            mult *= ir.IntegerAttr(op.attributes["blocks"]).value
        elif op.name in ("scf.for", "tile.pipeline"):
            lb, ub, step = (_const(op.operands[i]) for i in range(3))
            mult *= (ub - lb + step - 1) // step
        elif op.name == "tile.load":
            out[tensor(op.operands[0])] += mult * _bytes(op.results[0].type)
        for region in op.regions:
            for b in region.blocks:
                for inner in b.operations:
                    walk(inner.operation, mult)

    walk(func, 1)
    sizes = {n: _bytes(a.type) for a, n in zip(block.arguments, arg_names)}
    return out, sizes


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="flash")
    parser.add_argument("--tokens", type=int, default=8)
    args = parser.parse_args(argv)
    p = reference.PRESETS[args.preset]
    arg_names = list(reference.INPUT_NAMES) + list(reference.OUTPUT_NAMES)
    for kind in ("hand", "naive"):
        kernel = run.build_kernel(kind, p, args.tokens)
        module = kernel.module("a2a3", "placed").module
        loads, sizes = load_bytes(module, arg_names)
        stats = kernel.schedule_stats(target="a2a3")
        total = sum(loads.values())
        assert total == stats["gm_bytes_read"], (total, stats["gm_bytes_read"])
        compulsory = sum(sizes.values())
        print(f"{kind}: GM loads {total} B, compulsory (every argument once) "
              f"{compulsory} B: {total / compulsory:.3f}x")
        print(f"  {'tensor':<22} {'loaded B':>10} {'size B':>10} "
              f"{'excess B':>10}")
        rows = sorted(loads.items(),
                      key=lambda kv: -(kv[1] - sizes.get(kv[0], 0)))
        for name, b in rows:
            size = sizes.get(name)
            excess = b - (size or 0)
            print(f"  {name:<22} {b:>10} {size if size else 'scratch':>10} "
                  f"{excess:>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
