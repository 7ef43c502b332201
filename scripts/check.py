#!/usr/bin/env python3
"""Run every Tessel test (lit, then pytest) and print one summary.

The last line is `check: N passed, N failed` (and `, N skipped`); the exit
status is non-zero when anything failed. Extra arguments go to pytest
(e.g. `make check CHECK_ARGS="--quick"` skips the slowest kernel cases).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def junit_counts(path: Path) -> tuple[int, int, int]:
    """(passed, failed, skipped) from a JUnit XML report."""
    if not path.exists():
        return 0, 0, 0
    passed = failed = skipped = 0
    for case in ET.parse(path).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped


def run(name: str, cmd: list[str], report: Path) -> tuple[int, int, int, int]:
    report.unlink(missing_ok=True)
    start = time.monotonic()
    rc = subprocess.call(cmd, cwd=ROOT)
    passed, failed, skipped = junit_counts(report)
    if rc != 0 and failed == 0 and not (name == "pytest" and rc == 5):
        failed = 1  # the runner itself failed (collection or config error)
    print(f"    {name}: {passed} passed, {failed} failed, {skipped} skipped "
          f"in {time.monotonic() - start:.1f} s", flush=True)
    return passed, failed, skipped, rc


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build", type=Path, default=ROOT / "build")
    args, pytest_args = parser.parse_known_args()
    venv_bin = Path(sys.executable).parent
    reports = args.build / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    # The tests' compiled kernels go to the build tree, not the user's
    # cache (`make clean` removes them; a second run loads them).
    os.environ.setdefault("TESSEL_CACHE_DIR", str(args.build / "kernel-cache"))

    lit = run("lit", [str(venv_bin / "lit"), "-q", "--xunit-xml-output",
                      str(reports / "lit.xml"), str(args.build / "test")],
              reports / "lit.xml")
    py = run("pytest", [sys.executable, "-m", "pytest", "-q",
                        "-p", "no:cacheprovider",
                        f"--junitxml={reports / 'pytest.xml'}", *pytest_args],
             reports / "pytest.xml")
    passed = lit[0] + py[0]
    failed = lit[1] + py[1]
    skipped = lit[2] + py[2]
    print(f"check: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
