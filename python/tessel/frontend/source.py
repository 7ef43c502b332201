"""Finding a kernel's source: its AST with absolute positions, its globals
and its closure.

The frontend parses the file that defines the function (through
`linecache`, so kernels defined in files, and in strings registered with
`linecache`, both work) and picks the `def` at the function's first line;
AST positions are then already the author's line and column. Functions
without a source file fall back to `inspect.getsource`, with positions
shifted back to absolute ones.
"""

from __future__ import annotations

import ast
import copy
import inspect
import linecache
import textwrap
from dataclasses import dataclass, field

from .errors import make_error

_MISSING = object()
_file_trees: dict[str, tuple[int, ast.Module]] = {}
_sources: dict[object, "FunctionSource"] = {}


@dataclass
class FunctionSource:
    """A Python function the frontend compiles (a kernel or inline helper)."""
    fn: object
    filename: str
    node: ast.FunctionDef
    globals: dict
    freevars: tuple = ()
    #: names loaded anywhere in the body, for error messages
    _closure_cells: tuple = field(default=(), repr=False)
    #: names bound by the frontend, not the function: a @pl.program
    #: Orchestration method's `self` (dropped from its parameters)
    bound: dict = field(default_factory=dict)
    #: the locals of the function the kernel was defined in, when it was
    #: decorated (remember_enclosing): what its annotations may name
    enclosing: dict = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        return self.fn.__name__

    def lookup_nonlocal(self, name: str):
        """The value of a closure variable or global `name`, or _MISSING."""
        if name in self.bound:
            return self.bound[name]
        if name in self.freevars:
            cell = self._closure_cells[self.freevars.index(name)]
            try:
                return cell.cell_contents
            except ValueError:
                return _MISSING  # referenced before assignment in the closure
        if name in self.enclosing:
            return self.enclosing[name]
        if name in self.globals:
            return self.globals[name]
        builtins = self.globals.get("__builtins__", __builtins__)
        if isinstance(builtins, dict):
            return builtins.get(name, _MISSING)
        return getattr(builtins, name, _MISSING)


MISSING = _MISSING


def _parse_file(filename: str, fn) -> ast.Module | None:
    lines = linecache.getlines(filename, getattr(fn, "__globals__", None))
    if not lines:
        return None
    text = "".join(lines)
    key = hash(text)
    cached = _file_trees.get(filename)
    if cached and cached[0] == key:
        return cached[1]
    try:
        tree = ast.parse(text, filename=filename)
    except SyntaxError:
        return None
    _file_trees[filename] = (key, tree)
    return tree


def _find_def(tree: ast.AST, name: str, first_line: int):
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if node.name != name:
            continue
        lines = [node.lineno] + [d.lineno for d in node.decorator_list]
        if first_line in lines or min(lines) == first_line:
            return node
    return None


def _from_getsource(fn, filename: str) -> ast.FunctionDef:
    lines, start = inspect.getsourcelines(fn)
    text = "".join(lines)
    dedented = textwrap.dedent(text)
    shift = len(lines[0]) - len(dedented.splitlines(True)[0])
    tree = ast.parse(dedented, filename=filename)
    ast.increment_lineno(tree, start - 1)
    if shift:
        for node in ast.walk(tree):
            if hasattr(node, "col_offset"):
                node.col_offset += shift
                if getattr(node, "end_col_offset", None) is not None:
                    node.end_col_offset += shift
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return node
    raise OSError("no function definition in the source")


def get_source(fn) -> FunctionSource:
    """The FunctionSource of `fn` (cached per code object)."""
    code = getattr(fn, "__code__", None)
    if code is None:
        raise make_error(f"{fn!r} is not a Python function; @pl.jit compiles "
                         f"a function's source")
    cached = _sources.get(code)
    if cached is not None and cached.fn is fn:
        return cached
    filename = code.co_filename
    node = None
    tree = _parse_file(filename, fn)
    if tree is not None:
        node = _find_def(tree, fn.__name__, code.co_firstlineno)
    if node is None:
        try:
            node = _from_getsource(fn, filename)
        except (OSError, TypeError, SyntaxError) as e:
            raise make_error(
                f"cannot read the source of '{fn.__name__}': {e}",
                filename, code.co_firstlineno,
                help="a @pl.jit kernel must be defined in a file (or in a "
                     "string registered with linecache)") from None
    if isinstance(node, ast.AsyncFunctionDef):
        raise make_error(f"'{fn.__name__}' is an async function; kernels are "
                         f"plain functions", filename, node.lineno)
    bound = {}
    program = getattr(fn, "__tessel_self__", None)
    if program is not None and node.args.args:
        # A @pl.program Orchestration method: `self` is the program, not a
        # kernel parameter (a copy: the file's AST is shared).
        node = copy.copy(node)
        node.args = copy.copy(node.args)
        bound[node.args.args[0].arg] = program
        node.args.args = node.args.args[1:]
    src = FunctionSource(fn=fn, filename=filename, node=node,
                         globals=fn.__globals__,
                         freevars=code.co_freevars,
                         _closure_cells=tuple(fn.__closure__ or ()),
                         bound=bound,
                         enclosing=getattr(fn, "__tessel_enclosing__", {}))
    _sources[code] = src
    return src


def remember_enclosing(fn) -> None:
    """Keep on `fn` the locals of the function it is being defined in (its
    builder), as they are now: Python evaluates a parameter annotation in
    the enclosing scopes when the `def` runs, so `pl.Tensor[[rows, n],
    ...]` may name a local of the builder that the kernel's body never
    uses (then it is not a closure variable of the kernel). Frames of the
    tessel package (the decorators) and of class bodies (a @pl.program
    class) are skipped; at module level there is nothing to keep."""
    import sys
    code = getattr(fn, "__code__", None)
    if code is None:
        return
    frame = sys._getframe(1)
    package = __name__.rsplit(".", 2)[0]
    while frame is not None and (
            frame.f_globals.get("__name__", "").startswith(package + ".") or
            "__qualname__" in frame.f_locals and
            "__module__" in frame.f_locals):
        frame = frame.f_back
    if frame is None or frame.f_locals is frame.f_globals:
        return
    try:
        fn.__tessel_enclosing__ = dict(frame.f_locals)
    except (AttributeError, TypeError):
        pass
