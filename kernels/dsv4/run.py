#!/usr/bin/env python3
"""Compile the DSV4 decode Q/KV projection + RoPE kernel, run it on the CPU
simulation and check it against the PyTorch golden.

    python kernels/dsv4/run.py --preset flash --tokens 8 [--seed S]
        [--kernel hand|naive|graph] [--target a2a3] [--random-gammas]
        [--compare]
        [--inputs IN.pt] [--save OUT.pt] [--json OUT.json]

Prints a table (output, max abs error, max rel error, elements out of
tolerance, pass), timings (compile, simulate, golden) and the schedule: its
statistics and its modelled NPU time against the HBM floor (JSON:
`schedule.modeled_us`, `schedule.hbm_floor_us`, `schedule.compulsory_bytes`,
`schedule.modeled_hbm_bytes`, `schedule.gm_load_bytes`; docs/perf-model.md).
Exit status 1 when any output fails the accuracy rule of
kernels/dsv4/README.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import reference  # noqa: E402

KERNELS = {
    "hand": "decode_qkv_proj_rope",
    "naive": "decode_qkv_proj_rope_naive",
    # plain PyTorch through the graph path (tessel.compile_graph)
    "graph": "graph",
}


class InputError(Exception):
    """--inputs holds a tensor of the wrong name, shape or dtype."""


def load_inputs(path: Path, p: reference.Preset, T: int) -> dict[str, torch.Tensor]:
    data = torch.load(path, map_location="cpu", weights_only=True)
    if isinstance(data, dict) and "inputs" in data and isinstance(data["inputs"], dict):
        data = data["inputs"]
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a dict of tensors, got {type(data).__name__}")
    specs = reference.input_specs(p, T)
    missing = [n for n in specs if n not in data]
    if missing:
        raise InputError(f"{path}: missing input(s) {', '.join(missing)}")
    extra = [n for n in data if n not in specs]
    if extra:
        raise InputError(f"{path}: unknown input(s) {', '.join(extra)}; "
                         f"expected {', '.join(specs)}")
    for name, (shape, dtype) in specs.items():
        t = data[name]
        if not isinstance(t, torch.Tensor):
            raise InputError(f"input {name}: expected a tensor, got {type(t).__name__}")
        if tuple(t.shape) != shape or t.dtype != dtype:
            raise InputError(
                f"input {name}: expected shape {list(shape)} {dtype}, got "
                f"{list(t.shape)} {t.dtype} (preset {p.name}, tokens {T})")
    return {n: data[n].contiguous() for n in specs}


def build_kernel(kind: str, p: reference.Preset, T: int):
    """The jit kernel of `kind` for preset `p` and `T` tokens."""
    import importlib

    module = importlib.import_module(KERNELS[kind])
    if kind == "graph":
        return module.make_fn(p)
    return module.make_kernel(p, T)


def schedule_stats(kernel, target: str) -> dict:
    """The static schedule statistics (tessel.compiler.stats) plus the UB
    capacity of the target."""
    from tessel import targets

    stats = (kernel.schedule_stats() if not hasattr(kernel, "signature")
             else kernel.schedule_stats(target=target))
    stats.pop("per_scope", None)
    stats["ub_capacity_bytes"] = targets.get(target)["buffers"]["ub"]["usable_bytes"]
    # The modelled NPU time (docs/perf-model.md) against the HBM floor.
    model = kernel.schedule_model(target)
    for key in ("modeled_us", "hbm_floor_us", "floor_ratio", "compulsory_bytes",
                "modeled_hbm_bytes", "hbm_bytes_ratio", "gm_load_bytes",
                "gm_store_bytes"):
        stats[key] = model[key]
    stats["model_scopes"] = [
        {"name": sc["name"], "kind": sc["kind"], "blocks": sc["blocks"],
         "us": sc["seconds"] * 1e6, "bound": sc["bound"]}
        for sc in model["scopes"]]
    return stats


def run(args) -> dict:
    p = reference.PRESETS[args.preset]
    T = args.tokens
    if args.inputs:
        inputs = load_inputs(Path(args.inputs), p, T)
    else:
        inputs = reference.make_inputs(p, T, args.seed, args.random_gammas)

    t0 = time.perf_counter()
    want = reference.reference(p, inputs)
    golden_s = time.perf_counter() - t0

    backend = getattr(args, "backend", "cpu")
    outputs = {n: torch.empty(shape, dtype=dtype)
               for n, (shape, dtype) in reference.output_specs(p, T).items()}
    argv = [inputs[n] for n in reference.INPUT_NAMES] + \
           [outputs[n] for n in reference.OUTPUT_NAMES]
    if args.kernel == "graph":
        import graph
        t0 = time.perf_counter()
        kernel = graph.make_graph(p, T, args.target)
        if backend == "pto":
            kernel.compile_pto()
        else:
            kernel.compile()
        compile_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        got = kernel(*[inputs[n] for n in reference.INPUT_NAMES],
                     backend=backend)
        simulate_s = time.perf_counter() - t0
        for n, g in zip(reference.OUTPUT_NAMES, got):
            outputs[n].copy_(g)
    else:
        kernel = build_kernel(args.kernel, p, T)
        t0 = time.perf_counter()
        if backend == "pto":
            kernel.compile_pto(args.target)
        else:
            kernel.compile(*argv, target=args.target)
        compile_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        kernel(*argv, target=args.target, backend=backend)
        simulate_s = time.perf_counter() - t0

    report = reference.compare(outputs, want)
    result = {
        "preset": p.name, "tokens": T,
        "seed": None if args.inputs else args.seed, "inputs": args.inputs,
        "kernel": args.kernel,
        "target": args.target,
        "backend": backend,
        "pass": all(r["pass"] for r in report.values()),
        "outputs": report,
        "seconds": {"compile": compile_s, "simulate": simulate_s, "golden": golden_s},
        "schedule": schedule_stats(kernel, args.target),
    }
    if backend == "pto":
        from tessel.runtime.pto import sync_stats
        emitted = (kernel.pto() if args.kernel == "graph"
                   else kernel.pto(args.target))
        result["syncs"] = sync_stats(emitted.synced_ir)
    if args.save:
        torch.save({"inputs": inputs, "outputs": outputs}, args.save)
    return result


def print_table(result: dict) -> None:
    source = (f"inputs={result['inputs']}" if result.get("inputs")
              else f"seed={result['seed']}")
    print(f"DSV4 decode qkv_proj_rope  preset={result['preset']} T={result['tokens']} "
          f"{source} kernel={result['kernel']} target={result['target']}"
          + (f" backend={result['backend']}"
             if result.get("backend", "cpu") != "cpu" else ""))
    print(f"{'output':<10} {'max abs err':>12} {'max rel err':>12} {'out of tol':>11}  pass")
    for name, r in result["outputs"].items():
        print(f"{name:<10} {r['max_abs_err']:>12.3e} {r['max_rel_err']:>12.3e} "
              f"{r['mismatches']:>11d}  {'yes' if r['pass'] else 'NO'}")
    s = result["seconds"]
    run_name = "reference run" if result.get("backend") == "pto" else "simulate"
    print(f"compile {s['compile']:.3f} s   {run_name} {s['simulate']:.3f} s   "
          f"golden {s['golden']:.3f} s")
    syncs = result.get("syncs")
    if syncs:
        print("synchronisation per scope (tile-insert-sync): "
              + ", ".join(f"{x['scope']} {x['pairs']} pairs / "
                          f"{x['vector_barriers']} V barriers / "
                          f"{x['event_ids']} ids" for x in syncs))
    sched = result.get("schedule") or {}
    if sched:
        print(f"schedule: {sched['scopes']} scopes, {sched['tasks']} tasks, "
              f"{sched['gm_intermediates']} GM intermediates, "
              f"GM read {sched['gm_bytes_read']} B, written {sched['gm_bytes_written']} B")
    if "modeled_us" in sched:
        print(f"modelled NPU time {sched['modeled_us']:.1f} us, HBM floor "
              f"{sched['hbm_floor_us']:.1f} us (ratio {sched['floor_ratio']:.2f}); "
              f"HBM bytes {sched['modeled_hbm_bytes']} / compulsory "
              f"{sched['compulsory_bytes']} = {sched['hbm_bytes_ratio']:.3f} "
              f"(L2 model), GM loads {sched['gm_load_bytes']} B "
              f"(docs/perf-model.md)")
        print("  " + ", ".join(f"{x['name']} {x['us']:.1f} us ({x['bound']})"
                               for x in sched["model_scopes"]))
    if sched.get("peak_bytes"):
        cap = sched.get("ub_capacity_bytes")
        print(f"on-chip peaks per scope (bytes; UB capacity {cap}) and packing "
              f"quality (peak / bytes live at once, 1.00 = optimal):")
        print(f"  {'scope':<20} {'UB':>7} {'UB room':>8} {'L1':>7} {'L0C':>7}  quality")
        for scope, peaks in sched["peak_bytes"].items():
            ub = peaks.get("ub", 0)
            quality = ", ".join(f"{k} {v:.2f}" for k, v in
                                sched["packing_quality"].get(scope, {}).items())
            print(f"  {scope:<20} {ub:>7d} {cap - ub:>8d} {peaks.get('l1', 0):>7d} "
                  f"{peaks.get('l0c', 0):>7d}  {quality}")
    print("PASS" if result["pass"] else "FAIL")


COMPARED = ("scopes", "tasks", "gm_intermediates", "gm_bytes_read", "gm_bytes_written",
            "modeled_us", "hbm_floor_us", "floor_ratio",
            "compulsory_bytes", "modeled_hbm_bytes", "hbm_bytes_ratio",
            "gm_load_bytes")

# The graph path against the hand kernel (issue 13's acceptance): ratio
# graph / hand and the goal it must meet.
GRAPH_GOALS = (("gm_bytes_read", 1.05), ("gm_intermediates", 1.0),
               ("tasks", 1.25), ("modeled_us", 1.10))


def print_compare(results: dict[str, dict]) -> None:
    """Schedules side by side (--compare)."""
    kinds = list(results)
    print(f"{'':<18}" + "".join(f"{k:>16}" for k in kinds))
    def cell(v):
        return f"{v:>16.3f}" if isinstance(v, float) else f"{v!s:>16}"
    for key in COMPARED:
        print(f"{key:<18}" + "".join(cell(results[k]['schedule'].get(key, '-'))
                                    for k in kinds))
    for key in ("compile", "simulate"):
        print(f"{key + ' s':<18}" + "".join(f"{results[k]['seconds'][key]:>16.3f}"
                                          for k in kinds))
    print(f"{'pass':<18}" + "".join(f"{'yes' if results[k]['pass'] else 'NO':>16}"
                                    for k in kinds))
    if "graph" in results and "hand" in results:
        print("graph / hand (goal):")
        g, h = results["graph"]["schedule"], results["hand"]["schedule"]
        for key, goal in GRAPH_GOALS:
            ratio = g[key] / h[key] if h[key] else float("inf")
            print(f"  {key:<18} {ratio:7.3f}  (<= {goal:.2f}: "
                  f"{'met' if ratio <= goal + 1e-9 else 'NOT met'})")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", choices=sorted(reference.PRESETS), default="flash")
    parser.add_argument("--tokens", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--kernel", choices=sorted(KERNELS), default="hand")
    parser.add_argument("--target", choices=["a2a3", "a5"], default="a2a3")
    parser.add_argument("--random-gammas", action="store_true")
    parser.add_argument("--backend", choices=["cpu", "pto"], default="cpu",
                        help="run on the LLVM CPU simulation (cpu) or as the "
                             "emitted PTO-ISA source on the strict reference "
                             "(pto; docs/pto.md)")
    parser.add_argument("--inputs")
    parser.add_argument("--save")
    parser.add_argument("--json")
    parser.add_argument("--compare", action="store_true",
                        help="run the hand and naive kernels (with --kernel "
                             "graph: the hand and graph kernels, and the "
                             "graph / hand ratios) and print their "
                             "schedules side by side")
    args = parser.parse_args(argv)
    if args.tokens < 1:
        parser.error(f"--tokens must be positive, got {args.tokens}")
    try:
        if args.compare:
            results = {}
            kinds = (["hand", "graph"] if args.kernel == "graph"
                     else ["hand", "naive"])
            for kind in kinds:
                args.kernel = kind
                results[kind] = run(args)
                print_table(results[kind])
                print()
            print_compare(results)
            if args.json:
                Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
            return 0 if all(r["pass"] for r in results.values()) else 1
        result = run(args)
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print_table(result)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    return 0 if result["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
