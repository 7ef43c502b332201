"""The frontend of PyPTO's task-graph forms (language/tasks.py says what
they mean in Tessel): TaskIds of scopes, `deps=`, `allow_early_resolve=`,
`with pl.spmd(...) as tid`, `with pl.at(...) as tid`, `pl.system.
task_dummy`, `pl.system.syncall` (frontend/syncall.py), `pl.array.create`, `pl.manual_scope`, `pl.tile.get_block_idx`.

TaskIds are compile-time values: a scope's TaskId exists only once the
scope has been built, so a dependency always names an earlier scope and
program order (how Tessel runs scopes) implies it. What the frontend cannot
use it reports as a remark at the author's line (`tessel compile
--remarks`, `Compiled.warnings`), never silently."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from ..language.types import TASK_ID
from .values import IndexVal, describe


@dataclass(eq=False)
class TaskId:
    """The handle of a scope (or of a task_dummy join of several)."""
    name: str
    node: ast.AST
    joins: tuple = ()

    def describe(self) -> str:
        return f"TaskId of '{self.name}'"

    def __repr__(self) -> str:
        return f"TaskId({self.name!r})"


@dataclass(eq=False)
class TaskArray:
    """`pl.array.create(N, pl.TASK_ID)`: N slots of TaskIds. A slot written
    at a runtime index may hold any of the TaskIds stored that way."""
    size: int
    slots: list = field(default_factory=list)
    anywhere: list = field(default_factory=list)

    def __post_init__(self):
        self.slots = [None] * self.size

    def describe(self) -> str:
        return f"pl.array of {self.size} TaskIds"

    def __getitem__(self, i):
        if isinstance(i, bool) or not isinstance(i, int):
            raise TypeError("a TaskId array is indexed by a compile-time "
                            "integer")
        if not -self.size <= i < self.size:
            raise IndexError(f"index {i} out of range for {self.size} slots")
        got = self.slots[i]
        if self.anywhere:
            return TaskId(f"slot {i}", None, tuple(
                [t for t in [got] if t is not None] + self.anywhere))
        return got

    def __len__(self):
        return self.size


def remark(cg, node, message: str) -> None:
    """A frontend remark at `node` (collected with the passes' remarks)."""
    cg.remarks.append((message, cg.filename, getattr(node, "lineno", 0),
                       getattr(node, "col_offset", -1) + 1))


def _names(tids) -> str:
    return ", ".join(f"'{t.name}'" for t in tids)


def dep_list(cg, arg, what: str) -> list:
    """The TaskIds of a `deps=[...]` argument (None entries skipped, arrays
    and joins flattened)."""
    v = arg.value
    if v is None:
        return []
    if not isinstance(v, (list, tuple)):
        raise cg.error(arg.node, f"{what} deps= takes a list of TaskIds",
                       found=describe(v),
                       help="a scope's TaskId comes from `with pl.spmd(...) "
                            "as tid:` or `with pl.at(...) as tid:`")
    out = []
    for d in v:
        if d is None:
            continue
        if isinstance(d, TaskArray):
            out += [t for t in d.slots + d.anywhere if t is not None]
            continue
        if not isinstance(d, TaskId):
            raise cg.error(arg.node, f"{what} deps= takes TaskIds",
                           found=describe(d),
                           help="a scope's TaskId comes from `with pl.spmd("
                                "...) as tid:` or `with pl.at(...) as tid:`")
        out.append(d)
    return out


def scope_hints(cg, node, a, what: str, name: str | None) -> None:
    """`deps=` and `allow_early_resolve=` of a pl.spmd / pl.at: checked, and
    reported as remarks."""
    label = f"'{name}'" if name else f"the {what} at line {node.lineno}"
    deps = dep_list(cg, a.deps, f"pl.{what}")
    if deps:
        remark(cg, node, f"scope {label}: deps on {_names(deps)} hold by "
               f"program order (Tessel runs each scope after the scopes "
               f"before it)")
    early = a.allow_early_resolve.value
    if not isinstance(early, bool):
        raise cg.error(a.allow_early_resolve.node, "allow_early_resolve must "
                       "be True or False", found=describe(early))
    if early:
        remark(cg, node, f"scope {label}: allow_early_resolve=True ignored: "
               f"a dispatch hint of PyPTO's runtime; Tessel starts a scope "
               f"when the previous one has finished")
    _optimizations(cg, node, a, label)


class ScopeOptimization:
    """`pl.split(mode)` / `pl.cross_core_slot(slot_num=N)`: a compile-time
    value for a pl.at's `optimizations=` list."""

    def __init__(self, text: str):
        self.text = text

    def describe(self) -> str:
        return self.text


def split(cg, node, a):
    from ..language.tasks import SplitMode
    mode = a.mode.value
    if not isinstance(mode, SplitMode):
        raise cg.error(a.mode.node, "pl.split takes a pl.SplitMode",
                       expected="pl.SplitMode.UP_DOWN, LEFT_RIGHT or NONE",
                       found=describe(mode))
    text = f"pl.split({mode!r}"
    if a.slot_num.value is not None:
        n = cg.const_int(a.slot_num, "pl.split slot_num", minimum=1)
        text += f", slot_num={n}"
    return ScopeOptimization(text + ")")


def cross_core_slot(cg, node, a):
    n = cg.const_int(a.slot_num, "pl.cross_core_slot slot_num", minimum=1)
    return ScopeOptimization(f"pl.cross_core_slot(slot_num={n})")


def _optimizations(cg, node, a, label: str) -> None:
    arg = getattr(a, "optimizations", None)
    if arg is None or arg.value is None:
        return
    opts = arg.value
    if not isinstance(opts, (list, tuple)) or not all(
            isinstance(o, ScopeOptimization) for o in opts):
        raise cg.error(arg.node, "optimizations= takes a list of "
                       "pl.split(...) / pl.cross_core_slot(...)",
                       found=describe(opts))
    if opts:
        remark(cg, node, f"scope {label}: optimizations=["
               f"{', '.join(o.text for o in opts)}] ignored: PyPTO's "
               f"cross-core split hints; Tessel divides a mixed scope "
               f"between the cube and vector cores itself "
               f"(tile-split-mixed-scopes)")


def task_dummy(cg, node, a):
    deps = dep_list(cg, a.deps, "pl.system.task_dummy")
    tid = TaskId(f"task_dummy at line {node.lineno}", node, tuple(deps))
    if deps:
        remark(cg, node, f"pl.system.task_dummy joins {_names(deps)}: no work, "
               f"the join holds by program order")
    return tid


def array_create(cg, node, a):
    size = cg.const_int(a.size, "pl.array.create size", minimum=1)
    if a.dtype.value is not TASK_ID:
        raise cg.error(a.dtype.node, "pl.array.create makes arrays of TaskIds "
                       "only", expected="pl.TASK_ID",
                       found=describe(a.dtype.value))
    return TaskArray(size)


def array_store(cg, target: ast.Subscript, arr: TaskArray, value, stmt):
    if not isinstance(value, TaskId):
        raise cg.error(getattr(stmt, "value", stmt), "a pl.array of TaskIds "
                       "holds TaskIds", found=describe(value))
    key = cg.expr(target.slice)
    if isinstance(key, IndexVal):
        lo, hi = cg.index_bounds(key)
        if lo is None or lo < 0 or hi >= arr.size:
            raise cg.error(target.slice, "TaskId array index may be out of "
                           "range", expected=f"0..{arr.size - 1}",
                           found=f"{lo}..{hi}")
        arr.anywhere.append(value)
        return
    if isinstance(key, bool) or not isinstance(key, int) or \
            not -arr.size <= key < arr.size:
        raise cg.error(target.slice, "TaskId array index out of range",
                       expected=f"0..{arr.size - 1}", found=describe(key))
    arr.slots[key] = value


def get_block_idx(cg, node, a):
    b = cg.block_index
    if b is None:
        raise cg.error(node, "pl.tile.get_block_idx() outside a pl.spmd body",
                       help="use it inside `with pl.spmd(n) as tid:` (or the "
                            "loop form `for i in pl.spmd(n):`)")
    return b


def manual_scope(cg, node):
    """`with pl.manual_scope():` -- its body at function level, remarked."""
    if getattr(cg, "in_manual_scope", False):
        raise cg.error(node, "pl.manual_scope cannot be nested inside "
                       "pl.manual_scope", help="PyPTO's runtime forbids it")
    if cg.scope.kind != "function":
        raise cg._scope_error(node, "pl.manual_scope")
    remark(cg, node, "pl.manual_scope: Tessel still orders the scopes inside "
           "by program order (the declared deps= hold, and so do the "
           "dependencies PyPTO would stop inferring)")
    cg.in_manual_scope = True
    try:
        cg.visit_block(node.body, "block")
    finally:
        cg.in_manual_scope = False


def runtime_scope(cg, node, a):
    """`with pl.scope(mode=...):` -- PyPTO's runtime scope: AUTO runs its
    body as written (a remark); MANUAL is `pl.manual_scope`."""
    from ..language.tasks import ScopeMode
    mode = a.mode.value
    if not isinstance(mode, ScopeMode):
        raise cg.error(a.mode.node, "pl.scope(mode=...) takes a "
                       "pl.ScopeMode", expected="pl.ScopeMode.AUTO or "
                       "pl.ScopeMode.MANUAL", found=describe(mode))
    if mode is ScopeMode.MANUAL:
        return manual_scope(cg, node)
    _as_written(cg, node, "pl.scope", "PyPTO's runtime scope (a lifetime "
                "and dependency-tracking boundary of its task runtime); the "
                "body runs as written")


def _as_written(cg, node, what: str, why: str) -> None:
    """A function-level `with` block whose body runs as written, with a
    remark saying why (`pl.scope`, `pl.cluster`)."""
    if cg.scope.kind != "function":
        raise cg._scope_error(node, what)
    remark(cg, node, f"{what}: {why}")
    cg.visit_block(node.body, "block")


def spmd_count(cg, node, a):
    """The block count argument of a pl.spmd: `n`, or PyPTO's older
    `core_num=`; `sync_start=` checked and reported."""
    if (a.n.value is None) == (a.core_num.value is None):
        raise cg.error(node, "pl.spmd takes its block count once: n or "
                       "core_num=", found="both" if a.n.value is not None
                       else "neither")
    sync = a.sync_start.value
    if not isinstance(sync, bool):
        raise cg.error(a.sync_start.node, "sync_start must be True or False",
                       found=describe(sync))
    if sync:
        remark(cg, node, "pl.spmd(sync_start=True) ignored: a dispatch hint "
               "of PyPTO's runtime; Tessel's blocks share nothing but GM "
               "and the scope starts when the previous one has finished")
    return a.n if a.n.value is not None else a.core_num


def cluster(cg, node):
    """`with pl.cluster():` -- PyPTO co-schedules the cube and vector
    kernels inside on one physical cluster; Tessel places and orders the
    scopes itself, so its body is at function level, remarked."""
    _as_written(cg, node, "pl.cluster", "the scopes inside run in program "
                "order (Tessel schedules cube and vector scopes itself; "
                "cross-core push / pop inside a cluster is not supported)")


def with_spmd(cg, node, call, var):
    """`with pl.spmd(n, ...) [as tid]:`: pl.spmd's loop form whose body
    reads its block index with pl.tile.get_block_idx()."""
    a = cg.bind_call(call, "spmd")
    name_hint = cg.spmd_scope(node, a, "scope", lambda b: None)
    bind_task(cg, var, name_hint or f"spmd at line {node.lineno}", node)


def for_split_aiv(cg, node, a) -> None:
    """`for aiv_id in pl.split_aiv(2, mode=pl.SplitMode.NONE):` in a core
    scope: PyPTO's two vector lanes each run the whole body (task-parallel,
    the author dispatches disjoint work by `aiv_id`). Tessel runs them one
    after the other in each block: a sequential loop over aiv_id = 0, 1."""
    from ..language.tasks import SplitMode
    n = cg.const_int(a.n, "pl.split_aiv lane count")
    if n != 2:
        raise cg.error(a.n.node, "pl.split_aiv splits a region between the "
                       "2 vector cores of a core group", expected="2",
                       found=describe(n))
    mode = a.mode.value
    if not isinstance(mode, SplitMode):
        raise cg.error(a.mode.node, "pl.split_aiv mode= takes a "
                       "pl.SplitMode", expected="pl.SplitMode.NONE",
                       found=describe(mode))
    if mode is not SplitMode.NONE:
        raise cg.error(a.mode.node, f"pl.split_aiv(mode={mode!r}) is not "
                       f"supported by Tessel: it halves every tile of the "
                       f"region between the two vector cores",
                       help="write the region's full-width body without "
                            "pl.split_aiv (Tessel places vector work "
                            "itself), or use mode=pl.SplitMode.NONE")
    if cg.scope.kind != "at":
        raise cg.error(node.iter, "pl.split_aiv outside a core scope",
                       help="write it inside a pl.at(level=pl.Level."
                            "CORE_GROUP) or pl.spmd body")
    remark(cg, node, "pl.split_aiv(2, mode=pl.SplitMode.NONE): the two "
           "vector lanes' bodies run one after the other in each block "
           "(aiv_id 0, then 1); lanes must not exchange data through GM "
           "inside the region, as in PyPTO")
    cg.make_loop(node, "range", 0, 2, 1, 0)


def bind_task(cg, var, name, node) -> None:
    if var is None:
        return
    if not isinstance(var, ast.Name):
        raise cg.error(var, "a scope's TaskId is bound to one name",
                       found=ast.unparse(var))
    cg.act.vars[var.id] = TaskId(name, node)


def check_task_param(cg, src, pnode, arg) -> None:
    """`pl.Scalar[pl.TASK_ID]` parameters of an inline helper take a
    TaskId (or None)."""
    if arg.value is not None and not isinstance(arg.value, TaskId):
        raise cg.error(arg.node, f"argument '{pnode.arg}' of '{src.name}' "
                       f"does not match its annotation",
                       expected="pl.Scalar[pl.TASK_ID] (a TaskId)",
                       found=describe(arg.value))


TASK_BUILTINS = {
    "split": split,
    "cross_core_slot": cross_core_slot,
    "system.task_dummy": task_dummy,
    "array.create": array_create,
    "tile.get_block_idx": get_block_idx,
    "system.syncall": lambda cg, node, a: _syncall(cg, node, a),
}


def _syncall(cg, node, a):
    from .syncall import syncall
    return syncall(cg, node, a)


def contains_spmd(cg, stmts) -> bool:
    """Does the statement list hold a `pl.spmd` (loop or `with` form)?"""
    for s in stmts:
        for n in ast.walk(s):
            call = None
            if isinstance(n, ast.For) and isinstance(n.iter, ast.Call):
                call = n.iter
            elif isinstance(n, ast.With):
                ce = n.items[0].context_expr if n.items else None
                call = ce if isinstance(ce, ast.Call) else None
            if call is not None and cg.static_builtin(call.func) == "spmd":
                return True
    return False


def parallel_of_scopes(cg, node, a) -> None:
    """A function-level `for i in pl.parallel(n)` whose body holds pl.spmd
    scopes: PyPTO's orchestration loop of independent iterations, each
    submitting its scopes. Tessel runs the iterations one after the other
    (a legal order of independent ones), unrolled at compile time: each
    iteration's scopes and GM scratch tensors are its own."""
    from .state import MAX_UNROLL
    start, step, trips = cg._parallel_trips(node, a)
    if trips > MAX_UNROLL:
        raise cg.error(node.iter, f"pl.parallel with pl.spmd scopes inside "
                       f"has {trips} iterations (limit {MAX_UNROLL})",
                       help="each iteration's scopes are built separately")
    remark(cg, node, f"pl.parallel with pl.spmd scopes inside: its {trips} "
           f"iteration{'s' if trips != 1 else ''} run one after the other, "
           f"each submitting its scopes in order")
    for k in range(trips):
        cg.assign(node.target, start + k * step, node)
        cg.visit_block(node.body, "loop")
