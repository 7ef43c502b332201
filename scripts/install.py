#!/usr/bin/env python3
"""Install the built tessel package and tools into the venv.

The build tree's `python_packages/` holds `tessel` (pure Python sources
symlinked from python/tessel, and the compiled `tessel.mlir` bindings); a
`.pth` file puts it on the venv's path, so edits need no reinstall.
`tessel-opt`, `tessel-translate` and the `tessel` command go into the venv's
bin/.
Idempotent: does nothing when everything is already in place.
"""

from __future__ import annotations

import argparse
import os
import sys
import sysconfig
from pathlib import Path

TESSEL_SCRIPT = """#!{python}
import sys
from tessel.cli import main
sys.exit(main())
"""


def ensure_file(path: Path, text: str, mode: int | None = None) -> bool:
    if path.exists() and path.read_text() == text:
        return False
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    if mode is not None:
        tmp.chmod(mode)
    tmp.replace(path)
    return True


def ensure_symlink(link: Path, target: Path) -> bool:
    if link.is_symlink() and os.readlink(link) == str(target):
        return False
    if link.exists() or link.is_symlink():
        link.unlink()
    link.symlink_to(target)
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build", type=Path, required=True)
    parser.add_argument("--venv", type=Path, required=True)
    args = parser.parse_args()
    site = Path(sysconfig.get_paths()["purelib"])
    changed = []
    if ensure_file(site / "tessel.pth",
                   str(args.build.resolve() / "python_packages") + "\n"):
        changed.append("tessel.pth")
    bin_dir = args.venv / "bin"
    for tool in ("tessel-opt", "tessel-translate"):
        if ensure_symlink(bin_dir / tool, args.build.resolve() / "bin" / tool):
            changed.append(tool)
    if ensure_file(bin_dir / "tessel",
                   TESSEL_SCRIPT.format(python=sys.executable), 0o755):
        changed.append("tessel")
    print(f"    {'installed ' + ', '.join(changed) if changed else 'up to date'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
