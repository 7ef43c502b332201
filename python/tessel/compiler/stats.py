"""Schedule statistics of a compiled kernel: what the scheduling passes
change and the kernel runner reports.

All figures are static: they come from the IR, not from running it.

- `scopes`: number of `tile.spmd` scopes.
- `tasks`: spmd blocks summed over the scopes (one runtime task each).
- `gm_intermediates`: GM scratch tensors (`tile.alloc_gm`).
- `gm_bytes_read` / `gm_bytes_written`: bytes moved by `tile.load` /
  `tile.store`, times the static trip counts of the enclosing loops and the
  block count of the scope (an `scf.if` counts its larger branch): the
  count of tessel/Analysis/GmTraffic.h.
- `modeled_us`: the modelled NPU time of `schedule_model` (a module of one
  function).
- after `tile-place-buffers`, per scope name: `ub_peak_bytes` (the UB peak
  the placement recorded on its `tile.at`, `tile.peak`), `peak_bytes` (every
  buffer kind's peak) and `packing_quality` (per kind, peak divided by the
  most bytes simultaneously live, `tile.live_bytes`: 1.0 is optimal).
- `schedule_model(module)`: the modelled NPU time (per-pipe model with an
  L2 model, tessel/Analysis/ScheduleCost.h, docs/perf-model.md): per scope
  its start, length, bound and traffic; the kernel's `modeled_us`,
  `hbm_floor_us` (compulsory bytes at the effective HBM bandwidth),
  `compulsory_bytes`, `modeled_hbm_bytes` and `gm_load_bytes`.
"""

from __future__ import annotations

from ..mlir import ir
import json
import re

from ..mlir._mlir_libs._tessel import gm_traffic


def _walk(op: ir.Operation, fn) -> None:
    fn(op)
    for region in op.regions:
        for block in region.blocks:
            for child in block.operations:
                _walk(child.operation, fn)


def _max_dicts(attrs) -> dict[str, int]:
    """Per key, the largest integer over DictAttrs (a scope that a split
    left with several tile.at ops reports its worst)."""
    out: dict[str, int] = {}
    for attr in attrs:
        for named in ir.DictAttr(attr):
            out[named.name] = max(out.get(named.name, 0),
                                  ir.IntegerAttr(named.attr).value)
    return out


def schedule_stats(module: ir.Module) -> dict:
    """The statistics of `module` (tile IR, placed or not)."""
    scopes: list[ir.Operation] = []
    allocs: list[ir.Operation] = []

    def visit(op):
        if op.name == "tile.spmd":
            scopes.append(op)
        elif op.name == "tile.alloc_gm":
            allocs.append(op)

    _walk(module.operation, visit)
    target = module_target(module)
    stats = {"scopes": len(scopes), "tasks": 0, "gm_intermediates": len(allocs),
             "gm_bytes_read": 0, "gm_bytes_written": 0, "ub_peak_bytes": {},
             "peak_bytes": {}, "packing_quality": {}, "per_scope": {}}
    for i, spmd in enumerate(scopes):
        blocks = ir.IntegerAttr(spmd.attributes["blocks"]).value
        name = (ir.StringAttr(spmd.attributes["sym_name"]).value
                if "sym_name" in spmd.attributes else f"spmd{i}")
        read, written = gm_traffic(spmd)        # one block
        read, written = read * blocks, written * blocks
        stats["tasks"] += blocks
        stats["gm_bytes_read"] += read
        stats["gm_bytes_written"] += written
        scope = {"blocks": blocks, "gm_bytes_read": read,
                 "gm_bytes_written": written}
        ats = []
        _walk(spmd, lambda op: ats.append(op) if op.name == "tile.at"
              and "tile.peak" in op.attributes else None)
        if ats:
            peak = _max_dicts(at.attributes["tile.peak"] for at in ats)
            live = _max_dicts(at.attributes["tile.live_bytes"] for at in ats
                              if "tile.live_bytes" in at.attributes)
            scope["peak_bytes"] = {k: v for k, v in peak.items() if v}
            scope["packing_quality"] = {k: round(peak[k] / live[k], 4)
                                        for k in peak if live.get(k)}
            stats["ub_peak_bytes"][name] = peak.get("ub", 0)
            stats["peak_bytes"][name] = scope["peak_bytes"]
            stats["packing_quality"][name] = scope["packing_quality"]
        stats["per_scope"][name] = scope
    # The modelled NPU time: the per-pipe model (`schedule_model`), the one
    # the scheduling passes decide with.
    funcs = [op for op in module.body.operations
             if op.operation.name == "func.func"]
    if len(funcs) == 1:
        stats["modeled_us"] = schedule_model(module, target)["modeled_us"]
    return stats


def module_target(module: ir.Module, default: str = "a2a3") -> str:
    """The target the frontend recorded on the module (`tile.target`)."""
    attrs = module.operation.attributes
    if "tile.target" in attrs:
        found = re.search(r"<(\w+)>", str(attrs["tile.target"]))
        if found:
            return found.group(1)
    return default


def schedule_model(module: ir.Module, target: str | None = None) -> dict:
    """The modelled NPU time of the (scheduled) kernel in `module`; the
    figures in seconds and bytes as ScheduleCost.h computes them, plus
    `modeled_us`, `hbm_floor_us` and `floor_ratio` (modelled / floor)."""
    from ..mlir._mlir_libs._tessel import schedule_model as _model
    target = target or module_target(module)
    funcs = [op for op in module.body.operations
             if op.operation.name == "func.func"]
    if len(funcs) != 1:
        raise ValueError(f"schedule_model takes a module of one func.func, "
                         f"got {len(funcs)}")
    model = json.loads(_model(funcs[0].operation, target))
    model["modeled_us"] = model["modeled_seconds"] * 1e6
    model["hbm_floor_us"] = model["hbm_floor_seconds"] * 1e6
    model["floor_ratio"] = (model["modeled_seconds"] / model["hbm_floor_seconds"]
                            if model["hbm_floor_seconds"] else None)
    model["hbm_bytes_ratio"] = (model["modeled_hbm_bytes"] / model["compulsory_bytes"]
                                if model["compulsory_bytes"] else None)
    return model
