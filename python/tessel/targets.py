"""The figures of Tessel's target chips, read from the one C++ definition
(`include/tessel/Support/TargetInfo.h`) through the bindings."""

from __future__ import annotations

from .mlir._mlir_libs import _tessel as _ext


def all_targets() -> dict[str, dict]:
    """Every target's figures, keyed by name ("a2a3", "a5")."""
    return {t["name"]: t for t in _ext.targets()}


def get(name: str) -> dict:
    """The figures of target `name`; KeyError names the known ones."""
    targets = all_targets()
    if name not in targets:
        raise KeyError(f"unknown target {name!r}; expected one of "
                       f"{', '.join(sorted(targets))}")
    return targets[name]
