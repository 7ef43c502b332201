"""`pl.system.syncall`: a barrier of every block of a scope's grid.

PyPTO's `pl.system.syncall(core_type=...)` stops every core of one kernel
until all have reached it. In Tessel a scope is a grid whose blocks run
independently, and consecutive scopes run one after the other: every block
of a scope has finished, its GM writes done, before any block of the next
starts (docs/scheduling.md). So a barrier at the top level of a scope body
is the end of one scope and the start of the next with the same grid:

    for b in pl.spmd(4, name_hint="p"):      tile.spmd 4 name("p") {A}
        A                               ->   tile.spmd 4 name("p_1") {B}
        pl.system.syncall()
        B

The frontend builds the body as written, with a marker op (an unused
`arith.constant` carrying the `tessel.syncall` attribute) where each
barrier stands; after the body (`split_scope`, from `make_spmd`) each
marker in a `tile.at` body first cuts that core scope in two, then the
`tile.spmd` body is cut at the markers into consecutive scopes named
`<name>`, `<name>_1`, ... Every later pass sees ordinary scopes:
tile-check-races checks each phase on its own, and tile-fuse-scopes may
join two phases again only where each block touches what the same block
touched. On the NPU each scope is a kernel launch of its own, and the host
waits for one before it launches the next.

A `pl.range` / `pl.pipeline` loop at the top level of the scope body (or
of its core scope) whose body holds barriers becomes a function-level
`scf.for` around one scope running its body, cut in turn (`_loop_of_scopes`):
its bounds must not depend on the block index, and it carries no values.

Values across a barrier (checked at the `syncall` statement): GM tensors
cross as they are; indices computed from the block index and compile-time
values are recomputed in the later scope (their `arith` ops are cloned
there); a tile, a scalar read or computed in the scope, or a tensor-level
value made in it does not cross: a later read is a CompileError at that
line naming the value and saying to store it to GM before the barrier.
"""

from __future__ import annotations

import ast

from ..language.types import INT32
from ..mlir import ir
from ..mlir.dialects import arith
from . import tile_ops as tile_d
from .errors import note_at
from .tensor_ops import block_ops, walk_ops
from .values import (BoolVal, GmTensor, IndexVal, PendingTile, ScalarVal,
                     TensorExpr, TileVal, TransposedView, Unavailable,
                     describe)

#: PyPTO's participant sets of a barrier.
CORE_TYPES = ("aiv_only", "aic_only", "mix")
#: The attribute of the marker op that stands where a barrier is.
MARK = "tessel.syncall"
#: Ops of a value that crosses a barrier by being computed again after it:
#: pure arithmetic on indices (and on views of GM tensors).
_RECOMPUTABLE = ("arith.", "index.", "affine.apply", "memref.subview",
                 "memref.cast", "memref.expand_shape",
                 "memref.collapse_shape", "memref.reinterpret_cast")
_MAX_INT32 = (1 << 31) - 1
#: The loops a barrier may stand in (at the top level of the scope body).
_LOOPS = ("scf.for", "tile.pipeline")


# ----------------------------------------------------------------------
# The statement
# ----------------------------------------------------------------------

def syncall(cg, node, a):
    """`pl.system.syncall(core_type=..., mode=..., gm_workspace=...,
    used_cores=...)`: checked, then a marker where the scope is cut."""
    core_type = a.core_type.value
    if not isinstance(core_type, str) or core_type not in CORE_TYPES:
        raise cg.error(a.core_type.node, "pl.system.syncall core_type must "
                       "be \"aiv_only\", \"aic_only\" or \"mix\"",
                       expected=" or ".join(repr(c) for c in CORE_TYPES),
                       found=describe(core_type))
    mode = a.mode.value
    if not isinstance(mode, str) or mode not in ("hard", "soft"):
        raise cg.error(a.mode.node, "pl.system.syncall mode must be \"hard\" "
                       "or \"soft\"", expected="'hard' or 'soft'",
                       found=describe(mode))
    if mode == "hard":
        _check_hard(cg, a)
    else:
        _check_soft(cg, node, a)
    _check_place(cg, node)
    spmd = _enclosing_spmd(cg.ip.block)
    loop_body = cg.ip.block \
        if cg.ip.block.owner.operation.name in _LOOPS else None
    _stop_values(cg, node, spmd, loop_body)
    # Index arithmetic and values read before the barrier are not reused
    # after it (the per-region caches of the frontend).
    for cache in cg.cse[cg.spmd_cse_depth - 1:]:
        cache.clear()
    # A pl.at after the barrier never continues one before it.
    cg._last_at = None
    mark = arith.ConstantOp(ir.IndexType.get(), 0, loc=cg.loc(node),
                            ip=cg.ip).operation
    mark.attributes[MARK] = ir.StringAttr.get(core_type)
    cg.syncall_marks[mark] = (cg.filename, node, core_type, mode)


