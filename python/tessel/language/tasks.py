"""`pl` names of PyPTO's task graph: TaskIds, `deps=`, `pl.system.
task_dummy`, `pl.system.syncall`, `pl.array.create`, `pl.manual_scope`,
`pl.tile.get_block_idx`.

Tessel runs a kernel's scopes in program order, each scope's blocks done
before the next scope's start (tile-fuse-scopes only merges scopes whose
blocks touch what the same block touched). Every TaskId exists only after
its scope, so every `deps=` edge is implied by that order; the frontend
checks that each dependency is a TaskId and reports in a remark what it
orders. Hints that change only when a task may start
(`allow_early_resolve=`) and `pl.manual_scope` (which lets tasks without
edges overlap) are accepted and reported as remarks: Tessel's order is a
legal schedule of PyPTO's graph."""

from __future__ import annotations

import enum

import enum as _enum
import types as _types

from .ops import ALL_BUILTINS, builtin, builtin_name


class SplitMode(_enum.Enum):
    """How PyPTO's cross-core split shares a mixed scope's tiles between a
    core group's two vector cores (`pl.split(mode)` in a pl.at's
    `optimizations=`): halves of rows, halves of columns, or none."""
    NONE = 0
    UP_DOWN = 1
    LEFT_RIGHT = 2

    def __repr__(self) -> str:
        return f"pl.SplitMode.{self.name}"


@builtin("split")
def split(mode, *, slot_num=None):
    """``pl.at(..., optimizations=[pl.split(pl.SplitMode.UP_DOWN)])``: a
    hint for PyPTO's cross-core split. Tessel divides a mixed scope between
    the cube and vector cores itself; the hint is checked and reported in
    a remark."""


@builtin("split_aiv")
def split_aiv(n, *, mode):
    """``for aiv_id in pl.split_aiv(2, mode=pl.SplitMode.NONE):`` inside a
    core scope -- PyPTO's task-parallel region: each of a core group's two
    vector cores runs the whole body, `aiv_id` (0 or 1) telling them apart.
    Tessel runs the two bodies one after the other in each block (a
    sequential loop, `aiv_id` 0 then 1), and places the vector work itself.
    The data-parallel modes (UP_DOWN, LEFT_RIGHT) are a CompileError."""


@builtin("cross_core_slot")
def cross_core_slot(*, slot_num):
    """``optimizations=[pl.cross_core_slot(slot_num=N)]``: the ring depth of
    PyPTO's automatic cross-core pipeline; checked and reported in a remark
    (Tessel hands tiles between cores through GM)."""


@builtin("system.task_dummy")
def task_dummy(*, deps):
    """A TaskId that is ready once every TaskId of `deps` is (a join with no
    work); `None` entries are skipped."""


@builtin("array.create")
def create(size, dtype):
    """`pl.array.create(N, pl.TASK_ID)`: an array of N TaskId slots,
    assigned with `arr[i] = tid` and read as `arr[i]` in `deps=`."""


@builtin("manual_scope")
def manual_scope():
    """``with pl.manual_scope():`` -- PyPTO turns off inferred dependencies
    inside; Tessel keeps running the scopes in program order (every
    declared edge holds, and so do the inferred ones), and says so in a
    remark."""


class ScopeMode(enum.Enum):
    """PyPTO's runtime-scope modes (`pl.scope(mode=...)`): AUTO (inferred
    dependencies) or MANUAL (declared ones only)."""
    AUTO = 0
    MANUAL = 1

    def __repr__(self) -> str:
        return f"pl.ScopeMode.{self.name}"


@builtin("scope")
def scope(mode=ScopeMode.AUTO):
    """``with pl.scope():`` -- PyPTO's runtime scope, a lifetime and
    dependency-tracking boundary of its task runtime ("a tuning mechanism,
    never a correctness requirement"): Tessel runs the body as written, with
    a remark. ``mode=pl.ScopeMode.MANUAL`` is `pl.manual_scope`."""


@builtin("cluster")
def cluster():
    """``with pl.cluster():`` -- PyPTO co-schedules the cube and vector
    kernels inside on one physical cluster. Tessel places and orders the
    scopes itself: the body runs in program order, and a remark says so.
    Cross-core push / pop inside it is not supported."""


@builtin("tile.get_block_idx")
def get_block_idx():
    """The block index of the enclosing `pl.spmd` (``with pl.spmd(n) as
    tid:`` bodies read it this way); 0 .. n-1."""


@builtin("system.syncall")
def syncall(*, core_type="mix", mode="hard", gm_workspace=None,
            used_cores=None):
    """``pl.system.syncall(core_type="mix")`` -- PyPTO's barrier of every
    core of the grid inside one kernel, as a statement at the top level of
    a `pl.spmd` / `pl.at` scope body. Tessel splits the scope there into
    consecutive scopes with the same grid: every block of the first has
    finished, its GM writes done, before any block of the next starts
    (frontend/syncall.py). `core_type` is "aiv_only", "aic_only" or "mix";
    `mode="soft"` takes PyPTO's `gm_workspace=` (an INT32 GM tensor of at
    least 16 elements) and `used_cores=`, checked and not needed."""


class _System:
    """`pl.system`: `task_dummy`, `syncall`; PyPTO's other system calls
    are a CompileError at the author's line, never an AttributeError."""

    task_dummy = staticmethod(task_dummy)
    syncall = staticmethod(syncall)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        from .surface import Unsupported
        return Unsupported(
            f"system.{name}", "Tessel's scopes need no cache maintenance or "
            "device queries: a barrier of a scope's blocks is "
            "pl.system.syncall(), and at function level every block of a "
            "scope finishes, its GM writes done, before the next scope "
            "starts")

    def __repr__(self) -> str:
        return "pl.system"


system = _System()
array = _types.SimpleNamespace(create=create)

ALL_BUILTINS.update({builtin_name(obj): obj
                     for obj in (task_dummy, create, manual_scope, scope, cluster,
                                 get_block_idx, split, cross_core_slot,
                                 syncall, split_aiv)})
