"""What a compiled kernel depends on in the Python values it read at
compile time (no MLIR import: the kernel cache checks them on a warm
start, tessel.runtime.source_index)."""

from __future__ import annotations


def fingerprint(value, depth: int = 0):
    """What a compiled kernel depends on in a Python value it read: the
    value of a number, string, or a tuple / list / dict of them; the
    identity of anything else (a module, a function, a dtype)."""
    if value is None or isinstance(value, (bool, int, str, bytes)):
        return (type(value).__name__, value)
    if isinstance(value, (float, complex)):
        return (type(value).__name__, repr(value))
    if depth < 4 and isinstance(value, (tuple, list)):
        return (type(value).__name__,
                tuple(fingerprint(v, depth + 1) for v in value))
    if depth < 4 and isinstance(value, dict):
        return ("dict", tuple((fingerprint(k, depth + 1),
                               fingerprint(v, depth + 1))
                              for k, v in value.items()))
    return ("id", id(value))