def _check_hard(cg, a) -> None:
    for arg, what in ((a.gm_workspace, "gm_workspace"),
                      (a.used_cores, "used_cores")):
        if arg.value is not None:
            raise cg.error(arg.node, f"pl.system.syncall(mode=\"hard\") "
                           f"takes no {what}",
                           help="pass mode=\"soft\" for PyPTO's GM-polling "
                                "barrier (in Tessel both modes are the same "
                                "scope boundary)")


def _check_soft(cg, node, a) -> None:
    ws = a.gm_workspace.value
    if ws is None:
        raise cg.error(node, "pl.system.syncall(mode=\"soft\") needs "
                       "gm_workspace=", expected="a zero-initialised INT32 "
                       "GM tensor of at least 16 elements")
    count = 1
    for d in getattr(ws, "shape", ()):
        count *= d
    if not isinstance(ws, GmTensor) or ws.dtype is not INT32 or count < 16:
        raise cg.error(a.gm_workspace.node, "gm_workspace of a soft "
                       "pl.system.syncall is an INT32 GM tensor of at least "
                       "16 elements", expected="a pl.Tensor[[16], pl.INT32] "
                       "or larger", found=describe(ws))
    used = a.used_cores.value
    if used is None:
        raise cg.error(node, "pl.system.syncall(mode=\"soft\") needs "
                       "used_cores=", expected="the number of participating "
                       "cores (0: from the launch)")
    if isinstance(used, bool) or not (
            (isinstance(used, int) and 0 <= used <= _MAX_INT32) or
            isinstance(used, (IndexVal, ScalarVal)) and
            getattr(used, "dtype", INT32) is INT32):
        raise cg.error(a.used_cores.node, "used_cores of a soft "
                       "pl.system.syncall is an INT32 count",
                       expected=f"an int in [0, {_MAX_INT32}] or an INT32 "
                                f"scalar", found=describe(used))


def _check_place(cg, node) -> None:
    """A statement of its own at the top level of a pl.spmd / pl.at scope
    body (or of an inline helper's body spliced there)."""
    frame = cg.frames[-1][-1]
    stmt = frame.stmts[frame.index]
    if not (isinstance(stmt, ast.Expr) and stmt.value is node):
        raise cg.error(node, "pl.system.syncall is a statement of its own",
                       found=ast.unparse(stmt).splitlines()[0][:60],
                       help="write `pl.system.syncall(core_type=\"mix\")` "
                            "on its own line")
    if cg.scope.kind == "function":
        raise cg.error(node, "pl.system.syncall outside a scope",
                       help="a barrier of a scope's blocks belongs in its "
                            "pl.spmd / pl.at body; at function level every "
                            "block of a scope finishes, its GM writes done, "
                            "before the next scope starts, so no barrier is "
                            "needed there")
    owner = cg.ip.block.owner.operation
    if owner.name in ("tile.at", "tile.spmd"):
        return
    if owner.name in _LOOPS and owner.parent is not None and \
            owner.parent.operation.name in ("tile.at", "tile.spmd"):
        # A loop at the top level of the scope body: it becomes a
        # function-level loop of scopes (split_scope).
        return
    what = {"scf.for": "a loop", "tile.pipeline": "a loop",
            "scf.if": "an if"}.get(owner.name, f"a {owner.name} region")
    notes = []
    if cg.scope.node is not None and cg.scope.filename:
        notes.append(note_at(cg.scope.filename, cg.scope.node,
                             "the scope body starts here"))
    raise cg.error(node, f"pl.system.syncall inside {what} of the scope "
                   f"body", notes=notes,
                   help="Tessel ends the scope at a barrier and starts the "
                        "next one with the same grid, which it can do only "
                        "between the top-level statements of the scope "
                        "body, or of a loop there: put the barrier there")


def _enclosing_spmd(block):
    op = block.owner.operation
    return op if op.name == "tile.spmd" else _enclosing_spmd_of(op)


