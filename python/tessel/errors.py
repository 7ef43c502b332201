"""Errors Tessel reports to kernel authors."""

from __future__ import annotations


class CompileError(Exception):
    """A kernel could not be compiled.

    `filename`, `line` and `col` point at the author's source when known;
    the message already shows them (``file:line:col: error: ...``) with the
    source line and a caret.
    """

    def __init__(self, message: str, filename: str | None = None,
                 line: int | None = None, col: int | None = None):
        super().__init__(message)
        self.filename = filename
        self.line = line
        self.col = col
