"""The statements of a kernel: what each Python statement becomes.

A mixin of `codegen.CodeGenerator` (see its docstring for the construct
table); it uses the generator's state, errors and builders.
"""

from __future__ import annotations

import ast
import copy
import builtins as py_builtins

from ..errors import CompileError
from ..language import ops as pl_ops
from ..language.types import (InvalidSpec, Level, ParamSpec, TensorSpec,
                              TileSpec)
from ..mlir import ir
from ..mlir.dialects import scf
from . import analysis
from . import control
from . import subtile
from . import scalars
from . import validshape
from . import tasks
from . import tile_ops as tile_d
from .errors import note_at
from .source import MISSING
from .state import Arg, Frame, LEVEL_TO_KIND, MAX_UNROLL, Scope, name_value
from .values import (BoolVal, GmTensor, IndexVal, Lin, PendingTile, ScalarVal,
                     RUNTIME_TYPES, TensorExpr, TileVal, Unavailable, describe,
                     shape_str)


def joined_scope_name(current: str | None, name: str) -> str:
    """The name of a scope built from several `pl.at` scopes: their
    `name_hint`s joined by "+", each once."""
    if current is None:
        return name
    return current if name in current.split("+") else f"{current}+{name}"


class Statements:
    """Statement lists, assignments, scopes (spmd / parallel / at), loops
    and `if`: the statement half of `CodeGenerator`."""

    # ------------------------------------------------------------------
    # Statement lists and liveness
    # ------------------------------------------------------------------

    def visit_function_body(self, stmts, kind):
        self.frames.append([])
        try:
            self.visit_block(stmts, kind)
        finally:
            self.frames.pop()

    def visit_block(self, stmts, kind="block"):
        frame = Frame(stmts, 0, kind)
        frames = self.frames[-1]
        frames.append(frame)
        try:
            for i, s in enumerate(stmts):
                frame.index = i
                self.visit_stmt(s)
        finally:
            frames.pop()

    def used_after(self, name: str) -> bool:
        """Is `name` read after the statement being visited, before being
        reassigned (including around enclosing loops)?"""
        for frame in reversed(self.frames[-1]):
            rest = frame.stmts[frame.index + 1:]
            exposed, defined = analysis.exposed_reads(rest)
            if name in exposed:
                return True
            if frame.kind == "loop":
                exposed, _ = analysis.exposed_reads(frame.stmts)
                if name in exposed:
                    return True
            if name in defined or frame.kind in ("scope", "function"):
                return False
        return False

    # ------------------------------------------------------------------
    # Statements
    # ------------------------------------------------------------------

    def visit_stmt(self, node: ast.stmt):
        method = getattr(self, "stmt_" + type(node).__name__, None)
        if method is None:
            raise self.unsupported(node)
        method(node)

    def unsupported(self, node) -> CompileError:
        kind = type(node).__name__
        what = {
            "While": ("'while' loops are not supported in kernels",
                      "use `for i in pl.range(n)` or `pl.pipeline(n)`"),
            "Break": ("'break' is not supported in kernels",
                      "loops run their full trip count; guard the body with "
                      "`if`"),
            "Continue": ("'continue' is not supported in kernels",
                         "guard the rest of the body with `if`"),
            "FunctionDef": ("nested function definitions are not supported "
                            "in kernels", "define a @pl.jit.inline helper at "
                            "module level and call it"),
            "ClassDef": ("class definitions are not supported in kernels",
                         None),
            "Try": ("'try' is not supported in kernels", None),
            "Raise": ("'raise' is not supported in kernels",
                      "check conditions with `assert` on compile-time values"),
            "Import": ("'import' is not supported in kernels",
                       "import at module level"),
            "ImportFrom": ("'import' is not supported in kernels",
                           "import at module level"),
            "Global": ("'global' is not supported in kernels", None),
            "Nonlocal": ("'nonlocal' is not supported in kernels", None),
            "Delete": ("'del' is not supported in kernels", None),
            "Lambda": ("lambda expressions are not supported in kernels",
                       "use a @pl.jit.inline helper"),
            "SetComp": ("set comprehensions are not supported in kernels",
                        "use a list comprehension"),
            "DictComp": ("dict comprehensions are not supported in kernels",
                         "use a list comprehension"),
            "Await": ("'await' is not supported in kernels", None),
            "Yield": ("'yield' is not supported in kernels", None),
            "NamedExpr": ("':=' is not supported in kernels", None),
        }.get(kind, (f"unsupported Python construct in a kernel: "
                     f"{kind} ({ast.unparse(node).splitlines()[0][:40]})",
                     None))
        return self.error(node, what[0], help=what[1])

    def stmt_Pass(self, node):
        pass

    def stmt_Expr(self, node):
        if isinstance(node.value, ast.Constant):
            return  # docstrings and stray constants
        v = self.expr(node.value)
        if isinstance(v, TensorExpr):
            from . import tensor_ops
            raise tensor_ops.bound_to_nothing(self, v, node.value)

    def stmt_Assert(self, node):
        test = self.expr(node.test)
        if isinstance(test, RUNTIME_TYPES):
            raise self.error(node.test, "assert needs a compile-time condition",
                             found=describe(test))
        if not test:
            msg = self.expr(node.msg) if node.msg is not None else None
            raise self.error(node, "assertion failed" +
                             (f": {msg}" if msg is not None else ""))

    def stmt_Return(self, node):
        act = self.act
        fn_body = act.src.node.body
        if not (fn_body and fn_body[-1] is node and self._at_top_level(node)):
            raise self.error(node, "'return' is only supported as the last "
                             "statement of a kernel or inline helper",
                             help="compute the value in both branches and "
                                  "return it after the `if`")
        value = self.expr(node.value) if node.value is not None else None
        if act.kind == "kernel":
            values = value if isinstance(value, tuple) else (value,)
            returns = []
            for v in values:
                if v is None:
                    continue
                if not (isinstance(v, GmTensor) and v.writable and
                        v.base.kind == "output"):
                    raise self.error(node.value, "a kernel returns nothing or "
                                     "its output tensors",
                                     expected="None or pl.Out parameters",
                                     found=describe(v))
                # The caller gets its own tensor back (a view of it for a
                # reshaped output), as PyPTO returns the output.
                returns.append((v.base.name, tuple(v.shape)))
            if isinstance(value, tuple):
                self.returns = tuple(returns)
            elif returns:
                self.returns = returns[0]
            return
        act.ret = value

    def _at_top_level(self, node) -> bool:
        frames = self.frames[-1]
        return len(frames) == 1 and frames[0].stmts is self.act.src.node.body

    def stmt_Assign(self, node):
        hint = None
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            hint = node.targets[0].id
        value = self.expr_with_hint(node.value, hint)
        if isinstance(node.value, ast.Call) and \
                len(node.value.args) == 1 and \
                self.static_builtin(node.value.func) == "yield_":
            # `(x,) = pl.yield_(v)`: one value to a one-name tuple.
            for target in node.targets:
                self.assign(target, (value,) if isinstance(
                    target, (ast.Tuple, ast.List)) else value, node)
            return
        for target in node.targets:
            self.assign(target, value, node)

    def stmt_AnnAssign(self, node):
        if node.value is None:
            return
        hint = node.target.id if isinstance(node.target, ast.Name) else None
        value = self.expr_with_hint(node.value, hint)
        spec = self.expr(node.annotation)
        self.check_annotation(value, spec, node.annotation, hint or "value")
        self.assign(node.target, value, node)

    def check_annotation(self, value, spec, ann_node, name):
        if isinstance(spec, InvalidSpec):
            raise self.error(ann_node, f"wrong annotation on '{name}': "
                             f"{spec.message}")
        if isinstance(spec, ParamSpec):
            spec = spec.tensor
        if isinstance(spec, (TensorSpec, TileSpec)) and spec.shape is not None:
            if isinstance(value, PendingTile):
                value_shape, value_dtype = value.shape, value.dtype
            elif isinstance(value, (GmTensor, TileVal)):
                value_shape, value_dtype = value.shape, value.dtype
                if getattr(value, "nd", None) is not None:
                    value_shape = value.nd
            else:
                raise self.error(ann_node, f"wrong annotation on '{name}'",
                                 expected=repr(spec), found=describe(value))
            if tuple(spec.shape) != tuple(value_shape) or \
                    spec.dtype is not value_dtype:
                raise self.error(ann_node, f"annotation of '{name}' does not "
                                 f"match its value", expected=repr(spec),
                                 found=describe(value))

    def stmt_AugAssign(self, node):
        if not isinstance(node.target, ast.Name):
            raise self.error(node, "augmented assignment is only supported on "
                             "variables",
                             help="load the slice, compute, and store it: "
                                  "`out[a:b, c:d] = pl.add(out[a:b, c:d], t)`")
        current = self.lookup(ast.Name(node.target.id, ast.Load(),
                                       lineno=node.lineno,
                                       col_offset=node.col_offset))
        value = self.binop(node.op, current, self.expr(node.value), node)
        self.assign(node.target, value, node)

    def assign(self, target, value, stmt):
        if isinstance(target, ast.Name):
            if isinstance(value, (TileVal, ScalarVal)):
                name_value(value.value, target.id)
            self.act.vars[target.id] = value
            return
        if isinstance(target, (ast.Tuple, ast.List)):
            if not isinstance(value, (tuple, list)):
                raise self.error(target, "cannot unpack this value",
                                 expected=f"a tuple of {len(target.elts)} "
                                          f"values", found=describe(value))
            if len(value) != len(target.elts):
                raise self.error(target, "wrong number of values to unpack",
                                 expected=str(len(target.elts)),
                                 found=str(len(value)))
            for t, v in zip(target.elts, value):
                self.assign(t, v, stmt)
            return
        if isinstance(target, ast.Subscript):
            base = self.expr(target.value)
            if isinstance(base, GmTensor):
                self.store_slice(base, target, value, stmt)
                return
            if isinstance(base, tasks.TaskArray):
                tasks.array_store(self, target, base, value, stmt)
                return
            if isinstance(base, (TileVal, PendingTile)):
                subtile.insert(self, target, base, value, stmt)
                return
            raise self.error(target, "cannot assign into a slice of "
                             f"{describe(base)}")
        raise self.error(target, f"cannot assign to {type(target).__name__}")

    def expr_with_hint(self, node, hint):
        saved = self.assign_hint
        self.assign_hint = hint
        try:
            return self.expr(node)
        finally:
            self.assign_hint = saved

    # ------------------------------------------------------------------
    # Scopes: spmd, parallel, at
    # ------------------------------------------------------------------

    def _scope_error(self, node, what: str) -> CompileError:
        outer = self.scope
        where = {"spmd": "a pl.spmd/pl.parallel body",
                 "at": "a pl.at core scope"}[outer.kind]
        if outer.implicit:
            where = "a pl.spmd/pl.parallel body"
        notes = []
        if outer.node is not None and outer.filename:
            notes.append(note_at(outer.filename, outer.node,
                                 "the enclosing scope is here"))
        return self.error(node, f"{what} cannot be nested inside {where}",
                          help="parallel scopes are written at function level "
                               "and core scopes directly inside them",
                          notes=notes)

    def enter(self, scope: Scope, ip: ir.InsertionPoint):
        saved = (self.scope, self.ip)
        self.scope, self.ip = scope, ip
        self.cse.append({})
        return saved

    def leave(self, saved):
        self.scope, self.ip = saved
        self.cse.pop()

    def make_spmd(self, node, blocks: int, name, bind_iv, body_fn,
                  assume_independent: bool = False):
        op = tile_d.SpmdOp(blocks, sym_name=name, loc=self.loc(node),
                           ip=self.ip)
        if assume_independent:
            # Read by tile-check-races (docs/races.md).
            op.operation.attributes["assume_independent"] = ir.UnitAttr.get()
        block = op.regions[0].blocks.append(
            ir.IndexType.get(),
            arg_locs=[self.named_loc(node, getattr(node, "target", None))])
        y = tile_d.YieldOp([], loc=self.loc(node), ip=ir.InsertionPoint(block))
        saved = self.enter(Scope("spmd", node, None, self.filename),
                           ir.InsertionPoint(y))
        saved_block = self.block_index
        saved_depth = self.spmd_cse_depth
        self.spmd_cse_depth = len(self.cse)
        saved_spmd = self.spmd_op
        try:
            b = self.new_index(block.arguments[0], bounds=(0, blocks - 1))
            self.block_index = b
            self.spmd_op = (op, blocks)
            bind_iv(b)
            body_fn()
            if "tessel.named_by_at" in op.operation.attributes:
                del op.operation.attributes["tessel.named_by_at"]
            self._finish_spmd(op, blocks, node)
        finally:
            self.block_index = saved_block
            self.spmd_cse_depth = saved_depth
            self.spmd_op = saved_spmd
            self.leave(saved)

    def _finish_spmd(self, op, blocks: int, node):
        """After a pl.spmd's body is built (or continued): its cuts."""
        if self.tensor_cuts:
            from . import tensor_ops
            tensor_ops.split_staged(self, op, blocks, node)
        if self.syncall_marks:
            # pl.system.syncall: consecutive scopes with this grid.
            from . import syncall
            syncall.split_marked(self, node)

    #: The function-level pl.at scopes built one right after the other (no
    #: op between them), last one last: (tile.spmd op, tile.at op,
    #: {name: value it assigned}, kind, activation) each.
    _fn_at_chain: list = []

    def _op_before_ip(self):
        """The op just before the insertion point: the block's last op when
        building at its end (a loop's body, whose terminator comes when the
        body is done), else the op before its terminator; None when the
        insertion point is elsewhere or nothing precedes it."""
        ops = list(self.ip.block.operations)
        ref = self.ip.ref_operation
        if ref is None:
            return ops[-1] if ops else None
        if len(ops) < 2 or ops[-1] != ref:
            return None
        return ops[-2]

    def _reads_made_in(self, node, made: dict) -> bool:
        """Does the body of `node` read a name in `made` (the values a
        scope assigned) that is no longer available here?"""
        exposed, _ = analysis.exposed_reads(node.body, frozenset())
        vars_ = self.act.vars
        return any(n in made and isinstance(vars_.get(n), Unavailable)
                   for n in exposed)

    def _one_scope_before_ip(self, exported: dict, kind: str):
        """(_fn_at_chain) the one-block scope just built, when it is the op
        before the insertion point and still one tile.at; else None."""
        spmd = self._op_before_ip()
        if spmd is None or spmd.name != "tile.spmd":
            return None
        sops = list(spmd.regions[0].blocks[0].operations)
        if len(sops) != 2 or sops[0].name != "tile.at":
            return None
        return (spmd, sops[0], exported, kind, self.act)

    def _record_fn_at(self, entry) -> None:
        """Appends the scope just built to the chain when it directly
        follows the chain's last one; else starts a new chain."""
        chain = self._fn_at_chain
        if entry is None:
            self._fn_at_chain = []
            return
        if chain:
            ops = list(entry[0].operation.block.operations)
            i = next((j for j, op in enumerate(ops) if op == entry[0]), None)
            if i is None or i == 0 or ops[i - 1] != chain[-1][0] or \
                    chain[-1][4] is not entry[4]:
                chain = []
        self._fn_at_chain = chain + [entry]

    def _continuable_fn_at(self, kind: str, node):
        """A function-level pl.at scope built just before this one (a chain
        of them with no op between), when this one reads tiles or scalars
        it made (PyPTO hands them from InCore function to InCore function
        through GM): the scopes of the chain from that one on become one
        (their bodies in order) and this body continues it, one block as
        they were. None otherwise."""
        chain = self._fn_at_chain
        if not chain or chain[-1][4] is not self.act:
            return None
        last = self._op_before_ip()
        if last is None or last != chain[-1][0]:
            return None
        first = next((i for i, e in enumerate(chain)
                      if self._reads_made_in(node, e[2])), None)
        if first is None or any(e[3] != kind for e in chain[first:]):
            return None
        # Each scope is still one tile.at (not cut by a staging or
        # barrier), and the ones to move do not use their block index.
        from .tensor_ops import walk_ops
        for i, e in enumerate(chain[first:]):
            sblock = e[0].regions[0].blocks[0]
            sops = list(sblock.operations)
            if len(sops) != 2 or sops[0] != e[1]:
                return None
            if i and any(isinstance(v.owner, ir.Block) and
                         v.owner == sblock
                         for op in walk_ops(e[1].operation)
                         for v in op.operands):
                return None
        head = chain[first]
        exported = dict(head[2])
        for e in chain[first + 1:]:
            self._merge_fn_at(head, e)
            exported.update(e[2])
        self._fn_at_chain = chain[:first]
        return (head[0], head[1], exported, kind, self.act)

    def _merge_fn_at(self, head, e) -> None:
        """Moves the body of the one-block scope `e` to the end of `head`'s
        (they run one after the other, one block each) and erases `e`."""
        hblock = head[1].regions[0].blocks[0]
        hyield = list(hblock.operations)[-1]
        eops = list(e[1].regions[0].blocks[0].operations)[:-1]
        for op in eops:
            op.operation.move_before(hyield)
        attrs = head[0].operation.attributes
        eattrs = e[0].operation.attributes
        if "sym_name" in eattrs:
            old = ir.StringAttr(attrs["sym_name"]).value \
                if "sym_name" in attrs else None
            attrs["sym_name"] = ir.StringAttr.get(joined_scope_name(
                old, ir.StringAttr(eattrs["sym_name"]).value))
        e[0].operation.erase()

    def continue_fn_at(self, prev, node, kind: str, name_hint, body_fn):
        """Builds the body of the function-level pl.at `node` at the end of
        the one-block scope `prev` (_continuable_fn_at)."""
        spmd, at, exported = prev[0], prev[1], prev[2]
        if name_hint is not None:
            attrs = spmd.operation.attributes
            old = ir.StringAttr(attrs["sym_name"]).value \
                if "sym_name" in attrs else None
            attrs["sym_name"] = ir.StringAttr.get(
                joined_scope_name(old, name_hint))
        sblock = spmd.regions[0].blocks[0]
        y = list(sblock.operations)[-1]
        saved = self.enter(Scope("spmd", node, None, self.filename),
                           ir.InsertionPoint(y))
        saved_block, saved_spmd = self.block_index, self.spmd_op
        saved_depth = self.spmd_cse_depth
        self.spmd_cse_depth = len(self.cse)
        try:
            self.block_index = self.new_index(sblock.arguments[0],
                                              bounds=(0, 0))
            self.spmd_op = (spmd, 1)
            self.continue_at((at, exported, kind, self.act), node, kind,
                             body_fn)
            self._finish_spmd(spmd, 1, node)
        finally:
            self.block_index = saved_block
            self.spmd_cse_depth = saved_depth
            self.spmd_op = saved_spmd
            self.leave(saved)

    def make_at(self, node, kind: str, body_fn, implicit: bool = False):
        op = tile_d.AtOp(getattr(tile_d.CoreKind, kind), loc=self.loc(node),
                         ip=self.ip)
        block = op.regions[0].blocks.append()
        y = tile_d.YieldOp([], loc=self.loc(node), ip=ir.InsertionPoint(block))
        saved = self.enter(Scope("at", node, kind, self.filename, implicit),
                           ir.InsertionPoint(y))
        try:
            body_fn()
        finally:
            self.leave(saved)
        return op

    #: (tile.at op, {name: value it assigned}, kind, activation) of the last
    #: pl.at built directly in a pl.spmd / pl.parallel body
    _last_at = None

    def _continuable_at(self, kind: str, node):
        """The pl.at scope just before this one in the same spmd body, when
        this one reads tiles or scalars it made: PyPTO passes them from
        scope to scope (staged in GM between its InCore functions); Tessel
        continues that scope instead, one core scope that
        tile-split-mixed-scopes splits by unit. None otherwise."""
        prev = self._last_at
        if prev is None or prev[2] != kind or prev[3] is not self.act:
            return None
        last = self._op_before_ip()
        if last is None or last != prev[0].operation:
            return None
        if not self._reads_made_in(node, prev[1]):
            return None
        return prev

    def continue_at(self, prev, node, kind: str, body_fn):
        """Builds the body of `node` (a pl.at) at the end of the scope
        `prev` (_continuable_at), the values it assigned visible again."""
        op, exported = prev[0], prev[1]
        block = op.regions[0].blocks[0]
        y = list(block.operations)[-1]
        vars_ = self.act.vars
        for n, v in exported.items():
            if isinstance(vars_.get(n), Unavailable):
                vars_[n] = v
        saved = self.enter(Scope("at", node, kind, self.filename),
                           ir.InsertionPoint(y))
        try:
            body_fn()
        finally:
            self.leave(saved)

    def region_exit(self, snapshot: dict, stmts, reason: str, node, help=None,
                    extra=()):
        """After a scope body: names it assigned to runtime values are not
        available outside it."""
        vars_ = self.act.vars
        for name in list(analysis.assigned_names(stmts)) + list(extra):
            new = vars_.get(name, MISSING)
            old = snapshot.get(name, MISSING)
            if new is old:
                continue
            if new is MISSING:
                continue
            # Compile-time values are the same in every block and iteration:
            # they stay; runtime values do not leave the region, but for GM
            # scratch a function-level scope stored a result into
            # (_export_tensor_results): GM outlives the scope.
            if isinstance(new, GmTensor) and new.kind == "scratch" and \
                    new.exported:
                continue
            if isinstance(new, RUNTIME_TYPES) or isinstance(new, Unavailable):
                vars_[name] = Unavailable(name, reason, node, help)

    def contains_at(self, stmts) -> bool:
        """Does the statement list hold a `with pl.at(...)` or a call of a
        `@pl.jit.incore` function (not looking into inline helpers)?"""
        from . import incore
        for s in stmts:
            for n in ast.walk(s):
                if incore.static_incore_call(self, n):
                    return True
                if isinstance(n, ast.With):
                    for item in n.items:
                        ce = item.context_expr
                        if isinstance(ce, ast.Call) and \
                                self.static_builtin(ce.func) == "at":
                            return True
        return False

    def static_value(self, node, quiet: bool = False):
        """The object a Name/Attribute chain names, without building IR;
        MISSING when it is not a compile-time value. An unsupported name's
        attribute raises its CompileError, or with `quiet` gives MISSING
        (the error is then reported where the name is compiled)."""
        chain = []
        n = node
        while isinstance(n, ast.Attribute):
            chain.append(n.attr)
            n = n.value
        if not isinstance(n, ast.Name):
            return MISSING
        v = self.act.vars.get(n.id, MISSING)
        if v is MISSING:
            v = self.act.src.lookup_nonlocal(n.id)
        for attr in reversed(chain):
            if v is MISSING or isinstance(v, RUNTIME_TYPES):
                return MISSING
            try:
                v = getattr(v, attr, MISSING)
            except CompileError:
                if not quiet:
                    raise
                return MISSING
        return v

    def static_builtin(self, func_node) -> str | None:
        """The builtin a Name/Attribute chain names, without building IR."""
        v = self.static_value(func_node)
        return pl_ops.builtin_name(v) if v is not MISSING else None

    def stmt_With(self, node):
        if len(node.items) != 1:
            raise self.error(node, "only `with pl.at(...):` is supported, one "
                             "scope per `with`")
        item = node.items[0]
        call = item.context_expr
        name = (self.static_builtin(call.func)
                if isinstance(call, ast.Call) else None)
        if name == "spmd":
            return tasks.with_spmd(self, node, call, item.optional_vars)
        if name == "cluster":
            if item.optional_vars is not None:
                raise self.error(item.optional_vars, "pl.cluster() binds "
                                 "no name")
            self.bind_call(call, "cluster")
            return tasks.cluster(self, node)
        if name == "scope":
            if item.optional_vars is not None:
                raise self.error(item.optional_vars, "pl.scope() binds no "
                                 "name")
            a = self.bind_call(call, "scope")
            return tasks.runtime_scope(self, node, a)
        if name == "manual_scope":
            if item.optional_vars is not None:
                raise self.error(item.optional_vars, "pl.manual_scope() binds "
                                 "no name")
            self.bind_call(call, "manual_scope")
            return tasks.manual_scope(self, node)
        if name != "at":
            raise self.error(call, "only `with pl.at(...):`, `with pl.spmd("
                             "...):`, `with pl.cluster():`, `with "
                             "pl.scope():` and `with pl.manual_scope():` are "
                             "supported in kernels",
                             found=ast.unparse(call)[:60])
        a = self.bind_call(call, "at")
        level = a.level.value
        if not isinstance(level, Level):
            raise self.error(a.level.node, "pl.at needs a pl.Level",
                             expected="pl.Level.CORE_GROUP, pl.Level.AIV or "
                                      "pl.Level.AIC", found=describe(level))
        kind = LEVEL_TO_KIND.get(level)
        if kind is None:
            raise self.error(a.level.node, f"{level!r} is not a core level",
                             expected="pl.Level.CORE_GROUP, pl.Level.AIV or "
                                      "pl.Level.AIC", found=repr(level))
        name_hint = self.opt_str(a.name_hint, "name_hint")
        if self.scope.kind == "at":
            raise self._scope_error(node, "pl.at")
        tasks.scope_hints(self, node, a, "at", name_hint)
        snapshot = dict(self.act.vars)
        continued = []
        if self.scope.kind == "spmd":
            if name_hint is not None:
                self._name_enclosing_spmd(node, name_hint)
            exported = {}

            def body():
                self.visit_block(node.body, "scope")
                vars_ = self.act.vars
                exported.update({n: vars_[n] for n in
                                 analysis.assigned_names(node.body)
                                 if isinstance(vars_.get(n), RUNTIME_TYPES)})

            prev = self._continuable_at(kind, node)
            if prev is not None:
                continued = list(prev[1])
                at_op = prev[0]
                self.continue_at(prev, node, kind, body)
                exported = {**prev[1], **exported}
            else:
                at_op = self.make_at(node, kind, body)
            self._last_at = (at_op, exported, kind, self.act)
        else:
            par = self._single_parallel(node.body)
            if par is not None:
                self._parallel_as_spmd(par[0], par[1], name_hint, at_kind=kind,
                                       at_node=node)
            else:
                exported = {}

                def body():
                    self.visit_block(node.body, "scope")
                    self._export_tensor_results(node)
                    vars_ = self.act.vars
                    exported.update({n: vars_[n] for n in
                                     analysis.assigned_names(node.body)
                                     if isinstance(vars_.get(n),
                                                   RUNTIME_TYPES)})

                prev = self._continuable_fn_at(kind, node)
                if prev is not None:
                    continued = list(prev[2])
                    self.continue_fn_at(prev, node, kind, name_hint, body)
                    exported.update({n: v for n, v in prev[2].items()
                                     if n not in exported})
                else:
                    self.make_spmd(node, 1, name_hint, lambda b: None,
                                   lambda: self.make_at(node, kind, body))
                self._record_fn_at(self._one_scope_before_ip(exported,
                                                             kind))
        self.region_exit(snapshot, node.body, f"assigned inside the pl.at scope at "
                         f"line {node.lineno}", node,
                         help="values made in a core scope do not leave it; "
                              "store results to a GM tensor",
                         extra=continued)
        tasks.bind_task(self, item.optional_vars,
                        name_hint or f"at at line {node.lineno}", node)

    def _export_tensor_results(self, node):
        """At the end of a function-level pl.at body: a name bound to a
        tensor-level result (a TensorExpr: PyPTO's tensor, computed where it
        is stored) and read after the scope is stored into a GM scratch
        tensor of its own here, and the name bound to that tensor
        (`k = pl.cast(k_gm, pl.BF16)` in one scope, `k[b:b + 1, :]` in
        later ones)."""
        from . import tensor_ops
        vars_ = self.act.vars
        for name in analysis.assigned_names(node.body):
            v = vars_.get(name)
            if isinstance(v, TensorExpr) and self.used_after(name):
                t = tensor_ops.to_scratch(self, v, node, name).leaf
                t.exported = True
                vars_[name] = t

    def _name_enclosing_spmd(self, node, name: str):
        """`pl.at(name_hint=...)` directly in a pl.spmd / pl.parallel body
        names that scope (as `pl.spmd(name_hint=...)` would)."""
        spmd = self.ip.block.owner
        while spmd.name != "tile.spmd":
            spmd = spmd.parent
        current = spmd.attributes["sym_name"] if "sym_name" in spmd.attributes else None
        current = None if current is None else ir.StringAttr(current).value
        if current is not None and current != name:
            if "tessel.named_by_at" not in spmd.attributes:
                raise self.error(node, f"pl.at(name_hint={name!r}) inside a "
                                 f"scope already named {current!r}",
                                 help="name the scope once, on pl.spmd or on "
                                      "its pl.at")
            # Several pl.at scopes in one pl.parallel body (in sequence, or
            # in the branches of an `if`): the scope is named after all.
            if name in current.split("+"):
                return
            name = joined_scope_name(current, name)
        spmd.attributes["sym_name"] = ir.StringAttr.get(name)
        # (until the scope's body is built, make_spmd)
        spmd.attributes["tessel.named_by_at"] = ir.UnitAttr.get()

    def _single_parallel(self, body):
        """`with pl.at(...)` whose body is one `for i in pl.parallel(...)`."""
        stmts = [s for s in body if not (isinstance(s, ast.Expr) and
                                         isinstance(s.value, ast.Constant))]
        if len(stmts) != 1 or not isinstance(stmts[0], ast.For):
            return None
        it = stmts[0].iter
        if isinstance(it, ast.Call) and \
                self.static_builtin(it.func) == "parallel":
            return stmts[0], self.bind_call(it, "parallel")
        return None

    def _parallel_trips(self, node, a):
        start, stop, step = self.range_args(a, "parallel")
        for v, arg in ((start, a.start), (stop, a.stop or a.start),
                       (step, a.step)):
            if not isinstance(v, int):
                raise self.error(arg.node, "a pl.parallel loop at function "
                                 "level needs compile-time bounds (it becomes "
                                 "one block per iteration)",
                                 found=describe(v))
        trips = len(py_builtins.range(start, stop, step))
        if trips <= 0:
            raise self.error(node.iter, "pl.parallel loop has no iterations",
                             found=f"range({start}, {stop}, {step})")
        return start, step, trips

    def _parallel_as_spmd(self, node, a, name_hint, at_kind=None,
                          at_node=None):
        start, step, trips = self._parallel_trips(node, a)
        has_at = self.contains_at(node.body)
        if at_kind is not None and has_at:
            raise self._nested_at_error(node.body, at_node)

        def bind(b):
            iv = b
            if step != 1:
                iv = self.index_binop(ast.Mult(), iv, step, node)
            if start != 0:
                iv = self.index_binop(ast.Add(), iv, start, node)
            self.assign_loop_target(node.target, iv, node)

        def body():
            kind = at_kind or (None if has_at else "core_group")
            if kind is None:
                self.visit_block(node.body, "scope")
            else:
                self.make_at(at_node or node, kind,
                             lambda: self.visit_block(node.body, "scope"),
                             implicit=at_kind is None)

        snapshot = dict(self.act.vars)
        assumed = self.opt_flag(a.assume_independent, "assume_independent")
        self.make_spmd(node, trips, name_hint, bind, body,
                       assume_independent=assumed)
        self.region_exit(snapshot, node.body, f"assigned inside the pl.parallel loop "
                         f"at line {node.lineno}", node,
                         extra=self._target_names(node.target),
                         help="parallel blocks share nothing but GM; store "
                              "results to a GM tensor")

    def _nested_at_error(self, body, outer):
        for s in body:
            for n in ast.walk(s):
                if isinstance(n, ast.With):
                    return self.error(n, "pl.at cannot be nested inside a pl.at "
                                      "core scope",
                                      notes=[note_at(self.filename, outer,
                                                     "the enclosing scope is "
                                                     "here")])
        return self.error(outer, "pl.at cannot be nested")

    def _target_names(self, target):
        return [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]

    def assign_loop_target(self, target, value, node):
        if not isinstance(target, ast.Name):
            raise self.error(target, "the loop variable must be a single name",
                             found=ast.unparse(target))
        self.act.vars[target.id] = value

    # ------------------------------------------------------------------
    # Loops
    # ------------------------------------------------------------------

    def stmt_For(self, node):
        if node.orelse:
            raise self.error(node.orelse[0], "'for ... else' is not supported "
                             "in kernels")
        it = node.iter
        if isinstance(it, ast.Call):
            name = self.static_builtin(it.func)
            if name in ("spmd", "parallel", "pipeline", "range"):
                a = self.bind_call(it, name)
                if name in ("pipeline", "range") and \
                        a.init_values.value is not None:
                    node = self.iter_args_loop(node, a, name)
                return getattr(self, "for_" + name)(node, a)
            if name == "unroll":
                return control.for_unroll(self, node,
                                          self.bind_call(it, "unroll"))
            if name == "split_aiv":
                return tasks.for_split_aiv(self, node,
                                           self.bind_call(it, "split_aiv"))
        iterable = self.expr(it)
        if isinstance(iterable, RUNTIME_TYPES):
            raise self.error(it, f"cannot iterate over {describe(iterable)}",
                             help="loop with pl.range, pl.pipeline, pl.spmd or "
                                  "pl.parallel")
        try:
            items = list(iterable)
        except TypeError:
            raise self.error(it, "cannot iterate over this value",
                             expected="pl.range(...), pl.pipeline(...), "
                                      "pl.spmd(...), pl.parallel(...) or a "
                                      "compile-time range/tuple/list",
                             found=describe(iterable)) from None
        if len(items) > MAX_UNROLL:
            raise self.error(it, f"compile-time loop has {len(items)} "
                             f"iterations (limit {MAX_UNROLL})",
                             help="use pl.range for a runtime loop")
        for v in items:
            self.assign(node.target, v, node)
            self.visit_block(node.body, "loop")

    def iter_args_loop(self, node, a, name):
        """PyPTO's iter_args loop (`pl.range` docstring) in Tessel's terms,
        where reassigned variables are carried: the iter_args and the
        yield's targets start at the init values, and the body ends by
        giving the iter_args the yielded values. Returns the loop with
        the index alone as its target and that body."""
        target = node.target
        inits = a.init_values.value
        if not isinstance(inits, (list, tuple)):
            inits = (inits,)
        if not (isinstance(target, ast.Tuple) and len(target.elts) == 2 and
                isinstance(target.elts[0], ast.Name) and
                isinstance(target.elts[1], (ast.Tuple, ast.List, ast.Name))):
            raise self.error(target, f"a pl.{name} with init_values= "
                             f"binds `i, (a, b, ...)`",
                             found=ast.unparse(target))
        carried = target.elts[1]
        names = carried.elts if not isinstance(carried, ast.Name) \
            else [carried]
        if not all(isinstance(n, ast.Name) for n in names) or \
                len(names) != len(inits):
            raise self.error(carried, f"{len(inits)} init_values need as "
                             f"many names here", found=ast.unparse(carried))
        last = node.body[-1]
        yielded = None
        if isinstance(last, ast.Assign) and len(last.targets) == 1 and \
                isinstance(last.value, ast.Call) and \
                self.static_builtin(last.value.func) == "yield_":
            yielded = last.targets[0]
            outs = yielded.elts if isinstance(yielded, (ast.Tuple, ast.List)) \
                else [yielded]
        if yielded is None or len(outs) != len(names) or \
                not all(isinstance(n, ast.Name) for n in outs):
            raise self.error(last, f"a pl.{name} with init_values= ends "
                             f"with `{', '.join(n.id for n in names)}_out "
                             f"= pl.yield_(...)` of {len(names)} values",
                             found=ast.unparse(last))
        for n, out, v in zip(names, outs, inits):
            self.act.vars[n.id] = v
            self.act.vars[out.id] = v
        back = ast.copy_location(ast.Assign(
            targets=[ast.Tuple([ast.Name(n.id, ast.Store()) for n in names],
                               ast.Store())],
            value=ast.Tuple([ast.Name(o.id, ast.Load()) for o in outs],
                            ast.Load())), last)
        ast.fix_missing_locations(back)
        loop = copy.copy(node)
        loop.target = target.elts[0]
        loop.body = list(node.body) + [back]
        return loop

    def for_spmd(self, node, a):
        self.spmd_scope(node, a, "loop",
                        lambda b: self.assign_loop_target(node.target, b,
                                                          node),
                        extra=self._target_names(node.target))

    def spmd_scope(self, node, a, form: str, bind, extra=()) -> str | None:
        """The pl.spmd scope of `node`'s body, `for b in pl.spmd(n)` (form
        "loop") or `with pl.spmd(n)` ("scope"): its grid and hints, an
        implicit CORE_GROUP scope when the body has no pl.at, and the names
        it assigns kept inside. `bind(b)` binds the block index. Returns
        the name hint."""
        n = self.const_int(tasks.spmd_count(self, node, a),
                           "pl.spmd block count", minimum=1)
        name_hint = self.opt_str(a.name_hint, "name_hint")
        assumed = self.opt_flag(a.assume_independent, "assume_independent")
        if self.scope.kind != "function":
            raise self._scope_error(node, "pl.spmd")
        tasks.scope_hints(self, node, a, "spmd", name_hint)
        has_at = self.contains_at(node.body)
        snapshot = dict(self.act.vars)

        def body():
            if has_at:
                self.visit_block(node.body, "scope")
            else:
                self.make_at(node, "core_group",
                             lambda: self.visit_block(node.body, "scope"),
                             implicit=True)

        self.make_spmd(node, n, name_hint, bind, body,
                       assume_independent=assumed)
        self.region_exit(snapshot, node.body, f"assigned inside the pl.spmd "
                         f"{form} at line {node.lineno}", node, extra=extra,
                         help="spmd blocks share nothing but GM; store "
                              "results to a GM tensor")
        return name_hint

    def for_parallel(self, node, a):
        if self.scope.kind == "function":
            if tasks.contains_spmd(self, node.body):
                tasks.parallel_of_scopes(self, node, a)
                return
            self._parallel_as_spmd(node, a, None)
            return
        # Inside a scope the iterations are independent: run them in order.
        start, stop, step = self.range_args(a, "parallel")
        self.make_loop(node, "range", start, stop, step, 0)

    def for_pipeline(self, node, a):
        start, stop, step = self.range_args(a, "pipeline")
        stage = self.const_int(a.stage, "pl.pipeline stage", minimum=1)
        # At most one iteration (stop - start <= step whatever the runtime
        # indices in them): nothing to overlap, so one stage -- S stages
        # would only multiply the loop's buffers (pypto-lib's hca `quant`
        # pipeline, range(0, T, 8) with T = 8, needs 328 KiB of UB with 2).
        def lin(v):
            return v.lin if isinstance(v, IndexVal) else Lin(int(v))
        _, span = (lin(stop) - lin(start)).bounds(self.atom_ranges)
        if stage > 1 and span is not None and span <= step:
            stage = 1
        self.make_loop(node, "pipeline", start, stop, step, stage)

    def for_range(self, node, a):
        start, stop, step = self.range_args(a, "range")
        self.make_loop(node, "range", start, stop, step, 0)

    def range_args(self, a, what):
        """(start, stop, step) of pl.range/pipeline/parallel arguments."""
        if a.stop.value is None:
            start, stop = Arg(0, a.start.node), a.start
        else:
            start, stop = a.start, a.stop
        vals = []
        for arg, label in ((start, "start"), (stop, "stop"), (a.step, "step")):
            v = scalars.int_scalar_index(self, arg.value, arg.node)
            if isinstance(v, bool) or not isinstance(v, (int, IndexVal)):
                raise self.error(arg.node, f"pl.{what} {label} must be an "
                                 f"integer", expected="an int or a runtime "
                                 "index", found=describe(v))
            vals.append(v)
        step = vals[2]
        if not isinstance(step, int) or step <= 0:
            raise self.error(a.step.node, f"pl.{what} step must be a positive "
                             f"compile-time integer", found=describe(step))
        return vals[0], vals[1], step

    def make_loop(self, node, kind, start, stop, step, stages):
        target = node.target
        if not isinstance(target, ast.Name):
            raise self.error(target, "the loop variable must be a single name",
                             found=ast.unparse(target))
        body = node.body
        vars_ = self.act.vars
        exposed, _ = analysis.exposed_reads(body, frozenset({target.id}))
        assigned = [n for n in analysis.assigned_names(body) if n != target.id]
        carried, inits = [], []
        for name in assigned:
            v = vars_.get(name, MISSING)
            if v is MISSING or isinstance(v, Unavailable):
                continue
            # A Python float reassigned in the loop is carried as an FP32
            # scalar (`acc = 0.0; for ...: acc = acc + pl.read(...)`).
            carryable = isinstance(v, (TileVal, IndexVal, BoolVal,
                                       PendingTile, ScalarVal)) or \
                (isinstance(v, (int, float)) and not isinstance(v, bool))
            if not carryable:
                continue
            if name not in exposed and not self.used_after(name):
                continue
            carried.append(name)
            inits.append(self.carry_init(v, node, name))
        snapshot = dict(vars_)
        lb = self.index_value(start, node)
        ub = self.index_value(stop, node)
        st = self.index_value(step, node)
        # Each carried variable's iter_args: one, or an N-D tile's blocks
        # (frontend/ndtile.py).
        init_values, spans = [], []
        for i in inits:
            vals = list(i[0]) if isinstance(i[0], tuple) else [i[0]]
            spans.append((len(init_values), len(vals)))
            init_values += vals

        def slot(values, i, first=0):
            s, n = spans[i]
            vs = list(values)[first + s:first + s + n]
            return tuple(vs) if isinstance(inits[i][0], tuple) else vs[0]

        types = [v.type for v in init_values]
        loc = self.loc(node)
        if kind == "pipeline":
            op = tile_d.PipelineOp(types, lb, ub, st, stages, init_values,
                                   loc=loc, ip=self.ip)
            block = op.regions[0].blocks.append(
                ir.IndexType.get(), *types,
                arg_locs=[self.named_loc(node, target)] + [loc] * len(types))
        else:
            op = scf.ForOp(lb, ub, st, init_values, loc=loc, ip=self.ip)
            block = op.body
            if hasattr(block.arguments[0], "set_location"):
                block.arguments[0].set_location(self.named_loc(node, target))
        self.cse.append({})
        iv_bounds = stepped_iv_bounds(self.index_bounds(start),
                                      self.index_bounds(stop), step)
        iv = self.new_index(block.arguments[0], bounds=iv_bounds)
        # A trip count read at run time (no static maximum): the index is
        # data-dependent, so offsets computed from it are clamped.
        scalars.propagate_data(self, iv, start, stop)
        vars_[target.id] = iv
        saved_ip = self.ip
        self.ip = ir.InsertionPoint(block)
        for i, name in enumerate(carried):
            vars_[name] = self.wrap_like(inits[i][1],
                                         slot(block.arguments, i, 1))
        self.unwritten_reads.append([])
        try:
            self.visit_block(body, "loop")
            self.settle_unwritten_reads()
            for i, name in enumerate(carried):
                # A carried tile the body narrows (a matmul accumulator, a
                # running max of partial rows) takes the narrower valid
                # shape when the body only combines it elementwise
                # (validshape.mixes_elements): its lost elements then never
                # reach a valid result or GM.
                v, proto = vars_.get(name, MISSING), inits[i][1]
                if isinstance(v, TileVal) and isinstance(proto, TileVal) and \
                        not validshape.same_valid(v, proto) and \
                        validshape.narrower(v, proto) and \
                        not validshape.mixes_elements(
                            slot(block.arguments, i, 1)):
                    inits[i] = (inits[i][0], TileVal(
                        proto.value, proto.shape, proto.dtype, proto.memory,
                        proto.memory_at, v.valid))
            yields = []
            for i, name in enumerate(carried):
                y = self.coerce_carried(name, vars_.get(name, MISSING),
                                        inits[i], body, node)
                yields += list(y) if isinstance(y, tuple) else [y]
            if kind == "pipeline":
                tile_d.YieldOp(yields, loc=loc, ip=self.ip)
            else:
                scf.YieldOp(yields, loc=loc, ip=self.ip)
        finally:
            self.ip = saved_ip
            self.cse.pop()
        # What flows out of the loop.
        what = "pl.pipeline" if kind == "pipeline" else "loop"
        for name in assigned:
            if name in carried:
                continue
            new, old = vars_.get(name, MISSING), snapshot.get(name, MISSING)
            if new is old or new is MISSING:
                continue
            live = name in exposed or self.used_after(name)
            if isinstance(new, RUNTIME_TYPES) or isinstance(old, RUNTIME_TYPES):
                if live and old is not MISSING and \
                        not isinstance(old, Unavailable):
                    raise self.error(analysis.last_assignment(body, name) or
                                     node, f"'{name}' ({describe(old)}) cannot "
                                     f"be reassigned inside a loop",
                                     help="only tiles and indices can be "
                                          "loop-carried; use a new name")
                vars_[name] = Unavailable(
                    name, f"assigned inside the {what} at line {node.lineno}",
                    node, "assign it before the loop to carry its value out")
            elif live and old is not MISSING and new != old:
                raise self.error(analysis.last_assignment(body, name) or node,
                                 f"compile-time value '{name}' changes inside "
                                 f"a runtime loop", expected=repr(old),
                                 found=repr(new))
        vars_[target.id] = Unavailable(target.id, f"the variable of the {what} "
                                       f"at line {node.lineno}", node)
        for i, name in enumerate(carried):
            vars_[name] = self.wrap_like(inits[i][1], slot(op.results, i))

    def carry_init(self, v, node, name):
        """(SSA init value, prototype) of a loop-carried variable (an N-D
        tile's: a tuple of its blocks' values, ndtile.Blocks)."""
        from . import ndtile
        if isinstance(v, PendingTile):
            v = self.materialize(v, node, f"loop-carried '{name}'")
        if isinstance(v, TileVal):
            if v.nd is not None:
                blocks = ndtile.carry_init(self, v, node)
                if blocks is not None:
                    return blocks
            return v.value, v
        if isinstance(v, IndexVal):
            return v.value, v
        if isinstance(v, (BoolVal, ScalarVal)):
            return v.value, v
        if isinstance(v, float):
            from ..language.types import FP32
            return self.const_scalar(v, FP32, node), ScalarVal(None, FP32)
        from . import scalars
        if isinstance(v, scalars.TypedInt):
            return (self.const_scalar(int(v), v.dtype, node),
                    ScalarVal(None, v.dtype))
        return self.const_index(v, node), IndexVal(None, Lin(0))

    def wrap_like(self, proto, value):
        from . import ndtile
        if isinstance(proto, ndtile.Blocks):
            return ndtile.from_blocks(self, proto, value)
        if isinstance(proto, TileVal):
            return TileVal(value, proto.shape, proto.dtype, valid=proto.valid,
                           nd=proto.nd)
        if isinstance(proto, BoolVal):
            return BoolVal(value)
        if isinstance(proto, ScalarVal):
            return ScalarVal(value, proto.dtype)
        from . import scalars
        if scalars.is_data(self, proto):
            return scalars.data_index(self, value)
        return self.new_index(value)

    def coerce_carried(self, name, v, init, body, loop_node):
        proto = init[1]
        where = analysis.last_assignment(body, name) or loop_node
        if isinstance(v, Unavailable) or v is MISSING:
            raise self.error(where, f"'{name}' has no value at the end of the "
                             f"loop body", help=v.reason if isinstance(
                                 v, Unavailable) else None)
        from . import ndtile
        if isinstance(proto, ndtile.Blocks):
            if isinstance(v, PendingTile):
                v = self.materialize(v, where, f"'{name}'")
            return ndtile.yield_blocks(self, name, v, proto, where)
        if isinstance(proto, TileVal):
            if isinstance(v, PendingTile):
                v = self.materialize(v, where, f"'{name}'")
            if not isinstance(v, TileVal):
                raise self.error(where, f"loop-carried '{name}' changes kind",
                                 expected=proto.describe(), found=describe(v))
            if v.shape != proto.shape or v.dtype is not proto.dtype:
                raise self.error(where, f"loop-carried '{name}' changes type "
                                 f"in the loop",
                                 expected=f"{proto.describe()} (its type "
                                          f"before the loop)",
                                 found=v.describe())
            if not validshape.same_valid(v, proto):
                raise self.error(where, f"loop-carried '{name}' changes its "
                                 f"valid shape in the loop",
                                 expected=f"{proto.describe()} (before the "
                                          f"loop)", found=v.describe(),
                                 help="give it the same valid shape before "
                                      "the loop (pl.set_validshape), or pad "
                                      "the partial tile with pl.fillpad")
            return v.value
        if isinstance(proto, ScalarVal):
            from . import scalars
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                return scalars.const(self, v, proto.dtype, where)
            if not isinstance(v, ScalarVal) or v.dtype is not proto.dtype:
                raise self.error(where, f"'{name}' changes type",
                                 expected=proto.describe(),
                                 found=describe(v))
            return v.value
        if isinstance(proto, BoolVal):
            if isinstance(v, bool):
                return self.const_bool(v, where)
            if not isinstance(v, BoolVal):
                raise self.error(where, f"loop-carried '{name}' changes kind",
                                 expected="a condition", found=describe(v))
            return v.value
        if isinstance(v, bool) or not isinstance(v, (int, IndexVal)):
            raise self.error(where, f"loop-carried '{name}' changes kind",
                             expected="an index", found=describe(v))
        return self.index_value(v, where)

    def materialize(self, p: PendingTile, node, what: str) -> TileVal:
        """The tile standing for a `pl.create_tensor` made in a scope: zero,
        or its `init_value`."""
        if self.scope.kind != "at":
            raise self.error(node, f"{what} needs a core scope to become a "
                             f"tile", help="put the loop inside `with "
                             "pl.at(...)`")
        if len(p.shape) > 2:
            # An N-D accumulator (frontend/ndtile.py): its blocks and the
            # folded tile, as pl.full of that shape.
            from . import builtins as bi
            return bi.full_tile(self, p.node or node, p.shape, p.dtype,
                                p.init, p.node or node)
        if len(p.shape) != 2:
            raise self.error(p.node or node, f"tensor '{p.name}' created in a "
                             f"scope is used as a tile but is not 2-D",
                             found=shape_str(p.shape))
        zero = float(p.init) if p.dtype.is_float else int(p.init)
        t = self.tile_type(p.shape, p.dtype)
        attr = (ir.FloatAttr.get(self.elt_type(p.dtype), zero)
                if p.dtype.is_float else
                ir.IntegerAttr.get(self.elt_type(p.dtype), zero))
        op = tile_d.FullOp(t, attr, loc=self.loc(p.node or node), ip=self.ip)
        return TileVal(op.result, tuple(p.shape), p.dtype)

    # ------------------------------------------------------------------
    # if / else
    # ------------------------------------------------------------------

    def _if_ranges(self, test) -> tuple:
        """The ranges of an index's atom in the two branches of `if i < c:`
        (<, <=, >, >= between an index `a + k` of one atom and a
        compile-time int): in the then branch `a <= c - k - 1`, in the else
        branch `a >= c - k`, so the bounds checks inside a branch see only
        the indices that reach it (`if t < n: x[t * 16:...]`). ({}, {})
        when the test is of another form."""
        none = ({}, {})
        if not (isinstance(test, ast.Compare) and len(test.ops) == 1) or \
                any(isinstance(n, ast.Call) for n in ast.walk(test)):
            return none
        left, right = self.expr(test.left), self.expr(test.comparators[0])
        op = type(test.ops[0])
        flip = {ast.Lt: ast.Gt, ast.Gt: ast.Lt, ast.LtE: ast.GtE,
                ast.GtE: ast.LtE}
        if isinstance(right, IndexVal) and isinstance(left, int) and \
                op in flip:
            left, right, op = right, left, flip[op]
        if not (isinstance(left, IndexVal) and isinstance(right, int) and
                not isinstance(right, bool) and op in flip):
            return none
        terms = left.lin.terms
        if len(terms) != 1 or terms[0][1] != 1:
            return none
        atom, k = terms[0][0], left.lin.const
        r = self.atom_ranges.get(atom)
        if r is None:
            return none
        lo, hi = r
        # a + k < c  <=>  a <= c - k - 1 (then), a >= c - k (else); the
        # other comparisons alike.
        cut = {ast.Lt: right - k, ast.LtE: right - k + 1,
               ast.Gt: right - k + 1, ast.GtE: right - k}[op]
        below = (lo, min(hi, cut - 1))      # a < cut
        above = (max(lo, cut), hi)          # a >= cut
        then_r, else_r = ((below, above) if op in (ast.Lt, ast.LtE)
                          else (above, below))
        return tuple({atom: rr} if rr[0] <= rr[1] else {}
                     for rr in (then_r, else_r))

    def stmt_If(self, node):
        test = self.expr(node.test)
        from . import scalars
        if isinstance(test, scalars.ScalarParam):
            raise scalars.param_misuse(self, test, node.test)
        if isinstance(test, (IndexVal, ScalarVal)):
            test = self.compare(ast.NotEq(), test, 0, node.test)
        if isinstance(test, (TileVal, GmTensor, PendingTile)):
            raise self.error(node.test, "the condition of an if must be an "
                             "index comparison or a compile-time value",
                             found=describe(test))
        if not isinstance(test, BoolVal):
            self.visit_block(node.body if test else node.orelse, "block")
            return
        vars_ = self.act.vars
        pre = dict(vars_)
        loc = self.loc(node)
        narrowed = self._if_ranges(node.test)
        tmp = scf.IfOp(test.value, [], has_else=True, loc=loc, ip=self.ip)
        saved_ip = self.ip
        branch_vars = []
        try:
            for block, stmts, ranges in (
                    (tmp.then_block, node.body, narrowed[0]),
                    (tmp.else_block, node.orelse, narrowed[1])):
                self.ip = ir.InsertionPoint(block)
                self.cse.append({})
                saved_ranges = {a: self.atom_ranges.get(a) for a in ranges}
                self.atom_ranges.update(ranges)
                try:
                    self.visit_block(stmts, "block")
                finally:
                    self.cse.pop()
                    for a, r in saved_ranges.items():
                        if r is None:
                            self.atom_ranges.pop(a, None)
                        else:
                            self.atom_ranges[a] = r
                branch_vars.append((dict(vars_), self.ip))
                vars_.clear()
                vars_.update(pre)
        finally:
            self.ip = saved_ip
        (then_vars, then_ip), (else_vars, else_ip) = branch_vars
        stmts = node.body + node.orelse
        results = []   # (name, then value, else value, prototype)
        for name in analysis.assigned_names(stmts):
            tv, ev = then_vars.get(name, MISSING), else_vars.get(name, MISSING)
            if tv is ev:
                if tv is not MISSING:
                    vars_[name] = tv
                continue
            if not self.used_after(name):
                vars_[name] = Unavailable(name, f"assigned in only part of the "
                                          f"if at line {node.lineno}", node)
                continue
            where = analysis.last_assignment(stmts, name) or node
            missing = [b for b, v in (("then", tv), ("else", ev))
                       if v is MISSING or isinstance(v, Unavailable)]
            if missing:
                raise self.error(where, f"'{name}' is assigned in only one "
                                 f"branch of this if and used after it",
                                 help=f"give '{name}' a value before the if or "
                                      f"in the {missing[0]} branch too")
            if not isinstance(tv, RUNTIME_TYPES) and \
                    not isinstance(ev, RUNTIME_TYPES) and tv == ev:
                vars_[name] = tv
                continue
            results.append((name, tv, ev, self.unify(name, tv, ev, where)))
        then_vals, else_vals = [], []
        for name, tv, ev, proto in results:
            where = analysis.last_assignment(stmts, name) or node
            for v, ip, out in ((tv, then_ip, then_vals),
                               (ev, else_ip, else_vals)):
                self.ip = ip
                try:
                    out.append(self.coerce_carried(name, v, (None, proto),
                                                   stmts, where))
                finally:
                    self.ip = saved_ip
        types = [v.type for v in then_vals]
        has_else = bool(node.orelse) or bool(results)
        final = scf.IfOp(test.value, types, has_else=has_else, loc=loc,
                         ip=ir.InsertionPoint(tmp))
        moves = [(tmp.then_block, final.then_block, then_vals)]
        if has_else:
            moves.append((tmp.else_block, final.else_block, else_vals))
        for src_block, dst_block, vals in moves:
            y = scf.YieldOp(vals, loc=loc, ip=ir.InsertionPoint(dst_block))
            for op in list(src_block.operations):
                op.operation.move_before(y)
        tmp.operation.erase()
        for i, (name, _, _, proto) in enumerate(results):
            vars_[name] = self.wrap_like(proto, final.results[i])

    def unify(self, name, a, b, where):
        """The prototype of the value both branches give `name`."""
        kinds = []
        scalar = [v for v in (a, b) if isinstance(v, ScalarVal)]
        if scalar:
            # A scalar in one branch; the other may give a number.
            for v in (a, b):
                if not (isinstance(v, ScalarVal) or (
                        isinstance(v, (int, float)) and
                        not isinstance(v, bool))) or (
                        isinstance(v, ScalarVal) and
                        v.dtype is not scalar[0].dtype):
                    raise self.error(where, f"'{name}' has different types "
                                     f"in the two branches of this if",
                                     expected=describe(a) + " (then branch)",
                                     found=describe(b) + " (else branch)")
            return ScalarVal(None, scalar[0].dtype)
        from . import scalars
        if scalars.is_data(self, a) or scalars.is_data(self, b):
            proto = IndexVal(None, Lin(0))
            proto.data = True
            for v in (a, b):
                if not (isinstance(v, IndexVal) or (
                        isinstance(v, int) and not isinstance(v, bool))):
                    raise self.error(where, f"'{name}' has different types "
                                     f"in the two branches of this if",
                                     expected=describe(a) + " (then branch)",
                                     found=describe(b) + " (else branch)")
            return proto
        for v in (a, b):
            if isinstance(v, (TileVal, PendingTile)):
                kinds.append(("tile", tuple(v.shape), v.dtype,
                              getattr(v, "nd", None)))
            elif isinstance(v, BoolVal) or isinstance(v, bool):
                kinds.append(("bool",))
            elif isinstance(v, (IndexVal, int)):
                kinds.append(("index",))
            else:
                raise self.error(where, f"'{name}' gets different values in "
                                 f"the two branches of a runtime if",
                                 expected="tiles, indices or conditions",
                                 found=describe(v))
        if kinds[0] != kinds[1]:
            raise self.error(where, f"'{name}' has different types in the two "
                             f"branches of this if",
                             expected=describe(a) + " (then branch)",
                             found=describe(b) + " (else branch)")
        k = kinds[0]
        if k[0] == "tile":
            # A pl.create_tensor tile-to-be is full.
            ta, tb = (TileVal(None, v.shape, v.dtype)
                      if isinstance(v, PendingTile) else v for v in (a, b))
            if not validshape.same_valid(ta, tb):
                raise self.error(where, f"'{name}' has different valid "
                                 f"shapes in the two branches of this if",
                                 expected=ta.describe() + " (then branch)",
                                 found=tb.describe() + " (else branch)",
                                 help="pad the partial tile with pl.fillpad, "
                                      "or pl.set_validshape both the same")
            return TileVal(None, k[1], k[2], valid=ta.valid, nd=k[3])
        if k[0] == "bool":
            return BoolVal(None)
        return IndexVal(None, Lin(0))


def stepped_iv_bounds(start_bounds: tuple, stop_bounds: tuple,
                      step: int) -> tuple | None:
    """(min, max) of the index of `for i in range(start, stop, step)` given
    (min, max) bounds of start and stop, or None when unknown or empty.

    The last index is ``start + ((stop - 1 - start) // step) * step``, not
    ``stop - 1``: range(0, 512, 128) ends at 384, so x[:, i:i + 128] stays
    in a 512-column tensor. That formula needs a known start; a runtime
    start in [lo, hi] can end anywhere up to stop - 1 (e.g. start 1, stop
    10, step 4 ends at 9, but start 0 at 8), so then ``stop - 1`` is the
    bound. The last index grows with stop, so stop's maximum is used.
    """
    lo, lo_hi = start_bounds
    _, hi = stop_bounds
    if lo is None or hi is None or hi - 1 < lo:
        return None
    if lo == lo_hi:
        return lo, lo + ((hi - 1 - lo) // step) * step
    return lo, hi - 1