def _inside(op, ancestor) -> bool:
    while op is not None:
        if op == ancestor:
            return True
        parent = op.parent
        op = parent.operation if parent is not None else None
    return False


def recomputable(value, spmd, loop_body=None) -> bool:
    """Can `value` be computed again after a barrier in `spmd`: defined
    outside the scope, its block index, the index of the loop around the
    barrier (`loop_body`: it becomes a function-level loop), or pure index
    arithmetic on those?"""
    body = spmd.regions[0].blocks[0]
    stack, seen = [value], set()
    while stack:
        v = stack.pop()
        if v in seen:
            continue
        seen.add(v)
        owner = v.owner
        if isinstance(owner, ir.Block):
            if owner == body:
                continue
            if loop_body is not None and owner == loop_body and \
                    v == owner.arguments[0]:
                continue
            if _inside(owner.owner.operation, spmd):
                return False        # a loop index inside the scope
            continue
        op = owner.operation
        if not _inside(op, spmd):
            continue
        if len(op.regions) or not op.name.startswith(_RECOMPUTABLE):
            return False
        stack.extend(op.operands)
    return True


def _values_of(v):
    """The SSA values a frontend value carries."""
    if isinstance(v, IndexVal):
        return [v.value] if v.value is not None else []
    if isinstance(v, GmTensor):
        out = [v.value]
        for part in (v.offsets or ()) + (v.valid or ()):
            if isinstance(part, IndexVal) and part.value is not None:
                out.append(part.value)
        return out
    if isinstance(v, (ScalarVal, BoolVal)):
        return [v.value]
    return []


def _stop_values(cg, node, spmd, loop_body) -> None:
    """Names that do not cross the barrier become Unavailable: tiles,
    values computed from data in the scope, tensor-level values made in
    it. A later read is then a CompileError at its line naming it."""
    line = node.lineno
    reason = f"made before the pl.system.syncall at line {line}"
    for act in cg.acts:
        vars_ = act.vars
        for name, v in list(vars_.items()):
            if isinstance(v, PendingTile):
                v.materialized.clear()
                continue
            if isinstance(v, (TileVal, TransposedView)):
                kind = ("a tile: tiles live in the on-chip memory of one "
                        "scope, and the barrier ends the scope")
            elif isinstance(v, TensorExpr):
                if v.scope is None or v.scope.kind == "function":
                    continue
                kind = ("a tensor-level value computed in the scope, which "
                        "the barrier ends")
            elif isinstance(v, (IndexVal, GmTensor, ScalarVal, BoolVal)):
                if all(recomputable(x, spmd, loop_body)
                       for x in _values_of(v)):
                    continue
                kind = ("computed from data the scope read, and the barrier "
                        "ends the scope")
            else:
                continue
            vars_[name] = Unavailable(
                name, f"{reason}, {kind}", node,
                help=f"store '{name}' to a GM tensor before the barrier and "
                     f"load it after it")


# ----------------------------------------------------------------------
# The split
# ----------------------------------------------------------------------

def _is_mark(op) -> bool:
    return op.name == "arith.constant" and MARK in op.attributes


def _copy_attrs(src, dst, skip=()) -> None:
    attrs = src.attributes
    for i in range(len(attrs)):
        named = attrs[i]
        if named.name not in skip:
            dst.attributes[named.name] = named.attr


def _split_at(at) -> None:
    """Cuts the core scope `at` at its markers into consecutive core scopes
    of the same kind, each marker moved between two of them."""
    body = at.regions[0].blocks[0]
    ops = block_ops(body)[:-1]
    if not any(_is_mark(op) for op in ops):
        return
    segments, marks = [[]], []
    for op in ops:
        if _is_mark(op):
            marks.append(op)
            segments.append([])
        else:
            segments[-1].append(op)
    prev = at
    for mark, seg in zip(marks, segments[1:]):
        mark.move_after(prev)
        new_at = ir.Operation.create("tile.at", regions=1, loc=at.location,
                                     ip=ir.InsertionPoint(at))
        _copy_attrs(at, new_at)
        blk = new_at.regions[0].blocks.append()
        y = tile_d.YieldOp([], loc=at.location, ip=ir.InsertionPoint(blk))
        for op in seg:
            op.move_before(y.operation)
        new_at.move_after(mark)
        prev = new_at


