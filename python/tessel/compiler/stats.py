"""Schedule statistics of a compiled kernel: what the scheduling passes
change and the kernel runner reports.

All figures are static: they come from the IR, not from running it.

- `scopes`: number of `tile.spmd` scopes.
- `tasks`: spmd blocks summed over the scopes (one runtime task each).
- `gm_intermediates`: GM scratch tensors (`tile.alloc_gm`).
- `gm_bytes_read` / `gm_bytes_written`: bytes moved by `tile.load` /
  `tile.store`, times the static trip counts of the enclosing loops and the
  block count of the scope (an `scf.if` counts its larger branch).
- `ub_peak_bytes` (after `tile-place-buffers`): per scope name, the UB peak
  the placement recorded on its `tile.at` (`tile.peak`).
"""

from __future__ import annotations

from ..mlir import ir

_ELT_BYTES = {"bf16": 2, "f16": 2, "f32": 4, "i8": 1, "i32": 4}


def _tile_bytes(type_: ir.Type) -> int:
    text = str(type_)                       # !tile.tile<16x32xf32>
    dims = text[text.index("<") + 1:text.rindex(">")].split("x")
    n = 1
    for d in dims[:-1]:
        n *= int(d)
    return n * _ELT_BYTES[dims[-1]]


def _constant_index(value: ir.Value) -> int | None:
    owner = value.owner
    if isinstance(owner, ir.Block):
        return None
    op = owner.operation if hasattr(owner, "operation") else owner
    if op.name != "arith.constant":
        return None
    attr = op.attributes["value"]
    return attr.value if isinstance(attr, ir.IntegerAttr) else None


def _trip_count(op: ir.Operation) -> int:
    """Static trip count of a tile.pipeline / scf.for (1 when unknown)."""
    lb, ub, step = (_constant_index(op.operands[i]) for i in range(3))
    if None in (lb, ub, step) or step <= 0:
        return 1
    return max(0, -(-(ub - lb) // step))


def _count_block(block: ir.Block, mult: int, acc: dict) -> None:
    for op in block.operations:
        op = op.operation
        name = op.name
        if name == "tile.load":
            acc["read"] += mult * _tile_bytes(op.results[0].type)
        elif name == "tile.store":
            acc["written"] += mult * _tile_bytes(op.operands[0].type)
        elif name in ("tile.pipeline", "scf.for"):
            for region in op.regions:
                for b in region.blocks:
                    _count_block(b, mult * _trip_count(op), acc)
        elif name == "scf.if":
            branches = []
            for region in op.regions:
                sub = {"read": 0, "written": 0}
                for b in region.blocks:
                    _count_block(b, mult, sub)
                branches.append(sub)
            acc["read"] += max((s["read"] for s in branches), default=0)
            acc["written"] += max((s["written"] for s in branches), default=0)
        else:
            for region in op.regions:
                for b in region.blocks:
                    _count_block(b, mult, acc)


def _walk(op: ir.Operation, fn) -> None:
    fn(op)
    for region in op.regions:
        for block in region.blocks:
            for child in block.operations:
                _walk(child.operation, fn)


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
    stats = {"scopes": len(scopes), "tasks": 0, "gm_intermediates": len(allocs),
             "gm_bytes_read": 0, "gm_bytes_written": 0, "ub_peak_bytes": {},
             "per_scope": {}}
    for i, spmd in enumerate(scopes):
        blocks = ir.IntegerAttr(spmd.attributes["blocks"]).value
        name = (ir.StringAttr(spmd.attributes["sym_name"]).value
                if "sym_name" in spmd.attributes else f"spmd{i}")
        acc = {"read": 0, "written": 0}
        for b in spmd.regions[0].blocks:
            _count_block(b, blocks, acc)
        stats["tasks"] += blocks
        stats["gm_bytes_read"] += acc["read"]
        stats["gm_bytes_written"] += acc["written"]
        scope = {"blocks": blocks, "gm_bytes_read": acc["read"],
                 "gm_bytes_written": acc["written"]}
        peaks = []
        _walk(spmd, lambda op: peaks.append(op.attributes["tile.peak"])
              if op.name == "tile.at" and "tile.peak" in op.attributes else None)
        if peaks:
            ub = 0
            for peak in peaks:
                d = ir.DictAttr(peak)
                if "ub" in d:
                    ub = max(ub, ir.IntegerAttr(d["ub"]).value)
            scope["ub_peak_bytes"] = ub
            stats["ub_peak_bytes"][name] = ub
        stats["per_scope"][name] = scope
    return stats
