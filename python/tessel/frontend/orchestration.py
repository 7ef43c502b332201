"""Scalars read outside the core scopes (PyPTO's orchestration-level reads).

PyPTO kernels read configuration and index tensors in their orchestration
code, outside any `pl.at` scope, and use what they read inside the scopes:

    for b in pl.parallel(BATCH):
        pos = pl.read(seq_lens, [b]) - 1
        with pl.at(level=pl.Level.CORE_GROUP):
            row = rope_cos[pos : pos + 1, :]        # used in the scope

Tessel's scalar unit works inside core scopes only (a value read is a
`tile.load` of one element and a `tile.get`, which the verifier keeps in
`tile.at`). So the frontend builds such a read where the author wrote it and,
once the function is complete, sinks it: every `tile.at` that uses the value
(or anything computed from it) gets its own copy of the read and of the
scalar arithmetic on it, at the start of the scope, and the function-level
ops are erased. A scope re-reads the element; the value is the same unless a
scope in between wrote that element (the read then sees the newer value —
PyPTO's orchestration would have read it before; see docs/language.md).

A value read at function level that decides what runs around the scopes (a
`pl.range` trip count, an `if`, the value a function-level `if` yields) is
not sunk: it stays a host-side read at function level (`memref.load` of the
GM tensor, where the orchestration runs), used by the control flow and by
the scopes alike. The CPU simulation runs it; the NPU back end, whose
orchestration is the launch sequence, reports it at the read. A pl.spmd's
block count must still be a compile-time value.
"""

from __future__ import annotations

from ..mlir import ir
from ..mlir.dialects import memref
from .state import defining_op

#: Ops that may carry a function-level read's value toward the scopes: the
#: read itself (tile.load of one element, tile.get; an INT64 element through
#: a tile.reinterpret_view) and scalar arithmetic.
_SINKABLE_PREFIXES = ("arith.", "math.")
_SINKABLE = ("tile.load", "tile.get", "tile.reinterpret_view")


def _sinkable(op) -> bool:
    name = op.name
    return name in _SINKABLE or name.startswith(_SINKABLE_PREFIXES)


def note_read(cg, ops, node, what: str, value=None) -> None:
    """Record the ops of a read built outside the core scopes (`ops`: the
    tile.load; `value`: the scalar it gives) for `sink_reads`."""
    reads = cg.__dict__.setdefault("orchestration_reads", [])
    reads.append(([op.operation for op in ops], node, what, value))


def _inside_at(op) -> ir.Operation | None:
    """The innermost tile.at holding `op`, or None."""
    parent = op.parent
    while parent is not None and parent.name != "func.func":
        if parent.name == "tile.at":
            return parent
        parent = parent.parent
    return None


def _program_order(func_op) -> dict:
    """Operation -> its position in a pre-order walk of the function (a
    definition comes before its uses)."""
    rank: dict = {}

    def visit(op):
        rank[op] = len(rank)
        return ir.WalkResult.ADVANCE

    func_op.operation.walk(visit, ir.WalkOrder.PRE_ORDER)
    return rank


def sink_reads(cg, func_op) -> None:
    """Move every function-level read (and the scalar arithmetic on it) into
    the tile.at scopes that use it (module docstring)."""
    reads = cg.__dict__.get("orchestration_reads")
    if not reads:
        return
    origin, uses_in_at, held = _closure(reads)
    if held:
        for i in held:
            _hold_at_function_level(cg, reads[i])
        reads = [r for i, r in enumerate(reads) if i not in held]
        origin, uses_in_at, held = _closure(reads)
        assert not held
    rank = _program_order(func_op)
    for at, used in uses_in_at.items():
        # The closure ops this scope needs: the backward slice of `used`.
        need, stack = set(), list(used)
        while stack:
            op = stack.pop()
            if op in need:
                continue
            need.add(op)
            for v in op.operands:
                owner = defining_op(v)
                if owner is not None and owner in origin:
                    stack.append(owner)
        body = at.regions[0].blocks[0]
        first = body.operations[0]
        mapping: dict = {}
        for op in sorted(need, key=rank.__getitem__):
            clone = op.clone(ip=ir.InsertionPoint(first))
            for old, new in zip(op.results, clone.results):
                mapping[old] = new
            for i, v in enumerate(clone.operands):
                if v in mapping:
                    clone.operands[i] = mapping[v]
        # Uses inside the scope now take the copies.
        for op in need:
            for old in op.results:
                new = mapping[old]
                for use in list(old.uses):
                    user = use.owner.operation
                    inside = _inside_at(user)
                    if inside is not None and inside == at:
                        user.operands[use.operand_number] = new
    for op in sorted(origin, key=rank.__getitem__, reverse=True):
        op.erase()


def _closure(reads):
    """The forward closure of `reads` outside the scopes: (op -> index of
    the read it derives from, tile.at -> the closure ops it uses, the
    indices of the reads whose closure reaches an op that cannot be sunk
    (control flow around the scopes))."""
    origin: dict = {}
    work = []
    for i, (ops, _node, _what, _value) in enumerate(reads):
        for op in ops:
            origin[op] = i
            work.append(op)
    uses_in_at: dict = {}
    held: set = set()
    while work:
        op = work.pop()
        for result in op.results:
            for use in result.uses:
                user = use.owner.operation
                at = _inside_at(user)
                if at is not None:
                    uses_in_at.setdefault(at, set()).add(op)
                    continue
                if user in origin:
                    continue
                if not _sinkable(user):
                    held.add(origin[op])
                    continue
                origin[user] = origin[op]
                work.append(user)
    # A read feeding the same op as a held read is held too: the op stays
    # at function level.
    changed = True
    while changed:
        changed = False
        stay = {op for op, i in origin.items() if i in held}
        for op, i in origin.items():
            if i in held:
                continue
            for result in op.results:
                for use in result.uses:
                    if use.owner.operation in stay:
                        held.add(i)
                        changed = True
    return origin, uses_in_at, held


def _hold_at_function_level(cg, read) -> None:
    """Replace the read of one element `read` (built as a one-element
    tile.load and tile.get) by a host-side `memref.load` of the GM tensor
    at the same place: the orchestration reads it where it runs."""
    ops, node, what, value = read
    if value is None:
        raise cg.error(node, f"{what} at function level decides control "
                       f"flow around the scopes but cannot be read there")
    load = ops[0]
    gm, indices = load.operands[0], list(load.operands[1:])
    rank = ir.MemRefType(gm.type).rank
    if len(indices) != rank:
        raise cg.error(node, f"{what} at function level decides control "
                       f"flow around the scopes, and a read with a valid "
                       f"shape cannot be held there")
    with load.location:
        host = memref.LoadOp(gm, indices, ip=ir.InsertionPoint(load))
    value.replace_all_uses_with(host.result)
    # The tile.load / tile.get (and an INT64 read's halves) are dead now.
    dead = [defining_op(value)]
    while dead:
        op = dead.pop()
        if op is None or op.name == "memref.load" or \
                any(True for r in op.results for _ in r.uses):
            continue
        producers = [defining_op(v) for v in op.operands]
        op.erase()
        dead.extend(p for p in producers if p is not None and
                    (_sinkable(p) or p.name == "arith.constant"))