def split_marked(cg, node) -> None:
    """At the end of a pl.spmd's construction: cut each scope holding a
    barrier marker (the pl.spmd, or the parts tensor_ops.split_staged made of
    it)."""
    scopes = []
    for mark in cg.syncall_marks:
        scope = _enclosing_spmd_of(mark)
        if scope is not None and scope not in scopes:
            scopes.append(scope)
    for scope in scopes:
        split_scope(cg, scope, node)


def _enclosing_spmd_of(op):
    op = op.parent.operation if op.parent is not None else None
    while op is not None and op.name != "tile.spmd":
        op = op.parent.operation if op.parent is not None else None
    return op


def split_scope(cg, spmd, node) -> list:
    """After the scope `spmd` is built: cut it at its barrier markers into
    consecutive scopes with the same grid. Returns the scopes (`spmd`
    alone when it has no barrier)."""
    spmd = spmd.operation
    sblock = spmd.regions[0].blocks[0]
    _mark_loops(cg, sblock)
    for op in block_ops(sblock):
        if op.name == "tile.at":
            _split_at(op)
    tops = block_ops(sblock)[:-1]
    marks = [op for op in tops if _is_mark(op)]
    if not marks:
        return [spmd]
    segments = [[]]
    for op in tops:
        if _is_mark(op):
            segments.append([])
        else:
            segments[-1].append(op)
    # Core scopes a barrier left empty (one at the start or the end of a
    # body) are dropped; a part without a core scope (two barriers in a
    # row, or only index arithmetic) joins the next part (the last one:
    # the one before).
    for seg in segments:
        for op in list(seg):
            if op.name == "tile.at" and \
                    len(block_ops(op.regions[0].blocks[0])) == 1:
                seg.remove(op)
                op.erase()
    parts, pending = [], []
    for seg in segments:
        if any(not op.name.startswith(_RECOMPUTABLE) for op in seg):
            parts.append(pending + seg)
            pending = []
        else:
            pending += seg
    if not parts:
        parts = [pending]
    else:
        parts[-1] += pending
    mark_info = [cg.syncall_marks.pop(m) for m in marks]
    for m in marks:
        m.erase()
    cg._last_at = None
    if len(parts) == 1:
        return _hoist_loops(cg, [spmd], node)
    segments = parts
    name = spmd.attributes["sym_name"].value \
        if "sym_name" in spmd.attributes else None
    blocks = ir.IntegerAttr(spmd.attributes["blocks"]).value
    old_arg = sblock.arguments[0]
    scopes = [spmd]
    for s, seg in enumerate(segments[1:], 1):
        op = tile_d.SpmdOp(blocks, sym_name=f"{name}_{s}" if name else None,
                           loc=spmd.location, ip=ir.InsertionPoint(spmd))
        _copy_attrs(spmd, op.operation, skip=("sym_name", "blocks"))
        blk = op.regions[0].blocks.append(ir.IndexType.get(),
                                          arg_locs=[old_arg.location])
        y = tile_d.YieldOp([], loc=spmd.location, ip=ir.InsertionPoint(blk))
        for moved in seg:
            moved.move_before(y.operation)
        op.operation.move_after(scopes[-1])
        scopes.append(op.operation)
    for scope in scopes[1:]:
        _rewire(cg, scope, scopes, old_arg, mark_info[0])
    _remark(cg, node, name, scopes, mark_info)
    # (A core scope the cut erased may be the last one built.)
    cg._last_at = None
    return _hoist_loops(cg, scopes, node)


def _hoist_loops(cg, scopes, node) -> list:
    """Each part made of one loop holding barriers becomes a function-level
    loop of scopes."""
    out = []
    for scope in scopes:
        loop = _barrier_loop(scope)
        out += [scope] if loop is None else \
            _loop_of_scopes(cg, scope, loop, node)
    return out


def _inner_marks(loop) -> list:
    body = loop.regions[0].blocks[0]
    return [op for op in block_ops(body) if _is_mark(op)]


def _mark_loops(cg, sblock) -> None:
    """A loop holding a barrier at the top level of the scope body gets a
    barrier before and after it, so that it becomes a scope of its own."""
    def mark(op, where, info):
        m = arith.ConstantOp(ir.IndexType.get(), 0, loc=op.location,
                             ip=ir.InsertionPoint(op)).operation
        m.attributes[MARK] = ir.StringAttr.get(info[2])
        if where == "after":
            m.move_after(op)
        cg.syncall_marks[m] = info
    for top in block_ops(sblock)[:-1]:
        candidates = [top] if top.name in _LOOPS else \
            block_ops(top.regions[0].blocks[0]) if top.name == "tile.at" else []
        for op in candidates:
            if op.name in _LOOPS:
                inner = _inner_marks(op)
                if inner:
                    info = cg.syncall_marks[inner[0]]
                    mark(op, "before", info)
                    mark(op, "after", info)


