"""Name-flow analysis of kernel statements.

Loop-carried values and the results of a runtime `if` are decided from the
source, before any IR is built: a variable becomes an `iter_arg` when the
loop body assigns it *and* its value flows around the loop (the body reads
it before assigning it) or out of the loop (code after the loop reads it
before assigning it). `exposed_reads` computes both with a small
forward pass over the statements (reads not preceded by a definite
assignment).
"""

from __future__ import annotations

import ast


# The AST nodes come from a cached parse of the kernel's file and are never
# modified, so the analyses below are memoised per node (the node is kept in
# the entry so that its id is not reused).
_loads_memo: dict[int, tuple] = {}
_flow_memo: dict[tuple, tuple] = {}
_assigned_memo: dict[tuple, tuple] = {}


def _loads(node: ast.AST | None) -> frozenset:
    """Names read anywhere in an expression (or statement)."""
    if node is None:
        return frozenset()
    hit = _loads_memo.get(id(node))
    if hit is not None and hit[0] is node:
        return hit[1]
    names = frozenset(_free_loads(node))
    _loads_memo[id(node)] = (node, names)
    return names


_COMPREHENSIONS = (ast.ListComp, ast.GeneratorExp, ast.SetComp, ast.DictComp)


def _free_loads(node: ast.AST) -> set:
    """Names `node` reads from its enclosing code: a comprehension's own
    targets (`i` in `[t[i] for i in range(n)]`) are not reads of the
    kernel's `i` (Python 3 scoping)."""
    if isinstance(node, ast.Name):
        return {node.id} if isinstance(node.ctx, ast.Load) else set()
    if isinstance(node, _COMPREHENSIONS):
        gens = node.generators
        out = _free_loads(gens[0].iter)
        inner: set = set()
        bound: set = set()
        for i, g in enumerate(gens):
            if i:
                inner |= _free_loads(g.iter) - bound
            bound |= _target_names(g.target)
            for c in g.ifs:
                inner |= _free_loads(c) - bound
        elts = [node.key, node.value] if isinstance(node, ast.DictComp) \
            else [node.elt]
        for e in elts:
            inner |= _free_loads(e) - bound
        return out | inner
    out = set()
    for child in ast.iter_child_nodes(node):
        out |= _free_loads(child)
    return out


def _target_names(target: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(target)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def _target_reads(target: ast.AST) -> set[str]:
    """Names an assignment target reads (``x[i] = ...`` reads x and i)."""
    if isinstance(target, ast.Name):
        return set()
    if isinstance(target, (ast.Tuple, ast.List)):
        out = set()
        for elt in target.elts:
            out |= _target_reads(elt)
        return out
    if isinstance(target, ast.Starred):
        return _target_reads(target.value)
    return _loads(target)


def assigned_names(stmts) -> list[str]:
    """Names assigned anywhere in `stmts` (in order of first assignment),
    not looking into nested function or class definitions."""
    key = tuple(id(s) for s in stmts)
    hit = _assigned_memo.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], stmts)):
        return list(hit[1])
    names = _assigned_names(stmts)
    _assigned_memo[key] = (tuple(stmts), tuple(names))
    return names


def _assigned_names(stmts) -> list[str]:
    seen: dict[str, None] = {}

    def visit(node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                             ast.ClassDef, ast.Lambda)):
            if not isinstance(node, ast.Lambda):
                seen.setdefault(node.name, None)
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            seen.setdefault(node.id, None)
        # A comprehension's targets are its own names, not the kernel's.
        if isinstance(node, ast.comprehension):
            visit(node.iter)
            for c in node.ifs:
                visit(c)
            return
        # `t[a:b, c:d] = s` gives the tile `t` a new value (tile.insert); on
        # a GM tensor the name keeps its value and nothing changes.
        if isinstance(node, ast.Subscript) and \
                isinstance(node.ctx, ast.Store) and \
                isinstance(node.value, ast.Name):
            seen.setdefault(node.value.id, None)
        # `pl.write(t, [i, j], v)` on a tile gives `t` a new value
        # (tile.set), like a subscript assignment.
        if isinstance(node, ast.Call) and \
                isinstance(node.func, ast.Attribute) and \
                node.func.attr == "write" and node.args and \
                isinstance(node.args[0], ast.Name):
            seen.setdefault(node.args[0].id, None)
        for child in ast.iter_child_nodes(node):
            visit(child)

    for s in stmts:
        visit(s)
    return list(seen)


def last_assignment(stmts, name: str) -> ast.AST | None:
    """The last statement in `stmts` (searching nested blocks) assigning `name`."""
    found = None
    for s in stmts:
        skip = {id(n) for c in ast.walk(s) if isinstance(c, ast.comprehension)
                for n in ast.walk(c.target)}
        for node in ast.walk(s):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) \
                    and node.id == name and id(node) not in skip:
                found = s if isinstance(s, (ast.Assign, ast.AugAssign,
                                            ast.AnnAssign)) else node
    return found


