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
loop trip count, an `if`, a pl.spmd's block count) cannot be sunk into one
scope: that is a CompileError at the read naming the use.
"""

from __future__ import annotations

import re

from ..mlir import ir
from .state import defining_op

#: Ops that may carry a function-level read's value toward the scopes: the
#: read itself (tile.load of one element, tile.get; an INT64 element through
#: a tile.reinterpret_view) and scalar arithmetic.
_SINKABLE_PREFIXES = ("arith.", "math.")
_SINKABLE = ("tile.load", "tile.get", "tile.reinterpret_view")


def _sinkable(op) -> bool:
    name = op.name
    return name in _SINKABLE or name.startswith(_SINKABLE_PREFIXES)


def note_read(cg, ops, node, what: str) -> None:
    """Record the ops of a read built outside the core scopes (`ops`: the
    tile.load and tile.get) for `sink_reads`."""
    reads = cg.__dict__.setdefault("orchestration_reads", [])
    reads.append(([op.operation for op in ops], node, what))


def _inside_at(op) -> ir.Operation | None:
    """The innermost tile.at holding `op`, or None."""
    parent = op.parent
    while parent is not None and parent.name != "func.func":
        if parent.name == "tile.at":
            return parent
        parent = parent.parent
    return None


def _line_of(op) -> str:
    m = re.search(r":(\d+):(\d+)", str(op.location))
    return f"line {m.group(1)}" if m else "an unknown line"


def _describe_user(op) -> str:
    names = {"scf.for": "the bounds of a loop", "scf.if": "the condition of "
             "an `if`", "tile.spmd": "the block count of a pl.spmd",
             "scf.while": "a while loop"}
    return (f"{names.get(op.name, op.name)} at {_line_of(op)}, outside the "
            f"pl.at scopes")


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
    # The forward closure of the reads outside the scopes; for each of its
    # ops, the read it derives from (for errors).
    origin: dict = {}
    work = []
    for ops, node, what in reads:
        for op in ops:
            origin[op] = (node, what)
            work.append(op)
    uses_in_at: dict = {}          # tile.at -> set of closure ops it uses
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
                node, what = origin[op]
                if not _sinkable(user):
                    raise cg.error(node, f"{what} at function level is used "
                                   f"outside the pl.at scopes",
                                   found=_describe_user(user),
                                   expected="uses inside pl.at scopes only "
                                            "(offsets, sizes, operands)",
                                   help="read the value inside the scope "
                                        "that uses it; control flow around "
                                        "scopes needs compile-time values")
                origin[user] = origin[op]
                work.append(user)
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