def _barrier_loop(scope):
    """The loop holding barriers that `scope` (a part of a cut scope) is
    made of, or None."""
    body = scope.regions[0].blocks[0]
    for top in block_ops(body)[:-1]:
        candidates = [top] if top.name in _LOOPS else \
            block_ops(top.regions[0].blocks[0]) if top.name == "tile.at" else []
        for op in candidates:
            if op.name in _LOOPS and _inner_marks(op):
                return op
    return None


def _loop_of_scopes(cg, scope, loop, node) -> list:
    """`scope` runs one loop whose body holds barriers: make it a
    function-level loop around one scope with that body, cut at its
    barriers in turn. The loop must run the same iterations in every block
    (its bounds do not depend on the block index) and carry no values."""
    info = cg.syncall_marks[_inner_marks(loop)[0]]
    _, mnode, _, _ = info
    kind = "pl.pipeline" if loop.name == "tile.pipeline" else "pl.range"
    if len(loop.results):
        raise cg.error(mnode, f"a {kind} loop around pl.system.syncall "
                       f"carries values from one iteration to the next",
                       help="the loop becomes a function-level loop of "
                            "scopes, and tiles and indices do not pass "
                            "between scopes: store what it carries to GM")
    sblock = scope.regions[0].blocks[0]
    arg = sblock.arguments[0]
    lb, ub, step = list(loop.operands)[:3]
    for v in (lb, ub, step):
        if _depends_on(v, arg, scope):
            raise cg.error(mnode, f"the {kind} loop around pl.system."
                           f"syncall runs different iterations in different "
                           f"blocks", help="every block must reach each "
                           "barrier: give the loop bounds that do not "
                           "depend on the block index")
    # The bounds, computed before the scope.
    fip = ir.InsertionPoint(scope)
    clones: dict = {}
    lb, ub, step = (_clone_before(v, scope, fip, clones, cg, info)
                    for v in (lb, ub, step))
    floop = ir.Operation.create(
        "scf.for", operands=[lb, ub, step], regions=1, loc=loop.location,
        ip=fip)
    fbody = floop.regions[0].blocks.append(ir.IndexType.get(),
                                          arg_locs=[loop.location])
    from ..mlir.dialects import scf
    fy = scf.YieldOp([], loc=loop.location, ip=ir.InsertionPoint(fbody))
    name = scope.attributes["sym_name"].value \
        if "sym_name" in scope.attributes else None
    blocks = ir.IntegerAttr(scope.attributes["blocks"]).value
    inner = tile_d.SpmdOp(blocks, sym_name=name, loc=scope.location,
                          ip=ir.InsertionPoint(fy))
    _copy_attrs(scope, inner.operation, skip=("sym_name", "blocks"))
    iblk = inner.regions[0].blocks.append(ir.IndexType.get(),
                                          arg_locs=[arg.location])
    iy = tile_d.YieldOp([], loc=scope.location, ip=ir.InsertionPoint(iblk))
    parent = loop.parent.operation
    if parent.name == "tile.at":
        # The loop in a core scope: the new scope has one of that kind.
        new_at = ir.Operation.create("tile.at", regions=1,
                                     loc=parent.location,
                                     ip=ir.InsertionPoint(iy))
        _copy_attrs(parent, new_at)
        ablk = new_at.regions[0].blocks.append()
        ay = tile_d.YieldOp([], loc=parent.location,
                            ip=ir.InsertionPoint(ablk)).operation
    else:
        # The loop in the pl.spmd body around pl.at scopes.
        ablk, ay = iblk, iy.operation
    # What the scope computes before the loop (indices from the block
    # index), then the loop body without its terminator.
    for op in block_ops(parent.regions[0].blocks[0]):
        if op == loop:
            break
        op.move_before(ay)
    lblock = loop.regions[0].blocks[0]
    old_iv = lblock.arguments[0]
    for op in block_ops(lblock)[:-1]:
        op.move_before(ay)
    new_iv, new_arg = fbody.arguments[0], iblk.arguments[0]
    for top in block_ops(ablk):
        for op in walk_ops(top):
            for i, v in enumerate(list(op.operands)):
                if v == old_iv:
                    op.operands[i] = new_iv
                elif v == arg:
                    op.operands[i] = new_arg
    scope.erase()
    from .tasks import remark
    remark(cg, mnode, f"the {kind} loop around pl.system.syncall runs at "
           f"function level: each iteration runs its scopes one after the "
           f"other")
    split_scope(cg, inner, node)
    return [floop]


