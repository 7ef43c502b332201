"""`pl.create_tensor` in a pl.spmd / pl.parallel body, outside its pl.at
scopes: an on-chip tile or GM scratch of the block.

PyPTO makes such a tensor a GM tensor of the iteration. Tessel keeps it
an on-chip tile (values.PendingTile) where a tile serves, and makes it GM
scratch of the block otherwise:

- a tile serves when every use of the tensor after its creation is
  inside one and the same pl.at scope (analysis.scope_uses) and it holds
  no more bytes than the target's Unified Buffer (TargetInfo): PyPTO's
  accumulator idiom, a tensor only ever assigned tiles in that scope;
- it is GM scratch when two or more scopes use it (a value handed from
  scope to scope: PyPTO stages it in GM between its InCore functions),
  when code outside the scopes reads it (a view, a reshape, an argument of
  an InCore call), or when it is larger than the Unified Buffer.

The GM scratch of the block is one `tile.alloc_gm` before the
`tile.spmd` with a copy per block, `[blocks * d0, d1, ...]`, and the
name is the block's view of it, rows `[b * d0, (b + 1) * d0)` (a view
taken outside the scopes, GmTensor.offsets): parallel blocks write
disjoint rows, so they do not race, and a tensor created in a loop of the
body is reused by its iterations, which run one after the other in the
block.
"""

from __future__ import annotations

import ast
import math

from . import analysis
from . import tile_ops as tile_d
from .values import GmTensor


def body_rest(cg) -> list:
    """The statements of the pl.spmd / pl.parallel body after the one
    being visited: the rest of each enclosing statement list, innermost
    first, up to the body's own ("scope" frame)."""
    rest = []
    for frame in reversed(cg.frames[-1]):
        rest += frame.stmts[frame.index + 1:]
        if frame.kind in ("scope", "function"):
            break
    return rest


def _is_core_scope(cg):
    def check(node) -> bool:
        return any(isinstance(item.context_expr, ast.Call) and
                   cg.static_builtin(item.context_expr.func) == "at"
                   for item in node.items)
    return check


def ub_bytes(cg) -> int:
    from .. import targets
    return int(targets.get(cg.target)["buffers"]["ub"]["usable_bytes"])


def needs_gm(cg, shape, dtype) -> str | None:
    """Why the tensor being created (in a pl.spmd body, outside its
    scopes) cannot be a tile: a phrase for the remark, or None when a
    tile serves."""
    name = cg.assign_hint
    if name is None:
        return None
    scopes, outside = analysis.scope_uses(body_rest(cg), name,
                                          _is_core_scope(cg))
    if outside:
        return "code outside the pl.at scopes reads it"
    if len(scopes) > 1:
        lines = ", ".join(str(s.lineno) for s in scopes)
        return f"{len(scopes)} pl.at scopes use it (lines {lines})"
    nbytes = math.prod(shape) * dtype.bytes
    if nbytes > ub_bytes(cg):
        return (f"its {nbytes} bytes exceed the Unified Buffer "
                f"({ub_bytes(cg)} bytes)")
    return None


def create(cg, node, shape, dtype, name, init, init_node, why) -> GmTensor:
    """GM scratch of the block for `name = pl.create_tensor(shape, dtype)`
    in a pl.spmd body: rows [b * d0, (b + 1) * d0) of a tensor allocated
    before the tile.spmd with `blocks` copies."""
    op, blocks = cg.spmd_op
    if init is not None:
        raise cg.error(init_node, f"init_value= on '{name}', a tensor "
                       f"created in a pl.spmd / pl.parallel body that is "
                       f"GM scratch of the block ({why}), is not supported",
                       help="assign it pl.full tiles inside the first "
                            "pl.at scope that uses it")
    full = (blocks * shape[0],) + tuple(shape[1:])
    v = tile_d.AllocGmOp(cg.memref_type(full, dtype), name=name,
                         loc=cg.loc(node), ip=ir_before(op)).result
    root = GmTensor(v, full, dtype, name, writable=True, kind="scratch",
                    origin=name)
    cg.unwritten[root] = (cg.filename, node)
    b = cg.block_index
    row0 = cg.index_binop(ast.Mult(), b, shape[0], node) \
        if shape[0] != 1 else b
    offsets = (row0,) + (0,) * (len(shape) - 1)
    from .tasks import remark
    remark(cg, node, f"pl.create_tensor '{name}' in a pl.spmd / pl.parallel "
           f"body is GM scratch of each of its {blocks} blocks, not a tile: "
           f"{why}")
    return GmTensor(v, tuple(shape), dtype, name, True, "view", name,
                    root=root, offsets=offsets)


def ir_before(op):
    from ..mlir import ir
    return ir.InsertionPoint(op)
