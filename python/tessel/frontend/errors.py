"""Source-pointing compile errors.

Every error the frontend (or, through the driver, an MLIR diagnostic)
reports to a kernel author is a `tessel.CompileError` whose message reads
like a C compiler's::

    kernels/norm.py:14:19: error: shape mismatch in pl.add
            acc = pl.add(acc, row)
                          ^~~
      expected: [16, 1] (the shape of lhs)
      found:    [1, 16]

`filename`/`line`/`col` on the exception are 1-based and absolute.
"""

from __future__ import annotations

import ast
import linecache
import os
from dataclasses import dataclass

from ..errors import CompileError


@dataclass(frozen=True)
class Note:
    """A secondary location attached to an error (``note:`` lines)."""
    text: str
    filename: str | None = None
    line: int | None = None
    col: int | None = None


def display_path(filename: str) -> str:
    """`filename` relative to the working directory when it is inside it."""
    if not filename or filename.startswith("<"):
        return filename or "<unknown>"
    try:
        rel = os.path.relpath(filename)
    except ValueError:
        return filename
    return filename if rel.startswith("..") else rel


def _byte_to_char_col(text: str, byte_col: int) -> int:
    """`ast` columns are UTF-8 byte offsets; carets need characters."""
    try:
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", "replace"))
    except Exception:  # pragma: no cover - defensive
        return byte_col


def source_line(filename: str | None, line: int | None) -> str | None:
    if not filename or not line:
        return None
    text = linecache.getline(filename, line)
    return text.rstrip("\r\n") if text else None


def _snippet(filename, line, col, width) -> list[str]:
    text = source_line(filename, line)
    if text is None:
        return []
    text = text.expandtabs(1)
    col0 = max((col or 1) - 1, 0)
    caret = " " * col0 + "^" + "~" * max(min(width, len(text) - col0) - 1, 0)
    return [f"    {text}", f"    {caret}"]


def format_message(brief: str, filename: str | None, line: int | None,
                   col: int | None, *, width: int = 1,
                   expected: str | None = None, found: str | None = None,
                   help: str | None = None,
                   notes: list[Note] | tuple[Note, ...] = ()) -> str:
    """The full text of a compile error (see the module docstring)."""
    if filename:
        where = display_path(filename)
        if line:
            where += f":{line}"
            if col:
                where += f":{col}"
        out = [f"{where}: error: {brief}"]
    else:
        out = [f"error: {brief}"]
    out += _snippet(filename, line, col, width)
    if expected is not None:
        out.append(f"  expected: {expected}")
    if found is not None:
        out.append(f"  found:    {found}")
    if help:
        out.append(f"  help: {help}")
    for note in notes:
        nwhere = display_path(note.filename) if note.filename else "<unknown>"
        if note.line:
            nwhere += f":{note.line}"
            if note.col:
                nwhere += f":{note.col}"
        out.append(f"{nwhere}: note: {note.text}")
        out += _snippet(note.filename, note.line, note.col, 1)
    return "\n".join(out)


def make_error(brief: str, filename: str | None = None, line: int | None = None,
               col: int | None = None, *, width: int = 1,
               expected: str | None = None, found: str | None = None,
               help: str | None = None, notes=()) -> CompileError:
    message = format_message(brief, filename, line, col, width=width,
                             expected=expected, found=found, help=help,
                             notes=notes)
    return CompileError(message, filename, line, col, brief=brief,
                        expected=expected, found=found)


def node_position(filename: str, node: ast.AST) -> tuple[int | None, int | None, int]:
    """(line, 1-based character column, caret width) of an AST node."""
    line = getattr(node, "lineno", None)
    if line is None:
        return None, None, 1
    text = linecache.getline(filename, line) or ""
    col = _byte_to_char_col(text, node.col_offset) + 1
    width = 1
    end_line = getattr(node, "end_lineno", None)
    end_col = getattr(node, "end_col_offset", None)
    if end_line == line and end_col is not None:
        width = max(_byte_to_char_col(text, end_col) + 1 - col, 1)
    elif end_line is not None:
        width = max(len(text.rstrip()) + 1 - col, 1)
    return line, col, width


def error_at(filename: str, node: ast.AST | None, brief: str, *,
             expected: str | None = None, found: str | None = None,
             help: str | None = None, notes=()) -> CompileError:
    """A CompileError pointing at `node` of the source file `filename`."""
    if node is None:
        return make_error(brief, filename, expected=expected, found=found,
                          help=help, notes=notes)
    line, col, width = node_position(filename, node)
    return make_error(brief, filename, line, col, width=width,
                      expected=expected, found=found, help=help, notes=notes)


def note_at(filename: str, node: ast.AST, text: str) -> Note:
    line, col, _ = node_position(filename, node)
    return Note(text, filename, line, col)