def _depends_on(value, arg, scope) -> bool:
    stack, seen = [value], set()
    while stack:
        v = stack.pop()
        if v in seen:
            continue
        seen.add(v)
        if v == arg:
            return True
        owner = v.owner
        if isinstance(owner, ir.Block):
            continue
        op = owner.operation
        if _inside(op, scope):
            stack.extend(op.operands)
    return False


def _clone_before(value, scope, ip, clones, cg, info):
    """`value` (pure index arithmetic on values outside `scope`) computed
    at `ip`, before the scope."""
    owner = value.owner
    if isinstance(owner, ir.Block):
        if _inside(owner.owner.operation, scope):
            raise _crossing(cg, info, "a loop index")
        return value
    op = owner.operation
    if not _inside(op, scope):
        return value
    hit = clones.get(value)
    if hit is not None:
        return hit
    if len(op.regions) or not op.name.startswith(_RECOMPUTABLE):
        raise _crossing(cg, info, f"the result of {op.name}")
    operands = [_clone_before(x, scope, ip, clones, cg, info)
                for x in op.operands]
    copy = op.clone(ip=ip)
    for i, x in enumerate(operands):
        copy.operands[i] = x
    result = copy.results[list(op.results).index(value)]
    clones[value] = result
    return result


def _rewire(cg, scope, scopes, old_arg, info) -> None:
    """Inside `scope` (a later part of a cut scope): the block index is its
    own, and index arithmetic of an earlier part is computed again."""
    new_arg = scope.regions[0].blocks[0].arguments[0]
    others = [s for s in scopes if s != scope]
    clones: dict = {}

    def foreign(op) -> bool:
        return any(_inside(op, s) for s in others)

    def resolve(v, ip, key):
        if v == old_arg:
            return new_arg
        owner = v.owner
        if isinstance(owner, ir.Block):
            if any(_inside(owner.owner.operation, s) for s in others):
                raise _crossing(cg, info, "a loop index")
            return v
        op = owner.operation
        if not foreign(op):
            return v
        hit = clones.get((key, v))
        if hit is not None:
            return hit
        if len(op.regions) or not op.name.startswith(_RECOMPUTABLE):
            raise _crossing(cg, info, f"the result of {op.name}")
        operands = [resolve(x, ip, key) for x in op.operands]
        copy = op.clone(ip=ip)
        for i, x in enumerate(operands):
            copy.operands[i] = x
        result = copy.results[list(op.results).index(v)]
        clones[(key, v)] = result
        return result

    body = scope.regions[0].blocks[0]
    for top in block_ops(body)[:-1]:
        if top.name == "tile.at":
            inner = top.regions[0].blocks[0]
            first = block_ops(inner)[0]
            ip, key = ir.InsertionPoint(first), first
        else:
            ip, key = ir.InsertionPoint(top), top
        for op in list(walk_ops(top)):
            for i, v in enumerate(list(op.operands)):
                nv = resolve(v, ip, key)
                if nv != v:
                    op.operands[i] = nv


def _crossing(cg, info, what: str):
    filename, node, _, _ = info
    return cg.error(node, f"a value computed before pl.system.syncall is "
                    f"used after it ({what})",
                    help="store it to a GM tensor before the barrier and "
                         "load it after it")


def _remark(cg, node, name, scopes, mark_info) -> None:
    from .tasks import remark
    types = sorted({i[2] for i in mark_info})
    soft = any(i[3] == "soft" for i in mark_info)
    names = [s.attributes["sym_name"].value if "sym_name" in s.attributes
             else "(unnamed)" for s in scopes]
    what = f"scope '{name}'" if name else f"the scope at line {node.lineno}"
    args = ", ".join(f'core_type="{t}"' for t in types)
    if soft:
        args += ', mode="soft"'
    remark(cg, node, f"pl.system.syncall({args}): {what} split into "
           f"{len(scopes)} consecutive scopes with the same grid ("
           f"{', '.join(names)}): every block of one finishes, its GM "
           f"writes done, before any block of the next starts")