def exposed_reads(stmts, defined: frozenset = frozenset()) -> tuple[set, set]:
    """(names read before being definitely assigned, names definitely
    assigned at the end) for the statement list `stmts`."""
    defined = frozenset(defined)
    key = (tuple(id(s) for s in stmts), defined)
    hit = _flow_memo.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], stmts)):
        return set(hit[1]), set(hit[2])
    exposed, defs = _exposed_reads(stmts, defined)
    _flow_memo[key] = (tuple(stmts), frozenset(exposed), frozenset(defs))
    return exposed, defs


def _exposed_reads(stmts, defined: frozenset) -> tuple[set, set]:
    exposed: set[str] = set()
    defs = set(defined)
    for s in stmts:
        e, defs = _stmt_flow(s, defs)
        exposed |= e
    return exposed, defs


def _stmt_flow(s: ast.stmt, defs: set) -> tuple[set, set]:
    if isinstance(s, ast.Assign):
        reads = set(_loads(s.value))
        for t in s.targets:
            reads |= _target_reads(t)
        exposed = reads - defs
        new = set(defs)
        for t in s.targets:
            new |= _target_names(t)
        return exposed, new
    if isinstance(s, ast.AnnAssign):
        reads = set(_loads(s.value)) | _target_reads(s.target)
        new = set(defs)
        if s.value is not None:
            new |= _target_names(s.target)
        return reads - defs, new
    if isinstance(s, ast.AugAssign):
        reads = set(_loads(s.value)) | _target_reads(s.target)
        if isinstance(s.target, ast.Name):
            reads.add(s.target.id)
        return reads - defs, defs | _target_names(s.target)
    if isinstance(s, ast.If):
        exposed = _loads(s.test) - defs
        e1, d1 = exposed_reads(s.body, frozenset(defs))
        e2, d2 = exposed_reads(s.orelse, frozenset(defs))
        return exposed | e1 | e2, d1 & d2
    if isinstance(s, (ast.For, ast.AsyncFor)):
        exposed = _loads(s.iter) - defs
        inner = frozenset(defs | _target_names(s.target))
        e1, _ = exposed_reads(s.body, inner)
        e2, _ = exposed_reads(s.orelse, frozenset(defs))
        return exposed | e1 | e2, set(defs)   # the body may not run
    if isinstance(s, ast.While):
        exposed = _loads(s.test) - defs
        e1, _ = exposed_reads(s.body, frozenset(defs))
        return exposed | e1, set(defs)
    if isinstance(s, (ast.With, ast.AsyncWith)):
        exposed = set()
        new = set(defs)
        for item in s.items:
            exposed |= _loads(item.context_expr) - new
            if item.optional_vars is not None:
                new |= _target_names(item.optional_vars)
        e1, d1 = exposed_reads(s.body, frozenset(new))
        return exposed | e1, d1
    if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return set(), defs | {s.name}
    return _loads(s) - defs, set(defs)


def scope_uses(stmts, name: str, is_core_scope) -> tuple[list, bool]:
    """Where `stmts` (the rest of a pl.spmd / pl.parallel body after
    `name = pl.create_tensor(...)`) use `name`: (the core scopes that read
    or assign it, in order, each once: the `with` nodes `is_core_scope`
    accepts; whether anything outside those scopes reads it -- a view, a
    reshape, an argument of an InCore call). Stops at a statement outside
    the core scopes that binds `name` anew. Comprehension targets are not
    the kernel's names (as in `exposed_reads`)."""
    scopes: list = []
    outside = False

    def uses(node) -> bool:
        if name in _free_loads(node):
            return True
        return name in _assigned_names([node]) if isinstance(
            node, ast.stmt) else False

    def visit(stmts) -> bool:
        """False once `name` is bound anew outside the scopes."""
        nonlocal outside
        for s in stmts:
            if isinstance(s, (ast.With, ast.AsyncWith)) and is_core_scope(s):
                if uses(s) and not any(x is s for x in scopes):
                    scopes.append(s)
                continue
            if isinstance(s, (ast.For, ast.AsyncFor, ast.While, ast.If)):
                head = s.iter if isinstance(s, (ast.For, ast.AsyncFor)) \
                    else s.test
                if name in _free_loads(head):
                    outside = True
                if not visit(s.body) or not visit(s.orelse):
                    return False
                continue
            if isinstance(s, (ast.With, ast.AsyncWith)):
                for item in s.items:
                    if name in _free_loads(item.context_expr):
                        outside = True
                if not visit(s.body):
                    return False
                continue
            if isinstance(s, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                value = s.value
                targets = s.targets if isinstance(s, ast.Assign) \
                    else [s.target]
                reads = _free_loads(value) if value is not None else set()
                for t in targets:
                    reads |= _target_reads(t)
                if isinstance(s, ast.AugAssign) and \
                        isinstance(s.target, ast.Name):
                    reads.add(s.target.id)
                if name in reads:
                    outside = True
                if any(name in _target_names(t) for t in targets):
                    return False
                continue
            if name in _free_loads(s):
                outside = True
        return True

    visit(stmts)
    return scopes, outside
