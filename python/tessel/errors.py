"""Errors Tessel reports to kernel authors."""

from __future__ import annotations


class CompileError(Exception):
    """A kernel could not be compiled.

    `filename`, `line` and `col` (1-based) point at the author's source when
    known; the message already shows them (``file:line:col: error: ...``)
    with the source line and a caret, followed by what was expected and what
    was found. `brief` is the one-line description without the location,
    `expected` and `found` the two sides of a mismatch (or None).
    """

    def __init__(self, message: str, filename: str | None = None,
                 line: int | None = None, col: int | None = None, *,
                 brief: str | None = None, expected: str | None = None,
                 found: str | None = None):
        super().__init__(message)
        self.filename = filename
        self.line = line
        self.col = col
        self.brief = brief if brief is not None else message
        self.expected = expected
        self.found = found


class OutsideKernelError(RuntimeError):
    """A `tessel.language` construct was used outside a `@pl.jit` kernel.

    `pl.add`, `pl.spmd`, `pl.at` and the other language constructs describe
    IR; they only have a meaning inside the body of a `@pl.jit` (or
    `@pl.jit.inline`) function, which Tessel compiles from its source.
    """


class BackendUnavailableError(RuntimeError):
    """The backend needed to run a kernel is not available in this build."""


class ArgumentError(TypeError):
    """A kernel was called with arguments that do not match its signature."""


def file_location(loc):
    """(filename, line, col) of the first file location inside `loc`."""
    if loc is None:
        return None
    try:
        if loc.is_a_file():
            return loc.filename, loc.start_line, loc.start_col
        if loc.is_a_callsite():
            return file_location(loc.callee) or file_location(loc.caller)
        if loc.is_a_name():
            return file_location(loc.child_loc)
        if loc.is_a_fused():
            for sub in loc.locations:
                found = file_location(sub)
                if found:
                    return found
    except Exception:  # pragma: no cover - unknown location kinds
        return None
    return None
